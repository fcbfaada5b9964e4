"""Base streams: an Admin API object type read through the shared client (ShopifyStream); a top-level
connection read in `updatedAt` windows by pages or by a bulk query (ConnectionStream), composed of
the parts beside it (`tap_shopify_admin/`): documents (query rendering), windows (bounds, slices), nested_pages,
deletions (and the merge in order), bulk_plan (threshold and resume), list_fill; and the records nested
in a parent's records, written from each parent record (NestedStream)."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from datetime import timedelta
from functools import cached_property, partial, wraps
from typing import Any, ClassVar

from graphql import FieldNode, SelectionSetNode
from singer_sdk import Stream
from singer_sdk import singerlib as singer
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.metrics import MetricExclusionFilter
from typing_extensions import override

from shopify_admin import AccessDeniedError, ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import BulkOperation
from shopify_admin.paging import pages
from shopify_admin.progress import Progress
from shopify_admin.schema import admin_schema

from .. import bulk_plan
from ..deletions import destroyed, forget_ids_at_bookmark, merged_after_bookmark, position
from ..documents import bulk_connections, bulk_query, list_connections, page_query, page_size, render, selection
from ..graphql_schema import nullable, record_schema
from ..list_fill import with_list_connections
from ..nested_pages import NestedPages
from ..shop_tap import ShopTap
from ..windows import Page, search, shopify_time, sliced_window, window_end

ALWAYS_SELECTED = {"id", "updatedAt"}


def naming_the_stream(get_records: Callable[[Any, Any], Iterable[dict[str, Any]]]) -> Any:
    """A stream's `get_records` whose Shopify errors, which end the run, name the stream (the SDK's
    `sync`, which would be the one place for it, is final)."""

    @wraps(get_records)
    def named(stream: Stream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        try:
            yield from get_records(stream, context)
        except ShopifyError as error:
            raise error.at(f"stream {stream.name}") from None

    return named


class ShopifyStream(Stream):
    """A stream whose records are Admin API objects of `graphql_type`, selected by `fields`."""

    graphql_type: ClassVar[str]
    fields: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]  # type: ignore[misc]
    STATE_MSG_FREQUENCY = 100  # a run killed at any moment resumes with little to read again
    # Records are decoded JSON and the schema is generated from the query that fetched them: the
    # SDK's conforming would walk every value of every record and change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: ShopTap) -> None:
        super().__init__(tap, schema=record_schema(self.graphql_type, self.fields))
        self.shop_tap = tap
        self._schema_written = False

    @override
    def _write_schema_message(self) -> None:
        # The SDK syncs a child stream once per parent record and would repeat its SCHEMA each time.
        if not self._schema_written:
            super()._write_schema_message()
            self._schema_written = True

    @property
    def client(self) -> ShopifyAdminClient:
        return self.shop_tap.client

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
            for sel in selection(self.fields).selections
            if isinstance(sel, FieldNode)
            and (sel.name.value in needed or self.mask.get(("properties", sel.name.value), True))
        )
        return render(admin_schema().type_map[self.graphql_type], SelectionSetNode(selections=kept), bulk=bulk)


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

    def __init__(self, tap: ShopTap) -> None:
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

    @cached_property
    def nested_pages(self) -> NestedPages:
        return NestedPages(self.client, self.operation_name)

    def page_query(self) -> str:
        arguments = f"sortKey: {self.sort_key} {self.root_arguments}" if self.sort_key else self.root_arguments
        return page_query(self.operation_name, self.root, arguments, self.selected_fields())

    def bulk_query(self, search: str) -> str:
        """The page query's selection as a bulk query of the window `search`."""
        return bulk_query(self.root, search, self.root_arguments, self.selected_fields(bulk=True))

    def bounds(self, context: Mapping[str, Any] | None) -> tuple[str | None, str]:
        """From the bookmark (inclusive, so records sharing the bookmark's second are read again
        rather than lost; `lookback_window` minutes earlier, which moves the bookmark back) to
        `search_lag` seconds before the sync's start at the latest (exclusive)."""
        start = self.get_starting_timestamp(context)
        lookback = self.config.get("lookback_window") or 0
        if start is not None and lookback and self.stream_state.get("replication_key_value") is not None:
            start -= timedelta(minutes=lookback)
            # the run starts over from there: the SDK checks records against the bookmark
            self.stream_state["replication_key_value"] = shopify_time(start)
            forget_ids_at_bookmark(self.stream_state)
        end = window_end(self.shop_tap.sync_started, self.config.get("search_lag", 0), self.shop_tap.end_date)
        return (shopify_time(start) if start else None), end

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
        """See bulk_plan.bulk_threshold: by this stream's page and the plan's restore rate."""
        return bulk_plan.bulk_threshold(
            restore_rate=self.client.throttle.restore_rate,
            query=self.page_query(),
            concurrency=self.page_concurrency,
            round_trip=round_trip,
        )

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

    @override
    @naming_the_stream
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        self._start_every_backfill_export()
        start, end = self.bounds(context)
        progress = Progress(
            self.logger,
            self.client,
            {"stream": self.name},
            total=lambda: self.count(search("updated_at", start, end)),
        )
        try:
            # deletions are few; merged in by time so the stream stays sorted
            deleted = destroyed(self.client, self.deleted_subject, start, end) if self.deleted_subject else ()
            merged = merged_after_bookmark(
                self.name,
                self._window(start, end),
                deleted,
                self.stream_state,
                deletable=bool(self.deleted_subject),
                in_order=self.is_sorted,
            )
            yield from progress.track(merged)
        except AccessDeniedError as exc:
            self.logger.error("Skipping stream %s: %s", self.name, exc)
        for child in self.child_streams:  # every child has been synced by now; they log nothing per parent
            if isinstance(child, NestedStream) and child.selected:
                self.logger.info("%s: %d records read from %s", child.name, child.records_read, self.name)

    def _window(self, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records in `updatedAt` order: from the bulk operation an interrupted run left
        in the state (then the rest of the window by pages), from a new one, or by pages."""
        resumed = self._resumed_bulk_operation()
        if resumed is not None:
            operation, operation_end = resumed
            yield from self._bulk_records(operation, start, operation_end)
            if operation_end < end:
                yield from self._pages(operation_end, end)
        elif self.use_bulk(search("updated_at", start, end)):
            yield from self._bulk_records(self._start_bulk(end, start), start, end)
        else:
            yield from self._pages(start, end)

    def _start_bulk(self, end: str, start: str | None) -> BulkOperation:
        operation = self.shop_tap.bulk_runner.start(self.bulk_query(search("updated_at", start, end)))
        bulk_plan.remember(self.stream_state, operation.id, end)
        self.shop_tap.state_writer.write_state(self.tap_state)  # a run killed while it waits takes it up
        return operation

    def _start_every_backfill_export(self) -> None:
        """Start every selected stream's backfill export at once, on the first call (the first stream
        synced makes it)."""
        if self.shop_tap.backfill_exports_started:
            return
        self.shop_tap.backfill_exports_started = True
        for stream in self.shop_tap.streams.values():
            if isinstance(stream, ConnectionStream) and (stream.selected or stream.has_selected_descendents):
                stream.start_backfill_export()

    def start_backfill_export(self) -> None:
        """Start the bulk export of a backfill before the stream's turn, so that the shop exports every
        stream at once (5 bulk queries may run per shop) rather than one after the other; the stream
        takes it up from its state in its turn, as a run that was cut off would. Only for backfills:
        with a bookmark, `bounds` moves the state (lookback) and must run once, in the stream's turn."""
        if self.stream_state.get("replication_key_value") is not None or bulk_plan.OPERATION_ID in self.stream_state:
            return
        start, end = self.bounds(None)
        try:
            if self.use_bulk(search("updated_at", start, end)):
                self._start_bulk(end, start)
        except AccessDeniedError:
            pass  # reported in the stream's turn
        except ShopifyError as error:  # started in another stream's turn: name this one
            raise error.at(f"stream {self.name}") from None

    def _resumed_bulk_operation(self) -> tuple[BulkOperation, str] | None:
        resumed = bulk_plan.resumed(self.shop_tap.bulk_runner, self.stream_state)
        if resumed is not None:
            operation = resumed[0]
            self.logger.info("Taking up bulk operation %s (%s) from the state", operation.id, operation.status)
        return resumed

    def _bulk_records(self, operation: BulkOperation, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The operation's records from `start` on (a resumed run's bookmark may be past the operation's
        own start). An operation that did not complete gives what it wrote, merged with the window's
        pages, so that some records may come twice but none is lost."""
        runner = self.shop_tap.bulk_runner
        operation = runner.wait(operation)
        selected = selection(self.selected_fields())
        bulk = (
            record
            for record in runner.records(operation, bulk_connections(self.graphql_type, selected), self.replication_key)
            if start is None or record["updatedAt"] >= start
        )
        filled = with_list_connections(self.nested_pages, list_connections(self.graphql_type, selected), bulk)
        if operation.status == "COMPLETED":
            yield from filled
        else:
            self.logger.warning(
                "Bulk operation %s ended %s (%s): reading its window by pages",
                operation.id,
                operation.status,
                operation.error_code,
            )
            yield from heapq.merge(filled, self._pages(start, end), key=position)
        bulk_plan.forget(self.stream_state)

    def _pages(self, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records by pages: a first page alone (all an incremental run usually needs), then
        the rest of the window cut into slices of about equal time, read `page_concurrency` at a time and
        handed on in order, so that the stream stays sorted and its bookmark never passes a slice not
        read in full."""
        query = self.page_query()
        yield from sliced_window(partial(self._slice, query, page_size(query)), start, end, self.page_concurrency)

    @property
    def page_concurrency(self) -> int:
        return int(self.config.get("page_concurrency") or 1)

    def _slice(self, query: str, first: int, start: str | None, end: str) -> Iterator[Page]:
        """The pages of `start`…`end`, each node's nested connections read in full."""
        selected = selection(self.selected_fields())
        variables = {"first": first, "query": search("updated_at", start, end)}
        for page in pages(self.client, query, variables, (self.root,)):
            records = [self.nested_pages.fetch_remaining(node, self.graphql_type, selected) for node in page["nodes"]]
            yield Page(records, page["pageInfo"]["hasNextPage"])

    @override
    def generate_child_contexts(self, record: dict, context: Mapping[str, Any] | None) -> Iterable[dict | None]:
        """No context: the nested streams' records are written here, from the record. A sync of
        each per record, the SDK's way, would end each with a STATE message of the whole tap."""
        if self.stream_maps[0].get_filter_result(record):
            for child in self.child_streams:
                if isinstance(child, NestedStream) and child.selected:
                    child.write_nested(record)
        return ()


class NestedStream(ShopifyStream):
    """Records nested in a parent stream's records (an order's line items, a product's variants),
    emitted as their own stream without another request: the parent hands each of its records to
    `write_nested`."""

    parent_field: ClassVar[str]  # the parent's field that holds these records
    parent_key: ClassVar[str]  # the property naming the parent's id in each record
    state_partitioning_keys: ClassVar[list[str]] = []  # type: ignore[misc]

    def __init__(self, tap: ShopTap) -> None:
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
