"""Base streams. ShopifyStream: records that are Admin API objects of one type, selected by a query
whose fields make the stream's schema, read by the `Reader` the stream declares (`tap_shopify_admin/
readers/`: a sorted or an unsorted window, partitions of a parent stream, a full table); and
NestedStream: the records nested in a parent's records, written from each parent record."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar, Protocol

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode
from singer_sdk import Stream
from singer_sdk import singerlib as singer
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.metrics import MetricExclusionFilter
from typing_extensions import override

from shopify_admin import AccessDeniedError, ShopifyAdminClient, ShopifyError
from shopify_admin.schema import admin_schema

from ..documents import render, selection
from ..graphql_schema import nullable, record_schema
from ..nested_pages import NestedPages
from ..shop_tap import ShopTap

ALWAYS_SELECTED = {"id", "updatedAt"}


class Reader(Protocol):
    """One way of reading a stream's records (`tap_shopify_admin/readers/`): the stream declares its type,
    root, fields and replication key; the reader sends the requests and keeps the stream's state."""

    @property
    def is_sorted(self) -> bool:
        """Whether records come in replication-key order, so that the bookmark may move with each one."""
        ...

    def page_query(self, stream: ShopifyStream) -> str:
        """The document that reads a page (or the one object) of the stream's records."""
        ...

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        """The stream's records for the SDK's `get_records`."""
        ...


class ShopifyStream(Stream):
    """A stream whose records are Admin API objects of `graphql_type`, selected by `fields` from `root`,
    read by `reader`."""

    graphql_type: ClassVar[str]
    fields: ClassVar[str]
    reader: ClassVar[Reader]
    root: ClassVar[str]  # the QueryRoot field the reader starts from
    root_arguments: ClassVar[str] = ""  # e.g. `includeClosed: true`
    deleted_subject: ClassVar[str | None] = None  # the events subject_type whose destroys become records
    metafield_owner: ClassVar[str | None] = None  # its MetafieldOwnerType, for a stream whose fields hold `metafields`
    primary_keys: ClassVar[list[str]] = ["id"]  # type: ignore[misc]
    STATE_MSG_FREQUENCY = 100  # a run killed at any moment resumes with little to read again
    # Records are decoded JSON and the schema is generated from the query that fetched them: the
    # SDK's conforming would walk every value of every record and change nothing.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: ShopTap) -> None:
        super().__init__(tap, schema=record_schema(self.graphql_type, self.fields))
        self.shop_tap = tap
        self._schema_written = False
        if self.deleted_subject:
            # a deleted object's record carries only its id, updatedAt and _sdc_deleted_at
            for name, prop in self.schema["properties"].items():
                if name not in ALWAYS_SELECTED:
                    self.schema["properties"][name] = nullable(prop)
            self.schema["properties"]["_sdc_deleted_at"] = {"type": ["string", "null"], "format": "date-time"}

    @property
    def is_sorted(self) -> bool:
        return self.reader.is_sorted

    @property
    def operation_name(self) -> str:
        return self.name.title().replace("_", "")

    def page_query(self) -> str:
        return self.reader.page_query(self)

    @override
    def get_replication_key_signpost(self, context: Mapping[str, Any] | None = None) -> Any:
        """A time window's end, where its reader has one (`Window.signpost`); else the SDK's."""
        signpost = getattr(self.reader, "signpost", None)
        return signpost(self) if signpost else super().get_replication_key_signpost(context)

    @property
    def is_read(self) -> bool:
        """Whether a run reads the stream when it is selected (a stream read only for its owners'
        metafields is not when `metafield_owner_types` leaves its owner type out)."""
        return True

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        if not self.is_read:
            return
        try:
            yield from self.reader.records(self, context)
        except AccessDeniedError as exc:  # an app without the scope: the other streams go on
            self.logger.error("Skipping stream %s: %s", self.name, exc)
        except ShopifyError as error:  # one that ends the run names the stream it struck in
            raise error.at(f"stream {self.name}") from None

    def from_node(self, node: dict[str, Any]) -> dict[str, Any]:
        """The record a node of the root connection makes (before the SDK's `post_process`, so that a
        window's reader can sort and bookmark it)."""
        return node

    @override
    def _write_schema_message(self) -> None:
        # The SDK syncs a child stream once per parent record and would repeat its SCHEMA each time (no
        # public hook; pinned by tests/tap/test_tap.py::test_more_than_250_nested_items_arrive_whole).
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
        catalog deselects none: most of the CPU a record costs, for nothing. No public hook; pinned by
        tests/tap/test_tap.py::test_deselected_properties_stay_out_of_records_even_when_read."""
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
        needed = ALWAYS_SELECTED | {child.parent_field for child in self.nested_streams}
        unread = set() if self.reads_metafields else {"metafields"}
        kept = tuple(
            sel
            for sel in selection(self.fields).selections
            if isinstance(sel, InlineFragmentNode)  # the fields of one member of the root's interface
            or (
                isinstance(sel, FieldNode)
                and sel.name.value not in unread
                and (sel.name.value in needed or self.mask.get(("properties", sel.name.value), True))
            )
        )
        return render(admin_schema().type_map[self.graphql_type], SelectionSetNode(selections=kept), bulk=bulk)

    @property
    def reads_metafields(self) -> bool:
        """Whether `metafield_owner_types` names this stream's owner type (all by default)."""
        owner_types = self.config.get("metafield_owner_types")
        return self.metafield_owner is not None and (owner_types is None or self.metafield_owner in owner_types)

    @cached_property
    def nested_streams(self) -> list[NestedStream]:
        """The nested streams to write from each record: selected, or holding selected ones (the catalog
        is applied before any record is read)."""
        return [
            child
            for child in self.child_streams
            if isinstance(child, NestedStream) and (child.selected or child.has_selected_descendents)
        ]

    @cached_property
    def nested_pages(self) -> NestedPages:
        return NestedPages(self.client, self.operation_name)

    @override
    def generate_child_contexts(
        self, record: dict, context: Mapping[str, Any] | None
    ) -> Iterable[Mapping[str, Any] | None]:
        """Nested streams' records are written here, from the record (a sync of each per record, the
        SDK's way, would end each with a STATE message of the whole tap); a context only for the other
        child streams (a location's inventory levels), which `_sync_children` syncs alone."""
        nested = [child for child in self.child_streams if isinstance(child, NestedStream)]
        if self.nested_streams and self.stream_maps[0].get_filter_result(record):
            for child in self.nested_streams:
                child.write_nested(record)
        if len(nested) < len(self.child_streams):
            return super().generate_child_contexts(record, context)
        return ()

    @override
    def _sync_children(self, child_context: Mapping[str, Any] | None) -> None:
        # only the children with a context of their own: nested ones are written from the record (no public
        # hook; pinned by tests/emulator/test_inventory.py::test_incremental_reads_only_changed_levels_per_location)
        for child in self.child_streams:
            if not isinstance(child, NestedStream) and (child.selected or child.has_selected_descendents):
                child.sync(context=child_context)

    def log_nested_counts(self) -> None:
        """Once the stream is read: every nested stream has been written by then; they log nothing per parent."""
        for child in self.nested_streams:
            if child.selected:
                self.logger.info("%s: %d records read from %s", child.name, child.records_read, self.name)
            child.log_nested_counts()


