"""metafieldsSet, tagsAdd and tagsRemove, plus the metafield and tag rules customer mutations share."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError

from shopify_admin.metafield_units import MEASUREMENTS, unit_name

from ...graphql_api import Context, resolves
from ...resources import user_error
from ...store import Record, parse_gid
from ..metafields.models import (
    METAFIELD_OWNERS,
    SHOP_NUMBER,
    canonical_namespace,
    definition_of,
    delete_metafield,
    find_metafield,
    is_boolean,
    is_unset,
    nested_type,
    put_metafield,
    shop_owner,
)

TAGGABLE = ("Customer", "Product", "Order")
METAFIELDS_SET_LIMIT = 25
STALE = "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value."


# tags -------------------------------------------------------------------------------------------------
def split_tags(values: Iterable[str]) -> list[str]:
    """Shopify splits every entry on commas and drops blanks and case-insensitive repeats."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in value.split(","):
            tag = part.strip()
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                out.append(tag)
    return out


def sorted_tags(tags: Iterable[str]) -> list[str]:
    return sorted(tags, key=str.lower)


def tagged_owner(ctx: Context, global_id: str) -> Record:
    parsed = parse_gid(global_id)
    record = ctx.store.node(global_id) if parsed and parsed[0] in TAGGABLE else None
    if record is None:
        raise GraphQLError("invalid id", extensions={"code": "RESOURCE_NOT_FOUND"})
    return record


@resolves("Mutation.tagsAdd")
def tags_add(_root: Any, ctx: Context, id: str, tags: list[str]) -> dict[str, Any]:
    owner = tagged_owner(ctx, id)
    owner["tags"] = sorted_tags(split_tags([*owner.get("tags", []), *tags]))  # existing spelling wins
    ctx.store.touch(owner)
    return {"node": owner, "userErrors": []}


@resolves("Mutation.tagsRemove")
def tags_remove(_root: Any, ctx: Context, id: str, tags: list[str]) -> dict[str, Any]:
    owner = tagged_owner(ctx, id)
    # Orders match the spelling exactly; customers and products ignore case.
    fold = (lambda t: t) if owner["__typename"] == "Order" else str.lower
    removed = {fold(t) for t in split_tags(tags)}
    owner["tags"] = [t for t in owner.get("tags", []) if fold(t) not in removed]
    ctx.store.touch(owner)
    return {"node": owner, "userErrors": []}


# metafields -------------------------------------------------------------------------------------------
def measurement_problem(type_: str, item: Any) -> str | None:
    """The captured messages for a measurement's number and unit (`metafields-set-input-validation.json`)."""
    if not isinstance(item, dict) or "value" not in item or "unit" not in item:
        return "Value must be a stringified JSON object with value (numeric) and unit (string) fields."  # not captured
    try:
        number = Decimal(str(item["value"]))
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0:
        return "Value must be a non-negative number."
    return None if unit_name(type_, str(item["unit"])) else "Value must be a supported unit."


DATE_TIME_FORMAT = "Value must be in “YYYY-MM-DDTHH:MM:SS” format. For example: 2022-06-01T15:30:00"


def item_text(item: Any) -> str:
    """A list item as the value of its own type would be written."""
    if isinstance(item, bool):
        return str(item).lower()
    return json.dumps(item) if isinstance(item, dict | list) else str(item)


def value_problem(type_: str, value: str) -> str | None:
    """The message Shopify gives a value its type rejects, for the common types; a list's first bad item's."""
    if type_.startswith("list."):
        try:
            items = json.loads(value)
        except ValueError:
            return "Value is invalid JSON."
        if not isinstance(items, list):
            return "Value must be a JSON array."
        base = type_.removeprefix("list.")
        return next((p for p in (value_problem(base, item_text(item)) for item in items) if p), None)
    if type_ in ("number_integer", "integer"):  # `+5` is refused, `5.0` taken as 5 (captured)
        return None if re.fullmatch(r"-?\d+(\.0+)?", value.strip()) else "Value must be an integer."
    if type_ in ("number_decimal", "float"):
        try:
            Decimal(value)
        except InvalidOperation:
            return "Value must be a decimal."
        return None
    if type_ == "boolean":
        return None if is_boolean(value) else "Value must be true or false."
    if type_ == "date":
        return None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else "Value must be in YYYY-MM-DD format."
    if type_ == "date_time":  # the message of metafieldsSet-value-type-fidelity's dateTime case
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return DATE_TIME_FORMAT
        return None
    if type_ in ("json", "money", "rating", "link") or type_ in MEASUREMENTS:
        if not value.strip():
            return "Value can't be blank."  # captured for json
        try:
            parsed = json.loads(value)
        except ValueError:
            return "Value is invalid JSON."
        return measurement_problem(type_, parsed) if type_ in MEASUREMENTS else None
    if type_ in ("single_line_text_field", "multi_line_text_field") and not value.strip():
        return "Value can't be blank."
    if type_ == "single_line_text_field" and ("\n" in value or "\r" in value):
        return "Value must be a single line text string."
    return None


