"""Inventory items and their levels at locations: reads. Mutations live in inventory_mutations."""

from __future__ import annotations

from typing import Any

from ...connections import paginate
from ...graphql_api import Context, resolves
from ...resources import BY_ID, Resource, common_filters, find
from ...search import Filter, Search
from ...store import Record
from .models import STORED_QUANTITIES, on_hand

INVENTORY_ITEMS = Resource(
    "InventoryItem",
    filters={**common_filters(), "sku": Filter("text", lambda r: r.get("sku"))},
    sorts={"ID": BY_ID},  # inventoryItems takes no sortKey: always by id
    indexed=("sku",),  # a sku search is a lookup, not a scan of every item
)
LEVEL_FILTERS = {
    **common_filters(),
    "inventory_item_id": Filter("number", lambda r: r["_item"]["_n"]),
    "location_id": Filter("number", lambda r: r["_location"]["_n"]),
}


@resolves("QueryRoot.inventoryItems")
def inventory_items(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return INVENTORY_ITEMS.connection(ctx, "inventoryItems", args)


@resolves("QueryRoot.inventoryItem")
def inventory_item(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "InventoryItem")


@resolves("QueryRoot.inventoryLevel")
def inventory_level(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "InventoryLevel")


def levels(rows: list[Record], ctx: Context, path: str, args: dict[str, Any]) -> dict[str, Any]:
    """Active levels in creation order, narrowed by `query` (updated_at, created_at, …)."""
    search = Search(args.pop("query", None), LEVEL_FILTERS, [], ctx.store.timezone)
    if search.warnings:
        ctx.search_warnings.append({"path": [path], "warnings": search.warnings})
    keys = [(r["_n"], r["_n"]) for r in rows]
    checks = [lambda r: r["isActive"], *([search.matches] if search.groups else [])]
    return paginate(keys, rows, args, lambda r: all(check(r) for check in checks))


@resolves("InventoryItem.inventoryLevels")
def item_levels(item: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return levels(list(item.get("_levels", {}).values()), ctx, "inventoryLevels", args)


@resolves("Location.inventoryLevels")
def location_levels(location: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return levels(list(location["_levels"].values()), ctx, "inventoryLevels", args)


@resolves("InventoryItem.inventoryLevel")
def item_level(item: Record, ctx: Context, locationId: str) -> Record | None:
    location = find(ctx, locationId, "Location")
    return item.get("_levels", {}).get(location["_n"]) if location else None


@resolves("Location.inventoryLevel")
def location_level(location: Record, ctx: Context, inventoryItemId: str) -> Record | None:
    item = find(ctx, inventoryItemId, "InventoryItem")
    return location["_levels"].get(item["_n"]) if item else None


@resolves("InventoryItem.variant")
def item_variant(item: Record, _ctx: Context) -> Record:
    return item["_variant"]


@resolves("InventoryLevel.item")
def level_item(level: Record, _ctx: Context) -> Record:
    return level["_item"]


@resolves("InventoryLevel.location")
def level_location(level: Record, _ctx: Context) -> Record:
    return level["_location"]


@resolves("InventoryLevel.canDeactivate")
def can_deactivate(level: Record, _ctx: Context) -> bool:
    """An item must stay stocked somewhere."""
    return sum(other["isActive"] for other in level["_item"]["_levels"].values()) > 1


def quantity(level: Record, name: str) -> int:
    return on_hand(level) if name == "on_hand" else level["_quantities"][name]


@resolves("InventoryLevel.quantities")
def quantities(level: Record, _ctx: Context, names: list[str]) -> list[dict[str, Any]]:
    """The named quantities asked for, in that order; on_hand carries no updatedAt of its own."""
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level['_n']}?name={name}",
            "name": name,
            "quantity": quantity(level, name),
            "updatedAt": level["_quantity_updated"].get(name),
        }
        for name in names
        if name == "on_hand" or name in STORED_QUANTITIES
    ]
