"""Draft orders read as the captures show them (../shared/shopify-captures/2025-01/orders/draft-order*.json):
the captured documents asked of the seeded shop answer in the same shape, and search by status, tag and
dates, sort keys and paging behave as there."""

from __future__ import annotations

from ..captures import load, needs_captures
from ..conftest import Running
from .test_conformance_reads import shape_mismatches

pytestmark = needs_captures

SEARCH = load("2025-01/orders/draft-orders-search-sort-staged.json")["reads"]
DOCUMENT = SEARCH["defaultId"]["document"]


def read(shop: Running, query: str | None, first: int = 50, **variables: object) -> dict:
    answer = shop.graphql(DOCUMENT, {"first": first, "after": None, "query": query, **variables})
    assert "errors" not in answer, answer
    return dict(answer["data"])


def test_the_captured_search_read_has_the_same_shape(shop: Running) -> None:
    for name in ("defaultId", "idReverse", "updatedAtAsc"):
        ours = read(
            shop, None, 2, sortKey=SEARCH[name]["variables"]["sortKey"], reverse=SEARCH[name]["variables"]["reverse"]
        )
        assert ours["draftOrders"]["nodes"]
        assert list(shape_mismatches(ours, SEARCH[name]["response"]["data"])) == []


def test_status_search_and_count(shop: Running) -> None:
    """The captured `status:open` read: every draft listed is open, and the count agrees."""
    captured = load("2025-01/orders/draft-orders-status-query-read.json")
    query = captured["upstreamCalls"][0]["query"]
    ours = shop.graphql(query, {"first": 50, "query": "status:open"})["data"]
    assert list(shape_mismatches(ours, captured["response"]["data"])) == []
    statuses = {node["status"] for node in ours["draftOrders"]["nodes"]}
    assert statuses == {"OPEN"}
    assert ours["draftOrdersCount"] == {"count": len(ours["draftOrders"]["nodes"]), "precision": "EXACT"}


def test_completed_drafts_name_their_orders(shop: Running) -> None:
    answer = shop.graphql(
        '{ draftOrders(first: 50, query: "status:completed") { nodes { status completedAt order { id name } } } }'
    )["data"]["draftOrders"]["nodes"]
    assert answer and all(n["status"] == "COMPLETED" and n["completedAt"] and n["order"]["id"] for n in answer)


def test_updated_at_search_and_sort_page_through_every_draft(shop: Running) -> None:
    every = read(shop, None, sortKey="UPDATED_AT")["draftOrders"]["nodes"]
    stamps = [n["updatedAt"] for n in every]
    assert stamps == sorted(stamps)
    middle = stamps[len(stamps) // 2]
    later = read(shop, f"updated_at:>='{middle}'", sortKey="UPDATED_AT")["draftOrders"]["nodes"]
    assert [n["id"] for n in later] == [n["id"] for n in every if n["updatedAt"] >= middle]
    first = read(shop, None, 1, sortKey="ID")["draftOrders"]
    second = read(shop, None, 1, sortKey="ID", after=first["pageInfo"]["endCursor"])["draftOrders"]
    assert second["pageInfo"]["hasPreviousPage"] and second["nodes"][0]["id"] != first["nodes"][0]["id"]
