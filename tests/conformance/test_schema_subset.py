"""The schema the emulator serves is a faithful subset of the real Admin schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    print_ast,
)

from shopify_admin.schema import SCHEMA_PATH, admin_schema
from shopify_admin_emulator.graphql_api import load_schema

from ..conftest import Running


def _default(node: Any) -> str | None:
    """A default value as SDL text (None when there is none), so `[]` and `false` compare exactly."""
    value = getattr(getattr(node, "ast_node", None), "default_value", None)
    return print_ast(value) if value is not None else None


def _kind(type_: Any) -> str:
    return type(type_).__name__


def _compare_args(where: str, ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    problems = []
    for name, arg in ours.items():
        real = theirs.get(name)
        if real is None:
            problems.append(f"{where}({name}:) is not in the real schema")
        elif str(arg.type) != str(real.type) or _default(arg) != _default(real):
            problems.append(f"{where}({name}:) is {arg.type} = {_default(arg)}, real {real.type} = {_default(real)}")
    return problems


def differences(served: GraphQLSchema, real: GraphQLSchema) -> list[str]:
    """Everything in `served` that the real schema does not have in exactly the same form."""
    problems: list[str] = []
    for label, ours_root, real_root in (
        ("query", served.query_type, real.query_type),
        ("mutation", served.mutation_type, real.mutation_type),
    ):
        if (ours_root and ours_root.name) != (real_root and real_root.name):
            problems.append(f"{label} root is {ours_root}, real {real_root}")
    for name, ours in served.type_map.items():
        if name.startswith("__"):
            continue
        real_type = real.type_map.get(name)
        if real_type is None:
            problems.append(f"type {name} is not in the real schema")
            continue
        if _kind(ours) != _kind(real_type):
            problems.append(f"{name} is a {_kind(ours)}, real a {_kind(real_type)}")
            continue
        if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(real_type, GraphQLObjectType | GraphQLInterfaceType)
            real_interfaces = {i.name for i in real_type.interfaces}
            problems += [
                f"{name} implements {i.name}, the real one does not"
                for i in ours.interfaces
                if i.name not in real_interfaces
            ]
            for field_name, field in ours.fields.items():
                real_field = real_type.fields.get(field_name)
                if real_field is None:
                    problems.append(f"{name}.{field_name} is not in the real schema")
                    continue
                if str(field.type) != str(real_field.type):
                    problems.append(f"{name}.{field_name} is {field.type}, real {real_field.type}")
                problems += _compare_args(f"{name}.{field_name}", field.args, real_field.args)
        elif isinstance(ours, GraphQLInputObjectType):
            assert isinstance(real_type, GraphQLInputObjectType)
            problems += _compare_args(name, ours.fields, real_type.fields)
        elif isinstance(ours, GraphQLEnumType):
            assert isinstance(real_type, GraphQLEnumType)
            problems += [f"{name}.{v} is not in the real enum" for v in ours.values if v not in real_type.values]
        elif isinstance(ours, GraphQLUnionType):
            assert isinstance(real_type, GraphQLUnionType)
            members = {m.name for m in real_type.types}
            problems += [
                f"{name} has member {m.name}, the real one does not" for m in ours.types if m.name not in members
            ]
    return problems


def test_served_schema_is_a_subset_of_the_real_one(real_schema: GraphQLSchema) -> None:
    served = load_schema()
    assert differences(served, real_schema) == []
    assert len(served.type_map) > 50  # the comparison really walked something


def test_served_sdl_has_no_descriptions() -> None:
    text = SCHEMA_PATH.read_text()
    assert '"""' not in text
    served = build_schema(text)
    described = [
        name
        for name, t in served.type_map.items()
        if not name.startswith("__")
        and name not in ("String", "Int", "Float", "Boolean", "ID")
        and (t.description or any(getattr(f, "description", None) for f in getattr(t, "fields", {}).values()))
    ]
    assert described == []


REAL_SDL = """
schema { query: QueryRoot }
interface Node { id: ID! }
enum Sort { ID TITLE }
input Filter { tag: String, limit: Int = 10 }
type Thing implements Node { id: ID! title: String tags(first: Int = 5, sort: Sort = ID): [String!]! }
union Either = Thing
type QueryRoot { thing(id: ID!): Thing, things(filter: Filter): [Thing!]! }
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("title: String", "title: String!", "Thing.title is String!, real String"),
        ("title: String", "title: String subtitle: String", "Thing.subtitle is not in the real schema"),
        ("first: Int = 5", "first: Int = 10", "Thing.tags(first:) is Int = 10, real Int = 5"),
        ("first: Int = 5", "first: Int!", "Thing.tags(first:) is Int! = None, real Int = 5"),
        ("[String!]!", "[String]!", "Thing.tags is [String]!, real [String!]!"),
        ("limit: Int = 10", "limit: Int = 20", "Filter(limit:) is Int = 20, real Int = 10"),
        ("ID TITLE", "ID TITLE PRICE", "Sort.PRICE is not in the real enum"),
        ("union Either = Thing", "type Either { id: ID }", "Either is a GraphQLObjectType, real a GraphQLUnionType"),
        ("= Thing", "= Thing | Other\ntype Other { id: ID }", "Either has member Other, the real one does not"),
    ],
)
def test_comparison_catches_a_mismatch(old: str, new: str, expected: str) -> None:
    real = build_schema(REAL_SDL)
    assert differences(build_schema(REAL_SDL), real) == []
    altered = build_schema(REAL_SDL.replace(old, new, 1), assume_valid=True)
    assert expected in differences(altered, real)


def test_introspection_over_http(shop: Running) -> None:
    data = shop.graphql("{ __schema { queryType { name } types { name } } }")["data"]["__schema"]
    assert data["queryType"] == {"name": "QueryRoot"}
    names = {t["name"] for t in data["types"]}
    assert {"QueryRoot", "Customer", "Product", "Order", "CustomerConnection", "PageInfo"} <= names
    assert names == set(load_schema().type_map)


def test_the_admin_schema_is_read_back_from_its_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphql import build_schema, print_schema

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = print_schema(build_schema(SCHEMA_PATH.read_text()))
    admin_schema.cache_clear()
    try:
        built = admin_schema()
        [cached] = (tmp_path / "shopify-admin-connectors").iterdir()
        admin_schema.cache_clear()
        read = admin_schema()
        assert built.query_type and built.query_type.ast_node is not None  # from the SDL
        assert read.query_type and read.query_type.ast_node is None  # from the cached introspection
        assert print_schema(read) == print_schema(built) == expected
        cached.write_text('{"__schema": ')  # torn: built again
        admin_schema.cache_clear()
        assert print_schema(admin_schema()) == expected
    finally:
        admin_schema.cache_clear()
