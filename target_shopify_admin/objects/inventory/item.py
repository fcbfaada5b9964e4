"""Inventory items: inventoryItemUpdate on an item found by id or sku (cost, tracked, origin, HS code,
requiresShipping); an item is never created or deleted on its own, it goes with its variant."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.search import quoted
from target_shopify_admin.objects.fields import RecordError, flag, money, text, without_nulls
from target_shopify_admin.objects.gateway import InputGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind

from .levels import ITEM_BY_ID, ITEM_TEXT, ITEM_UPDATE, ITEMS_BY_SKU, checked_gid, only_item


class InventoryItemGateway(InputGateway):
    """Updates an item found by id or sku: cost, tracked, origin, HS code, requiresShipping."""

    kind = "inventory_item"
    set_root = "inventoryItemUpdate"
    set_mutation = ITEM_UPDATE
    lookup_keys: ClassVar = {"id": "id", "sku": "sku"}
    set_keys: ClassVar = {}  # update only: no identifier creates an item

    @override
    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        return {self.lookup_keys[match_on]: value}, {}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        if "id" in identifier:
            found: dict[str, Any] | None = self.client.execute(ITEM_BY_ID, identifier)["inventoryItem"]
            return found
        nodes = self.client.execute(ITEMS_BY_SKU, {"query": f"sku:{quoted(identifier['sku'])}"})["inventoryItems"]
        return only_item(nodes["nodes"], identifier["sku"])

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return checked_gid(record.get("id"), "InventoryItem", "id") if match_on == "id" else record.get("sku")

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        return item_input(record)

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        return {
            **{name: current.get(name) for name in (*ITEM_TEXT, "tracked", "requiresShipping")},
            "cost": money(current.get("unitCost") or {}, "amount"),
        }

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        payload = self.mutate(ITEM_UPDATE, {"id": identifier["id"], "input": wanted})[self.set_root]
        found = payload.get("inventoryItem")
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        raise RecordError("an inventory item goes with its variant: delete the product variant instead")


def item_input(record: dict[str, Any]) -> dict[str, Any]:
    """An InventoryItemInput from the fields the record gives; the cost as `cost` or the tap's `unitCost`."""
    wanted = without_nulls({name: text(record, name) for name in ITEM_TEXT})
    wanted.update(without_nulls({name: flag(record, name) for name in ("tracked", "requiresShipping")}))
    cost = money(record, "cost")
    if cost is None and isinstance(record.get("unitCost"), dict):
        cost = money(record["unitCost"], "amount", "unitCost.")
    if cost is not None:
        wanted["cost"] = cost
    return wanted


# inventory levels ---------------------------------------------------------------------------------


KIND = ObjectKind(
    name="inventory_item",
    match_keys=("id", "sku"),
    rank=1,  # the items of products written first
    gateway=InventoryItemGateway,
    summary="inventoryItemUpdate updates items (cost, tracked, origin); deletes are refused",
)
