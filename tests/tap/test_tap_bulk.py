"""tap-shopify-admin's bulk mode against the emulator: the same records as paging, whole nested
connections, reassembly in any line order, failed operations, and operations taken up from the state."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import parse, validate

from shopify_admin import CostThrottle, ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import RUN_QUERY, BulkOperation, BulkRunner, reassemble
from shopify_admin.retry import POLL_LATENESS
from tap_shopify_admin import bulk_plan
from tap_shopify_admin.readers import window_bulk
from tap_shopify_admin.readers.window import SortedWindow, Window
from tap_shopify_admin.streams import CustomersStream, FulfillmentOrdersStream
from tap_shopify_admin.streams.base import ShopifyStream
from tap_shopify_admin.tap import TapShopifyAdmin
from tap_shopify_admin.windows import search

from ..conftest import TOKEN, Running, start
from ..helpers import (
    assert_big_lists_arrived_whole,
    faults_fired,
    inject,
    last_state,
    records,
    run_tap,
    singer_messages,
    tap_config,
    tap_process,
)
from .test_tap_money import add_money_shapes


@pytest.fixture(scope="module")
def bulk_shop() -> Iterator[Running]:
    running = start(plan="unlimited", customers=230, products=20, orders=120, bulk_objects_per_second=1_000_000)
    add_money_shapes(running)
    yield running
    running.server.shutdown()
    running.server.server_close()


# the window streams a backfill exports: customers, products, orders, fulfillment orders, inventory items,
# collections, draft orders, abandoned checkouts, events and the variants (for their metafields); then
# the levels of each location
WINDOW_EXPORTS = 10


def operation_requests(shop: Running) -> dict[str, int]:
    stats = requests.get(f"{shop.url}/__emulator/stats", timeout=5).json()
    return {name: op["requests"] for name, op in stats["operations"].items()}


def reset_stats(shop: Running) -> None:
    requests.post(f"{shop.url}/__emulator/stats/reset", timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def paged(bulk_shop: Running, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict[str, int]]:
    reset_stats(bulk_shop)
    messages = run_tap(tmp_path_factory.mktemp("paged"), tap_config(bulk_shop, bulk="never"))
    return messages, operation_requests(bulk_shop)


@pytest.fixture(scope="module")
def bulk(bulk_shop: Running, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], dict[str, int]]:
    reset_stats(bulk_shop)
    messages = run_tap(tmp_path_factory.mktemp("bulk"), tap_config(bulk_shop, bulk="always"))
    return messages, operation_requests(bulk_shop)


def normalized(value: Any) -> Any:
    """Nested lists of objects sorted by id: bulk files give children in no particular order."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [normalized(v) for v in value]
        return sorted(items, key=lambda v: v["id"]) if all(isinstance(v, dict) and "id" in v for v in items) else items
    return value


def in_order(messages: list[dict]) -> dict[str, list[str]]:
    """Each stream's records as canonical JSON, in the order they came."""
    out: dict[str, list[str]] = {}
    for m in messages:
        if m["type"] == "RECORD":
            out.setdefault(m["stream"], []).append(json.dumps(normalized(m["record"]), sort_keys=True))
    return out


def by_stream(messages: list[dict]) -> dict[str, list[str]]:
    return {stream: sorted(rows) for stream, rows in in_order(messages).items()}


def test_bulk_and_paged_runs_emit_the_same_records(paged: tuple, bulk: tuple, bulk_shop: Running) -> None:
    (paged_messages, paged_requests), (bulk_messages, bulk_requests) = paged, bulk
    expected = by_stream(paged_messages)
    assert set(expected) == {t.name for t in TapShopifyAdmin(config={"shop": "x"}).streams.values()}
    assert by_stream(bulk_messages) == expected
    assert "BulkOperationRunQuery" not in paged_requests
    locations = len(bulk_shop.emulator.store.table("Location").rows)
    assert bulk_requests["BulkOperationRunQuery"] == WINDOW_EXPORTS + locations
    # full tables, always (the shop, locations, gift cards, collections' products, metafield definitions,
    # returns);
    # discounts and their codes are always paged (see streams/discounts.py)
    paged_anyway = [
        "CollectionProductsPage",
        "DiscountCodesPage",
        "DiscountsPage",
        "GiftCardsPage",
        "LocationsPage",
        "MetafieldDefinitionsPage",
        "ReturnsPage",
        "ShopPage",
    ]
    assert sorted(name for name in bulk_requests if name.endswith("Page")) == paged_anyway
    assert all("bulk_operation_id" not in s for s in last_state(bulk_messages)["bookmarks"].values())


