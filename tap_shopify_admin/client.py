"""Base streams: one Admin API connection read in `updatedAt` windows through the shared client,
with every nested connection drained, and child streams fed from their parent's records."""

from __future__ import annotations

import heapq
import json
import logging
import math
import sys
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from itertools import islice
from typing import TYPE_CHECKING, Any, ClassVar

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    SelectionSetNode,
    get_named_type,
    parse,
    print_ast,
)
from singer_sdk import Stream
from singer_sdk import singerlib as singer
from singer_sdk.exceptions import InvalidStreamSortException
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.metrics import MetricExclusionFilter
from typing_extensions import override

from shopify_admin import AccessDeniedError
from shopify_admin.bulk import BulkOperation, gid_number
from shopify_admin.cost import MAX_PAGE, largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.progress import Progress
from shopify_admin.search import quoted

from .graphql_schema import admin_schema, nullable, record_schema
from .read_ahead import in_order

if TYPE_CHECKING:
    from shopify_admin import ShopifyAdminClient

    from .tap import TapShopifyAdmin

ALWAYS_SELECTED = {"id", "updatedAt"}
LAST_ID_AT_BOOKMARK = "last_id_at_bookmark"  # stream state: the highest id emitted in the bookmark's second
IDS_AT_BOOKMARK = "ids_at_bookmark"  # the same as the list of those ids, as earlier versions wrote it
# `bulk: auto` reads a window by a bulk query when paging it would take longer (see `bulk_threshold`)
BULK_START_SECONDS = 10.0  # starting an operation, the polls until it is done, the download
BULK_OBJECTS_PER_SECOND = 2000.0  # how fast Shopify exports a connection's objects (children included)
FILL_CHUNK = 250  # bulk records completed together, sharing the requests that fill their lists


def shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _selection(fields: str) -> SelectionSetNode:
    return parse(f"{{ {fields} }}").definitions[0].selection_set  # type: ignore[attr-defined]


def _render(parent: Any, selection: SelectionSetNode, *, bulk: bool = False, in_list: bool = False) -> str:
    """The selection as the Admin API is asked for it. Paged: every connection selects `nodes` and
    `pageInfo`, so that it can be drained. Bulk: every connection selects `edges { node }` without
    `first`, and connections inside a list, which bulk queries cannot hold, are left out."""
    parts = []
    for sel in selection.selections:
        assert isinstance(sel, FieldNode)
        head = FieldNode(alias=sel.alias, name=sel.name, arguments=sel.arguments, directives=sel.directives)
        if sel.selection_set is None:
            parts.append(print_ast(head))
            continue
        field = parent.fields[sel.name.value]
        named = get_named_type(field.type)
        if _is_connection(named):
            if bulk and in_list:
                continue
            node_type = get_named_type(named.fields["nodes"].type)
            inner = _render(node_type, _nodes(sel.selection_set), bulk=bulk)
            if bulk:
                head.arguments = tuple(a for a in sel.arguments if a.name.value != "first")
                parts.append(f"{print_ast(head)} {{ edges {{ node {{ {inner} }} }} }}")
            else:
                parts.append(f"{print_ast(head)} {{ nodes {{ {inner} }} {PAGE_INFO} }}")
        else:
            in_list_now = in_list or _is_list(field.type)
            parts.append(f"{print_ast(head)} {{ {_render(named, sel.selection_set, bulk=bulk, in_list=in_list_now)} }}")
    return " ".join(parts)


def page_size(query: str) -> int:
    """The largest page (`$first`) whose requested cost stays within Shopify's limit per query."""
    return largest_within(lambda first: requested_cost(query, {"first": first}))


def _is_list(type_: Any) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def _is_connection(named: Any) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "pageInfo" in named.fields


def _nodes(selection: SelectionSetNode) -> SelectionSetNode:
    for sel in selection.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "nodes" and sel.selection_set:
            return sel.selection_set
    raise ValueError("a nested connection must select `nodes { … }`")


