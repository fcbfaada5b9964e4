"""Streams read in full on every run: a root connection (locations), a root object (the shop, one
record), or a connection of each object a root lists (each code discount's redeem codes)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import get_named_type

from shopify_admin.cost import MAX_PAGE, is_connection
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.schema import admin_schema

from ..documents import page_size, selection

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


@dataclass(frozen=True)
class FullTable:
    """Every object of the root connection `stream.root` (by id, with `stream.root_arguments`), or the
    root object itself as the one record."""

    is_sorted = False

    @staticmethod
    def is_object(stream: ShopifyStream) -> bool:
        root: Any = admin_schema().type_map["QueryRoot"]
        return not is_connection(get_named_type(root.fields[stream.root].type))

    def page_query(self, stream: ShopifyStream) -> str:
        if self.is_object(stream):
            return f"query {stream.operation_name}Page {{ {stream.root} {{ {stream.selected_fields()} }} }}"
        return (
            f"query {stream.operation_name}Page($first: Int!, $after: String) {{"
            f" {stream.root}(first: $first, after: $after, sortKey: ID {stream.root_arguments}) {{"
            f" nodes {{ {stream.selected_fields()} }} {PAGE_INFO} }} }}"
        )

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        query = self.page_query(stream)
        if self.is_object(stream):
            yield stream.client.execute(query)[stream.root]
            return
        for page in pages(stream.client, query, {"first": page_size(query)}, (stream.root,)):
            yield from page["nodes"]


@dataclass(frozen=True)
class EachOwner:
    """Every node of the connection `connection` of each object the root connection `owners` lists,
    read through `owner(id:)` (and `through`, the field holding it, in the `members` of a union),
    with the owner's id in the record as `owner_key`."""

    owners: str  # e.g. `codeDiscountNodes`
    owner: str  # e.g. `codeDiscountNode`
    connection: str  # e.g. `codes`
    owner_key: str  # e.g. `discountId`
    through: str | None = None  # e.g. `codeDiscount`
    members: tuple[str, ...] = ()  # the union members that hold the connection, e.g. `DiscountCodeBasic`
    owners_search: str | None = None  # only the owners this search finds, e.g. `-return_status:no_return`
    is_sorted = False

    def owners_query(self, stream: ShopifyStream) -> str:
        search = f", query: {json.dumps(self.owners_search)}" if self.owners_search else ""
        return (
            f"query {stream.operation_name}Owners($first: Int!, $after: String) {{"
            f" {self.owners}(first: $first, after: $after, sortKey: ID{search}) {{ nodes {{ id }} {PAGE_INFO} }} }}"
        )

    def page_query(self, stream: ShopifyStream) -> str:
        inner = (
            f"{self.connection}(first: $first, after: $after) {{ nodes {{ {stream.selected_fields()} }} {PAGE_INFO} }}"
        )
        if self.members:
            inner = " ".join(f"... on {member} {{ {inner} }}" for member in self.members)
        if self.through:
            inner = f"{self.through} {{ {inner} }}"
        return (
            f"query {stream.operation_name}Page($id: ID!, $first: Int!, $after: String) {{"
            f" {self.owner}(id: $id) {{ {inner} }} }}"
        )

    def owner_ids(self, stream: ShopifyStream) -> Iterator[str]:
        for owners in pages(stream.client, self.owners_query(stream), {"first": MAX_PAGE}, (self.owners,)):
            yield from (owner["id"] for owner in owners["nodes"])

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        query = self.page_query(stream)
        first = page_size(query)
        path = (self.owner, *((self.through,) if self.through else ()), self.connection)
        selected = selection(stream.selected_fields())
        for owner_id in self.owner_ids(stream):
            for page in pages(stream.client, query, {"id": owner_id, "first": first}, path):
                for node in page["nodes"]:
                    whole = stream.nested_pages.fetch_remaining(node, stream.graphql_type, selected)
                    yield {**whole, self.owner_key: owner_id}