def test_more_than_250_nested_items_arrive_whole_through_bulk(bulk_shop: Running, bulk: tuple) -> None:
    assert_big_lists_arrived_whole(bulk_shop.emulator.store, bulk[0], in_order=False)


def test_reassembly_puts_children_before_or_after_their_parent_in_place(tmp_path: Path) -> None:
    lines = [
        {"id": "gid://shopify/LineItem/3", "sku": "c", "__parentId": "gid://shopify/Order/2"},
        {"id": "gid://shopify/Discount/9", "__parentId": "gid://shopify/LineItem/3"},
        {"id": "gid://shopify/Order/2", "updatedAt": "2026-01-02T00:00:00Z"},
        {"id": "gid://shopify/LineItem/1", "sku": "a", "__parentId": "gid://shopify/Order/2"},
        {"id": "gid://shopify/Order/1", "updatedAt": "2026-01-03T00:00:00Z"},
        {"id": "gid://shopify/Order/3", "updatedAt": "2026-01-01T00:00:00Z"},
        {"id": "gid://shopify/LineItem/2", "sku": "b", "__parentId": "gid://shopify/Order/3"},
    ]
    path = tmp_path / "result.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    connections = {"Order": {"LineItem": "lineItems"}, "LineItem": {"Discount": "discounts"}}
    interrupted = reassemble(path, connections, "updatedAt")
    next(interrupted)  # a reading stopped part-way leaves its index; the next one starts afresh
    roots = list(reassemble(path, connections, "updatedAt"))
    assert list(tmp_path.iterdir()) == [path]
    assert roots == [
        {
            "id": "gid://shopify/Order/3",
            "updatedAt": "2026-01-01T00:00:00Z",
            "lineItems": [{"id": "gid://shopify/LineItem/2", "sku": "b", "discounts": []}],
        },
        {
            "id": "gid://shopify/Order/2",
            "updatedAt": "2026-01-02T00:00:00Z",
            "lineItems": [
                {"id": "gid://shopify/LineItem/3", "sku": "c", "discounts": [{"id": "gid://shopify/Discount/9"}]},
                {"id": "gid://shopify/LineItem/1", "sku": "a", "discounts": []},
            ],
        },
        {"id": "gid://shopify/Order/1", "updatedAt": "2026-01-03T00:00:00Z", "lineItems": []},
    ]


def test_reassembly_gives_the_objects_of_a_nested_type_as_records_of_their_own(tmp_path: Path) -> None:
    """A location's inventory levels: each a record, not an item of a list held whole in its location."""
    location = "gid://shopify/Location/1"
    levels = [f"gid://shopify/InventoryLevel/{n}?inventory_item_id={n + 10}" for n in (2, 1)]
    lines = [
        {"id": levels[0], "updatedAt": "2026-01-02T00:00:00Z", "__parentId": location},
        {"id": location},
        {"id": levels[1], "updatedAt": "2026-01-01T00:00:00Z", "__parentId": location},
    ]
    path = tmp_path / "result.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert list(reassemble(path, {}, root_type="InventoryLevel")) == [
        {"id": levels[0], "updatedAt": "2026-01-02T00:00:00Z"},
        {"id": levels[1], "updatedAt": "2026-01-01T00:00:00Z"},
    ]


def test_a_failed_bulk_operation_loses_no_record(bulk_shop: Running, paged: tuple, tmp_path: Path) -> None:
    requests.post(f"{bulk_shop.url}/__emulator/faults", json=[{"kind": "bulk_fail"}], timeout=5).raise_for_status()
    try:
        reset_stats(bulk_shop)
        messages = run_tap(tmp_path, tap_config(bulk_shop, bulk="always"))
        fired = sum(r["fired"] for r in requests.get(f"{bulk_shop.url}/__emulator/faults", timeout=5).json())
    finally:
        requests.post(f"{bulk_shop.url}/__emulator/faults", json=[], timeout=5).raise_for_status()
    assert fired == WINDOW_EXPORTS + len(bulk_shop.emulator.store.table("Location").rows)  # every bulk query failed
    assert operation_requests(bulk_shop)["OrdersPage"] >= 1  # the fallback paged the window
    partial = {
        op["id"]: sum(1 for _ in requests.get(op["partialDataUrl"], timeout=5).iter_lines())
        for op in bulk_shop.emulator.store.all("BulkOperation")
        if op["status"] == "FAILED"
    }
    assert len(partial) == fired
    assert list(partial.values()).count(0) <= 1  # the one with nothing written: the closed location's levels
    assert by_stream(messages) == by_stream(paged[0])  # the partial data is not emitted besides the pages


