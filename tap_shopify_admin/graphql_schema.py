"""JSON Schema for a GraphQL selection, from the types of the fields it selects, so that a
stream's query is the one source of truth for its schema. Money and other Decimals stay strings."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from singer_sdk import typing as th

from shopify_admin.cost import is_connection
from shopify_admin.schema import admin_schema

from .documents import node_type, nodes_of, selection

SCALARS: dict[str, dict[str, Any]] = {
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "DateTime": {"type": "string", "format": "date-time"},
    "JSON": th.AnyType().type_dict,  # any JSON value, as the SDK types it (a metafield's jsonValue)
}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" not in schema or (isinstance(schema["type"], list) and "null" in schema["type"]):
        return schema
    widened = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        widened["enum"] = [*schema["enum"], None]
    return widened


def _type_schema(graphql_type: Any, selection: SelectionSetNode | None) -> dict[str, Any]:
    optional = not isinstance(graphql_type, GraphQLNonNull)
    inner = graphql_type.of_type if not optional else graphql_type
    if isinstance(inner, GraphQLList):
        out: dict[str, Any] = {"type": "array", "items": _type_schema(inner.of_type, selection)}
    elif isinstance(inner, GraphQLEnumType):
        out = {"type": "string", "enum": list(inner.values)}
    elif selection is not None:
        named = get_named_type(inner)
        if is_connection(named):
            # a nested connection is read to its last node, into a plain list of its nodes
            return {
                "type": "array",
                "items": selection_schema(node_type(named), nodes_of(selection)),
            }
        out = selection_schema(named, selection)
    else:
        out = dict(SCALARS.get(get_named_type(inner).name, {"type": "string"}))
    return nullable(out) if optional else out


def selection_schema(parent: Any, selection: SelectionSetNode) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for sel in selection.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "__typename":
            properties[(sel.alias or sel.name).value] = {"type": "string"}
        elif isinstance(sel, FieldNode):
            field = parent.fields[sel.name.value]
            properties[(sel.alias or sel.name).value] = _type_schema(field.type, sel.selection_set)
        elif isinstance(sel, InlineFragmentNode):
            # a union's members each add theirs; a record of another member lacks them
            member = admin_schema().type_map[sel.type_condition.name.value] if sel.type_condition else parent
            fields = selection_schema(member, sel.selection_set)["properties"]
            properties.update({name: nullable(prop) for name, prop in fields.items()})
    return {"type": "object", "properties": properties}


def record_schema(type_name: str, fields: str) -> dict[str, Any]:
    """The JSON Schema of records of `type_name` selected by the GraphQL selection `fields`."""
    return selection_schema(admin_schema().type_map[type_name], selection(fields))
