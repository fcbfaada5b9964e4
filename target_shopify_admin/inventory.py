"""Inventory. `inventory_item` records update an item (inventoryItemUpdate; Shopify creates and deletes
items with their variants). `inventory_level` records set or adjust one named quantity of an item at a
location: this module reads items, levels and locations and maps a record to its quantity row, without a
request; level_writes.py groups the rows into compare-and-set, idempotent mutations."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, ClassVar
from urllib.parse import urlsplit

from typing_extensions import override

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import MAX_PAGE, largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.search import quoted

from .fields import RecordError, flag, money, text, without_nulls
from .gateways import ObjectGateway, WriteAnswer, counted, look_up, serial_lookup_rate
from .settings import StreamSettings

ITEM_TEXT = ("countryCodeOfOrigin", "provinceCodeOfOrigin", "harmonizedSystemCode")
ITEM_FIELDS = f"id sku tracked requiresShipping unitCost {{ amount }} {' '.join(ITEM_TEXT)}"
SKU_MATCHES = 3  # items read per sku search, which ignores case: enough to see a sku on two items
ITEM_BY_ID = f"query TargetInventoryItem($id: ID!) {{ inventoryItem(id: $id) {{ {ITEM_FIELDS} }} }}"
ITEMS_BY_SKU = f"""query TargetInventoryItemsBySku($query: String!) {{
  inventoryItems(first: {SKU_MATCHES}, query: $query) {{ nodes {{ {ITEM_FIELDS} }} }}
}}"""
ITEM_UPDATE = """mutation TargetInventoryItemUpdate($id: ID!, $input: InventoryItemInput!) {
  inventoryItemUpdate(id: $id, input: $input) { inventoryItem { id } userErrors { field message } }
}"""
LOCATIONS = f"""query TargetInventoryLocations($first: Int!, $after: String) {{
  locations(first: $first, after: $after) {{ nodes {{ id name }} {PAGE_INFO} }}
}}"""
# Shopify limits: a set quantity within ±1 billion (on_hand not below 0), a delta within ±2 billion
SET_LIMIT = 1_000_000_000
ADJUST_LIMIT = 2_000_000_000
GID_TYPES = {"inventory_item_id": "InventoryItem", "variant_id": "ProductVariant"}


def gid(value: Any, kind: str) -> Any:
    """A global id from a legacy numeric one (a warehouse keeps 123, Shopify's id is gid://shopify/…/123)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return f"gid://shopify/{kind}/{value}" if isinstance(value, str) and value.isdigit() else value


def checked_gid(value: Any, kind: str, field: str) -> Any:
    """`gid(value)`, refused unless it is a `kind` id: Shopify answers a malformed id in a query that
    reads many with an error for the whole query."""
    value = gid(value, kind)
    if isinstance(value, str) and value.strip() and not re.fullmatch(rf"gid://shopify/{kind}/\d+", value.strip()):
        raise RecordError(f"{field} {value!r} is not a {kind} id (gid://shopify/{kind}/123, or 123)")
    return value


def only_item(items: list[dict[str, Any]], sku: str) -> dict[str, Any] | None:
    """The one item with exactly this sku. Shopify lets two items share a sku; writing to either could
    be the wrong one, so the record fails naming both."""
    exact = [item for item in items if item.get("sku") == sku]
    if len(exact) > 1:
        ids = ", ".join(item["id"] for item in exact)
        raise RecordError(f"sku {sku!r} is on {len(exact)} inventory items ({ids}): match on their id instead")
    return exact[0] if exact else None


class InventoryItemGateway(ObjectGateway):
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
@dataclass(frozen=True)
class LevelChange:
    """What one `inventory_level` record asks: `value` is the quantity to set, or the delta to add."""

    item_key: str
    location_key: str
    value: int
    reference: str | None  # referenceDocumentUri: why the change happened
    ledger: str | None  # ledgerDocumentUri: required when adjusting a quantity other than available


def level_change(record: dict[str, Any], settings: StreamSettings) -> LevelChange:
    """The record read and checked against Shopify's rules, so that a bad one fails alone, not its request."""
    item_key = item_match_value(record, settings.match_on)
    if not isinstance(item_key, str) or not item_key.strip():
        raise RecordError(f"the match key {settings.match_on!r} is missing or not a string")
    location_field = "location_id" if settings.location_match_on == "id" else "location"
    location_key = record.get(location_field)
    if settings.location_match_on == "id":
        location_key = checked_gid(location_key, "Location", location_field)
    if not isinstance(location_key, str) or not location_key.strip():
        raise RecordError(f"{location_field} is missing or not a string")
    adjusting = settings.quantity_change == "adjust"
    field = "delta" if adjusting else settings.quantity_name
    value = record.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"{field} must be an integer, not {type(value).__name__} {value!r}")
    low = 0 if settings.quantity_name == "on_hand" and not adjusting else -(ADJUST_LIMIT if adjusting else SET_LIMIT)
    high = ADJUST_LIMIT if adjusting else SET_LIMIT
    if not low <= value <= high:
        raise RecordError(f"{field} {value:,} is out of Shopify's range {low:,} to {high:,}")
    ledger = document_uri(record, "ledger_document_uri")
    if adjusting and settings.quantity_name != "available" and ledger is None:
        raise RecordError(f"ledger_document_uri is required to adjust {settings.quantity_name} (Shopify's rule)")
    if ledger is not None and (settings.quantity_name == "available" or not adjusting):
        raise RecordError("ledger_document_uri applies only to adjusting a quantity other than available")
    reference = document_uri(record, "reference_document_uri")
    return LevelChange(item_key.strip(), location_key.strip(), value, reference, ledger)