def test_after_a_failed_bulk_operation_each_record_comes_once(bulk_shop: Running, paged: tuple, tmp_path: Path) -> None:
    set_faults(bulk_shop, [{"kind": "bulk_fail", "count": 2}])
    try:
        messages = run_tap(tmp_path, tap_config(bulk_shop, bulk="always"))
    finally:
        fired = set_faults(bulk_shop, [])
    assert fired == 2
    emitted = in_order(messages)
    keys = {m["stream"]: m["key_properties"] for m in messages if m["type"] == "SCHEMA"}
    for stream, rows in emitted.items():
        counted = Counter(tuple(json.loads(row)[name] for name in keys[stream]) for row in rows)
        twice = [key for key, times in counted.items() if times != 1]
        assert twice == [], stream
    assert by_stream(messages) == by_stream(paged[0])


def set_faults(shop: Running, rules: list[dict[str, Any]]) -> int:
    """Put `rules` in force; how many times the rules in force before had fired."""
    fired = faults_fired(shop)
    inject(shop, rules)
    return fired


def test_a_bulk_file_cut_short_at_a_line_boundary_is_downloaded_again(
    bulk_shop: Running, paged: tuple, tmp_path: Path
) -> None:
    set_faults(bulk_shop, [{"kind": "bulk_truncated", "count": 1}])
    try:
        messages = run_tap(tmp_path, tap_config(bulk_shop, bulk="always"))
    finally:
        fired = set_faults(bulk_shop, [])
    assert fired == 1
    assert by_stream(messages) == by_stream(paged[0])


