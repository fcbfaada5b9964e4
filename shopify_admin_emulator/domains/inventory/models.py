"""Inventory as the store keeps it: an item's levels, one per location it is stocked at, each a set of
named quantities; and the rules by which orders, fulfilments and products move them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...store import Record, Store, money
from ..locations.models import primary_location

# The named quantities a level stores; `on_hand` is their sum but `incoming`'s (Shopify's rule).
STORED_QUANTITIES = ("available", "committed", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
ON_HAND_PARTS = ("available", "committed", "damaged", "quality_control", "reserved", "safety_stock")


def unit_cost(store: Store, amount: Decimal | str) -> dict[str, Any]:
    return {"amount": money(amount), "currencyCode": store.currency}


def stock(store: Store, item: Record, location: Record, when: str | None = None, **quantities: int) -> Record:
    """An active InventoryLevel of `item` at `location`, stored: the named `quantities`, the rest 0."""
    when = when or store.clock.now_iso()
    number, _ = store.new_id("InventoryLevel")
    level: Record = {
        "__typename": "InventoryLevel",
        "_n": number,
        "id": f"gid://shopify/InventoryLevel/{number}?inventory_item_id={item['_n']}",
        "createdAt": when,
        "updatedAt": when,
        "isActive": True,
        "_item": item,
        "_location": location,
        "_quantities": {name: quantities.get(name, 0) for name in STORED_QUANTITIES},
        "_quantity_updated": {},
    }
    item.setdefault("_levels", {})[location["_n"]] = level
    location["_levels"][item["_n"]] = level
    return store.put(level)


def unstock(store: Store, item: Record) -> None:
    """Remove a deleted item's levels from their locations and the store."""
    for level in item.get("_levels", {}).values():
        del level["_location"]["_levels"][item["_n"]]
        store.table("InventoryLevel").delete(level["_n"])


def place_available(store: Store, item: Record, quantities: list[dict[str, Any]]) -> None:
    """productSet's `inventoryQuantities`: the `available` quantity at each location named (the variant's
    inventoryQuantity is set by the caller)."""
    for given in quantities:
        location = store.node(given.get("locationId") or "", "Location")
        if given["name"] != "available" or location is None:
            continue
        level = item.get("_levels", {}).get(location["_n"]) or stock(store, item, location)
        level["_quantities"]["available"] = given["quantity"]
        store.touch(level)


def on_hand(level: Record) -> int:
    return sum(level["_quantities"][name] for name in ON_HAND_PARTS)


def change_quantity(store: Store, level: Record, name: str, delta: int, when: str | None = None) -> None:
    """Move one stored quantity; the level's updatedAt moves, its item's does not. `available` also
    moves the variant's inventoryQuantity, which is the sum over the item's locations."""
    if not delta:
        return
    when = when or store.clock.now_iso()
    level["_quantities"][name] += delta
    level["_quantity_updated"][name] = when
    store.touch(level, when)
    variant = level["_item"].get("_variant")
    if name == "available" and variant is not None:
        variant["inventoryQuantity"] = (variant.get("inventoryQuantity") or 0) + delta


def commit_stock(store: Store, line_item: Record, variant: Record | None) -> None:
    """An order that decrements inventory moves its line's quantity from available to committed at the
    primary location, when the variant's item is tracked there."""
    primary = primary_location(store)
    item = variant["inventoryItem"] if variant else None
    level = item.get("_levels", {}).get(primary["_n"]) if item and primary and item["tracked"] else None
    if level is None:
        return
    change_quantity(store, level, "available", -line_item["quantity"])
    change_quantity(store, level, "committed", line_item["quantity"])
    line_item["_committed"] = level


def release_stock(store: Store, line_item: Record, quantity: int, *, shipped: bool) -> None:
    """Committed units leave the shop when shipped, and go back to available when the order is cancelled."""
    level = line_item.get("_committed")
    if level is None or not quantity:
        return
    change_quantity(store, level, "committed", -quantity)
    if not shipped:
        change_quantity(store, level, "available", quantity)
