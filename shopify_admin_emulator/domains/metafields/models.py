"""Metafields as every owner keeps them: a `_metafields` list of Metafield records, also in the
Metafield table so that `node(id:)` finds them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from shopify_admin.metafield_units import MEASUREMENTS, SHORT_UNITS, unit_name

from ...store import Record, Store

# The namespace an app gets when it leaves `namespace` out (or writes `$app`); one app talks to the emulator.
APP_NAMESPACE = "app--1000000000001"
METAFIELD_OWNERS = {
    "Customer": "CUSTOMER",
    "Product": "PRODUCT",
    "ProductVariant": "PRODUCTVARIANT",
    "Order": "ORDER",
    "Collection": "COLLECTION",
    "Location": "LOCATION",
    "DraftOrder": "DRAFTORDER",
    "Shop": "SHOP",
}
SHOP_NUMBER = 1  # the shop's own id, as `shop { id }` serves it


def shop_owner(store: Store) -> Record:
    """The shop as an owner of metafields, kept in the store from its first metafield on."""
    found = store.table("Shop").get(SHOP_NUMBER)
    if found is None:
        found = store.put({"__typename": "Shop", "_n": SHOP_NUMBER, "id": f"gid://shopify/Shop/{SHOP_NUMBER}"})
    return found


def canonical_namespace(namespace: str | None) -> str:
    if not namespace or namespace == "$app":
        return APP_NAMESPACE
    if namespace.startswith("$app:"):
        return f"{APP_NAMESPACE}--{namespace[len('$app:') :]}"
    return namespace


def definition_of(store: Store, owner_type: str, namespace: str | None, key: str) -> Record | None:
    """The owner type's metafield definition of that namespace and key."""
    namespace = canonical_namespace(namespace)
    for record in store.all("MetafieldDefinition"):
        if (record["ownerType"], record["namespace"], record["key"]) == (owner_type, namespace, key):
            return record
    return None


def find_metafield(owner: Record, namespace: str, key: str) -> Record | None:
    return next((m for m in owner.get("_metafields", []) if m["namespace"] == namespace and m["key"] == key), None)


def compare_digest(namespace: str, key: str, value: str) -> str:
    return hashlib.sha256(f"{namespace}.{key}={value}".encode()).hexdigest()


TRUE_WORDS = ("true", "t", "1")
FALSE_WORDS = ("false", "f", "0")
DECIMAL_PLACES = Decimal("1e-9")  # shopify.dev: number_decimal keeps up to nine decimal places


def is_boolean(text: str) -> bool:
    return text.strip().lower() in TRUE_WORDS + FALSE_WORDS


def _boolean(text: str) -> str:
    return "true" if text.strip().lower() in TRUE_WORDS else "false"


def _decimal(text: Any) -> str:
    number = Decimal(str(text).strip())
    exponent = number.as_tuple().exponent
    too_fine = isinstance(exponent, int) and exponent < -9
    return str(number.quantize(DECIMAL_PLACES, rounding=ROUND_DOWN) if too_fine else number)


def _date_time(text: str) -> str:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()


def _measurement(type_: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"value": float(item["value"]), "unit": unit_name(type_, str(item["unit"]))}


ITEM_NORMALS: dict[str, Callable[[Any], Any]] = {
    "number_integer": lambda v: int(Decimal(str(v).strip())),
    "number_decimal": _decimal,
    "date_time": _date_time,
    "rating": lambda v: {k: v[k] for k in ("scale_min", "scale_max", "value") if k in v} if isinstance(v, dict) else v,
}


