"""Top-level connections read in windows of their replication key (`updatedAt`), from the bookmark to
the window's end: by pages, or a backfill by a bulk query (`window_bulk`); deleted objects merged in
from destroy events."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from shopify_admin import AccessDeniedError, ShopifyError
from shopify_admin.paging import pages
from shopify_admin.progress import Progress

from .. import bulk_plan
from ..deletions import destroyed, forget_ids_at_bookmark, merged_after_bookmark
from ..documents import bulk_query, page_query, page_size, selection
from ..windows import Page, search, search_field, shopify_time, sliced_window, window_end
from . import window_bulk

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


@dataclass(frozen=True)
class Window:
    """A top-level connection (`customers`, `orders`, …) searched by its replication key (`updatedAt`:
    `updated_at`). A backfill may be read by a bulk query unless `bulk` is False; its results are sorted
    on disk before they are emitted."""

    bulk: bool = True
    is_sorted = False

    @staticmethod
    def key(stream: ShopifyStream) -> str:
        assert stream.replication_key, f"{stream.name} is read in windows of its replication key"
        return stream.replication_key

    def search(self, stream: ShopifyStream, start: str | None, end: str) -> str:
        return search(search_field(self.key(stream)), start, end)

    def sort_key(self, stream: ShopifyStream) -> str | None:
        """The root's sort key, as the page query asks for it."""
        return None

    def page_query(self, stream: ShopifyStream) -> str:
        sort_key = self.sort_key(stream)
        arguments = f"sortKey: {sort_key} {stream.root_arguments}" if sort_key else stream.root_arguments
        return page_query(stream.operation_name, stream.root, arguments, stream.selected_fields())

    def bulk_query(self, stream: ShopifyStream, search: str) -> str:
        """The page query's selection as a bulk query of the window `search`."""
        return bulk_query(stream.root, search, stream.root_arguments, stream.selected_fields(bulk=True))

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        start_every_backfill_export(stream)
        start, end = self.bounds(stream, context)
        progress = Progress(
            stream.logger,
            stream.client,
            {"stream": stream.name},
            total=lambda: window_bulk.timed_count(stream, self.search(stream, start, end))[0],
        )
        subject = stream.deleted_subject
        # deletions are few; merged in by time so the stream stays sorted
        deleted = destroyed(stream.client, subject, start, end) if subject else ()
        merged = merged_after_bookmark(
            stream.name,
            self.window(stream, start, end),
            deleted,
            stream.stream_state,
            deletable=bool(subject),
            in_order=self.is_sorted,
            key=self.key(stream),
        )
        yield from progress.track(merged)
        stream.log_nested_counts()

    def bounds(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> tuple[str | None, str]:
        """From the bookmark (inclusive, so records sharing the bookmark's second are read again
        rather than lost; `lookback_window` minutes earlier, which moves the bookmark back) to
        `search_lag` seconds before the sync's start at the latest (exclusive)."""
        start = stream.get_starting_timestamp(context)
        lookback = stream.config.get("lookback_window") or 0
        if start is not None and lookback and stream.stream_state.get("replication_key_value") is not None:
            start -= timedelta(minutes=lookback)
            # the run starts over from there: the SDK checks records against the bookmark
            stream.stream_state["replication_key_value"] = shopify_time(start)
            forget_ids_at_bookmark(stream.stream_state)
        return (shopify_time(start) if start else None), self.signpost(stream)

    @staticmethod
    def signpost(stream: ShopifyStream) -> str:
        """The window's end (exclusive), past which no bookmark may move: the SDK's own signpost, the
        local clock when the stream started, may be behind the shop's, and an unsorted window's bookmark
        held below its last record would read that record again on the next run."""
        tap = stream.shop_tap
        return window_end(tap.sync_started, stream.config.get("search_lag", 0), tap.end_date)

    def window(self, stream: ShopifyStream, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records in replication-key order: from the bulk operation an interrupted run left
        in the state (then the rest of the window by pages), from a new one, or by pages."""
        resumed = window_bulk.resumed(stream)
        if resumed is not None:
            operation, operation_end = resumed
            yield from window_bulk.bulk_records(self, stream, operation, start, operation_end)
            if operation_end < end:
                yield from self.pages(stream, start=operation_end, end=end)
        elif self.bulk and window_bulk.use_bulk(self, stream, self.search(stream, start, end)):
            operation = window_bulk.start_bulk(self, stream, start, end)
            yield from window_bulk.bulk_records(self, stream, operation, start, end)
        else:
            yield from self.pages(stream, start, end)

    def pages(self, stream: ShopifyStream, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """The window's records by pages, in one pass by id."""
        query = self.page_query(stream)
        for page in self.slice(stream, query, page_size(query), start, end):
            yield from page.records

    def slice(self, stream: ShopifyStream, query: str, first: int, start: str | None, end: str) -> Iterator[Page]:
        """The pages of `start`…`end`, each node's nested connections read in full."""
        selected = selection(stream.selected_fields())
        variables = {"first": first, "query": self.search(stream, start, end)}
        for page in pages(stream.client, query, variables, (stream.root,)):
            records = [
                stream.from_node(stream.nested_pages.fetch_remaining(node, stream.graphql_type, selected))
                for node in page["nodes"]
            ]
            yield Page(records, page["pageInfo"]["hasNextPage"])


@dataclass(frozen=True)
class SortedWindow(Window):
    """Sorted by the replication key (`UPDATED_AT`; ties by id), so that the bookmark moves with each
    record and a run cut off anywhere resumes where it stopped."""

    is_sorted = True

    def sort_key(self, stream: ShopifyStream) -> str | None:
        return search_field(self.key(stream)).upper()

    def pages(self, stream: ShopifyStream, start: str | None, end: str) -> Iterator[dict[str, Any]]:
        """A first page alone (all an incremental run usually needs), then the rest of the window cut into
        slices of about equal time, read `page_concurrency` at a time and handed on in order, so that the
        stream stays sorted and its bookmark never passes a slice not read in full."""
        query = self.page_query(stream)
        concurrency = int(stream.config.get("page_concurrency") or 1)
        read = partial(self.slice, stream, query, page_size(query))
        yield from sliced_window(read, start, end, concurrency, key=self.key(stream))


@dataclass(frozen=True)
class UnsortedWindow(Window):
    """A root without a sort key for its replication key: each window is read whole, by id, and the
    bookmark moves when it is done."""


def start_every_backfill_export(stream: ShopifyStream) -> None:
    """Start every selected window stream's backfill export at once, on the first call (the first stream
    synced makes it), so that the shop exports every stream at once (5 bulk queries may run per shop)
    rather than one after the other; each stream takes its export up from its state in its turn, as a
    run that was cut off would. Only for backfills: with a bookmark, `bounds` moves the state
    (lookback) and must run once, in the stream's turn."""
    tap = stream.shop_tap
    if tap.backfill_exports_started:
        return
    tap.backfill_exports_started = True
    for stream_of_tap in tap.streams.values():
        reader = getattr(stream_of_tap, "reader", None)
        if not isinstance(reader, Window) or not reader.bulk:
            continue
        other = cast("ShopifyStream", stream_of_tap)  # the streams that declare a reader
        if not (other.selected or other.has_selected_descendents) or not other.is_read:
            continue
        if other.stream_state.get("replication_key_value") is not None or bulk_plan.OPERATION_ID in other.stream_state:
            continue
        start, end = reader.bounds(other, None)
        try:
            if window_bulk.use_bulk(reader, other, reader.search(other, start, end)):
                window_bulk.start_bulk(reader, other, start, end)
        except AccessDeniedError:
            pass  # reported in the stream's turn
        except ShopifyError as error:  # started in another stream's turn: name this one
            raise error.at(f"stream {other.name}") from None
