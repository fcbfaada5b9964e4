"""Streams read in full on every run: a root connection (locations), a root object (the shop, one
record), or a connection of each object a root lists (each code discount's redeem codes, each
collection's products). A full read ends with an ACTIVATE_VERSION message, sent only once every record
of the read is written, so that a target drops the rows an earlier read had and this one has not (a
membership that ended) and a read cut off drops nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any

from graphql import get_named_type
from singer_sdk import singerlib as singer

from shopify_admin.cost import MAX_PAGE, is_connection
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.schema import admin_schema

from ..documents import page_size, selection

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


@dataclass(frozen=True)
class FullTable:
    """Every object of the root connection `stream.root` (by id, with `stream.root_arguments`), or the
    root object itself as the one record. A root that must be told which kind it lists (the owner type of
    `metafieldDefinitions`) is read once for each of `each`'s values of its argument."""

    each: tuple[str, tuple[str, ...]] | None = None  # e.g. (`ownerType`, (`PRODUCT`, …))
    is_sorted = False

    @staticmethod
    def is_object(stream: ShopifyStream) -> bool:
        root: Any = admin_schema().type_map["QueryRoot"]
        return not is_connection(get_named_type(root.fields[stream.root].type))

    def page_query(self, stream: ShopifyStream, value: str | None = None) -> str:
        """The document that reads a page; with `each`, of its `value` (its first by default), written
        in the document (an enum), so that the cost model prices it as sent."""
        if self.is_object(stream):
            return f"query {stream.operation_name}Page {{ {stream.root} {{ {stream.selected_fields()} }} }}"
        argument = f", {self.each[0]}: {value or self.each[1][0]}" if self.each else ""
        return (
            f"query {stream.operation_name}Page($first: Int!, $after: String) {{"
            f" {stream.root}(first: $first, after: $after{argument}, sortKey: ID {stream.root_arguments}) {{"
            f" nodes {{ {stream.selected_fields()} }} {PAGE_INFO} }} }}"
        )

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        yield from versioned(stream, self.read(stream))
        stream.log_nested_counts()  # the shop's and locations' metafields

    def read(self, stream: ShopifyStream) -> Iterator[dict[str, Any]]:
        selected = selection(stream.selected_fields())
        whole = partial(stream.nested_pages.fetch_remaining, type_name=stream.graphql_type, selected=selected)
        if self.is_object(stream):
            yield whole(stream.client.execute(self.page_query(stream))[stream.root])
            return
        for value in self.each[1] if self.each else (None,):
            query = self.page_query(stream, value)
            for page in pages(stream.client, query, {"first": page_size(query)}, (stream.root,)):
                yield from map(whole, page["nodes"])


def versioned(stream: ShopifyStream, records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The records of a full read tagged with a new table version (the sync's start, in milliseconds,
    later on every run), then that version activated. The SDK's own message, with
    `emit_activate_version_messages`, comes before the records: a read that failed would have dropped
    every row."""
    version = int(stream.shop_tap.sync_started.timestamp() * 1000)
    stream._stream_version = version  # the SDK's record messages carry it
    yield from records
    stream.shop_tap.write_message(singer.ActivateVersionMessage(stream=stream.name, version=version))


@dataclass(frozen=True)
class EachOwner:
    """Every node of the connection `connection` of each object the root connection `owners` lists,
    with the owner's id in the record as `owner_key` and, with `position_key`, its place in the
    connection (from 1), which only pages tell: a bulk file holds a connection's nodes in no order.
    The owners are read MAX_PAGE at a time through `nodes(ids:)`, each connection's first page with
    them (a list costs as its costliest item, so a batch costs as much as one owner) and its later
    pages owner by owner; an owner whose connection sits in `through`, a field of a union, whose
    `members` hold it, is read alone through `owner(id:)`."""

    owners: str  # e.g. `codeDiscountNodes`
    owner: str  # e.g. `codeDiscountNode`
    connection: str  # e.g. `codes`
    owner_key: str  # e.g. `discountId`
    through: str | None = None  # e.g. `codeDiscount`
    members: tuple[str, ...] = ()  # the union members that hold the connection, e.g. `DiscountCodeBasic`
    position_key: str | None = None  # e.g. `position`
    owners_search: str | None = None  # only the owners this search finds, e.g. `-return_status:no_return`
    is_sorted = False

    def owners_query(self, stream: ShopifyStream) -> str:
        search = f", query: {json.dumps(self.owners_search)}" if self.owners_search else ""
        return (
            f"query {stream.operation_name}Owners($first: Int!, $after: String) {{"
            f" {self.owners}(first: $first, after: $after, sortKey: ID{search}) {{ nodes {{ id }} {PAGE_INFO} }} }}"
        )

    def owner_type(self) -> str:
        root: Any = admin_schema().type_map["QueryRoot"]
        return str(get_named_type(root.fields[self.owner].type).name)

    def owner_fields(self, stream: ShopifyStream) -> str:
        """What a batch selects of each owner: its id and the connection's first page."""
        return f"id {self.connection}(first: $first) {{ nodes {{ {stream.selected_fields()} }} {PAGE_INFO} }}"

    def page_query(self, stream: ShopifyStream) -> str:
        if self.through is None:
            return (
                f"query {stream.operation_name}Page($ids: [ID!]!, $first: Int!) {{"
                f" nodes(ids: $ids) {{ ... on {self.owner_type()} {{ {self.owner_fields(stream)} }} }} }}"
            )
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
        # a search reads some owners only: the table's other rows still hold, so it gets no new version
        yield from self.read(stream) if self.owners_search else versioned(stream, self.read(stream))

    def read(self, stream: ShopifyStream) -> Iterator[dict[str, Any]]:
        if self.through is None:
            yield from self.read_in_batches(stream)
            return
        query = self.page_query(stream)
        first = page_size(query)
        path = (self.owner, *((self.through,) if self.through else ()), self.connection)
        selected = selection(stream.selected_fields())
        for owner_id in self.owner_ids(stream):
            nodes = (
                stream.nested_pages.fetch_remaining(node, stream.graphql_type, selected)
                for page in pages(stream.client, query, {"id": owner_id, "first": first}, path)
                for node in page["nodes"]
            )
            yield from self.of_owner(owner_id, nodes)

    def read_in_batches(self, stream: ShopifyStream) -> Iterator[dict[str, Any]]:
        query = self.page_query(stream)
        first = page_size(query)
        owner_type, owner_selection = self.owner_type(), selection(self.owner_fields(stream))
        owner_ids = self.owner_ids(stream)
        while batch := list(islice(owner_ids, MAX_PAGE)):
            for owner in stream.client.execute(query, {"ids": batch, "first": first})["nodes"]:
                if owner is None:  # deleted meanwhile
                    continue
                whole = stream.nested_pages.fetch_remaining(owner, owner_type, owner_selection)
                yield from self.of_owner(owner["id"], whole[self.connection])

    def of_owner(self, owner_id: str, nodes: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for place, node in enumerate(nodes, start=1):
            yield {**node, self.owner_key: owner_id, **({self.position_key: place} if self.position_key else {})}