def normal_value(type_: str, value: str) -> str:
    """The value as Shopify stores and answers it, for a value its type accepts (the captures
    `2025-01/metafields/metafieldsSet-value-type-fidelity.json`, `custom-data-field-type-matrix.json` and
    `metafields-set-validation-gaps.json`): a boolean spelled `true`/`false`, an integer without its
    fraction, a decimal cut to nine places, a date-time with whole seconds and an offset (UTC when given
    none), a measurement with a float value and its unit's upper-case name, a rating's keys in Shopify's
    order; a list normalises each item, its decimals as text."""
    base = type_.removeprefix("list.")
    normal = (lambda v: _measurement(base, v)) if base in MEASUREMENTS else ITEM_NORMALS.get(base)
    if type_ == "boolean":
        return _boolean(value)
    if normal is None:
        return value
    if type_ != base:
        return json.dumps([normal(item) for item in json.loads(value)], separators=(",", ":"))
    if base in MEASUREMENTS or base == "rating":
        return json.dumps(normal(json.loads(value)), separators=(",", ":"))
    return str(normal(value))


def _number(text: Any) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() else number


def json_value(type_: str, value: str) -> Any:
    """What `jsonValue` serves for a normalised value, as captured: integers and JSON documents parsed,
    `true` as a boolean but `false` as text, decimals as text, a measurement's number as a number (its
    unit upper case, or in a list lower case, short for dimensions, volumes and weights), the rest as text."""
    if type_ == "number_integer":
        return int(value)
    if type_ == "boolean":
        return True if value == "true" else value
    if type_ in MEASUREMENTS:
        item = json.loads(value)
        return {"value": _number(item["value"]), "unit": item["unit"]}
    if type_.startswith("list.") and type_.removeprefix("list.") in MEASUREMENTS:
        short = SHORT_UNITS.get(type_.removeprefix("list."), {})
        return [
            {"value": _number(m["value"]), "unit": short.get(m["unit"], m["unit"].lower())} for m in json.loads(value)
        ]
    if type_ in ("json", "money", "rating", "link", "rich_text_field") or type_.startswith("list."):
        return json.loads(value)
    return value


def put_metafield(
    store: Store, owner: Record, namespace: str, key: str, value: str, type_: str, when: str | None = None
) -> Record:
    """Create or overwrite one of the owner's metafields (the caller touches the owner)."""
    now = when or store.clock.now_iso()
    value = normal_value(type_, value)
    fields = {
        "value": value,
        "type": type_,
        "jsonValue": json_value(type_, value),
        "compareDigest": compare_digest(namespace, key, value),
        "updatedAt": now,
    }
    existing = find_metafield(owner, namespace, key)
    if existing is not None:
        existing.update(fields)
        return existing
    record = store.new_record(
        "Metafield",
        namespace=namespace,
        key=key,
        createdAt=now,
        ownerType=METAFIELD_OWNERS[owner["__typename"]],
        _owner=owner,
        **fields,
    )
    owner.setdefault("_metafields", []).append(store.put(record))
    return record


def delete_metafield(store: Store, owner: Record, metafield: Record) -> None:
    owner["_metafields"].remove(metafield)
    store.table("Metafield").delete(metafield["_n"])


def is_unset(item: dict[str, Any]) -> bool:
    """A create or update's metafield with a blank value sets nothing, and is no userError: locationAdd's
    capture (`2026-04/locations/location-add-metafields.json`, blankMetafieldValue) answers the location
    without it."""
    return not (item.get("value") or "").strip()


def nested_type(store: Store, owner_type_name: str, owner: Record | None, item: dict[str, Any]) -> str:
    """The type of a create or update's metafield: given, the metafield's own, its definition's, or
    single-line text."""
    existing = find_metafield(owner, canonical_namespace(item.get("namespace")), item["key"]) if owner else None
    definition = definition_of(store, METAFIELD_OWNERS[owner_type_name], item.get("namespace"), item["key"])
    defined = definition["type"]["name"] if definition else None
    return item.get("type") or (existing or {}).get("type") or defined or "single_line_text_field"


def set_metafields(store: Store, owner: Record, inputs: list[dict[str, Any]], when: str | None = None) -> None:
    """The nested `metafields` input of a create or update, checked before (`nested_metafield_errors`):
    upsert by namespace and key, the value normalised as metafieldsSet normalises it."""
    for item in inputs:
        if not is_unset(item):
            type_ = nested_type(store, owner["__typename"], owner, item)
            namespace = canonical_namespace(item.get("namespace"))
            put_metafield(store, owner, namespace, item["key"], item["value"], type_, when)
