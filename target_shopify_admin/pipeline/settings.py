"""Per-stream settings: which Shopify object a stream writes, how, and what its records are matched on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopify_admin import ConfigurationError

OBJECT_OF_STREAM = {
    "customers": "customer",
    "products": "product",
    "orders": "order",
    "fulfillments": "fulfillment",
    "discounts": "discount",
    "discount_codes": "discount_code",
}
MATCH_KEYS = {
    "customer": ("id", "email", "phone", "custom_id"),
    "product": ("id", "handle", "custom_id"),
    "order": ("id", "source_identifier", "custom_id"),
    "fulfillment": ("id", "order"),
    "fulfillment_event": ("fulfillment",),
    "fulfillment_order_action": ("fulfillment_order",),
    "discount": ("id", "code", "title"),  # code: code discounts; title: automatic discounts
    "discount_code": ("code",),
    "inventory_item": ("id", "sku"),
    "inventory_level": ("inventory_item_id", "sku", "variant_id"),
}
ACTIONS = ("create", "update", "upsert", "delete")
DELETE_MODES = {
    "customer": ("delete",),
    "product": ("delete", "archive"),
    "order": ("delete", "cancel", "close"),
    "fulfillment": ("delete",),  # fulfillmentCancel: a fulfillment cannot be deleted
    "fulfillment_event": ("delete",),  # refused per record: Shopify deletes no event
    "fulfillment_order_action": ("delete",),  # refused per record: an action is undone by another
    "discount": ("delete",),
    "discount_code": ("delete",),
    "inventory_item": ("delete",),  # refused: an item goes with its variant
    "inventory_level": ("delete",),  # refused: a quantity is set to 0, not deleted
}
# inventory_level: each record sets (inventorySetQuantities) or adjusts (inventoryAdjustQuantities) one
# named quantity; the names each takes, and the reasons Shopify accepts (captured 2026-04)
QUANTITY_NAMES = {
    "set": ("available", "on_hand"),
    "adjust": ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock"),
}
INVENTORY_REASONS = (
    "correction", "cycle_count_available", "damaged", "movement_canceled", "movement_created", "movement_received",
    "movement_updated", "other", "promotion", "quality_control", "received", "reservation_created",
    "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
)  # fmt: skip
INVENTORY_SETTINGS = ("quantity_change", "quantity_name", "location_match_on", "activate", "reason")


@dataclass(frozen=True)
class StreamSettings:
    object: str | None  # None: the stream maps to nothing, and each record fails saying so
    action: str = "upsert"
    match_on: str = "id"
    custom_id: tuple[str, str] | None = None  # metafield (namespace, key); the record's field is named by key
    allow_deletes: bool = False
    delete_mode: str = "delete"
    quantity_change: str = "set"  # inventory_level: set or adjust
    quantity_name: str = "available"  # inventory_level: the named quantity a record changes
    location_match_on: str = "id"  # inventory_level: the location by id (location_id) or name (location)
    activate: bool = False  # inventory_level: stock an item at a location where it is not (inventoryActivate)
    reason: str = "correction"  # inventory_level: the reason Shopify shows in the item's history

    @classmethod
    def of(cls, stream: str, config: dict[str, Any]) -> StreamSettings:
        """The stream's entry in `streams`, checked; a mistake there stops the run before any write."""
        entry = dict((config.get("streams") or {}).get(stream) or {})
        kind = entry.pop("object", OBJECT_OF_STREAM.get(stream))
        entry.setdefault("match_on", MATCH_KEYS.get(kind or "", ("id",))[0])  # the object's first key
        custom_id = entry.pop("custom_id", None)
        unknown = set(entry) - {"action", "match_on", "allow_deletes", "delete_mode"} - set(INVENTORY_SETTINGS)
        if unknown:
            raise ConfigurationError(f"streams.{stream} has unknown settings: {', '.join(sorted(unknown))}")
        settings = cls(object=kind, **entry)
        if custom_id is not None:
            namespace, dot, key = str(custom_id).rpartition(".")
            if not (dot and namespace and key):
                raise ConfigurationError(f"streams.{stream}.custom_id must be 'namespace.key', not {custom_id!r}")
            settings = cls(**{**settings.__dict__, "custom_id": (namespace, key)})
        settings.check(stream)
        return settings

    def check(self, stream: str) -> None:
        if self.object is None or self.object not in MATCH_KEYS:
            return  # unmapped or unknown object: each record fails, saying so
        where = f"streams.{stream}"
        if self.action not in ACTIONS:
            raise ConfigurationError(f"{where}.action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if self.match_on not in MATCH_KEYS[self.object]:
            keys = ", ".join(MATCH_KEYS[self.object])
            raise ConfigurationError(
                f"{where}.match_on for a {self.object} must be one of {keys}, not {self.match_on!r}"
            )
        if self.match_on == "custom_id" and self.custom_id is None:
            raise ConfigurationError(f"{where}.custom_id ('namespace.key') is needed to match on custom_id")
        if self.delete_mode not in DELETE_MODES[self.object]:
            raise ConfigurationError(f"{where}.delete_mode {self.delete_mode!r} does not apply to a {self.object}")
        if self.object == "inventory_level":
            self.check_inventory(where)

    def check_inventory(self, where: str) -> None:
        choices = {
            "quantity_change": tuple(QUANTITY_NAMES),
            "quantity_name": QUANTITY_NAMES.get(self.quantity_change, ()),
            "location_match_on": ("id", "name"),
            "reason": INVENTORY_REASONS,
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                value = getattr(self, name)
                raise ConfigurationError(f"{where}.{name} must be one of {', '.join(allowed)}, not {value!r}")
        if not isinstance(self.activate, bool):
            raise ConfigurationError(f"{where}.activate must be true or false, not {self.activate!r}")

    @property
    def match_field(self) -> str:
        """The record field holding the match value."""
        return self.custom_id[1] if self.match_on == "custom_id" and self.custom_id else self.match_on
