"""tap-shopify-admin against the emulator: discovery, full and incremental sync, resumability."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from graphql import parse, validate

from shopify_admin.bulk import gid_number
from shopify_admin.cost import MAX_PAGE
from tap_shopify_admin.streams.metafields import OWNER_TYPES
from tap_shopify_admin.tap import TapShopifyAdmin

from ..conftest import Running, start
from ..helpers import (
    assert_big_lists_arrived_whole,
    faults_fired,
    inject,
    last_state,
    records,
    run_killed,
    run_tap,
    tap_config,
)


@pytest.fixture(scope="module")
def store_shop() -> Iterator[Running]:
    running = start(plan="unlimited", customers=230, products=20, orders=120)
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_discovery_lists_streams_with_keys(store_shop: Running) -> None:
    tap = TapShopifyAdmin(config=tap_config(store_shop))
    catalog = tap.catalog_dict
    customers = next(s for s in catalog["streams"] if s["tap_stream_id"] == "customers")
    assert customers["key_properties"] == ["id"]
    assert customers["replication_key"] == "updatedAt"
    assert customers["schema"]["properties"]["amountSpent"]["properties"]["amount"]["type"] == "string"


SHOP = """{ shop {
    id name myshopifyDomain currencyCode enabledPresentmentCurrencies ianaTimezone weightUnit
    plan { publicDisplayName partnerDevelopment shopifyPlus } taxesIncluded taxShipping createdAt
    metafields(first: 250) {
      nodes { id namespace key type value jsonValue ownerType createdAt updatedAt compareDigest }
    }
} }"""


def test_the_shop_is_one_record_read_in_full_on_every_run(store_shop: Running, tmp_path: Path) -> None:
    catalog = TapShopifyAdmin(config=tap_config(store_shop)).catalog_dict
    shop_entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == "shop")
    assert shop_entry["key_properties"] == ["id"] and "replication_key" not in shop_entry
    for entry in catalog["streams"]:
        stream_metadata = next(item["metadata"] for item in entry["metadata"] if item["breadcrumb"] == [])
        if entry is shop_entry:
            assert stream_metadata["selected-by-default"] is True
        stream_metadata["selected"] = entry is shop_entry
    expected = store_shop.graphql(SHOP)["data"]["shop"]
    expected["metafields"] = expected["metafields"]["nodes"]  # a record holds a connection as its list of nodes
    first = run_tap(tmp_path, tap_config(store_shop), catalog=catalog)
    assert {m["stream"] for m in first if m["type"] == "RECORD"} == {"shop"}
    assert records(first, "shop") == [expected]
    assert expected["plan"]["publicDisplayName"] and expected["enabledPresentmentCurrencies"]
    schema = next(m["schema"] for m in first if m["type"] == "SCHEMA" and m["stream"] == "shop")
    assert set(schema["properties"]) == set(expected)
    again = run_tap(tmp_path, tap_config(store_shop), state=last_state(first), catalog=catalog)
    assert records(again, "shop") == [expected]  # no bookmark: the shop comes on every run


def test_full_then_incremental_sync(store_shop: Running, tmp_path: Path) -> None:
    first = run_tap(tmp_path, tap_config(store_shop))
    ids = [r["id"] for r in records(first, "customers") if not r.get("_sdc_deleted_at")]
    expected = store_shop.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
    assert len(ids) == len(set(ids)) == expected
    state = last_state(first)

    # nothing changed: nothing comes again, not even the records sharing the bookmark's second
    assert state["bookmarks"]["customers"]["last_id_at_bookmark"]
    assert records(run_tap(tmp_path, tap_config(store_shop), state), "customers") == []

    customers = sorted(store_shop.emulator.store.all("Customer"), key=lambda r: r["_n"])[:5]
    orders = sorted(store_shop.emulator.store.all("Order"), key=lambda r: r["_n"])[:5]
    for customer in customers:
        update = "mutation Note($input: CustomerInput!) { customerUpdate(input: $input) { userErrors { message } } }"
        answer = store_shop.graphql(update, {"input": {"id": customer["id"], "note": "changed"}})
        assert answer["data"]["customerUpdate"]["userErrors"] == []
    for order in orders:
        update = "mutation Note($input: OrderInput!) { orderUpdate(input: $input) { userErrors { message } } }"
        answer = store_shop.graphql(update, {"input": {"id": order["id"], "note": "changed"}})
        assert answer["data"]["orderUpdate"]["userErrors"] == []
    after = run_tap(tmp_path, tap_config(store_shop), state)
    for stream, changed in (("customers", customers), ("orders", orders)):
        assert {r["id"] for r in records(after, stream)} == {r["id"] for r in changed}
        assert all(r["note"] == "changed" for r in records(after, stream))


def customers_by_second(shop: Running) -> dict[str, list[str]]:
    """The shop's customers' ids by the second of their updatedAt."""
    by_second: dict[str, list[str]] = {}
    for customer in shop.emulator.store.all("Customer"):
        by_second.setdefault(customer["updatedAt"], []).append(customer["id"])
    return by_second


def test_records_sharing_the_bookmarks_second_are_neither_lost_nor_repeated(
    store_shop: Running, tmp_path: Path
) -> None:
    second, ids = next((k, sorted(v)) for k, v in sorted(customers_by_second(store_shop).items()) if len(v) >= 3)
    emitted_before_cut = ids[:1]  # a run stopped after the first record of a shared second
    state = {
        "bookmarks": {
            "customers": {
                "replication_key": "updatedAt",
                "replication_key_value": second,
                "ids_at_bookmark": emitted_before_cut,
            }
        }
    }
    after = [
        r for r in records(run_tap(tmp_path, tap_config(store_shop), state), "customers") if r["updatedAt"] == second
    ]
    assert sorted(r["id"] for r in after) == ids[1:]


def test_a_resumed_run_takes_up_the_bookmarks_second_after_the_last_id_emitted(
    store_shop: Running, tmp_path: Path
) -> None:
    second, shared = next((k, v) for k, v in sorted(customers_by_second(store_shop).items()) if len(v) >= 3)
    ids = sorted(shared, key=lambda i: gid_number(i) or 0)
    bookmark = {"replication_key": "updatedAt", "replication_key_value": second}
    state = {"bookmarks": {"customers": {**bookmark, "last_id_at_bookmark": gid_number(ids[0])}}}
    after = [
        r for r in records(run_tap(tmp_path, tap_config(store_shop), state), "customers") if r["updatedAt"] == second
    ]
    assert [r["id"] for r in after] == ids[1:]


def test_state_stays_the_same_size_however_many_objects_share_a_second(store_shop: Running, tmp_path: Path) -> None:
    shared = Counter(c["updatedAt"] for c in store_shop.emulator.store.all("Customer"))
    assert max(shared.values()) >= 3
    messages = run_tap(tmp_path, tap_config(store_shop))
    bookmarks = [b for m in messages if m["type"] == "STATE" for b in m["value"]["bookmarks"].values()]
    assert bookmarks
    # a partitioned stream (inventory levels: one bookmark per location) holds one entry per partition
    entries = [p for b in bookmarks for p in b.get("partitions", [b])]
    # a partition's key, an unsorted stream's marker until it ends, and the orders whose returns can still
    # change (as many as open returns, however many objects share a second)
    sdk_own = {"context", "progress_markers", "orders_with_live_returns"}
    assert not [p for p in entries if any(isinstance(v, list | dict) for k, v in p.items() if k not in sdk_own)]


def test_nested_streams_write_no_state_per_parent(store_shop: Running, tmp_path: Path) -> None:
    messages = run_tap(tmp_path, tap_config(store_shop))
    at = [i for i, m in enumerate(messages) if m["type"] == "RECORD" and m["stream"] == "orders"]
    states = sum(m["type"] == "STATE" for m in messages[at[0] : at[-1]])
    assert len(at) > 100
    assert states <= len(at) / 100  # while orders and their nested streams are written: every 100 records


def test_lookback_window_reads_again_before_the_bookmark(store_shop: Running, tmp_path: Path) -> None:
    state = last_state(run_tap(tmp_path, tap_config(store_shop)))
    bookmark = state["bookmarks"]["customers"]["replication_key_value"]
    again = records(run_tap(tmp_path, tap_config(store_shop, lookback_window=60 * 24 * 7), state), "customers")
    week_before = (datetime.fromisoformat(bookmark) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = {c["id"] for c in store_shop.emulator.store.all("Customer") if week_before <= c["updatedAt"] <= bookmark}
    assert expected
    assert {r["id"] for r in again if not r["_sdc_deleted_at"]} == expected


def test_a_killed_run_resumes_without_loss(store_shop: Running, tmp_path: Path) -> None:
    complete = {r["id"] for r in records(run_tap(tmp_path, tap_config(store_shop)), "customers")}
    seen = run_killed(tmp_path, tap_config(store_shop), after=150)
    state = last_state(seen)
    assert state["bookmarks"]["customers"]["replication_key_value"]  # the run was cut mid-stream
    resumed = records(run_tap(tmp_path, tap_config(store_shop), state), "customers")
    assert {r["id"] for r in records(seen, "customers")} | {r["id"] for r in resumed} == complete
    assert len(resumed) < len(complete)


@pytest.mark.parametrize(
    "rules",
    [
        [{"kind": "throttled", "every": 3}, {"kind": "http_429", "every": 5, "seconds": 0.01}],
        [{"kind": "http_502", "every": 4}, {"kind": "reset", "every": 7}, {"kind": "truncated", "every": 6}],
        [{"kind": "expire_token", "every": 5}, {"kind": "http_503", "every": 9}],
    ],
)
def test_faults_do_not_change_what_arrives(store_shop: Running, tmp_path: Path, rules: list[dict]) -> None:
    """The same records with faults as without, an access token expiring mid-run included (the tap
    then renews its client-credentials token)."""
    clean: dict[str, set[tuple]] = {}
    messages = run_tap(tmp_path, tap_config(store_shop))
    keys = {m["stream"]: m["key_properties"] for m in messages if m["type"] == "SCHEMA"}

    def key(stream: str, record: dict) -> tuple:
        return tuple(record[name] for name in keys[stream])

    for m in messages:
        if m["type"] == "RECORD":
            clean.setdefault(m["stream"], set()).add(key(m["stream"], m["record"]))
    inject(store_shop, rules)
    try:
        credentials = {"client_id": "emulator-client", "client_secret": "emulator-secret"}
        faulty = run_tap(tmp_path, {**tap_config(store_shop), "access_token": None, **credentials})
        fired = faults_fired(store_shop)
    finally:
        inject(store_shop, [])
    assert fired >= 3
    for stream, ids in clean.items():
        assert {key(stream, r) for r in records(faulty, stream)} == ids, stream


def test_destroyed_objects_arrive_as_soft_deletes(store_shop: Running, tmp_path: Path) -> None:
    messages = run_tap(tmp_path, tap_config(store_shop))
    events = [e for e in store_shop.emulator.store.all("BasicEvent") if e["action"] == "destroy"]
    assert events
    for stream, subject in (("customers", "CUSTOMER"), ("products", "PRODUCT"), ("orders", "ORDER")):
        deleted = {r["id"]: r for r in records(messages, stream) if r.get("_sdc_deleted_at")}
        expected = {e["subjectId"]: e["createdAt"] for e in events if e["subjectType"] == subject}
        assert {i: r["_sdc_deleted_at"] for i, r in deleted.items()} == expected


def test_more_than_250_nested_items_arrive_whole(store_shop: Running, tmp_path: Path) -> None:
    messages = run_tap(tmp_path, tap_config(store_shop))
    store = store_shop.emulator.store
    assert_big_lists_arrived_whole(store, messages)
    schemas = [m["stream"] for m in messages if m["type"] == "SCHEMA"]
    assert len(schemas) == len(set(schemas))  # one SCHEMA a stream, however many parents
    products = {r["id"]: r for r in records(messages, "products")}
    variants = records(messages, "product_variants")
    assert len(variants) == len(store.table("ProductVariant").rows)
    assert {v["productId"] for v in variants} == {i for i, p in products.items() if not p.get("_sdc_deleted_at")}


def test_fulfillment_events_and_what_fulfillment_order_actions_need_arrive(store_shop: Running, tmp_path: Path) -> None:
    """A fulfillment's events ride on it; a fulfillment order carries its holds, location and actions."""
    data = store_shop.graphql(
        """{ orders(first: 50) { nodes { fulfillments { id } } }
             fulfillmentOrders(first: 1, query: "status:open") { nodes { id } } }"""
    )["data"]
    fulfillment = next(f["id"] for o in data["orders"]["nodes"] for f in o["fulfillments"])
    held = data["fulfillmentOrders"]["nodes"][0]["id"]
    event = {"fulfillmentId": fulfillment, "status": "IN_TRANSIT", "happenedAt": "2026-01-02T03:04:05Z", "city": "Oslo"}
    store_shop.graphql(
        """mutation($e: FulfillmentEventInput!) {
             fulfillmentEventCreate(fulfillmentEvent: $e) { userErrors { message } } }""",
        {"e": event},
    )
    store_shop.graphql(
        """mutation($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER, handle: "tap-hold"}) {
             userErrors { message } } }""",
        {"id": held},
    )
    messages = run_tap(tmp_path, tap_config(store_shop))
    (shipped,) = [r for r in records(messages, "fulfillments") if r["id"] == fulfillment]
    assert [(e["status"], e["happenedAt"], e["city"]) for e in shipped["events"]] == [
        ("IN_TRANSIT", "2026-01-02T03:04:05Z", "Oslo")
    ]
    assert shipped["displayStatus"] == "IN_TRANSIT"
    (order,) = [r for r in records(messages, "fulfillment_orders") if r["id"] == held]
    assert order["status"] == "ON_HOLD" and [h["handle"] for h in order["fulfillmentHolds"]] == ["tap-hold"]
    assert [a["action"] for a in order["supportedActions"]] == ["RELEASE_HOLD", "HOLD", "MOVE"]
    assert order["assignedLocation"]["location"]["id"].startswith("gid://shopify/Location/")