class ShopifyStream(Stream):
    """A stream whose records are Admin API objects of `graphql_type`, selected by `fields`."""

    graphql_type: ClassVar[str]
    fields: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]  # type: ignore[misc]
    STATE_MSG_FREQUENCY = 100  # a run killed at any moment resumes with little to read again
    # Records are decoded JSON and the schema is generated from the query that fetched them: the
    # SDK's conforming would walk every value of every record and change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap, schema=record_schema(self.graphql_type, self.fields))
        self._tap_ref = tap
        self._schema_written = False

    @override
    def _write_schema_message(self) -> None:
        # The SDK syncs a child stream once per parent record and would repeat its SCHEMA each time.
        if not self._schema_written:
            super()._write_schema_message()
            self._schema_written = True

    @property
    def client(self) -> ShopifyAdminClient:
        return self._tap_ref.client

    @cached_property
    def _selects_everything(self) -> bool:
        """Whether the catalog, applied before any record is read, selects every property."""
        return all(self.mask.values())

    @override
    def _generate_record_messages(self, record: dict[str, Any]) -> Generator[singer.RecordMessage, None, None]:
        """The SDK's, without its walk of every nested value to drop deselected properties when the
        catalog deselects none: most of the CPU a record costs, for nothing."""
        if not self._selects_everything:
            yield from super()._generate_record_messages(record)
            return
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield singer.RecordMessage(
                    stream_map.stream_alias, mapped, version=self._stream_version, time_extracted=utc_now()
                )

    def selected_fields(self, *, bulk: bool = False) -> str:
        """The stream's selection without the top-level fields that neither the catalog nor a
        selected child stream needs, its connections rendered for paged or for bulk reading."""
        needed = ALWAYS_SELECTED | {
            child.parent_field for child in self.child_streams if isinstance(child, NestedStream) and child.selected
        }
        kept = tuple(
            sel
            for sel in _selection(self.fields).selections
            if isinstance(sel, FieldNode)
            and (sel.name.value in needed or self.mask.get(("properties", sel.name.value), True))
        )
        return _render(admin_schema().type_map[self.graphql_type], SelectionSetNode(selections=kept), bulk=bulk)

    def drain(self, record: dict[str, Any], type_name: str, selection: SelectionSetNode) -> dict[str, Any]:
        """Replace each nested connection by the full list of its nodes, fetching the pages after
        the first through `node(id:)`, so that nothing is cut off at `first: N`."""
        parent: Any = admin_schema().type_map[type_name]
        for sel in selection.selections:
            if not isinstance(sel, FieldNode) or sel.selection_set is None:
                continue
            key = (sel.alias or sel.name).value
            value = record.get(key)
            named: Any = get_named_type(parent.fields[sel.name.value].type)
            if value is None:
                continue
            if _is_connection(named):
                node_type = get_named_type(named.fields["nodes"].type).name
                node_selection = _nodes(sel.selection_set)
                nodes = list(value["nodes"])
                if value["pageInfo"]["hasNextPage"]:
                    after = value["pageInfo"]["endCursor"]
                    for page in self._nested_pages(record["id"], type_name, sel, node_type, node_selection, after):
                        nodes += page["nodes"]
                record[key] = [self.drain(n, node_type, node_selection) for n in nodes]
            elif isinstance(value, list):
                record[key] = [self.drain(v, named.name, sel.selection_set) for v in value]
            elif isinstance(value, dict) and isinstance(named, GraphQLObjectType):
                record[key] = self.drain(value, named.name, sel.selection_set)
        return record

    def _nested_pages(
        self,
        owner_id: str,
        owner_type: str,
        field: FieldNode,
        node_type: str,
        node_selection: SelectionSetNode,
        after: str,
    ) -> Iterator[dict[str, Any]]:
        fields = _render(admin_schema().type_map[node_type], node_selection)
        query = (
            f"query {self.graphql_type}Nested($id: ID!, $first: Int!, $after: String) {{ node(id: $id) {{"
            f" ... on {owner_type} {{ {field.name.value}(first: $first, after: $after) {{ nodes {{ {fields} }}"
            f" {PAGE_INFO} }} }} }} }}"
        )
        variables = {"id": owner_id, "first": page_size(query), "after": after}
        return pages(self.client, query, variables, ("node", field.name.value))


