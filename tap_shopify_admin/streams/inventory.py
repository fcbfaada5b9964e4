"""Locations, inventory items, and inventory levels read per location with a bookmark each.

A level's updatedAt moves when its quantities change and its item's does not, so levels cannot ride on
their item as variants ride on their product. `Location.inventoryLevels(query: "updated_at:>=…")` narrows
by time, and a shop has few locations: levels are a child stream of locations, partitioned by location,
each partition with its own bookmark. That root takes no sort key, so the stream is not sorted; its
bookmarks are set when each location has been read in full.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.bulk import BulkOperation
from shopify_admin.cost import MAX_PAGE
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.search import quoted

from ..bulk_plan import BULK_START_SECONDS, paged_by_budget
from ..documents import page_size
from ..windows import Page, shopify_time, window_end
from .base import ConnectionStream, ShopifyStream, naming_the_stream

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
    replication_key = None
    fields = f"""
        id legacyResourceId name isActive isPrimary fulfillsOnlineOrders shipsInventory hasActiveInventory
        address {{ {ADDRESS} }} deactivatedAt createdAt updatedAt
    """

    @override
    @naming_the_stream
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        query = (
            "query LocationsPage($first: Int!, $after: String) {"
            " locations(first: $first, after: $after, sortKey: ID, includeInactive: true, includeLegacy: true) {"
            f" nodes {{ {self.selected_fields()} }} {PAGE_INFO} }} }}"
        )
        for page in pages(self.client, query, {"first": MAX_PAGE}, ("locations",)):
            yield from page["nodes"]

    @override
    def get_child_context(self, record: dict, context: Mapping[str, Any] | None) -> dict:
        return {"location_id": record["id"]}


class InventoryItemsStream(ConnectionStream):
    """Inventory items, incremental on updatedAt. `inventoryItems` takes no sort key: each window is read
    whole, by id, and the bookmark moves when it is done. Shopify records no event when an item goes
    (with its variant), so deletions are not emitted."""

    name = "inventory_items"
    graphql_type = "InventoryItem"
    root = "inventoryItems"
    sort_key = None
    is_sorted = False
    fields = """
        id legacyResourceId sku tracked unitCost { amount currencyCode } countryCodeOfOrigin provinceCodeOfOrigin
        harmonizedSystemCode requiresShipping measurement { weight { unit value } } variant { id }
        createdAt updatedAt
    """

    @override
    def _pages(self, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        query = self.page_query()
        for page in self._slice(query, page_size(query), start, end):
            yield from page.records


class InventoryLevelsStream(ShopifyStream):
    """One record per item and location, its named quantities as columns."""

    name = "inventory_levels"
    graphql_type = "InventoryLevel"
    parent_stream_type: ClassVar[type] = LocationsStream  # type: ignore[misc]
    replication_key = "updatedAt"
    is_sorted = False
    state_partitioning_keys: ClassVar[list[str]] = ["location_id"]  # type: ignore[misc]
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

    def window(self, context: Mapping[str, Any] | None) -> str:
        """From the partition's bookmark, exclusive, or `start_date`, inclusive, to the sync's start, exclusive.
        The bookmark is only written once a location is read in full, and every level then updated in its
        second had been read: a later change moves updatedAt to the sync's start or after."""
        end = f"updated_at:<{quoted(window_end(self.shop_tap.sync_started, 0, self.shop_tap.end_date))}"
        bookmark = self.get_context_state(context).get("replication_key_value")
        if bookmark is not None:
            return f"updated_at:>{quoted(bookmark)} AND {end}"
        start = self.get_starting_timestamp(context)
        return f"updated_at:>={quoted(shopify_time(start))} AND {end}" if start else end

    @override
    @naming_the_stream
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        assert context is not None
        search = self.window(context)
        if self.use_bulk(context):
            yield from self._bulk(context["location_id"], search)
        else:
            for page in self._pages(context["location_id"], search):
                yield from page.records

    def page_query(self) -> str:
        return (
            "query InventoryLevelsPage($id: ID!, $first: Int!, $after: String, $query: String) {"
            " location(id: $id) { inventoryLevels(first: $first, after: $after, query: $query) {"
            f" nodes {{ {self.selected_fields()} }} {PAGE_INFO} }} }} }}"
        )

    def _pages(self, location_id: str, search: str) -> Iterator[Page]:
        query = self.page_query()
        variables = {"id": location_id, "query": search, "first": page_size(query)}
        # none once the location is deleted since the locations were read
        for page in pages(self.client, query, variables, ("location", "inventoryLevels")):
            yield Page(page["nodes"], page["pageInfo"]["hasNextPage"])

    def use_bulk(self, context: Mapping[str, Any]) -> bool:
        """`bulk: auto` reads a location's backfill (no bookmark yet) by a bulk query when the shop has more
        inventory items (one a variant) than the cost budget pages through in BULK_START_SECONDS."""
        mode = self.config.get("bulk", "auto")
        if mode != "auto":
            return mode == "always"
        if self.get_context_state(context).get("replication_key_value") is not None:
            return False
        _, per_second = paged_by_budget(self.client.throttle.restore_rate, self.page_query())
        counted = self.client.execute("query VariantsCount { productVariantsCount { count } }")
        return int(counted["productVariantsCount"]["count"]) > BULK_START_SECONDS * per_second

    def bulk_query(self, location_id: str, search: str) -> str:
        number = location_id.rsplit("/", 1)[-1]
        return (
            f"{{ locations(query: {json.dumps(f'id:{number}')}, includeInactive: true, includeLegacy: true) {{"
            f" edges {{ node {{ id inventoryLevels(query: {json.dumps(search)}) {{"
            f" edges {{ node {{ {self.selected_fields(bulk=True)} }} }} }} }} }} }} }}"
        )

    def _bulk(self, location_id: str, search: str) -> Iterator[dict[str, Any]]:
        """The location's levels from a bulk query's file, streamed line by line (the levels are the
        lines with a parent), so that memory stays flat however many there are; by pages if the
        operation did not complete."""
        runner = self.shop_tap.bulk_runner
        operation: BulkOperation = runner.wait(runner.start(self.bulk_query(location_id, search)))
        if operation.status != "COMPLETED":
            self.logger.warning("Bulk operation %s ended %s: reading by pages", operation.id, operation.status)
            for page in self._pages(location_id, search):
                yield from page.records
            return
        if operation.result_url is None:  # nothing in the window
            return
        with tempfile.TemporaryFile() as out:
            runner.download(operation, out)
            out.seek(0)
            for line in out:
                row = json.loads(line)
                if row.pop("__parentId", None) is not None:
                    yield row