# Shopify's metafield types, in the order its message lists them (`2025-01/customers/customer-update-parity.json`,
# metafieldValidation: customerUpdate given an unknown type).
TYPE_NAMES = (
    "antenna_gain", "area", "battery_charge_capacity", "battery_energy_capacity", "boolean", "capacitance",
    "color", "concentration", "data_storage_capacity", "data_transfer_rate", "date_time", "date", "dimension",
    "display_density", "distance", "duration", "electric_current", "electrical_resistance", "energy", "float",
    "frequency", "id", "illuminance", "inductance", "integer", "json_string", "json", "jurisdiction",
    "language", "link", "list.antenna_gain", "list.area", "list.battery_charge_capacity",
    "list.battery_energy_capacity", "list.boolean", "list.capacitance", "list.color", "list.concentration",
    "list.data_storage_capacity", "list.data_transfer_rate", "list.date_time", "list.date", "list.dimension",
    "list.display_density", "list.distance", "list.duration", "list.electric_current",
    "list.electrical_resistance", "list.energy", "list.frequency", "list.illuminance", "list.inductance",
    "list.jurisdiction", "list.link", "list.luminous_flux", "list.mass_flow_rate", "list.multi_line_text_field",
    "list.number_decimal", "list.number_integer", "list.power", "list.pressure", "list.rating",
    "list.resolution", "list.rotational_speed", "list.single_line_text_field", "list.sound_level", "list.speed",
    "list.temperature", "list.thermal_power", "list.url", "list.voltage", "list.volume",
    "list.volumetric_flow_rate", "list.weight", "luminous_flux", "mass_flow_rate", "money",
    "multi_line_text_field", "number_decimal", "number_integer", "power", "pressure", "rating", "resolution",
    "rich_text_field", "rotational_speed", "single_line_text_field", "sound_level", "speed", "string",
    "temperature", "thermal_power", "url", "voltage", "volume", "volumetric_flow_rate", "weight",
    "company_reference", "list.company_reference", "customer_reference", "list.customer_reference",
    "product_reference", "list.product_reference", "collection_reference", "list.collection_reference",
    "variant_reference", "list.variant_reference", "file_reference", "list.file_reference",
    "product_taxonomy_value_reference", "list.product_taxonomy_value_reference",
    "product_taxonomy_disclosure_reference", "metaobject_reference", "list.metaobject_reference",
    "mixed_reference", "list.mixed_reference", "disclosure_reference", "list.disclosure_reference",
    "page_reference", "list.page_reference", "article_reference", "list.article_reference", "order_reference",
    "list.order_reference",
)  # fmt: skip
UNKNOWN_TYPE = f"Type must be one of the following: {', '.join(TYPE_NAMES)}."


def nested_metafield_errors(
    ctx: Context,
    owner_type_name: str,
    owner: Record | None,
    entries: list[dict[str, Any]],
    path: list[str],
    code: str | None = None,
) -> list[dict[str, Any]]:
    """The userErrors of the `metafields` a create or update of an owner carries (`owner`: None while it
    does not exist), checked before anything is written: a blank key is a request error (as locationAdd's
    capture answers), an unknown type a userError at `[*path, "metafields", index, "type"]` (as
    customerUpdate's capture answers), a value metafieldsSet's check refuses one at `[…, "value"]` with its
    message (inferred from that shape: no capture sets a bad value there)."""
    if any(not (item.get("key") or "").strip() for item in entries):  # locationAdd's capture, blankMetafieldKey
        raise GraphQLError("key can't be blank", extensions={"code": "INVALID_FIELD_ARGUMENTS"})
    errors = []
    for index, item in enumerate(entries):
        if is_unset(item):
            continue
        where = [*path, "metafields", str(index)]
        type_ = nested_type(ctx.store, owner_type_name, owner, item)
        if type_ not in TYPE_NAMES:
            errors.append(user_error([*where, "type"], UNKNOWN_TYPE, code))
        elif problem := value_problem(type_, item["value"]):
            errors.append(user_error([*where, "value"], problem, code))
    return errors


