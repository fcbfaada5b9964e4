"""Inventory. `inventory_item` records update an item (inventoryItemUpdate; Shopify creates and deletes
items with their variants). `inventory_level` records set or adjust one named quantity of an item at a
location: this module reads items, levels and locations and maps a record to its quantity row, without a
request; level_writes.py groups the rows into compare-and-set, idempotent mutations."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from shopify_admin.paging import PAGE_INFO
from target_shopify_admin.objects.fields import RecordError, text, wrong
from target_shopify_admin.objects.inventory.level_options import LevelOptions
from target_shopify_admin.pipeline.settings import StreamSettings

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
    options = LevelOptions.of(settings.options)
    location_field = "location_id" if options.location_match_on == "id" else "location"
    location_key = record.get(location_field)
    if options.location_match_on == "id":
        location_key = checked_gid(location_key, "Location", location_field)
    if not isinstance(location_key, str) or not location_key.strip():
        raise RecordError(f"{location_field} is missing or not a string")
    adjusting = options.adjusting
    field = "delta" if adjusting else options.quantity_name
    value = record.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        raise wrong(field, "a whole number", value)
    low = 0 if options.quantity_name == "on_hand" and not adjusting else -(ADJUST_LIMIT if adjusting else SET_LIMIT)
    high = ADJUST_LIMIT if adjusting else SET_LIMIT
    if not low <= value <= high:
        raise RecordError(f"{field} {value:,} is out of Shopify's range {low:,} to {high:,}")
    ledger = document_uri(record, "ledger_document_uri")
    if adjusting and options.quantity_name != "available" and ledger is None:
        raise RecordError(f"ledger_document_uri is required to adjust {options.quantity_name} (Shopify's rule)")
    if ledger is not None and (options.quantity_name == "available" or not adjusting):
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


def tracked_item(items: list[dict[str, Any]], change: LevelChange, match_on: str) -> dict[str, Any]:
    """The one item a record's key finds among `items`, which must track inventory."""
    named = f"{match_on} {change.item_key!r}"
    item = only_item(items, change.item_key) if match_on == "sku" else next(iter(items), None)
    if item is None:
        raise RecordError(f"no inventory item with {named}")
    if not item["tracked"]:
        raise RecordError(f"the inventory item with {named} ({item['id']}) does not track inventory")
    return item
