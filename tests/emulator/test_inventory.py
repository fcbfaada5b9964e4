"""Inventory in the emulator beyond the captures (idempotent replays, compare-and-set, committed stock), and
the tap's locations / inventory_items / inventory_levels streams: paged, bulk and incremental agreeing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Running, start
from ..helpers import last_state, records, run_tap, tap_config

SET = """
mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta } } userErrors { field message code }
  }
}"""
LEVELS = """
query Levels($location: ID!) {
  location(id: $location) {
    inventoryLevels(first: 1) {
      nodes {
        id updatedAt item { id updatedAt } quantities(names: ["available", "committed", "on_hand"]) { name quantity }
      }
    }
  }
}"""
PRIMARY = "{ location { id } }"


@pytest.fixture(scope="module")
def inventory_shop() -> Iterator[Running]:
    running = start(customers=10, products=20, orders=10)
    yield running
    running.server.shutdown()
    running.server.server_close()


def first_level(shop: Running) -> tuple[str, dict[str, Any]]:
    location = shop.graphql(PRIMARY)["data"]["location"]["id"]
    level = shop.graphql(LEVELS, {"location": location})["data"]["location"]["inventoryLevels"]["nodes"][0]
    return location, level


def quantities(level: dict[str, Any]) -> dict[str, int]:
    return {q["name"]: q["quantity"] for q in level["quantities"]}


def set_available(shop: Running, location: str, item: str, quantity: int, change_from: int, key: str) -> dict:
    row = {"inventoryItemId": item, "locationId": location, "quantity": quantity, "changeFromQuantity": change_from}
    input_ = {"name": "available", "reason": "correction", "quantities": [row]}
    return shop.graphql(SET, {"input": input_, "key": key})["data"]["inventorySetQuantities"]


def test_same_key_answers_again_without_a_second_change(shop: Running) -> None:
    location, level = first_level(shop)
    now = quantities(level)["available"]
    first = set_available(shop, location, level["item"]["id"], now + 5, now, "restock-1")
    again = set_available(shop, location, level["item"]["id"], now + 5, now, "restock-1")
    assert first["userErrors"] == [] and again == first
    assert quantities(first_level(shop)[1])["available"] == now + 5, "applied once"
    other = set_available(shop, location, level["item"]["id"], now + 9, now, "restock-1")
    assert [e["code"] for e in other["userErrors"]] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]


def test_a_stale_change_from_quantity_is_refused(shop: Running) -> None:
    location, level = first_level(shop)
    now = quantities(level)["available"]
    stale = set_available(shop, location, level["item"]["id"], 3, now + 1, "stale")
    assert stale["inventoryAdjustmentGroup"] is None
    assert [(e["field"], e["code"]) for e in stale["userErrors"]] == [
        (["input", "quantities", "0", "changeFromQuantity"], "CHANGE_FROM_QUANTITY_STALE")
    ]
    assert quantities(first_level(shop)[1])["available"] == now


def test_a_level_moves_when_its_quantities_change_and_its_item_does_not(shop: Running) -> None:
    location, level = first_level(shop)
    shop.emulator.store.clock.offset += 5
    set_available(shop, location, level["item"]["id"], 1, quantities(level)["available"], "moves")
    _, after = first_level(shop)
    assert after["updatedAt"] > level["updatedAt"]
    assert after["item"]["updatedAt"] == level["item"]["updatedAt"]


ORDER = """
mutation Order($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id fulfillmentOrders(first: 1) { nodes { id lineItems(first: 1) { nodes { id } } } } }
    userErrors { message }
  }
}"""
VARIANT = "query($item: ID!) { inventoryItem(id: $item) { variant { id } } }"


def place_order(shop: Running, item: str, quantity: int) -> dict[str, Any]:
    variant = shop.graphql(VARIANT, {"item": item})["data"]["inventoryItem"]["variant"]["id"]
    order = {"lineItems": [{"variantId": variant, "quantity": quantity}]}
    options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
    return shop.graphql(ORDER, {"order": order, "options": options})["data"]["orderCreate"]["order"]


def test_committed_moves_with_orders(shop: Running) -> None:
    """An order commits stock (a sale between a read and a write makes the write's compare stale); shipping
    it takes it off hand; cancelling another gives it back to available."""
    location, level = first_level(shop)
    before = quantities(level)
    item = level["item"]["id"]
    shipped = place_order(shop, item, 2)
    after_order = quantities(first_level(shop)[1])
    assert after_order == {**before, "available": before["available"] - 2, "committed": before["committed"] + 2}
    stale = set_available(shop, location, item, 50, before["available"], "after-sale")
    assert [e["code"] for e in stale["userErrors"]] == ["CHANGE_FROM_QUANTITY_STALE"]
    fo = shipped["fulfillmentOrders"]["nodes"][0]
    fulfillment = {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}
    created = shop.graphql(
        "mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { userErrors { message } } }",
        {"f": fulfillment},
    )
    assert created["data"]["fulfillmentCreate"]["userErrors"] == []
    assert quantities(first_level(shop)[1]) == {
        "available": before["available"] - 2,
        "committed": before["committed"],
        "on_hand": before["on_hand"] - 2,
    }
    cancelled = place_order(shop, item, 1)
    shop.graphql(
        "mutation($id: ID!) { orderCancel(orderId: $id, restock: true, reason: CUSTOMER, refund: false)"
        " { userErrors { message } } }",
        {"id": cancelled["id"]},
    )
    assert quantities(first_level(shop)[1])["available"] == before["available"] - 2


# the tap --------------------------------------------------------------------------------------------
def keyed(messages: list[dict], stream: str) -> dict[str, dict]:
    return {r["id"]: r for r in records(messages, stream)}


def test_paged_and_bulk_reads_agree(inventory_shop: Running, tmp_path: Path) -> None:
    paged = run_tap(tmp_path, tap_config(inventory_shop, bulk="never"))
    bulk = run_tap(tmp_path, tap_config(inventory_shop, bulk="always"))
    for stream in ("locations", "inventory_items", "inventory_levels"):
        assert keyed(paged, stream) == keyed(bulk, stream), stream
    levels = keyed(paged, "inventory_levels")
    store = inventory_shop.emulator.store
    assert len(levels) == sum(1 for _ in store.all("InventoryLevel"))
    assert {r["name"] for r in records(paged, "locations")} == {"Shop location", "Warehouse 2", "Closed store"}
    level = next(iter(levels.values()))
    assert level["on_hand"] == sum(
        level[name] for name in ("available", "committed", "damaged", "reserved", "safety_stock", "quality_control")
    )


def test_incremental_reads_only_changed_levels_per_location(inventory_shop: Running, tmp_path: Path) -> None:
    first = run_tap(tmp_path, tap_config(inventory_shop, bulk="never"))
    state = last_state(first)
    partitions = state["bookmarks"]["inventory_levels"]["partitions"]
    assert len(partitions) == 3, "one bookmark per location"
    assert records(run_tap(tmp_path, tap_config(inventory_shop), state=state), "inventory_levels") == []
    location, level = first_level(inventory_shop)
    changed = set_available(inventory_shop, location, level["item"]["id"], 77, quantities(level)["available"], "tap")
    assert changed["userErrors"] == []
    again = run_tap(tmp_path, tap_config(inventory_shop), state=state)
    assert [(r["id"], r["available"]) for r in records(again, "inventory_levels")] == [(level["id"], 77)]
    assert records(again, "inventory_items") == [], "an item's updatedAt does not move with its quantities"
