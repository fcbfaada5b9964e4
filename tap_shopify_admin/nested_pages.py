"""A paged read's records made whole: a page holds only the first `first: N` nodes of each nested
connection; the later pages are read through `node(id:)`, and each connection becomes the plain
list of all its nodes, so that nothing is cut off."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLObjectType, SelectionSetNode, get_named_type

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import is_connection
from shopify_admin.paging import pages
from shopify_admin.schema import admin_schema

from .documents import nested_page_query, node_type, nodes_of, page_size


class NestedPages:
    """Reads the later pages of the connections nested in `operation`'s records."""

    def __init__(self, client: ShopifyAdminClient, operation: str) -> None:
        self.client = client
        self.operation = operation

    def fetch_remaining(self, record: dict[str, Any], type_name: str, selected: SelectionSetNode) -> dict[str, Any]:
        """`record`, of `type_name` as `selected`, with each nested connection (at any depth) replaced by
        the list of all its nodes."""
        parent: Any = admin_schema().type_map[type_name]
        for sel in selected.selections:
            if not isinstance(sel, FieldNode) or sel.selection_set is None:
                continue
            key = (sel.alias or sel.name).value
            value = record.get(key)
            named: Any = get_named_type(parent.fields[sel.name.value].type)
            if value is None:
                continue
            if is_connection(named):
                child, child_selection = node_type(named).name, nodes_of(sel.selection_set)
                nodes = value["nodes"] + self._later_nodes(record["id"], type_name, sel, child, value["pageInfo"])
                record[key] = [self.fetch_remaining(n, child, child_selection) for n in nodes]
            elif isinstance(value, list):
                record[key] = [self.fetch_remaining(v, named.name, sel.selection_set) for v in value]
            elif isinstance(value, dict) and isinstance(named, GraphQLObjectType):
                record[key] = self.fetch_remaining(value, named.name, sel.selection_set)
        return record

    def _later_nodes(
        self, owner_id: str, owner_type: str, field: FieldNode, child: str, page_info: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not page_info["hasNextPage"]:
            return []
        assert field.selection_set is not None
        query = nested_page_query(self.operation, owner_type, field.name.value, child, nodes_of(field.selection_set))
        variables = {"id": owner_id, "first": page_size(query), "after": page_info["endCursor"]}
        return [
            node for page in pages(self.client, query, variables, ("node", field.name.value)) for node in page["nodes"]
        ]
