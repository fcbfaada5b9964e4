"""A window read by a bulk query: when (`bulk: auto` weighs the window's count against paging it), the
operation kept in the state so that a run cut off while it waits takes it up, and the operation's
records, or the window by pages if it did not complete."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from shopify_admin.bulk import BulkOperation
from shopify_admin.schema import admin_schema

from .. import bulk_plan
from ..documents import bulk_connections, list_connections, selection
from ..list_fill import with_list_connections

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


class WindowReader(Protocol):
    """What of a window reader (`window.Window`) its bulk read uses."""

    def page_query(self, stream: ShopifyStream) -> str: ...

    def bulk_query(self, stream: ShopifyStream, search: str) -> str: ...

    def search(self, stream: ShopifyStream, start: str | None, end: str) -> str: ...

    def key(self, stream: ShopifyStream) -> str: ...

    def pages(self, stream: ShopifyStream, start: str | None, end: str) -> Iterator[dict[str, Any]]: ...


def use_bulk(reader: WindowReader, stream: ShopifyStream, search: str) -> bool:
    """`bulk: auto` reads a backfill (no bookmark yet) by a bulk query when its `…Count` root counts
    more objects in it than `bulk_threshold`. Incremental runs page, so that a run with no changes
    costs no more than its two requests (destroy events and one page); a stream without a count
    root is paged."""
    mode = stream.config.get("bulk", "auto")
    if mode != "auto":
        return mode == "always"
    if stream.stream_state.get("replication_key_value") is not None:
        return False
    counted, round_trip = timed_count(stream, search)
    if counted is None:
        return False
    threshold = bulk_threshold(reader, stream, round_trip=round_trip)
    stream.logger.info("%s: %d objects to read; bulk above %d", stream.name, counted, threshold)
    return counted > threshold


def bulk_threshold(reader: WindowReader, stream: ShopifyStream, round_trip: float) -> int:
    """See bulk_plan.bulk_threshold: by this stream's page and the plan's restore rate."""
    return bulk_plan.bulk_threshold(
        restore_rate=stream.client.throttle.restore_rate,
        query=reader.page_query(stream),
        concurrency=int(stream.config.get("page_concurrency") or 1),
        round_trip=round_trip,
    )


def timed_count(stream: ShopifyStream, search: str) -> tuple[int | None, float]:
    """`count` of the window `search` and the seconds its request took, asked once a run: the pass that
    starts every backfill export, the stream's own turn and its progress lines share them."""
    counts = stream.shop_tap.window_counts
    key = (stream.name, search)
    if key not in counts:
        sent = time.monotonic()
        counts[key] = (count(stream, search), time.monotonic() - sent)
    return counts[key]


def count(stream: ShopifyStream, search: str, limit: int | None = None) -> int | None:
    """How many objects the `…Count` root finds, up to `limit` (None: all, where the root takes a limit:
    `eventsCount` takes none); None for a root without one."""
    count_root = f"{stream.root}Count"
    field = admin_schema().type_map["QueryRoot"].fields.get(count_root)  # type: ignore[attr-defined]
    if field is None:
        return None
    limited = "limit" in field.args
    query = (
        f"query {stream.operation_name}Count($query: String{', $limit: Int' if limited else ''}) {{"
        f" {count_root}(query: $query{', limit: $limit' if limited else ''}) {{ count }} }}"
    )
    variables = {"query": search, **({"limit": limit} if limited else {})}
    counted = stream.client.execute(query, variables)[count_root]
    return None if counted is None else int(counted["count"])


def start_bulk(reader: WindowReader, stream: ShopifyStream, start: str | None, end: str) -> BulkOperation:
    operation = stream.shop_tap.bulk_runner.start(reader.bulk_query(stream, reader.search(stream, start, end)))
    bulk_plan.remember(stream.stream_state, operation.id, end)
    stream.shop_tap.state_writer.write_state(stream.tap_state)  # a run killed while it waits takes it up
    return operation


def resumed(stream: ShopifyStream) -> tuple[BulkOperation, str] | None:
    taken_up = bulk_plan.resumed(stream.shop_tap.bulk_runner, stream.stream_state)
    if taken_up is not None:
        operation = taken_up[0]
        stream.logger.info("Taking up bulk operation %s (%s) from the state", operation.id, operation.status)
    return taken_up


def bulk_records(
    reader: WindowReader, stream: ShopifyStream, operation: BulkOperation, start: str | None, end: str
) -> Iterator[dict[str, Any]]:
    """The operation's records from `start` on (a resumed run's bookmark may be past the operation's
    own start). An operation that did not complete is read by pages from `start`, where the stream
    stands: none of its records was emitted, and its partial data is not used, since a bulk file is
    in no order and covers no part of the window that paging could skip (emitting it too sent its
    records twice)."""
    runner = stream.shop_tap.bulk_runner
    operation = runner.wait(operation)
    if operation.status == "COMPLETED":
        selected = selection(stream.selected_fields())
        connections = bulk_connections(stream.graphql_type, selected)
        bulk = (
            stream.from_node(record)
            for record in runner.records(operation, connections, stream.replication_key)
            if start is None or record[reader.key(stream)] >= start
        )
        lists = list_connections(stream.graphql_type, selected)
        yield from with_list_connections(stream.nested_pages, lists, bulk)
    else:
        stream.logger.warning(
            "Bulk operation %s ended %s (%s): reading its window by pages",
            operation.id,
            operation.status,
            operation.error_code,
        )
        yield from reader.pages(stream, start, end)
    bulk_plan.forget(stream.stream_state)