class ConnectionStream(ShopifyStream):
    """A top-level connection (`customers`, `orders`, …) read in `updatedAt` order, by pages or, for
    large windows, by a bulk query. Bulk results come in no particular order; they are sorted on
    disk before they are emitted, so the stream stays sorted and resumable either way."""

    root: ClassVar[str]
    root_arguments: ClassVar[str] = ""  # e.g. `includeClosed: true`
    sort_key: ClassVar[str | None] = "UPDATED_AT"  # None for a root that cannot be sorted (then is_sorted is False)
    deleted_subject: ClassVar[str | None] = None  # the events subject_type whose destroys become records
    replication_key = "updatedAt"
    is_sorted = True

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap)
        if self.deleted_subject:
            # a deleted object's record carries only its id, updatedAt and _sdc_deleted_at
            for name, prop in self.schema["properties"].items():
                if name not in ALWAYS_SELECTED:
                    self.schema["properties"][name] = nullable(prop)
            self.schema["properties"]["_sdc_deleted_at"] = {"type": ["string", "null"], "format": "date-time"}

    @property
    def operation_name(self) -> str:
        return self.name.title().replace("_", "")

    def page_query(self) -> str:
        return print_ast(
            parse(
                f"query {self.operation_name}Page($first: Int!, $after: String, $query: String) {{"
                f" {self.root}(first: $first, after: $after, query: $query"
                f"{f' sortKey: {self.sort_key}' if self.sort_key else ''} {self.root_arguments}) {{"
                f" nodes {{ {self.selected_fields()} }} {PAGE_INFO} }} }}"
            )
        )

    def bulk_query(self, search: str) -> str:
        """The page query's selection as a bulk query of the window `search`."""
        return print_ast(
            parse(
                f"{{ {self.root}(query: {json.dumps(search)} {self.root_arguments}) {{"
                f" edges {{ node {{ {self.selected_fields(bulk=True)} }} }} }} }}"
            )
        )

    def bulk_connections(self) -> dict[str, dict[str, str]]:
        """Per object type, the field that each type of nested bulk line goes in, e.g.
        `{"Order": {"LineItem": "lineItems"}}`."""
        found: dict[str, dict[str, str]] = {}

        def walk(type_name: str, selection: SelectionSetNode) -> None:
            parent: Any = admin_schema().type_map[type_name]
            for sel in selection.selections:
                assert isinstance(sel, FieldNode)
                named = get_named_type(parent.fields[sel.name.value].type)
                if sel.selection_set is not None and _is_connection(named):
                    node_type = get_named_type(named.fields["nodes"].type).name
                    found.setdefault(type_name, {})[node_type] = (sel.alias or sel.name).value
                    walk(node_type, _nodes(sel.selection_set))

        walk(self.graphql_type, _selection(self.selected_fields()))
        return found

    def bounds(self, context: Mapping[str, Any] | None) -> tuple[str | None, str]:
        """From the bookmark (inclusive, so records sharing the bookmark's second are read again
        rather than lost; `lookback_window` minutes earlier, which moves the bookmark back) to
        `search_lag` seconds before the sync's start at the latest (exclusive): Shopify's search shows
        a change only after a while, and a change it missed must not fall behind the bookmark."""
        start = self.get_starting_timestamp(context)
        lookback = self.config.get("lookback_window") or 0
        if start is not None and lookback and self.stream_state.get("replication_key_value") is not None:
            start -= timedelta(minutes=lookback)
            # the run starts over from there: the SDK checks records against the bookmark
            self.stream_state["replication_key_value"] = shopify_time(start)
            self.stream_state.pop(IDS_AT_BOOKMARK, None)
            self.stream_state.pop(LAST_ID_AT_BOOKMARK, None)
        searchable = self._tap_ref.sync_started - timedelta(seconds=self.config.get("search_lag", 0))
        end = min(searchable, self._tap_ref.end_date or searchable)
        return (shopify_time(start) if start else None), shopify_time(end)

    @staticmethod
    def search(field: str, start: str | None, end: str) -> str:
        return " AND ".join(([f"{field}:>={quoted(start)}"] if start else []) + [f"{field}:<{quoted(end)}"])

    def use_bulk(self, search: str) -> bool:
        """`bulk: auto` reads a backfill (no bookmark yet) by a bulk query when its `…Count` root counts
        more objects in it than `bulk_threshold`. Incremental runs page, so that a run with no changes
        costs no more than its two requests (destroy events and one page); a stream without a count
        root is paged."""
        mode = self.config.get("bulk", "auto")
        if mode != "auto":
            return mode == "always"
        if self.stream_state.get("replication_key_value") is not None:
            return False
        sent = time.monotonic()
        counted = self.count(search)
        if counted is None:
            return False
        threshold = self.bulk_threshold(round_trip=time.monotonic() - sent)
        self.logger.info("%s: %d objects to read; bulk above %d", self.name, counted, threshold)
        return counted > threshold

    def bulk_threshold(self, round_trip: float) -> int:
        """The window size above which a bulk query is done sooner than pages: paging reads
        min(budget ÷ points per object, requests in flight × page ÷ round trip) objects a second, by the
        page's requested cost (Shopify's rule) and the plan's restore rate; a bulk query takes
        BULK_START_SECONDS plus its objects at BULK_OBJECTS_PER_SECOND."""
        query = self.page_query()
        first = page_size(query)
        by_budget = self.client.throttle.restore_rate * first / requested_cost(query, {"first": first})
        by_latency = self.page_concurrency * first / max(round_trip, 0.01)
        paged = min(by_budget, by_latency)
        if paged >= BULK_OBJECTS_PER_SECOND:
            return sys.maxsize
        return math.ceil(BULK_START_SECONDS / (1 / paged - 1 / BULK_OBJECTS_PER_SECOND))

    def count(self, search: str, limit: int | None = None) -> int | None:
        """How many objects the `…Count` root finds, up to `limit` (None: all); None for a stream without one."""
        count_root = f"{self.root}Count"
        if count_root not in admin_schema().type_map["QueryRoot"].fields:  # type: ignore[attr-defined]
            return None
        query = (
            f"query {self.operation_name}Count($query: String, $limit: Int) {{"
            f" {count_root}(query: $query, limit: $limit) {{ count }} }}"
        )
        counted = self.client.execute(query, {"query": search, "limit": limit})[count_root]
        return None if counted is None else int(counted["count"])

    def deletions(self, start: str | None, end: str) -> deque[dict[str, Any]]:
        """Records for the objects destroyed in the window, from Shopify's destroy events, in time order."""
        if self.deleted_subject is None:
            return deque()
        query = (
            "query DestroyEvents($first: Int!, $after: String, $query: String) {"
            " events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {"
            f" nodes {{ ... on BasicEvent {{ subjectId createdAt }} }} {PAGE_INFO} }} }}"
        )
        search = f"subject_type:{self.deleted_subject} AND action:destroy AND " + self.search("created_at", start, end)
        return deque(
            {"id": e["subjectId"], "updatedAt": e["createdAt"], "_sdc_deleted_at": e["createdAt"]}
            for page in pages(self.client, query, {"first": MAX_PAGE, "query": search}, ("events",))
            for e in page["nodes"]
        )

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        self._tap_ref.start_backfill_exports()
        start, end = self.bounds(context)
        progress = Progress(
            self.logger,
            self.client,
            {"stream": self.name},
            total=lambda: self.count(self.search("updated_at", start, end)),
        )
        try:
            deleted = self.deletions(start, end)  # few; merged in by time so the stream stays sorted
            yield from progress.track(self._merged(self._window(start, end), deleted))
        except AccessDeniedError as exc:
            self.logger.error("Skipping stream %s: %s", self.name, exc)
        for child in self.child_streams:  # every child has been synced by now; they log nothing per parent
            if isinstance(child, NestedStream) and child.selected:
                self.logger.info("%s: %d records read from %s", child.name, child.records_read, self.name)

    def _merged(self, records: Iterable[dict[str, Any]], deleted: deque[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        """Records and deletions in (updatedAt, id) order, Shopify's own (its cursors carry the last
        id), without those an earlier run already emitted in the bookmark's second: those up to the
        id in the state (the window starts at that second so that none of its records is lost; it
        was over before that run began, so they cannot have changed since). One id, however many
        objects share the second, keeps the state small."""
        bookmark = self.stream_state.get("replication_key_value")
        last = self.stream_state.get(LAST_ID_AT_BOOKMARK)
        already = set(self.stream_state.get(IDS_AT_BOOKMARK) or ())
        previous: tuple[str, int] | None = None
        for record in heapq.merge(records, sorted(deleted, key=_position), key=_position):
            position = _position(record)
            if previous is not None and position < previous:
                raise InvalidStreamSortException(f"{self.name}: {record['id']} came after {previous}")
            previous = position
            if record["updatedAt"] == bookmark and (record["id"] in already or position[1] <= (last or 0)):
                continue
            if record["updatedAt"] != bookmark:
                self.stream_state.pop(IDS_AT_BOOKMARK, None)
            # set before the SDK moves the bookmark to this record, so written state stays consistent
            self.stream_state[LAST_ID_AT_BOOKMARK] = position[1]
            if self.deleted_subject and "_sdc_deleted_at" not in record:
                record["_sdc_deleted_at"] = None
            yield record

    def _window(self, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records in `updatedAt` order: from the bulk operation an interrupted run left
        in the state (then the rest of the window by pages), from a new one, or by pages."""
        resumed = self._resumed_bulk_operation()
        if resumed is not None:
            operation, operation_end = resumed
            yield from self._bulk_records(operation, start, operation_end)
            if operation_end < end:
                yield from self._pages(operation_end, end)
        elif self.use_bulk(self.search("updated_at", start, end)):
            yield from self._bulk_records(self._start_bulk(end, start), start, end)
        else:
            yield from self._pages(start, end)

    def _start_bulk(self, end: str, start: str | None) -> BulkOperation:
        operation = self._tap_ref.bulk_runner.start(self.bulk_query(self.search("updated_at", start, end)))
        self.stream_state.update(bulk_operation_id=operation.id, bulk_window_end=end)
        self._tap_ref.state_writer.write_state(self.tap_state)  # a run killed while it waits takes it up
        return operation

    def start_backfill_export(self) -> None:
        """Start the bulk export of a backfill before the stream's turn, so that the shop exports every
        stream at once (5 bulk queries may run per shop) rather than one after the other; the stream
        takes it up from its state in its turn, as a run that was cut off would. Only for backfills:
        with a bookmark, `bounds` moves the state (lookback) and must run once, in the stream's turn."""
        if self.stream_state.get("replication_key_value") is not None or "bulk_operation_id" in self.stream_state:
            return
        start, end = self.bounds(None)
        try:
            if self.use_bulk(self.search("updated_at", start, end)):
                self._start_bulk(end, start)
        except AccessDeniedError:
            pass  # reported in the stream's turn

    def _resumed_bulk_operation(self) -> tuple[BulkOperation, str] | None:
        operation_id = self.stream_state.get("bulk_operation_id")
        if operation_id is None:
            return None
        operation = self._tap_ref.bulk_runner.poll(operation_id)
        if operation is None:
            self._forget_bulk_operation()
            return None
        self.logger.info("Taking up bulk operation %s (%s) from the state", operation.id, operation.status)
        return operation, self.stream_state["bulk_window_end"]

    def _forget_bulk_operation(self) -> None:
        self.stream_state.pop("bulk_operation_id", None)
        self.stream_state.pop("bulk_window_end", None)

    def _bulk_records(self, operation: BulkOperation, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The operation's records from `start` on (a resumed run's bookmark may be past the operation's
        own start). An operation that did not complete gives what it wrote, merged with the window's
        pages, so that some records may come twice but none is lost."""
        runner = self._tap_ref.bulk_runner
        operation = runner.wait(operation)
        bulk = (
            record
            for record in runner.records(operation, self.bulk_connections(), self.replication_key)
            if start is None or record["updatedAt"] >= start
        )
        if operation.status == "COMPLETED":
            yield from self._with_list_connections(bulk)
        else:
            self.logger.warning(
                "Bulk operation %s ended %s (%s): reading its window by pages",
                operation.id,
                operation.status,
                operation.error_code,
            )
            merged = heapq.merge(self._with_list_connections(bulk), self._pages(start, end), key=_position)
            yield from merged
        self._forget_bulk_operation()

    def _with_list_connections(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Fill the connections inside list fields (an order's fulfillments' line items), which bulk
        queries cannot hold, from `nodes(ids:)` drained as a paged read is, FILL_CHUNK records at a time."""
        lists = self._list_connections()
        pending = iter(records)
        while chunk := list(islice(pending, FILL_CHUNK)):
            for key, item_type, selection in lists:
                items = {item["id"]: item for record in chunk for item in record.get(key) or ()}
                query = (
                    f"query {self.operation_name}Fill($ids: [ID!]!) {{ nodes(ids: $ids) {{"
                    f" ... on {item_type} {{ id {_render(admin_schema().type_map[item_type], selection)} }} }} }}"
                )
                ids = list(items)
                # `nodes(ids:)` costs what one item costs, however many ids it is given (up to 250)
                for at in range(0, len(ids), MAX_PAGE):
                    for node in self.client.execute(query, {"ids": ids[at : at + MAX_PAGE]})["nodes"]:
                        if node is not None:
                            items[node["id"]].update(self.drain(node, item_type, selection))
            yield from chunk

    def _list_connections(self) -> list[tuple[str, str, SelectionSetNode]]:
        """The top-level list fields whose items hold connections: (key, item type, those connections)."""
        parent: Any = admin_schema().type_map[self.graphql_type]
        found = []
        for sel in _selection(self.selected_fields()).selections:
            assert isinstance(sel, FieldNode)
            field = parent.fields[sel.name.value]
            named: Any = get_named_type(field.type)
            if sel.selection_set is None or not _is_list(field.type) or not isinstance(named, GraphQLObjectType):
                continue
            connections = tuple(
                s
                for s in sel.selection_set.selections
                if isinstance(s, FieldNode) and _is_connection(get_named_type(named.fields[s.name.value].type))
            )
            if connections:
                found.append(((sel.alias or sel.name).value, named.name, SelectionSetNode(selections=connections)))
        return found

    def _pages(self, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records by pages: a first page alone (all an incremental run usually needs), then
        the rest of the window cut into slices of about equal time, read `page_concurrency` at a time and
        handed on in order, so that the stream stays sorted and its bookmark never passes a slice not
        read in full."""
        query = self.page_query()
        first = page_size(query)
        opening = next(self._slice(query, first, start, end))  # lazy: the slice's second page is not read
        yield from opening.records
        if not opening.more:
            return
        resume = opening.records[-1]["updatedAt"]
        already = {r["id"] for r in opening.records if r["updatedAt"] == resume}  # the next slice starts there
        reads = [
            partial(self._slice, query, first, low, high)
            for low, high in time_slices(opening.records[0]["updatedAt"], resume, end, self.page_concurrency)
        ]
        for page in in_order(reads, self.page_concurrency):
            yield from (r for r in page.records if r["updatedAt"] != resume or r["id"] not in already)

    @property
    def page_concurrency(self) -> int:
        return int(self.config.get("page_concurrency") or 1)

    def _slice(self, query: str, first: int, start: str | None, end: str) -> Iterator[Page]:
        """The pages of `start`…`end`, each node's nested connections drained."""
        node_selection = _selection(self.selected_fields())
        variables = {"first": first, "query": self.search("updated_at", start, end)}
        for page in pages(self.client, query, variables, (self.root,)):
            drained = [self.drain(node, self.graphql_type, node_selection) for node in page["nodes"]]
            yield Page(drained, page["pageInfo"]["hasNextPage"])

    @override
    def generate_child_contexts(self, record: dict, context: Mapping[str, Any] | None) -> Iterable[dict | None]:
        """No context: the nested streams' records are written here, from the record. A sync of
        each per record, the SDK's way, would end each with a STATE message of the whole tap."""
        if self.stream_maps[0].get_filter_result(record):
            for child in self.child_streams:
                if isinstance(child, NestedStream) and child.selected:
                    child.write_nested(record)
        return ()


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    more: bool  # the window holds more after these


def time_slices(origin: str, resume: str, end: str, concurrency: int) -> list[tuple[str, str]]:
    """`resume`…`end` cut into contiguous slices of whole seconds, as many as the pages a first page that
    spanned `origin`…`resume` suggests are left, from one up to four per concurrent read."""
    low, high = _moment(resume), _moment(end)
    left = (high - low).total_seconds()
    covered = (low - _moment(origin)).total_seconds()
    wanted = math.ceil(left / covered) if covered > 0 else 4 * concurrency
    count = max(1, min(4 * concurrency, wanted, int(left)))
    bounds = sorted({shopify_time(low + timedelta(seconds=round(i * left / count))) for i in range(count)})
    return list(zip(bounds, [*bounds[1:], end], strict=True))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _position(record: dict[str, Any]) -> tuple[str, int]:
    return record["updatedAt"], gid_number(record["id"]) or 0


class NestedStream(ShopifyStream):
    """Records nested in a parent stream's records (an order's line items, a product's variants),
    emitted as their own stream without another request."""

    parent_field: ClassVar[str]  # the parent's field that holds these records
    parent_key: ClassVar[str]  # the property naming the parent's id in each record
    state_partitioning_keys: ClassVar[list[str]] = []  # type: ignore[misc]

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap)
        self.schema["properties"][self.parent_key] = {"type": "string"}
        # The SDK syncs a nested stream once per parent record, logging a start line and two metrics each
        # time (630,000 lines for 100,000 orders): its own INFO lines are dropped, and the parent logs
        # the count once.
        self.logger.addFilter(lambda record: record.levelno >= logging.WARNING)
        self.metrics_logger.addFilter(MetricExclusionFilter(tags={"stream": self.name}))
        self.records_read = 0

    def write_nested(self, parent: dict[str, Any]) -> None:
        """Write the records nested in the parent's record `parent`."""
        self._write_schema_message()
        for child in parent.get(self.parent_field) or []:
            self._write_record_message({**child, self.parent_key: parent["id"]})
            self.records_read += 1

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        raise NotImplementedError("nested records are written by their parent stream, see write_nested")
