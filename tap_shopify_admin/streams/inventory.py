"""Locations, inventory items, and inventory levels read per location with a bookmark each.

A level's updatedAt moves when its quantities change and its item's does not, so levels cannot ride on
their item as variants ride on their product. `Location.inventoryLevels(query: "updated_at:>=…")` narrows
by time, and a shop has few locations: levels are a child stream of locations, partitioned by location,
each partition with its own bookmark. That root takes no sort key, so the stream is not sorted; its
bookmarks are set when each location has been read in full.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from typing_extensions import override

from ..readers.full_table import FullTable
from ..readers.partitions import Partitions
from ..readers.window import UnsortedWindow
from .base import ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream

ADDRESS = "address1 address2 city province provinceCode country countryCode zip phone"
QUANTITY_NAMES = (
    "available",
    "on_hand",
    "committed",
    "incoming",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
)


class LocationsStream(ShopifyStream):
    """Every location, inactive and fulfillment-service ones included: a shop has at most a few hundred,
    and `locations` can be neither sorted nor searched by updatedAt, so each run reads them all."""

    name = "locations"
    graphql_type = "Location"
    root = "locations"
    root_arguments = "includeInactive: true, includeLegacy: true"
    replication_key = None
    reader = FullTable()
    metafield_owner = "LOCATION"
    fields = f"""
        id legacyResourceId name isActive isPrimary fulfillsOnlineOrders shipsInventory hasActiveInventory
        address {{ {ADDRESS} }} deactivatedAt createdAt updatedAt
        {METAFIELDS}
    """

    @override
    def get_child_context(self, record: dict, context: Mapping[str, Any] | None) -> dict:
        return {"location_id": record["id"]}


class LocationMetafieldsStream(MetafieldsStream):
    name = "location_metafields"
    parent_stream_type: ClassVar[type] = LocationsStream  # type: ignore[misc]


class InventoryItemsStream(ShopifyStream):
    """Inventory items, incremental on updatedAt. `inventoryItems` takes no sort key: each window is read
    whole, by id, and the bookmark moves when it is done. Shopify records no event when an item goes
    (with its variant), so deletions are not emitted."""

    name = "inventory_items"
    graphql_type = "InventoryItem"
    root = "inventoryItems"
    replication_key = "updatedAt"
    reader = UnsortedWindow()
    fields = """
        id legacyResourceId sku tracked unitCost { amount currencyCode } countryCodeOfOrigin provinceCodeOfOrigin
        harmonizedSystemCode requiresShipping measurement { weight { unit value } } variant { id }
        createdAt updatedAt
    """


class InventoryLevelsStream(ShopifyStream):
    """One record per item and location, its named quantities as columns."""

    name = "inventory_levels"
    graphql_type = "InventoryLevel"
    parent_stream_type: ClassVar[type] = LocationsStream  # type: ignore[misc]
    state_partitioning_keys: ClassVar[list[str]] = ["location_id"]  # type: ignore[misc]
    replication_key = "updatedAt"
    # a location holds at most one level per inventory item, of which the shop has one per variant
    reader = Partitions(
        key="location_id",
        parent="location",
        parents="locations",
        parent_arguments=LocationsStream.root_arguments,
        connection="inventoryLevels",
        size_count="productVariantsCount",
    )
    fields = f"""
        id isActive createdAt updatedAt item {{ id }} location {{ id }}
        quantities(names: {json.dumps(list(QUANTITY_NAMES))}) {{ name quantity }}
    """

    def __init__(self, tap: Any) -> None:
        super().__init__(tap)
        properties = self.schema["properties"]
        del properties["quantities"]
        properties.update({name: {"type": ["integer", "null"]} for name in QUANTITY_NAMES})
        properties["location_id"] = {"type": "string"}  # the partition's key, which the SDK adds to each record

    @override
    def post_process(self, row: dict, context: Mapping[str, Any] | None = None) -> dict | None:
        for named in row.pop("quantities", None) or ():
            row[named["name"]] = named["quantity"]
        return row