class NestedStream(ShopifyStream):
    """Records nested in a parent stream's records (an order's line items, a product's variants),
    emitted as their own stream without another request: the parent hands each of its records to
    `write_nested`."""

    parent_field: ClassVar[str]  # the parent's field that holds these records
    parent_key: ClassVar[str]  # the property naming the parent's id in each record
    # for objects without an id (tax lines): the property holding the record's place in its parent's list,
    # which with the parent's id makes the record's key (`primary_keys`)
    position_key: ClassVar[str | None] = None
    state_partitioning_keys: ClassVar[list[str]] = []  # type: ignore[misc]
    is_sorted = False  # type: ignore[assignment]

    def __init__(self, tap: ShopTap) -> None:
        super().__init__(tap)
        self.schema["properties"][self.parent_key] = {"type": "string"}
        if self.position_key:
            self.schema["properties"][self.position_key] = {"type": "integer"}
        # The SDK syncs a nested stream once per parent record, logging a start line and two metrics each
        # time (630,000 lines for 100,000 orders): its own INFO lines are dropped, and the parent logs
        # the count once.
        self.logger.addFilter(lambda record: record.levelno >= logging.WARNING)
        self.metrics_logger.addFilter(MetricExclusionFilter(tags={"stream": self.name}))
        self.records_read = 0

    def write_nested(self, parent: dict[str, Any]) -> None:
        """Write the records nested in the parent's record `parent`, and those nested in them (a refund's
        lines): the parent's selection holds theirs."""
        if self.selected:
            self._write_schema_message()
        nested = self.nested_streams
        for position, child in enumerate(parent.get(self.parent_field) or []):
            if self.selected:
                record = {**child, self.parent_key: parent["id"]}
                if self.position_key:
                    record[self.position_key] = position
                self._write_record_message(record)
                self.records_read += 1
            for grandchild in nested:
                grandchild.write_nested(child)

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        raise NotImplementedError("nested records are written by their parent stream, see write_nested")
