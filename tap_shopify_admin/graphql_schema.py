"""JSON Schema for a GraphQL selection, from the types of the fields it selects, so that a
stream's query is the one source of truth for its schema. Money and other Decimals stay strings."""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import graphql
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    build_client_schema,
    build_schema,
    get_named_type,
    introspection_from_schema,
    parse,
)

from shopify_admin_emulator.graphql_api import SCHEMA_PATH

SCALARS: dict[str, dict[str, Any]] = {
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "DateTime": {"type": "string", "format": "date-time"},
    "JSON": {},
}


@cache
def admin_schema() -> GraphQLSchema:
    """The Admin API types this project speaks (a proven subset of Shopify's real schema), from its
    introspection cached per schema text and graphql-core version: building it from the SDL (parse,
    validate, build) takes most of a run's start-up, reading it back a fifth of that."""
    text = SCHEMA_PATH.read_text()
    key = hashlib.sha256(f"{graphql.__version__}\n{text}".encode()).hexdigest()[:16]
    cached = _cache_dir() / f"admin-schema-{key}.json"
    try:
        return build_client_schema(json.loads(cached.read_bytes()), assume_valid=True)
    except (OSError, ValueError, TypeError, KeyError):  # none yet, or unreadable: build it again
        schema = build_schema(text)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(introspection_from_schema(schema)))
        partial.replace(cached)  # whole or not at all, whatever runs at the same time
    except OSError:
        pass  # a read-only home: every run builds it
    return schema


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tap-shopify-admin"


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
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            # nested connections are drained into a plain list of their nodes
            return {
                "type": "array",
                "items": selection_schema(get_named_type(named.fields["nodes"].type), _nodes(selection)),
            }
        out = selection_schema(named, selection)
    else:
        out = dict(SCALARS.get(get_named_type(inner).name, {"type": "string"}))
    return nullable(out) if optional else out


def _nodes(selection: SelectionSetNode) -> SelectionSetNode:
    for sel in selection.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "nodes" and sel.selection_set:
            return sel.selection_set
    raise ValueError("a nested connection must select `nodes { … }`")


def selection_schema(parent: Any, selection: SelectionSetNode) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            field = parent.fields[sel.name.value]
            properties[(sel.alias or sel.name).value] = _type_schema(field.type, sel.selection_set)
        elif isinstance(sel, InlineFragmentNode):
            properties.update(selection_schema(parent, sel.selection_set)["properties"])
    return {"type": "object", "properties": properties}


def record_schema(type_name: str, fields: str) -> dict[str, Any]:
    """The JSON Schema of records of `type_name` selected by the GraphQL selection `fields`."""
    document = parse(f"{{ {fields} }}")
    selection = document.definitions[0].selection_set  # type: ignore[attr-defined]
    return selection_schema(admin_schema().type_map[type_name], selection)
