"""target-shopify-admin when Shopify applies a write and its answer is lost (the emulator's after-execution
faults): every record takes effect once, with the outcome the first lookup called for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from shopify_admin import ShopifyAdminClient
from shopify_admin.bulk import BulkRunner

from ..conftest import TOKEN, Running
from ..helpers import (
    AFTER_COMMIT,
    count,
    dead_letters,
    inject,
    messages,
    new_order,
    orders_by_source,
    run_target,
    settled,
    summary,
    target_config,
)

DELETED = {"_sdc_deleted_at": "2026-01-01T00:00:00Z"}


def test_orders_through_truncated_answers_are_created_once(shop: Running, tmp_path: Path) -> None:
    """The case as first seen: 100 orders, 15% of answers cut short after the shop committed them."""
    cfg = target_config(shop, tmp_path, streams={"o": {"object": "order", "match_on": "source_identifier"}})
    rows = [new_order(shop, f"cut-{n}") for n in range(100)]
    inject(shop, [{"kind": "truncated", "rate": 0.15, "after": True}])
    result = run_target(tmp_path, cfg, messages("o", rows))
    [rule] = requests.get(f"{shop.url}/__emulator/faults", timeout=10).json()
    inject(shop, [])
    assert rule["fired"] >= 10
    assert result.returncode == 0, result.stderr[-3000:]
    assert "o: 100 created" in summary(result, "o")
    found = orders_by_source(shop, "cut-")
    assert sorted(found) == sorted(f"cut-{n}" for n in range(100))
    assert [s for s, orders in found.items() if len(orders) > 1] == []


def test_every_write_path_through_lost_answers_applies_each_record_once(shop: Running, tmp_path: Path) -> None:
    streams = {
        "c": {"object": "customer", "match_on": "email"},
        "p": {"object": "product", "match_on": "handle"},
        "o": {"object": "order", "match_on": "source_identifier"},
    }
    tier = {"namespace": "crm", "key": "tier", "value": "gold", "type": "single_line_text_field"}
    consent = {"marketingState": "SUBSCRIBED"}
    customers = [
        {"email": f"lost-{n}@example.com", "tags": ["lost"], "metafields": [tier], "defaultEmailAddress": consent}
        for n in range(30)
    ]
    products = [
        {"title": f"Lost {n}", "handle": f"lost-{n}", "tags": ["lost"], "metafields": [tier]} for n in range(20)
    ]
    orders = [new_order(shop, f"lost-{n}") for n in range(30)]
    lines = messages("c", customers) + messages("p", products) + messages("o", orders)
    inject(shop, AFTER_COMMIT)
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    assert result.returncode == 0, result.stderr[-3000:]
    for stream, created in (("c", 30), ("p", 20), ("o", 30)):
        assert f"{stream}: {created} created" in summary(result, stream)

    inject(shop, [])  # the test's own reads go without faults
    found = orders_by_source(shop, "lost-")
    fulfil = [{"orderId": found[f"lost-{n}"][0]["id"]} for n in range(30)]
    cfg = target_config(shop, tmp_path, streams={"f": {"object": "fulfillment", "match_on": "order"}})
    inject(shop, AFTER_COMMIT)
    fulfilled = run_target(tmp_path, cfg, messages("f", fulfil))
    assert fulfilled.returncode == 0, fulfilled.stderr[-3000:]
    assert "f: 30 created" in summary(fulfilled, "f")

    inject(shop, [])
    assert count(shop, "customersCount", "tag:lost") == 30 and count(shop, "productsCount", "tag:lost") == 20
    found = orders_by_source(shop, "lost-")
    assert len(found) == 30 and all(len(o) == 1 and len(o[0]["fulfillments"]) == 1 for o in found.values())
    read = """query($i: CustomerIdentifierInput!) { customerByIdentifier(identifier: $i) {
      emailMarketingConsent { marketingState } metafields(first: 5) { nodes { key value } } } }"""
    for n in range(30):
        held = shop.graphql(read, {"i": {"emailAddress": f"lost-{n}@example.com"}})["data"]["customerByIdentifier"]
        assert held["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
        assert held["metafields"]["nodes"] == [{"key": "tier", "value": "gold"}]
    assert dead_letters(tmp_path) == []


def test_deletes_through_lost_answers_are_deleted_not_failed(shop: Running, tmp_path: Path) -> None:
    streams = {"o": {"object": "order", "match_on": "source_identifier", "allow_deletes": True}}
    cfg = target_config(shop, tmp_path, streams=streams)
    assert run_target(tmp_path, cfg, messages("o", [new_order(shop, f"gone-{n}") for n in range(20)])).returncode == 0
    inject(shop, AFTER_COMMIT)
    result = run_target(tmp_path, cfg, messages("o", [{"sourceIdentifier": f"gone-{n}", **DELETED} for n in range(20)]))
    inject(shop, [])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "o: 20 deleted" in summary(result, "o")
    assert orders_by_source(shop, "gone-") == {}


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "reset", "after": True},
        {"kind": "internal_error", "after": True},  # started, and Shopify failed answering
        {"kind": "internal_error"},  # not started
    ],
)
def test_a_bulk_mutation_whose_start_answer_was_lost_runs_once(shop: Running, fault: dict[str, Any]) -> None:
    client = ShopifyAdminClient("emulator", access_token=TOKEN, base_url=shop.url)
    runner = BulkRunner(client, first_poll=0.05, max_poll=0.2)
    mutation = """mutation Add($input: CustomerInput!) { customerCreate(input: $input) {
      customer { id } userErrors { field message } } }"""
    lines = [{"input": {"email": f"bulk-{n}@example.com"}} for n in range(3)]
    # the requests: stagedUploadsCreate, currentBulkOperation, then the start, whose answer is lost
    inject(shop, [{**fault, "nth": [3]}])
    operation, answers = runner.run_mutation(mutation, lines)
    assert operation.status == "COMPLETED" and sorted(answers) == [0, 1, 2]
    assert all(a["data"]["customerCreate"]["userErrors"] == [] for a in answers.values())
    assert [op["type"] for op in shop.emulator.store.all("BulkOperation")] == ["MUTATION"]


def test_a_bulk_mutation_whose_polls_get_internal_errors_is_polled_to_its_end(shop: Running) -> None:
    client = ShopifyAdminClient("emulator", access_token=TOKEN, base_url=shop.url, sleep=lambda _s: None)
    runner = BulkRunner(client, first_poll=0.05, max_poll=0.2)
    mutation = """mutation Add($input: CustomerInput!) { customerCreate(input: $input) {
      customer { id } userErrors { field message } } }"""
    lines = [{"input": {"email": f"polled-{n}@example.com"}} for n in range(3)]
    # the requests: stagedUploadsCreate, currentBulkOperation, the start, then the polls
    inject(shop, [{"kind": "internal_error", "nth": [4, 5]}])
    operation, answers = runner.run_mutation(mutation, lines)
    [rule] = requests.get(f"{shop.url}/__emulator/faults", timeout=10).json()
    assert rule["fired"] == 2
    assert operation.status == "COMPLETED" and sorted(answers) == [0, 1, 2]
    assert [op["id"] for op in shop.emulator.store.all("BulkOperation")] == [operation.id]


def test_orders_whose_answers_come_after_the_timeout_are_created_once(shop: Running, tmp_path: Path) -> None:
    """The second case as first seen: answers late past `request_timeout`, the orders committed already."""
    streams = {"o": {"object": "order", "match_on": "source_identifier"}}
    cfg = target_config(shop, tmp_path, streams=streams, request_timeout=1)
    inject(shop, [{"kind": "slow", "rate": 0.15, "seconds": 1.5, "after": True}])
    result = run_target(tmp_path, cfg, messages("o", [new_order(shop, f"late-{n}") for n in range(60)]))
    [rule] = requests.get(f"{shop.url}/__emulator/faults", timeout=10).json()
    inject(shop, [])
    assert rule["fired"] >= 2
    assert result.returncode == 0, result.stderr[-3000:]
    assert "o: 60 created" in summary(result, "o")
    settled(shop)
    found = orders_by_source(shop, "late-")
    assert len(found) == 60 and all(len(orders) == 1 for orders in found.values())
