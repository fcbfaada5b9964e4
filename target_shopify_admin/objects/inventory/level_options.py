"""The options of an `inventory_level` stream, declared: each record sets (inventorySetQuantities) or
adjusts (inventoryAdjustQuantities) one named quantity of an item at a location."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from shopify_admin import ConfigurationError

# the quantity names each change takes, and the reasons Shopify accepts (captured 2026-04)
QUANTITY_NAMES = {
    "set": ("available", "on_hand"),
    "adjust": ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock"),
}
INVENTORY_REASONS = (
    "correction", "cycle_count_available", "damaged", "movement_canceled", "movement_created", "movement_received",
    "movement_updated", "other", "promotion", "quality_control", "received", "reservation_created",
    "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
)  # fmt: skip
LEVEL_OPTIONS = (
    th.Property(
        "quantity_change",
        th.StringType,
        allowed_values=list(QUANTITY_NAMES),
        default="set",
        description="inventory_level: set the named quantity (inventorySetQuantities) or adjust it by a delta",
    ),
    th.Property(
        "quantity_name",
        th.StringType,
        allowed_values=list(dict.fromkeys(name for names in QUANTITY_NAMES.values() for name in names)),
        default="available",
        description=(
            "inventory_level: the quantity a record changes; set takes "
            + " / ".join(QUANTITY_NAMES["set"])
            + ", adjust takes "
            + " / ".join(QUANTITY_NAMES["adjust"])
        ),
    ),
    th.Property(
        "location_match_on",
        th.StringType,
        allowed_values=["id", "name"],
        default="id",
        description="inventory_level: the location by id (record field location_id) or by name (location)",
    ),
    th.Property(
        "activate",
        th.BooleanType,
        default=False,
        description="inventory_level: stock an item at a location where it is not (inventoryActivate)",
    ),
    th.Property(
        "reason",
        th.StringType,
        allowed_values=list(INVENTORY_REASONS),
        default="correction",
        description="inventory_level: the reason Shopify shows in the item's history",
    ),
)


def check_level_options(options: Mapping[str, Any], where: str) -> None:
    """A quantity name the change takes (set takes fewer than adjust)."""
    allowed = QUANTITY_NAMES[options["quantity_change"]]
    if options["quantity_name"] not in allowed:
        value = options["quantity_name"]
        raise ConfigurationError(f"{where}.quantity_name must be one of {', '.join(allowed)}, not {value!r}")


@dataclass(frozen=True)
class LevelOptions:
    """A stream's options, checked, as typed fields."""

    quantity_change: str
    quantity_name: str
    location_match_on: str
    activate: bool
    reason: str

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> LevelOptions:
        return cls(**options)

    @property
    def adjusting(self) -> bool:
        return self.quantity_change == "adjust"