def item_match_value(record: dict[str, Any], match_on: str) -> Any:
    """inventory_item_id, or the tap's `item { id }`; sku; or variant_id."""
    value = record.get(match_on)
    if match_on == "inventory_item_id" and value is None and isinstance(record.get("item"), dict):
        value = record["item"].get("id")
    return value if match_on == "sku" else checked_gid(value, GID_TYPES[match_on], match_on)


def document_uri(record: dict[str, Any], field: str) -> str | None:
    """A URI as Shopify takes it: a scheme and something after it; a gid names app, type and id, and
    none of Shopify's own (gid://shopify/…) may be named as a ledger document."""
    uri = text(record, field)
    if uri is None:
        return None
    parts = urlsplit(uri)
    whole = bool(parts.scheme and (parts.netloc or parts.path))
    if parts.scheme == "gid":
        whole = bool(parts.netloc) and len([p for p in parts.path.split("/") if p]) >= 2
    if not whole:
        raise RecordError(f"{field} {uri!r} is not a URI with a scheme and content (gid://app/Type/id)")
    if field == "ledger_document_uri" and parts.scheme == "gid" and parts.netloc == "shopify":
        raise RecordError(f"{field} {uri!r}: Shopify's own (gid://shopify/) documents cannot be named")
    return uri


def current_quantity(item: dict[str, Any], name: str) -> int | None:
    """The item's `name` quantity at the level it was read with, None where it is not stocked."""
    level = item.get("level")
    if not level or not level["isActive"]:
        return None
    return next(q["quantity"] for q in level["quantities"] if q["name"] == name)


def quantity_row(change: LevelChange, item_id: str, location_id: str, current: int, adjusting: bool) -> dict:
    """An InventoryQuantityInput (set) or InventoryChangeInput (adjust), changing from what was just read."""
    row: dict[str, Any] = {"inventoryItemId": item_id, "locationId": location_id, "changeFromQuantity": current}
    if adjusting:
        return {**row, "delta": change.value, **({"ledgerDocumentUri": change.ledger} if change.ledger else {})}
    return {**row, "quantity": change.value}


def idempotency_key(root: str, variables: dict[str, Any]) -> str:
    """The same request, resent after its answer was lost, carries the same key and so applies once; any
    other (a fresh changeFromQuantity after a stale one) carries another."""
    return hashlib.sha256(json.dumps([root, variables], sort_keys=True).encode()).hexdigest()[:40]


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
        """No `query:` filter: Shopify's search lags behind writes, a list does not."""
        return f"{{ inventoryItems {{ edges {{ node {{ {self.export_selection} }} }} }} }}"

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