def metafield_owner(ctx: Context, owner_id: str) -> Record | None:
    parsed = parse_gid(owner_id)
    if parsed == ("Shop", SHOP_NUMBER):
        return shop_owner(ctx.store)
    return ctx.store.node(owner_id) if parsed and parsed[0] in METAFIELD_OWNERS else None


def defined_type(ctx: Context, owner: Record, entry: dict[str, Any]) -> str | None:
    """A metafield sent without a type takes its definition's."""
    owner_type = METAFIELD_OWNERS[owner["__typename"]]
    definition = definition_of(ctx.store, owner_type, entry.get("namespace"), entry["key"])
    return definition["type"]["name"] if definition else None


def metafields_set_errors(
    ctx: Context, index: int, entry: dict[str, Any], owner: Record | None
) -> list[dict[str, Any]]:
    path = ["metafields", str(index)]
    if owner is None:
        return [user_error([*path, "ownerId"], "Owner does not exist.", "INVALID")]
    namespace = canonical_namespace(entry.get("namespace"))
    existing = find_metafield(owner, namespace, entry["key"])
    type_ = entry.get("type") or (existing["type"] if existing else None) or defined_type(ctx, owner, entry)
    if not type_:
        return [user_error([*path, "type"], "Type can't be blank", "BLANK")]
    problem = value_problem(type_, entry["value"])
    if problem:
        return [user_error([*path, "value"], problem, "INVALID_VALUE")]
    if "compareDigest" in entry:
        digest = entry["compareDigest"]
        if digest is not None and existing is None:
            return [user_error(path, "Invalid `compareDigest` value.", "INVALID_COMPARE_DIGEST")]
        if existing is not None and digest != existing["compareDigest"]:
            return [user_error(path, STALE, "STALE_OBJECT")]
    return []


@resolves("Mutation.metafieldsSet")
def metafields_set(_root: Any, ctx: Context, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    if len(metafields) > METAFIELDS_SET_LIMIT:
        message = f"Exceeded the maximum metafields input limit of {METAFIELDS_SET_LIMIT}."
        return {"metafields": None, "userErrors": [user_error(["metafields"], message, "LESS_THAN_OR_EQUAL_TO")]}
    owners = [metafield_owner(ctx, entry["ownerId"]) for entry in metafields]
    errors = [e for i, entry in enumerate(metafields) for e in metafields_set_errors(ctx, i, entry, owners[i])]
    if errors:  # all or nothing
        return {"metafields": [], "userErrors": errors}
    written = []
    found = [o for o in owners if o is not None]  # every owner, since a missing one is a user error
    for entry, owner in zip(metafields, found, strict=True):
        namespace = canonical_namespace(entry.get("namespace"))
        existing = find_metafield(owner, namespace, entry["key"])
        type_ = entry.get("type") or (existing or {}).get("type") or defined_type(ctx, owner, entry) or ""
        written.append(put_metafield(ctx.store, owner, namespace, entry["key"], entry["value"], type_))
        ctx.store.touch(owner)
    return {"metafields": written, "userErrors": []}


@resolves("Mutation.metafieldsDelete")
def metafields_delete(_root: Any, ctx: Context, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    """One entry per identifier, in order: what was deleted, or null for a metafield (or owner) that does
    not exist, as the captures show for repeated and never-made deletes."""
    deleted: list[dict[str, Any] | None] = []
    for entry in metafields:
        owner = metafield_owner(ctx, entry["ownerId"])
        namespace = canonical_namespace(entry["namespace"])
        found = find_metafield(owner, namespace, entry["key"]) if owner is not None else None
        if owner is None or found is None:
            deleted.append(None)
            continue
        delete_metafield(ctx.store, owner, found)
        ctx.store.touch(owner)
        deleted.append({"ownerId": entry["ownerId"], "namespace": namespace, "key": entry["key"]})
    return {"deletedMetafields": deleted, "userErrors": []}
