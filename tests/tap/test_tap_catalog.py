"""The tap's catalog streams against the emulator: collections and their memberships, metafields per
owner type, draft orders, abandoned checkouts, gift cards and events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import parse, validate
from sqlalchemy.dialects import postgresql
from target_postgres.connector import PostgresConnector

from tap_shopify_admin.tap import TapShopifyAdmin

from ..conftest import Running, start
from ..helpers import last_state, records, run_tap, tap_config

METAFIELD_STREAMS = {
    "shop_metafields": "SHOP",
    "customer_metafields": "CUSTOMER",
    "product_metafields": "PRODUCT",
    "variant_metafields": "PRODUCTVARIANT",
    "order_metafields": "ORDER",
    "collection_metafields": "COLLECTION",
    "location_metafields": "LOCATION",
    "draft_order_metafields": "DRAFTORDER",
}


@pytest.fixture
def catalog_shop() -> Iterator[Running]:
    running = start(plan="unlimited", customers=20, products=20, orders=30)
    yield running
    running.server.shutdown()
    running.server.server_close()


def ids(shop: Running, root: str, arguments: str = "") -> set[str]:
    data = shop.graphql(f"{{ {root}(first: 250 {arguments}) {{ nodes {{ id }} }} }}")["data"][root]
    return {node["id"] for node in data["nodes"]}


def memberships(shop: Running) -> set[tuple[str, str, int]]:
    query = "{ collections(first: 250) { nodes { id products(first: 250) { nodes { id } } } } }"
    collections = shop.graphql(query)["data"]["collections"]["nodes"]
    return {(c["id"], p["id"], place) for c in collections for place, p in enumerate(c["products"]["nodes"], start=1)}


def member_rows(messages: list[dict]) -> set[tuple[str, str, int]]:
    return {(r["collectionId"], r["productId"], r["position"]) for r in records(messages, "collection_products")}


def test_each_catalog_stream_reads_what_the_shop_holds(catalog_shop: Running, tmp_path: Path, real_schema) -> None:
    messages = run_tap(tmp_path, tap_config(catalog_shop))
    live = {r["id"] for r in records(messages, "collections") if not r["_sdc_deleted_at"]}
    assert live == ids(catalog_shop, "collections")
    deleted = [r for r in records(messages, "collections") if r["_sdc_deleted_at"]]
    assert len(deleted) == 1  # the seeded "Discontinued"
    smart = next(r for r in records(messages, "collections") if r.get("ruleSet"))
    assert smart["ruleSet"]["rules"] and smart["productsCount"]["count"] >= 0
    assert member_rows(messages) == memberships(catalog_shop)
    assert {r["id"] for r in records(messages, "draft_orders") if not r["_sdc_deleted_at"]} == ids(
        catalog_shop, "draftOrders"
    )
    completed = [r for r in records(messages, "draft_orders") if r.get("completedAt")]
    assert completed and all(r["order"]["id"] for r in completed)
    assert {r["id"] for r in records(messages, "abandoned_checkouts")} == ids(catalog_shop, "abandonedCheckouts")
    cards = records(messages, "gift_cards")
    assert {r["id"] for r in cards} == ids(catalog_shop, "giftCards")
    assert all(len(r["lastCharacters"]) == 4 and "code" not in r for r in cards)
    events = records(messages, "events")
    assert {r["id"] for r in events} == ids(catalog_shop, "events")
    assert all(r["subjectId"] and r["subjectType"] and r["action"] for r in events)
    definitions = {
        node["id"]
        for owner_type in METAFIELD_STREAMS.values()
        for node in catalog_shop.graphql(
            f"{{ metafieldDefinitions(first: 250, ownerType: {owner_type}) {{ nodes {{ id }} }} }}"
        )["data"]["metafieldDefinitions"]["nodes"]
    }
    assert definitions and {r["id"] for r in records(messages, "metafield_definitions")} == definitions
    for stream, owner_type in METAFIELD_STREAMS.items():
        rows = records(messages, stream)
        assert rows, stream
        assert {r["ownerType"] for r in rows} == {owner_type}
        assert all(r["ownerId"] and r["namespace"] and r["key"] and r["compareDigest"] for r in rows)
    # every document sent validates against the real schema
    for document in catalog_shop.emulator.api.documents():
        assert not validate(real_schema, parse(document)), document


def test_a_full_read_ends_with_its_version_activated_and_an_ended_membership_is_gone(
    catalog_shop: Running, tmp_path: Path
) -> None:
    first = run_tap(tmp_path, tap_config(catalog_shop))
    sale = next(c for c in catalog_shop.emulator.store.all("Collection") if c["title"] == "Sale")
    member = next(r for r in records(first, "collection_products") if r["collectionId"] == sale["id"])
    # the product leaves the smart collection by its own change; the collection is not touched
    untag = "mutation R($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { userErrors { message } } }"
    assert not catalog_shop.graphql(untag, {"id": member["productId"], "tags": ["sale"]})["data"]["tagsRemove"][
        "userErrors"
    ]
    again = run_tap(tmp_path, tap_config(catalog_shop), last_state(first))
    assert (sale["id"], member["productId"]) not in {(c, p) for c, p, _ in member_rows(again)}
    assert member_rows(again) == memberships(catalog_shop)
    versions = []
    for messages in (first, again):
        of_stream = [m for m in messages if m.get("stream") == "collection_products"]
        activate = [i for i, m in enumerate(of_stream) if m["type"] == "ACTIVATE_VERSION"]
        rows = [i for i, m in enumerate(of_stream) if m["type"] == "RECORD"]
        assert len(activate) == 1 and activate[0] > max(rows)  # after the read's last record
        version = of_stream[activate[0]]["version"]
        assert {of_stream[i]["version"] for i in rows} == {version}
        versions.append(version)
    assert versions[0] < versions[1]  # a target keeps the later read's rows only


SET = """mutation S($m: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $m) { metafields { id } userErrors { field message } } }"""
DELETE = """mutation D($m: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $m) { deletedMetafields { key } userErrors { field message } } }"""


def test_changes_after_a_sync_arrive_in_the_next_run(catalog_shop: Running, tmp_path: Path) -> None:
    state = last_state(run_tap(tmp_path, tap_config(catalog_shop), started=catalog_shop.next_second()))
    # a run's window ends at the second after its start: the shop's clock moves there, as time would
    catalog_shop.emulator.store.clock.offset += 1.0
    product = sorted(catalog_shop.emulator.store.all("Product"), key=lambda r: r["_n"])[0]["id"]
    collection = next(c for c in catalog_shop.emulator.store.all("Collection") if c["title"] == "Summer picks")
    material = {"ownerId": product, "namespace": "custom", "key": "fabric", "type": "single_line_text_field"}
    assert not catalog_shop.graphql(SET, {"m": [{**material, "value": "linen"}]})["data"]["metafieldsSet"]["userErrors"]
    rename = "mutation U($i: CollectionInput!) { collectionUpdate(input: $i) { userErrors { message } } }"
    assert not catalog_shop.graphql(rename, {"i": {"id": collection["id"], "title": "Summer picks 2"}})["data"][
        "collectionUpdate"
    ]["userErrors"]
    card = sorted(catalog_shop.emulator.store.all("GiftCard"), key=lambda r: r["_n"])[0]["id"]
    note = """mutation G($id: ID!, $i: GiftCardUpdateInput!) {
      giftCardUpdate(id: $id, input: $i) { userErrors { message } } }"""
    assert not catalog_shop.graphql(note, {"id": card, "i": {"note": "changed"}})["data"]["giftCardUpdate"][
        "userErrors"
    ]

    store = catalog_shop.emulator.store
    # draft orders and abandoned checkouts are read only: changed in the store, as Shopify's own work would
    draft, checkout = (
        sorted(store.all(kind), key=lambda r: r["_n"])[0] for kind in ("DraftOrder", "AbandonedCheckout")
    )
    store.touch(draft)
    store.touch(checkout)
    gone = next(c for c in store.all("Collection") if c["title"] == "Gift ideas")["id"]
    delete = "mutation X($i: CollectionDeleteInput!) { collectionDelete(input: $i) { userErrors { message } } }"
    assert not catalog_shop.graphql(delete, {"i": {"id": gone}})["data"]["collectionDelete"]["userErrors"]

    after = run_tap(tmp_path, tap_config(catalog_shop), state, started=catalog_shop.next_second())
    assert [(r.get("title"), r["_sdc_deleted_at"] is None) for r in records(after, "collections")] == [
        ("Summer picks 2", True),
        (None, False),  # the deleted one, from its destroy event
    ]
    assert [r["id"] for r in records(after, "draft_orders")] == [draft["id"]]
    assert [r["id"] for r in records(after, "abandoned_checkouts")] == [checkout["id"]]
    assert [(r["subjectId"], r["action"]) for r in records(after, "events")] == [(gone, "destroy")]
    assert [(r["ownerId"], r["value"]) for r in records(after, "product_metafields") if r["key"] == "fabric"] == [
        (product, "linen")
    ]
    assert next(r for r in records(after, "gift_cards") if r["id"] == card)["note"] == "changed"

    # a deleted metafield leaves its owner's record: the owner's updatedAt moves, and its set is read whole
    catalog_shop.emulator.store.clock.offset += 1.0  # past the second the last window ended at
    deleted = catalog_shop.graphql(DELETE, {"m": [{k: material[k] for k in ("ownerId", "namespace", "key")}]})
    assert deleted["data"]["metafieldsDelete"]["deletedMetafields"] == [{"key": "fabric"}]
    last = run_tap(tmp_path, tap_config(catalog_shop), last_state(after), started=catalog_shop.next_second())
    owner = next(r for r in records(last, "products") if r["id"] == product)
    assert "fabric" not in {m["key"] for m in owner["metafields"]}
    assert not [r for r in records(last, "product_metafields") if r["key"] == "fabric"]


def test_a_variant_metafield_set_after_a_sync_arrives_in_the_next_run_once(
    catalog_shop: Running, tmp_path: Path
) -> None:
    """Setting a variant's metafield moves the variant's updatedAt, not its product's: the variants'
    own window reads it, and the product is not read again."""
    state = last_state(run_tap(tmp_path, tap_config(catalog_shop), started=catalog_shop.next_second()))
    catalog_shop.emulator.store.clock.offset += 1.0  # past the second the run's window ended at
    variant = sorted(catalog_shop.emulator.store.all("ProductVariant"), key=lambda r: r["_n"])[-1]
    grams = {"ownerId": variant["id"], "namespace": "custom", "key": "grams", "type": "number_integer"}
    assert not catalog_shop.graphql(SET, {"m": [{**grams, "value": "120"}]})["data"]["metafieldsSet"]["userErrors"]

    after = run_tap(tmp_path, tap_config(catalog_shop), state, started=catalog_shop.next_second())
    assert [(r["ownerId"], r["key"], r["jsonValue"]) for r in records(after, "variant_metafields")] == [
        (variant["id"], "grams", 120)
    ]
    owner = records(after, "variant_metafield_owners")
    assert [(r["id"], r["product"]["id"]) for r in owner] == [(variant["id"], variant["_product"]["id"])]
    assert records(after, "products") == []
    again = run_tap(tmp_path, tap_config(catalog_shop), last_state(after), started=catalog_shop.next_second())
    assert records(again, "variant_metafields") == []


def test_target_postgres_loads_a_json_value_of_any_shape() -> None:
    """jsonValue is any JSON (an object, a list, a number, text, a boolean): target-postgres, through the
    column type it makes of the streams' schema, takes objects and lists as their JSON and the rest as
    they are."""
    tap = TapShopifyAdmin(config={"shop": "x"})
    connector = PostgresConnector(config={"sqlalchemy_url": "postgresql+psycopg://127.0.0.1/warehouse"})
    shapes: list[object] = [{"value": 5, "unit": "KILOGRAMS"}, ["a", "b"], 120, 2.5, "linen", True]
    for stream in METAFIELD_STREAMS:
        column = connector.to_sql_type(tap.streams[stream].schema["properties"]["jsonValue"])
        bind = column.bind_processor(postgresql.dialect())
        assert bind is not None, stream
        sent = [json.dumps(value) if isinstance(value, dict | list) else value for value in shapes]
        assert [bind(value) for value in shapes] == sent, stream


def test_metafield_owner_types_reads_only_the_owners_named(catalog_shop: Running, tmp_path: Path) -> None:
    messages = run_tap(tmp_path, tap_config(catalog_shop, metafield_owner_types=["PRODUCT"]))
    assert records(messages, "product_metafields")
    for stream in set(METAFIELD_STREAMS) - {"product_metafields"}:
        assert records(messages, stream) == [], stream
    assert not [r for r in records(messages, "orders") if "metafields" in r]
    sent = catalog_shop.emulator.api.documents()
    assert [d for d in sent if "OrdersPage" in d and "metafields" not in d]
    assert not [d for d in sent if "CollectionsPage" in d and "metafields" in d]
    assert not [d for d in sent if "VariantMetafieldOwners" in d]  # read for their metafields only


def test_an_unsorted_window_reads_a_change_once_when_the_shops_clock_is_ahead(
    catalog_shop: Running, tmp_path: Path
) -> None:
    """A window without an UPDATED_AT sort key (inventory items) keeps as its bookmark the last change it
    read, even when the shop's clock is ahead of the machine's: held at the machine's clock, below that
    change, the bookmark read it again on every run."""
    state = last_state(run_tap(tmp_path, tap_config(catalog_shop), started=catalog_shop.next_second()))
    store = catalog_shop.emulator.store
    store.clock.offset += 5.0  # the shop's clock seconds ahead of the machine's
    item = sorted(store.all("InventoryItem"), key=lambda r: r["_n"])[0]
    store.touch(item)
    after = run_tap(tmp_path, tap_config(catalog_shop), state, started=catalog_shop.next_second())
    assert [r["id"] for r in records(after, "inventory_items")] == [item["id"]]
    again = run_tap(tmp_path, tap_config(catalog_shop), last_state(after), started=catalog_shop.next_second())
    assert records(again, "inventory_items") == []