def test_a_bulk_file_that_stays_short_fails_the_run_and_keeps_the_bookmark(bulk_shop: Running, tmp_path: Path) -> None:
    set_faults(bulk_shop, [{"kind": "bulk_truncated"}])  # every download
    try:
        (tmp_path / "config.json").write_text(json.dumps(tap_config(bulk_shop, bulk="always")))
        args = [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")]
        run = subprocess.run(args, capture_output=True, text=True, timeout=120)
    finally:
        fired = set_faults(bulk_shop, [])
    messages = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode != 0
    assert fired == 4  # the download was tried four times, then the run gave up
    assert "could not download the bulk result: incomplete file" in run.stderr
    first = next(m["stream"] for m in messages if m["type"] == "SCHEMA")
    assert not records(messages, first)
    bookmarks = [m["value"]["bookmarks"].get(first, {}) for m in messages if m["type"] == "STATE"]
    assert not any("replication_key_value" in b for b in bookmarks)


@pytest.mark.parametrize("mode", ["never", "always"])
def test_a_run_through_internal_errors_emits_what_a_clean_run_does(
    bulk_shop: Running, paged: tuple, tmp_path: Path, mode: str
) -> None:
    """Shopify's INTERNAL_SERVER_ERROR on 30% of answers, before or after the request ran (a run makes
    few requests): reads are retried, a bulk query's start is looked for before it is sent again, its
    polls go on."""
    started = len(list(bulk_shop.emulator.store.all("BulkOperation")))
    internal_errors = [
        {"kind": "internal_error", "rate": 0.05},
        {"kind": "internal_error", "rate": 0.05, "after": True},
    ]
    set_faults(bulk_shop, internal_errors)
    try:
        run = tap_process(tmp_path, tap_config(bulk_shop, bulk=mode))
    finally:
        fired = set_faults(bulk_shop, [])
    assert fired >= 2 and run.returncode == 0, run.stderr[-3000:]
    assert by_stream(singer_messages(run.stdout)) == by_stream(paged[0])
    bulk_queries = WINDOW_EXPORTS + len(bulk_shop.emulator.store.table("Location").rows) if mode == "always" else 0
    assert len(list(bulk_shop.emulator.store.all("BulkOperation"))) - started == bulk_queries  # none started twice


def test_an_error_that_ends_the_run_names_the_stream_operation_and_request_id(bulk_shop: Running) -> None:
    tap = TapShopifyAdmin(config=tap_config(bulk_shop, bulk="never"))
    tap.client.retry = replace(tap.client.retry, max_attempts=2, sleep=lambda _s: None)
    set_faults(bulk_shop, [{"kind": "internal_error", "every": 1}])
    try:
        with pytest.raises(ShopifyError) as caught:
            list(tap.streams["orders"].get_records(None))
    finally:
        set_faults(bulk_shop, [])
    assert re.fullmatch(
        r"stream orders: could not run \w+: INTERNAL_SERVER_ERROR \(Shopify request ID [0-9a-f-]+\)"
        r" \(gave up after 2 attempts\)",
        str(caught.value),
    )


def test_a_completed_operation_in_the_state_is_taken_up(bulk_shop: Running, tmp_path: Path) -> None:
    stream = TapShopifyAdmin(config=tap_config(bulk_shop)).streams["customers"]
    assert isinstance(stream, CustomersStream)
    window_end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    started = bulk_shop.graphql(
        "mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id } } }",
        {"query": SortedWindow().bulk_query(stream, search("updated_at", None, window_end))},
    )
    operation_id = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
    status_query = "query Status($id: ID!) { bulkOperation(id: $id) { status } }"
    while bulk_shop.graphql(status_query, {"id": operation_id})["data"]["bulkOperation"]["status"] != "COMPLETED":
        time.sleep(0.05)
    reset_stats(bulk_shop)
    state = {"bookmarks": {"customers": {"bulk_operation_id": operation_id, "bulk_window_end": window_end}}}
    messages = run_tap(tmp_path, tap_config(bulk_shop, bulk="never"), state)
    sent = operation_requests(bulk_shop)
    assert "BulkOperationRunQuery" not in sent
    assert sent["CustomersPage"] == 1  # only the empty rest of the window, after the operation's end
    live = bulk_shop.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
    assert len([r for r in records(messages, "customers") if not r["_sdc_deleted_at"]]) == live
    assert "bulk_operation_id" not in last_state(messages)["bookmarks"]["customers"]


def use_bulk(stream: ShopifyStream, search: str) -> bool:
    assert isinstance(stream.reader, Window)
    return window_bulk.use_bulk(stream.reader, stream, search)


def bulk_threshold(stream: ShopifyStream, round_trip: float) -> int:
    assert isinstance(stream.reader, Window)
    return window_bulk.bulk_threshold(stream.reader, stream, round_trip)


def test_auto_mode_reads_by_bulk_only_windows_above_the_threshold(
    bulk_shop: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = TapShopifyAdmin(config=tap_config(bulk_shop, bulk="auto")).streams
    customers, fulfillment_orders = streams["customers"], streams["fulfillment_orders"]
    assert isinstance(customers, CustomersStream) and isinstance(fulfillment_orders, FulfillmentOrdersStream)
    everything = search("updated_at", None, "2100-01-01T00:00:00Z")
    assert not use_bulk(customers, everything)  # 230 customers
    monkeypatch.setattr(bulk_plan, "BULK_START_SECONDS", 0.0001)  # paging 230 customers takes longer
    monkeypatch.setattr(bulk_plan, "BULK_OBJECTS_PER_SECOND", 1e9)
    assert use_bulk(customers, everything)
    assert not use_bulk(customers, search("updated_at", "2099-01-01T00:00:00Z", "2100-01-01T00:00:00Z"))
    assert not use_bulk(fulfillment_orders, everything)  # no count root: paged unless `always`


def test_a_backfill_at_auto_counts_each_window_once(bulk_shop: Running, tmp_path: Path) -> None:
    """The pass that starts every backfill export counts each window; the streams' turns reuse it."""
    reset_stats(bulk_shop)
    run_tap(tmp_path, tap_config(bulk_shop, bulk="auto"))
    counts = {name: sent for name, sent in operation_requests(bulk_shop).items() if name.endswith("Count")}
    assert {"CustomersCount", "ProductsCount", "OrdersCount", "EventsCount"} <= set(counts)
    assert set(counts.values()) == {1}, counts


def test_the_bulk_threshold_follows_the_budget_and_the_round_trip(bulk_shop: Running) -> None:
    # without metafields (a customer's first 10 take a page of 250 customers from 35 points to 101)
    settings = tap_config(bulk_shop, bulk="auto", page_concurrency=4, metafield_owner_types=[])
    streams = TapShopifyAdmin(config=settings).streams
    customers, orders = streams["customers"], streams["orders"]
    assert isinstance(customers, CustomersStream) and isinstance(orders, ShopifyStream)
    customers.client.throttle.restore_rate = 100  # the standard plan: a page of 250 customers costs 35 points
    # paged: 100 × 250 / 35 = 714 customers/s; bulk: 10 s + n / 2,000 per second
    assert bulk_threshold(customers, round_trip=0.2) == math.ceil(10 / (35 / 25000 - 1 / 2000))
    assert bulk_threshold(orders, round_trip=0.2) < 1000  # 332 points a page of 250
    # a slow round trip bounds paging instead: 4 pages of 250 in flight, 2 s each
    assert bulk_threshold(customers, round_trip=2.0) == math.ceil(10 / (1 / 500 - 1 / 2000))
    customers.client.throttle.restore_rate = 1_000_000
    assert bulk_threshold(customers, round_trip=0.01) == sys.maxsize  # paging beats the export itself


def test_the_runner_waits_for_a_free_slot_and_reports_refusals(shop: Running) -> None:
    shop.emulator.config.bulk_objects_per_second = 10  # operations that run for simulated seconds
    query = "{ customers { edges { node { id } } } }"
    for _ in range(5):  # the shop's limit of bulk queries running at once
        assert shop.graphql(RUN_QUERY, {"query": query})["data"]["bulkOperationRunQuery"]["userErrors"] == []
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # simulated time, so that the running operations end
        slept.append(seconds)
        shop.emulator.store.clock.offset += seconds

    runner = BulkRunner(ShopifyAdminClient("emulator", access_token=TOKEN, base_url=shop.url), sleep=sleep)
    operation = runner.wait(runner.start(query))
    assert operation_requests(shop)["BulkOperationRunQuery"] > 6  # refused while five were running
    assert slept[:5] == [1.0] * 5 and max(slept) <= 30  # a quarter of the time waited, from 1 s
    assert operation.status == "COMPLETED" and operation.object_count == len(shop.emulator.store.table("Customer").rows)
    with pytest.raises(ShopifyError, match="Selecting via 'nodes' is not supported"):
        runner.start("{ customers { nodes { id } } }")


def test_every_query_and_bulk_query_validates_against_the_real_schema(bulk_shop: Running, real_schema) -> None:
    """Runs last in this module: the emulator kept every distinct document the tap sent."""
    documents = bulk_shop.emulator.api.documents()
    assert any("bulkOperationRunQuery" in d for d in documents) and any("OrdersFill" in d for d in documents)
    assert any("CustomersCount" in d for d in documents)
    inner = [op["query"] for op in bulk_shop.emulator.store.all("BulkOperation")]
    assert len(inner) >= WINDOW_EXPORTS
    for document in [*documents, *inner]:
        assert validate(real_schema, parse(document)) == [], document


def test_a_backfill_starts_every_streams_export_at_once(tmp_path: Path) -> None:
    """The shop exports the streams side by side: each export is started before any has completed."""
    # exports of several seconds each (hundreds of objects at 100 a second), so that starting all four, a
    # request each, fits well before the first ends even on a busy machine
    shop = start(plan="unlimited", customers=600, products=80, orders=120, bulk_objects_per_second=100)
    try:
        messages = run_tap(tmp_path, tap_config(shop, bulk="always"))
        exports = [op for op in shop.emulator.store.all("BulkOperation") if op["type"] == "QUERY"]
    finally:
        shop.server.shutdown()
        shop.server.server_close()
    assert all(op["status"] == "COMPLETED" for op in exports)
    roots = {"customers", "products", "orders", "fulfillmentOrders"}  # the inventory streams' come after them
    exports = [op for op in exports if re.match(r"\W*(\w+)", op["query"]).group(1) in roots]  # type: ignore[union-attr]
    assert len(exports) == 4
    assert max(op["createdAt"] for op in exports) < min(op["completedAt"] for op in exports)
    assert len(records(messages, "orders")) == 120


def test_polls_are_never_far_behind_the_operation() -> None:
    """Each pause before a poll is at most a quarter of the time already waited (after the first
    second), so an operation done after a minute is seen done by 75 s, not at the next of a
    geometric series."""
    pauses: list[float] = []

    class Shop:
        points_used = 0  # what the runner's progress lines read of a client
        throttle = CostThrottle()

        def execute(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            status = "RUNNING" if sum(pauses) < 60 else "COMPLETED"
            return {"bulkOperation": {"id": "gid://shopify/BulkOperation/1", "status": status}}

    runner = BulkRunner(Shop(), first_poll=1.0, max_poll=30.0, sleep=pauses.append)  # type: ignore[arg-type]
    runner.wait(BulkOperation.from_api({"id": "gid://shopify/BulkOperation/1", "status": "CREATED"}))
    assert 60 <= sum(pauses) <= 60 * (1 + POLL_LATENESS)
    for at, pause in enumerate(pauses):
        assert pause <= max(1.0, sum(pauses[:at]) * POLL_LATENESS), (at, pauses)
