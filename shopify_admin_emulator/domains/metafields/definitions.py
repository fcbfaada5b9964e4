"""Metafield definitions, as far as custom ids need them. A `customId` identifier (of a customer, product
or order) only works once the owner type has a definition of type `id` for its namespace and key;
without one Shopify answers the field with a NOT_FOUND error."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import user_error
from ...store import Record
from ..metafields.models import METAFIELD_OWNERS, canonical_namespace, definition_of

# type → category, for the types merchants define most; the rest are refused as unknown
CATEGORIES = {
    "id": "ID",
    "single_line_text_field": "TEXT",
    "multi_line_text_field": "TEXT",
    "number_integer": "NUMBER",
    "number_decimal": "NUMBER",
    "boolean": "TRUE_FALSE",
    "date": "DATE_TIME",
    "date_time": "DATE_TIME",
    "url": "URL",
    "json": "JSON",
}
UNIQUE_VALUES_ELIGIBLE = {"id", "single_line_text_field", "number_integer", "url"}
DEFINITIONS_PER_OWNER_TYPE = 256
CUSTOM_ID_NEEDS_DEFINITION = "Metafield definition of type 'id' is required when using custom ids."


def require_custom_id_definition(ctx: Context, owner_type_name: str, custom_id: dict[str, Any]) -> None:
    """Raise Shopify's error for a custom id whose namespace and key have no `id` definition."""
    found = definition_of(ctx.store, METAFIELD_OWNERS[owner_type_name], custom_id.get("namespace"), custom_id["key"])
    if found is None or found["type"]["name"] != "id":
        raise GraphQLError(CUSTOM_ID_NEEDS_DEFINITION, extensions={"code": "NOT_FOUND"})


@resolves("QueryRoot.metafieldDefinition")
def metafield_definition(_root: Any, ctx: Context, identifier: dict[str, Any] | None = None) -> Record | None:
    if identifier is None:
        return None
    return definition_of(ctx.store, identifier["ownerType"], identifier.get("namespace"), identifier["key"])


@resolves("Mutation.metafieldDefinitionCreate")
def metafield_definition_create(_root: Any, ctx: Context, definition: dict[str, Any]) -> dict[str, Any]:
    def refused(message: str, code: str, field: list[str] | None = None) -> dict[str, Any]:
        return {"createdDefinition": None, "userErrors": [user_error(field or ["definition"], message, code)]}

    owner_type, type_name = definition["ownerType"], definition["type"]
    namespace = canonical_namespace(definition.get("namespace"))
    if type_name not in CATEGORIES:
        return refused(f"Type name {type_name} is not a valid type.", "INCLUSION", ["definition", "type"])
    eligible = type_name in UNIQUE_VALUES_ELIGIBLE
    asked = ((definition.get("capabilities") or {}).get("uniqueValues") or {}).get("enabled")
    if asked and not eligible:
        return refused("The capability unique_values is not valid for this definition.", "INVALID_CAPABILITY")
    if type_name == "id" and asked is False:
        message = "Capability unique_values is required for type id but is disabled"
        return refused(message, "CAPABILITY_REQUIRED_BUT_DISABLED")
    owned = [d for d in ctx.store.all("MetafieldDefinition") if d["ownerType"] == owner_type]
    if len(owned) >= DEFINITIONS_PER_OWNER_TYPE:
        return refused("Stores can only have 256 definitions for each store resource.", "RESOURCE_TYPE_LIMIT_EXCEEDED")
    if definition_of(ctx.store, owner_type, namespace, definition["key"]) is not None:
        # not in the captures: the code Shopify documents for a namespace and key already defined
        return refused("Key is in use for this namespace and owner type.", "TAKEN", ["definition", "key"])
    record = ctx.store.new_record(
        "MetafieldDefinition",
        name=definition["name"],
        namespace=namespace,
        key=definition["key"],
        ownerType=owner_type,
        type={"name": type_name, "category": CATEGORIES[type_name]},
        capabilities={"uniqueValues": {"eligible": eligible, "enabled": bool(asked) or type_name == "id"}},
    )
    return {"createdDefinition": ctx.store.put(record), "userErrors": []}


def by_custom_id(ctx: Context, custom_id: dict[str, Any], owner_type: str = "Customer") -> Record | None:
    require_custom_id_definition(ctx, owner_type, custom_id)
    namespace = canonical_namespace(custom_id.get("namespace"))
    for record in ctx.store.all(owner_type):
        for m in record.get("_metafields", []):
            if m["namespace"] == namespace and m["key"] == custom_id["key"] and m["value"] == custom_id["value"]:
                return record
    return None
