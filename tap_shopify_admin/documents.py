"""The documents the tap sends, rendered from a stream's selection: paged (each connection selects
`nodes` and its page info), bulk (`edges { node }`, no `first`), and the follow-up reads of a
connection's later pages and of the connections inside lists. Pure: no request is sent here."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    parse,
    print_ast,
)

from shopify_admin.cost import is_connection, largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO
from shopify_admin.schema import admin_schema


class ListConnections(NamedTuple):
    """A top-level list field whose items hold connections, which bulk queries cannot hold."""

    key: str  # the record's key for the list
    item_type: str
    connections: SelectionSetNode  # the items' connections, as selected


@cache
def selection(fields: str) -> SelectionSetNode:
    """The parsed selection `fields`, shared: parsed once, however many windows and pages read it."""
    return parse(f"{{ {fields} }}").definitions[0].selection_set  # type: ignore[attr-defined]


def nodes_of(connection: SelectionSetNode) -> SelectionSetNode:
    """What a connection's selection selects of each node."""
    for sel in connection.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "nodes" and sel.selection_set:
            return sel.selection_set
    raise ValueError("a nested connection must select `nodes { … }`")


def node_type(connection: Any) -> Any:
    return get_named_type(connection.fields["nodes"].type)


def is_list(type_: Any) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def render(parent: Any, selected: SelectionSetNode, *, bulk: bool = False, in_list: bool = False) -> str:
    """The selection as the Admin API is asked for it. Paged: every connection selects `nodes` and
    `pageInfo`, so that its later pages can be read. Bulk: every connection selects `edges { node }`
    without `first`, and connections inside a list, which bulk queries cannot hold, are left out."""
    parts = []
    for sel in selected.selections:
        if isinstance(sel, InlineFragmentNode):  # one member of a union (a discount's class)
            member = admin_schema().type_map[sel.type_condition.name.value]  # type: ignore[union-attr]
            parts.append(f"... on {member.name} {{ {render(member, sel.selection_set, bulk=bulk, in_list=in_list)} }}")
            continue
        assert isinstance(sel, FieldNode)
        head = FieldNode(alias=sel.alias, name=sel.name, arguments=sel.arguments, directives=sel.directives)
        if sel.selection_set is None:
            parts.append(print_ast(head))
            continue
        field = parent.fields[sel.name.value]
        named = get_named_type(field.type)
        if is_connection(named):
            if bulk and in_list:
                continue
            inner = render(node_type(named), nodes_of(sel.selection_set), bulk=bulk)
            if bulk:
                head.arguments = tuple(a for a in sel.arguments if a.name.value != "first")
                parts.append(f"{print_ast(head)} {{ edges {{ node {{ {inner} }} }} }}")
            else:
                parts.append(f"{print_ast(head)} {{ nodes {{ {inner} }} {PAGE_INFO} }}")
        else:
            in_list_now = in_list or is_list(field.type)
            parts.append(f"{print_ast(head)} {{ {render(named, sel.selection_set, bulk=bulk, in_list=in_list_now)} }}")
    return " ".join(parts)


@cache
def page_size(query: str) -> int:
    """The largest page (`$first`) whose requested cost stays within Shopify's limit per query."""
    return largest_within(lambda first: requested_cost(query, {"first": first}))


@cache
def page_query(operation: str, root: str, arguments: str, fields: str) -> str:
    """A page of the root connection `root` searched by `$query`; `arguments` adds e.g. its sort key."""
    return print_ast(
        parse(
            f"query {operation}Page($first: Int!, $after: String, $query: String) {{"
            f" {root}(first: $first, after: $after, query: $query {arguments}) {{"
            f" nodes {{ {fields} }} {PAGE_INFO} }} }}"
        )
    )


def bulk_query(root: str, search: str, arguments: str, bulk_fields: str) -> str:
    """The bulk query of the objects of `root` that `search` finds."""
    return print_ast(
        parse(f"{{ {root}(query: {json.dumps(search)} {arguments}) {{ edges {{ node {{ {bulk_fields} }} }} }} }}")
    )


def nested_page_query(operation: str, owner_type: str, field: str, node_type_name: str, nodes: SelectionSetNode) -> str:
    """A later page of the connection `field` of the object `$id` of `owner_type`."""
    fields = render(admin_schema().type_map[node_type_name], nodes)
    return (
        f"query {operation}Nested($id: ID!, $first: Int!, $after: String) {{ node(id: $id) {{"
        f" ... on {owner_type} {{ {field}(first: $first, after: $after) {{ nodes {{ {fields} }} {PAGE_INFO} }} }} }} }}"
    )


def fill_query(operation: str, item_type: str, connections: SelectionSetNode) -> str:
    """The connections of the objects `$ids` of `item_type`."""
    fields = render(admin_schema().type_map[item_type], connections)
    return f"query {operation}Fill($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {item_type} {{ id {fields} }} }} }}"


def bulk_connections(type_name: str, selected: SelectionSetNode) -> dict[str, dict[str, str]]:
    """Per object type, the field that each type of nested bulk line goes in, e.g.
    `{"Order": {"LineItem": "lineItems"}}`; a line without an id (a discount application) is of type
    `""`, so that one connection of such nodes per object can be told apart."""
    found: dict[str, dict[str, str]] = {}

    def walk(type_name: str, selected: SelectionSetNode) -> None:
        parent: Any = admin_schema().type_map[type_name]
        for sel in selected.selections:
            if isinstance(sel, InlineFragmentNode):  # the fields of one member of the root's interface
                walk(sel.type_condition.name.value, sel.selection_set)  # type: ignore[union-attr]
                continue
            assert isinstance(sel, FieldNode)
            named = get_named_type(parent.fields[sel.name.value].type)
            if sel.selection_set is not None and is_connection(named):
                child = node_type(named).name
                line_type = child if "id" in node_type(named).fields else ""
                fields = found.setdefault(type_name, {})
                if line_type in fields:
                    raise ValueError(f"{type_name} selects two connections whose bulk lines cannot be told apart")
                fields[line_type] = (sel.alias or sel.name).value
                walk(child, nodes_of(sel.selection_set))

    walk(type_name, selected)
    return found


def list_connections(type_name: str, selected: SelectionSetNode) -> list[ListConnections]:
    """The top-level list fields whose items hold connections."""
    parent: Any = admin_schema().type_map[type_name]
    found = []
    for sel in selected.selections:
        if isinstance(sel, InlineFragmentNode):  # a member's fields (an event's subject): no lists of objects
            continue
        assert isinstance(sel, FieldNode)
        field = parent.fields[sel.name.value]
        named: Any = get_named_type(field.type)
        if sel.selection_set is None or not is_list(field.type) or not isinstance(named, GraphQLObjectType):
            continue
        connections = tuple(
            s
            for s in sel.selection_set.selections
            if isinstance(s, FieldNode) and is_connection(get_named_type(named.fields[s.name.value].type))
        )
        if connections:
            found.append(
                ListConnections((sel.alias or sel.name).value, named.name, SelectionSetNode(selections=connections))
            )
    return found
