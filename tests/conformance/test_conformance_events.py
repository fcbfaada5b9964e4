"""The `events` root and `event(id:)` as the captures read them (../shared/shopify-captures/2025-01/events),
and the destroy events of collections the tap reads deletions from."""

from __future__ import annotations

from typing import Any

from ..captures import assert_same_answer, load, needs_captures
from ..conftest import Running
from .test_conformance_reads import shape_mismatches

pytestmark = needs_captures


def captured(name: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    capture = load(f"2025-01/events/{name}")
    return capture["upstreamCalls"][0]["query"], capture["variables"], capture["response"]


def test_an_unknown_event_and_an_empty_search(shop: Running) -> None:
    query, variables, theirs = captured("event-empty-read.json")
    assert_same_answer(shop.graphql(query, variables), theirs)


def test_a_destroy_event_reads_in_the_captured_shape(shop: Running) -> None:
    query, variables, theirs = captured("event-non-empty-read.json")
    seeded = shop.graphql('{ events(first: 1, query: "subject_type:COLLECTION") { nodes { id } } }')
    ours = shop.graphql(query, {**variables, "eventId": seeded["data"]["events"]["nodes"][0]["id"]})
    assert "errors" not in ours
    assert ours["data"]["event"]["subjectType"] == "COLLECTION" and ours["data"]["event"]["action"] == "destroy"
    assert list(shape_mismatches(ours["data"], theirs["data"])) == []


def test_created_at_search_finds_the_seeded_collection_deletion(shop: Running) -> None:
    every = shop.graphql(
        '{ events(first: 50, query: "action:destroy AND subject_type:COLLECTION") { nodes { createdAt } } }'
    )["data"]["events"]["nodes"]
    assert len(every) == 1
    moment = every[0]["createdAt"]
    for query, found in ((f"created_at:>='{moment}'", 1), (f"created_at:<'{moment}'", 0)):
        answer = shop.graphql(
            "query E($q: String) { events(first: 50, query: $q) { nodes { id } } }",
            {"q": f"subject_type:COLLECTION AND {query}"},
        )
        assert len(answer["data"]["events"]["nodes"]) == found