def test_every_query_the_tap_sent_validates_against_the_real_schema(store_shop: Running, real_schema) -> None:
    """Runs last in this module: the emulator kept every distinct document the tap sent."""
    documents = store_shop.emulator.api.documents()
    assert any("OrdersPage" in d for d in documents) and any("Nested" in d for d in documents)
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


def test_bad_token_is_one_clear_error(store_shop: Running, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(tap_config(store_shop, access_token="shpat_not_the_token")))
    run = subprocess.run(
        [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "Shopify rejected the access token" in run.stderr
    assert "Traceback" not in run.stderr
    assert "shpat_not_the_token" not in run.stderr + run.stdout


def test_a_shop_that_is_no_handle_is_one_clear_error(store_shop: Running, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({**tap_config(store_shop), "shop": "not a shop!"}))
    run = subprocess.run(
        [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "shop must be a shop handle" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_scope_skips_only_its_stream(tmp_path: Path) -> None:
    shop = start(plan="unlimited", customers=20, products=3, orders=10, scopes=("read_customers", "read_products"))
    try:
        live = shop.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
        (tmp_path / "config.json").write_text(json.dumps(tap_config(shop)))
        run = subprocess.run(
            [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shop.server.shutdown()
        shop.server.server_close()
    assert run.returncode == 0
    messages = [json.loads(line) for line in run.stdout.splitlines()]
    assert len([r for r in records(messages, "customers") if not r["_sdc_deleted_at"]]) == live
    assert records(messages, "orders") == []
    assert "Skipping stream orders" in run.stderr and "`read_orders` access scope" in run.stderr
    for stream in ("discounts", "discount_codes", "abandoned_checkouts"):
        assert records(messages, stream) == [] and f"Skipping stream {stream}" in run.stderr
    for stream, scope in (("draft_orders", "read_draft_orders"), ("gift_cards", "read_gift_cards")):
        assert records(messages, stream) == []
        assert any(f"Skipping stream {stream}" in line and f"`{scope}`" in line for line in run.stderr.splitlines())
    assert records(messages, "collections") and records(messages, "collection_products")  # read_products


def test_an_incremental_run_without_changes_costs_at_most_two_requests_per_stream(
    store_shop: Running, tmp_path: Path
) -> None:
    state = last_state(run_tap(tmp_path, tap_config(store_shop)))
    requests.post(f"{store_shop.url}/__emulator/stats/reset", timeout=5).raise_for_status()
    run_tap(tmp_path, tap_config(store_shop), state)
    operations = requests.get(f"{store_shop.url}/__emulator/stats", timeout=5).json()["operations"]
    pages = {name: op["requests"] for name, op in operations.items() if name.endswith("Page")}
    locations = len(store_shop.emulator.store.table("Location").rows)
    code_discounts = len(store_shop.emulator.store.table("DiscountCodeNode").rows)
    collections = len(store_shop.emulator.store.table("Collection").rows)
    live = ("REQUESTED", "OPEN", "CLOSED")  # declined and canceled returns leave their order NO_RETURN
    returned = [
        o for o in store_shop.emulator.store.all("Order") if {r["status"] for r in o.get("_returns", [])} & set(live)
    ]
    assert pages == {
        "ShopPage": 1,  # a full table: the one shop
        **{"CustomersPage": 1, "ProductsPage": 1, "OrdersPage": 1, "FulfillmentOrdersPage": 1},
        **{"LocationsPage": 1, "InventoryItemsPage": 1, "InventoryLevelsPage": locations},  # a level bookmark each
        "DiscountsPage": 1,
        "DiscountCodesPage": code_discounts,  # every run reads them all: adding codes moves no updatedAt
        # every run reads them all (a return moves no order's updatedAt), the orders' 250 to a request
        "ReturnsPage": -(-len(returned) // MAX_PAGE),
        **{"CollectionsPage": 1, "DraftOrdersPage": 1, "AbandonedCheckoutsPage": 1, "EventsPage": 1},
        "VariantMetafieldOwnersPage": 1,  # the variants, for their metafields
        "GiftCardsPage": 1,  # a full table: no search by updated_at
        "MetafieldDefinitionsPage": len(OWNER_TYPES),  # a full table, read per owner type
        # every run reads them all (a smart collection's members change), the collections' 250 to a request
        "CollectionProductsPage": -(-collections // MAX_PAGE),
    }
    others = {name: op["requests"] for name, op in operations.items() if name not in pages}
    assert others == {
        "DestroyEvents": 5,  # customers, products, orders, collections, draft orders
        "DiscountCodesOwners": 1,  # the code discounts, whose codes are read each
        "CollectionProductsOwners": 1,  # the collections, whose products are read in batches
        "ReturnsOwners": 1,  # the orders with returns, whose returns are read in batches
        "InventoryLevelsSize": 1,  # a location without levels has no bookmark: its backfill is sized again
    }


def deselect(catalog: dict, stream: str, field: str) -> None:
    entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == stream)
    for item in entry["metadata"]:
        if item["breadcrumb"] == ["properties", field]:
            item["metadata"]["selected"] = False


def test_catalog_selection_prunes_the_query(store_shop: Running) -> None:
    catalog = TapShopifyAdmin(config=tap_config(store_shop)).catalog_dict
    deselect(catalog, "customers", "note")
    deselect(catalog, "orders", "lineItems")  # order_line_items, still selected, needs it
    deselect(catalog, "orders", "tags")
    tap = TapShopifyAdmin(config=tap_config(store_shop), catalog=catalog)
    customers = tap.streams["customers"].page_query()  # type: ignore[attr-defined]
    orders = tap.streams["orders"].page_query()  # type: ignore[attr-defined]
    assert " note" not in customers and "firstName" in customers
    assert " tags" not in orders and "lineItems(first:" in orders


def test_deselected_properties_stay_out_of_records_even_when_read(store_shop: Running, tmp_path: Path) -> None:
    catalog = TapShopifyAdmin(config=tap_config(store_shop)).catalog_dict
    deselect(catalog, "orders", "lineItems")  # read all the same, for order_line_items
    customers = next(s for s in catalog["streams"] if s["tap_stream_id"] == "customers")
    for item in customers["metadata"]:
        if item["breadcrumb"] == ["properties", "amountSpent", "properties", "currencyCode"]:
            item["metadata"]["selected"] = False
    messages = run_tap(tmp_path, tap_config(store_shop), catalog=catalog)
    assert records(messages, "order_line_items")
    assert not [r for r in records(messages, "orders") if "lineItems" in r]
    spent = [r["amountSpent"] for r in records(messages, "customers") if r.get("amountSpent")]
    assert spent and all("amount" in s and "currencyCode" not in s for s in spent)


def test_nested_streams_log_once_not_per_parent(store_shop: Running, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(tap_config(store_shop)))
    args = [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    line_items = len(records(lines, "order_line_items"))
    assert line_items > 100
    assert f"order_line_items: {line_items} records read from orders" in run.stderr
    assert "Beginning sync of 'order_line_items'" not in run.stderr
    assert '"stream":"order_line_items"' not in run.stderr.replace(" ", "")  # no per-parent metrics
    assert run.stderr.count("Beginning sync of 'orders'") == 1
