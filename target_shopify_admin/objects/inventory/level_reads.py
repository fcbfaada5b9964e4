"""Reading inventory levels: items with their level at a location, many in one aliased query, or in
an export of the shop's items (LevelFinder, as pipeline.exports asks), and the shop's locations."""

from __future__ import annotations

import json
from functools import cache, partial
from typing import Any, ClassVar

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import MAX_PAGE, largest_within, requested_cost
from shopify_admin.paging import pages
from shopify_admin.search import quoted
from target_shopify_admin.objects.gateway import export_document
from target_shopify_admin.objects.lookups import counted, look_up, serial_lookup_rate

from .levels import LOCATIONS, SKU_MATCHES


class LevelReader:
    """Reads items with their level at one location each, many in one query, and the shop's locations."""

    def __init__(self, client: ShopifyAdminClient, match_on: str, quantity_name: str) -> None:
        self.client = client
        self.match_on = match_on
        self.quantity_name = quantity_name

    def locations(self) -> list[dict[str, Any]]:
        """Every active location: a shop has at most a few hundred."""
        return [n for page in pages(self.client, LOCATIONS, {"first": MAX_PAGE}, ("locations",)) for n in page["nodes"]]

    def items(self, wanted: list[tuple[str, str]]) -> list[list[dict[str, Any]]]:
        """For each (item key, location id), the items the key finds, each with its `level` there."""

        def variables_of(n: int, pair: tuple[str, str]) -> dict[str, Any]:
            key, location = pair
            return {f"i{n}": f"sku:{quoted(key)}" if self.match_on == "sku" else key, f"l{n}": location}

        document = partial(lookup_document, self.match_on)
        per_query = lookups_per_query(self.match_on)
        shared = {"names": [self.quantity_name]}
        return [self.matches(a) for a in look_up(self.client, document, per_query, wanted, variables_of, shared)]

    def matches(self, answer: dict[str, Any] | None) -> list[dict[str, Any]]:
        if answer is None:
            return []
        if self.match_on == "sku":
            return list(answer["nodes"])
        item = answer["inventoryItem"] if self.match_on == "variant_id" else answer
        return [item] if item else []


LOOKUP_TYPES = {"inventory_item_id": "ID!", "sku": "String!", "variant_id": "ID!"}


def level_fields(names: str) -> str:
    """What is read of a level: whether it is stocked, and the quantities `names` (a variable or a list)."""
    return f"isActive quantities(names: {names}) {{ name quantity }}"


class LevelFinder:
    """Finds a run's items with their levels at its locations, as exports.CurrentObjects asks: by the
    reader's lookups, or in one export of every item of the shop with its level at each of the run's
    locations (an aliased field each, no connection: an item is one line of the export)."""

    kind = "inventory_item"
    export_connections: ClassVar[dict[str, dict[str, str]]] = {}

    def __init__(self, reader: LevelReader, locations: list[str]) -> None:
        self.reader = reader
        self.client = reader.client
        self.aliases = {location: f"l{n}" for n, location in enumerate(locations)}

    @property
    def export_selection(self) -> str:
        fields = level_fields(json.dumps([self.reader.quantity_name]))
        levels = " ".join(
            f"{alias}: inventoryLevel(locationId: {json.dumps(location)}) {{ {fields} }}"
            for location, alias in self.aliases.items()
        )
        return f"id sku tracked variant {{ id }} {levels}"

    def find_many(self, lookups: list[tuple[str, str]]) -> list[list[dict[str, Any]]]:
        return self.reader.items(lookups)

    def lookups_per_query(self) -> int:
        return lookups_per_query(self.reader.match_on)

    def lookups_per_second(self, restore_rate: float, round_trip: float) -> float:
        per_query = self.lookups_per_query()
        document = lookup_document(self.reader.match_on, per_query)
        return serial_lookup_rate(document, per_query, restore_rate, round_trip)

    def shop_objects(self) -> int:
        """An item is a variant's (Shopify has no count of items)."""
        return counted(self.client, "InventoryItem", ("productVariantsCount",))

    def export_query(self, custom_id: tuple[str, str] | None) -> str:
        return export_document("inventoryItems", self.export_selection, None)

    def exported(self, node: dict[str, Any]) -> dict[str, Any]:
        return node

    def exported_key(self, current: dict[str, Any], match_on: str) -> Any:
        if match_on == "variant_id":
            return (current.get("variant") or {}).get("id")
        return current["sku"] if match_on == "sku" else current["id"]

    def from_export(self, matches: list[dict[str, Any]], lookup: tuple[str, str]) -> list[dict[str, Any]]:
        """The items the key is on, each with its level at the lookup's location, as a lookup reads them."""
        alias = self.aliases[lookup[1]]
        return [{"id": m["id"], "sku": m["sku"], "tracked": m["tracked"], "level": m.get(alias)} for m in matches]


def lookup(match_on: str, n: int) -> str:
    """Lookup `n`: the item its key finds (by id, sku search or variant) with its level at `$l{n}`."""
    item = f"id sku tracked level: inventoryLevel(locationId: $l{n}) {{ {level_fields('$names')} }}"
    if match_on == "sku":
        return f"o{n}: inventoryItems(first: {SKU_MATCHES}, query: $i{n}) {{ nodes {{ {item} }} }}"
    if match_on == "variant_id":
        return f"o{n}: productVariant(id: $i{n}) {{ inventoryItem {{ {item} }} }}"
    return f"o{n}: inventoryItem(id: $i{n}) {{ {item} }}"


@cache
def lookup_document(match_on: str, count: int) -> str:
    arguments = ", ".join(f"$i{n}: {LOOKUP_TYPES[match_on]}, $l{n}: ID!" for n in range(count))
    lookups = " ".join(lookup(match_on, n) for n in range(count))
    return f"query TargetInventoryLevels($names: [String!]!, {arguments}) {{ {lookups} }}"


@cache
def lookups_per_query(match_on: str) -> int:
    """As many lookups as keep a query's requested cost within Shopify's limit."""
    return largest_within(lambda count: requested_cost(lookup_document(match_on, count)))
