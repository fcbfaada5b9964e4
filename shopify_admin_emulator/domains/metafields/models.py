"""Metafields as every owner keeps them: a `_metafields` list of Metafield records, also in the
Metafield table so that `node(id:)` finds them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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


def json_value(type_: str, value: str) -> Any:
    """What `jsonValue` serves: numbers, booleans and JSON documents parsed, everything else as text."""
    if type_ in ("number_integer", "integer"):
        return int(value)
    if type_ in ("number_decimal", "float"):
        return float(value)
    if type_ == "boolean":
        return value == "true"
    if type_ == "json" or type_.startswith("list.") or type_ in ("money", "rating", "link", "dimension", "volume"):
        return json.loads(value)
    return value


def put_metafield(
    store: Store, owner: Record, namespace: str, key: str, value: str, type_: str, when: str | None = None
) -> Record:
    """Create or overwrite one of the owner's metafields (the caller touches the owner)."""
    now = when or store.clock.now_iso()
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


def set_metafields(store: Store, owner: Record, inputs: list[dict[str, Any]], when: str | None = None) -> None:
    """The nested `metafields` input of a create or update: upsert by namespace and key."""
    for item in inputs:
        namespace = item.get("namespace") or "custom"
        existing = find_metafield(owner, namespace, item["key"])
        type_ = item.get("type") or (existing["type"] if existing else "single_line_text_field")
        put_metafield(store, owner, namespace, item["key"], item["value"], type_, when)
