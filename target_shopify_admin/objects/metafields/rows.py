"""A `metafield` record as the row it asks for, and that row as a MetafieldsSetInput, without a request:
the owner's key, namespace, key, value and type read and checked, so that a bad record fails alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from shopify_admin.metafield_units import MEASUREMENTS
from target_shopify_admin.objects.collections.collection import collection_handle
from target_shopify_admin.objects.fields import RecordError, text
from target_shopify_admin.objects.product import shopify_handle
from target_shopify_admin.pipeline.settings import StreamSettings

from .values import RefusedValueError, holds, stored, value_text

# Shopify's metafield types (each but rich text and JSON-shaped ones also as `list.<type>`), the measurements
# among them; another is refused
SCALAR_TYPES = (
    "boolean", "color", "date", "date_time", "id", "json", "language", "link", "money",
    "multi_line_text_field", "number_decimal", "number_integer", "rating", "rich_text_field",
    "single_line_text_field", "url", "article_reference", "collection_reference",
    "company_reference", "customer_reference", "file_reference", "metaobject_reference",
    "mixed_reference", "page_reference", "product_reference", "product_taxonomy_value_reference",
    "variant_reference", *sorted(MEASUREMENTS),
)  # fmt: skip
NOT_IN_LISTS = ("boolean", "id", "json", "money", "multi_line_text_field", "rich_text_field", "language")
METAFIELD_TYPES = frozenset((*SCALAR_TYPES, *(f"list.{name}" for name in SCALAR_TYPES if name not in NOT_IN_LISTS)))


@dataclass(frozen=True)
class MetafieldRow:
    """What one record asks: the metafield `namespace.key` of the owner its key names, set to `value`
    (as `type`, or the type the shop already holds), or deleted."""

    owner_key: str
    namespace: str
    key: str
    value: str | None  # None when deleting
    type: str | None

    @property
    def name(self) -> str:
        """The record's key in outcomes and dead letters: the owner's key and the metafield's."""
        return f"{self.owner_key}/{self.namespace}.{self.key}"


def record_name(record: dict[str, Any], settings: StreamSettings) -> str:
    """The record's key as it came, for one that fails before it is read: its owner's key and its name."""
    owner = "shop" if settings.match_on == "shop" else record.get(settings.match_field)
    return f"{owner}/{record.get('namespace')}.{record.get('key')}"


def metafield_row(record: dict[str, Any], settings: StreamSettings, deleting: bool) -> MetafieldRow:
    """The record read and checked; a delete needs no value or type."""
    owner_key = owner_value(record, settings)
    namespace, key = text(record, "namespace"), text(record, "key")
    for name, given in (("namespace", namespace), ("key", key)):
        if not given or not given.strip():
            raise RecordError(f"{name} is missing: a metafield is named by namespace and key")
    assert namespace is not None and key is not None
    if deleting:
        return MetafieldRow(owner_key, namespace.strip(), key.strip(), None, None)
    type_ = text(record, "type")
    if type_ is not None and type_ not in METAFIELD_TYPES:
        raise RecordError(f"type {type_!r} is not a Shopify metafield type (single_line_text_field, json, …)")
    value = record.get("value")
    if value is None:
        raise RecordError("value is missing (to remove a metafield, delete it)")
    wanted = value_text(value)
    if type_ is not None:
        problem = value_problem(type_, wanted)
        if problem:
            raise RecordError(f"value {wanted!r} is not a valid {type_}: {problem}")
    return MetafieldRow(owner_key, namespace.strip(), key.strip(), wanted, type_)


def owner_value(record: dict[str, Any], settings: StreamSettings) -> str:
    """The owner's key from the record's field named by match_on ("shop": none, the shop owns it)."""
    if settings.match_on == "shop":
        return "shop"
    field = settings.match_field
    value = record.get(field)
    if settings.match_on == "owner_id":
        value = owner_gid(value)
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{field} (the owner's {settings.match_on}) is missing or not a string")
    if settings.match_on == "handle":  # as Shopify keeps it, as the product and collection objects match it
        kept = collection_handle if settings.options.get("owner_type") == "collection" else shopify_handle
        return kept(value) or value
    return value.strip()


def owner_gid(value: Any) -> Any:
    """A global id of any owner type: Shopify answers a malformed one with an error for the whole query."""
    if isinstance(value, str) and value.strip() and not re.fullmatch(r"gid://shopify/\w+/\d+", value.strip()):
        raise RecordError(f"owner_id {value!r} is not a Shopify global id (gid://shopify/Customer/123)")
    return value


def value_problem(type_: str, value: str) -> str | None:
    """Why Shopify would refuse `value` as `type_`, for the types whose rule is plain; None for the rest,
    which Shopify checks (its userError then fails the row)."""
    checks = {
        "date": lambda v: parsed_as(date.fromisoformat, v) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None,
        "single_line_text_field": lambda v: bool(v.strip()) and "\n" not in v and "\r" not in v,
        "multi_line_text_field": lambda v: bool(v.strip()),
    }
    check = checks.get(type_)
    if check is not None:
        return None if check(value) else "Shopify refuses it"
    try:
        stored(type_, value)
    except RefusedValueError as error:
        return f"it is {error}"
    return None


def parsed_as(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def set_input(row: MetafieldRow, owner_id: str, current: dict[str, Any] | None) -> dict[str, Any]:
    """A MetafieldsSetInput changing `current` (the metafield as just read, or None): compare-and-set by
    its digest (null: only while it does not exist), so a change made since the read is not overwritten."""
    wanted: dict[str, Any] = {"ownerId": owner_id, "namespace": row.namespace, "key": row.key, "value": row.value}
    if row.type is not None:
        wanted["type"] = row.type
    wanted["compareDigest"] = current["compareDigest"] if current else None
    return wanted


def is_current(row: MetafieldRow, current: dict[str, Any] | None) -> bool:
    """Whether the shop holds the row's value already (and its type, where the row names one), compared as
    a value of that type (values.py): Shopify normalises what it stores."""
    assert row.value is not None
    return holds(row.type, row.value, current)
