"""A connection of each record of a parent stream (a location's inventory levels), each parent a state
partition with its own bookmark, read by pages or, for a backfill, by a bulk query of that parent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.search import quoted

from ..bulk_plan import BULK_START_SECONDS, paged_by_budget
from ..documents import page_size
from ..windows import shopify_time, window_end

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


@dataclass(frozen=True)
class Partitions:
    """`parent(id: $id) { connection(query: …) }` for each parent the SDK hands over as the context
    `key`. The connection takes no sort key: a partition's bookmark is written once its parent is read
    in full. `parents` (with `parent_arguments`) lists the parents in a bulk query; a backfill is read in
    bulk when `size_count` (a `…Count` root) counts more objects than the budget pages in
    BULK_START_SECONDS."""

    key: str  # e.g. `location_id`
    parent: str  # the root that takes the parent's id, e.g. `location`
    parents: str  # the root that lists the parents, e.g. `locations`
    parent_arguments: str
    connection: str  # e.g. `inventoryLevels`
    size_count: str  # e.g. `productVariantsCount`: about as many objects as a parent holds at most
    is_sorted = False

    def page_query(self, stream: ShopifyStream) -> str:
        return (
            f"query {stream.operation_name}Page($id: ID!, $first: Int!, $after: String, $query: String) {{"
            f" {self.parent}(id: $id) {{ {self.connection}(first: $first, after: $after, query: $query) {{"
            f" nodes {{ {stream.selected_fields()} }} {PAGE_INFO} }} }} }}"
        )

    def bulk_query(self, stream: ShopifyStream, parent_id: str, search: str) -> str:
        number = parent_id.rsplit("/", 1)[-1]
        return (
            f"{{ {self.parents}(query: {json.dumps(f'id:{number}')}, {self.parent_arguments}) {{"
            f" edges {{ node {{ id {self.connection}(query: {json.dumps(search)}) {{"
            f" edges {{ node {{ {stream.selected_fields(bulk=True)} }} }} }} }} }} }} }}"
        )

    def window(self, stream: ShopifyStream, context: Mapping[str, Any]) -> str:
        """From the partition's bookmark, exclusive, or `start_date`, inclusive, to the sync's start, exclusive.
        The bookmark is only written once a parent is read in full, and every object then updated in its
        second had been read: a later change moves updatedAt to the sync's start or after."""
        tap = stream.shop_tap
        end = f"updated_at:<{quoted(window_end(tap.sync_started, 0, tap.end_date))}"
        bookmark = stream.get_context_state(context).get("replication_key_value")
        if bookmark is not None:
            return f"updated_at:>{quoted(bookmark)} AND {end}"
        start = stream.get_starting_timestamp(context)
        return f"updated_at:>={quoted(shopify_time(start))} AND {end}" if start else end

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        assert context is not None, f"{stream.name} is read per {self.key}"
        parent_id, search = context[self.key], self.window(stream, context)
        if self.use_bulk(stream, context):
            yield from self.bulk_records(stream, parent_id, search)
        else:
            yield from self.pages(stream, parent_id, search)

    def pages(self, stream: ShopifyStream, parent_id: str, search: str) -> Iterator[dict[str, Any]]:
        query = self.page_query(stream)
        variables = {"id": parent_id, "query": search, "first": page_size(query)}
        # none once the parent is deleted since the parents were read
        for page in pages(stream.client, query, variables, (self.parent, self.connection)):
            yield from page["nodes"]

    def use_bulk(self, stream: ShopifyStream, context: Mapping[str, Any]) -> bool:
        """`bulk: auto` reads a partition's backfill (no bookmark yet) by a bulk query when `size_count`
        counts more objects than the cost budget pages through in BULK_START_SECONDS."""
        mode = stream.config.get("bulk", "auto")
        if mode != "auto":
            return mode == "always"
        if stream.get_context_state(context).get("replication_key_value") is not None:
            return False
        _, per_second = paged_by_budget(stream.client.throttle.restore_rate, self.page_query(stream))
        counted = stream.client.execute(f"query {stream.operation_name}Size {{ {self.size_count} {{ count }} }}")
        return int(counted[self.size_count]["count"]) > BULK_START_SECONDS * per_second

    def bulk_records(self, stream: ShopifyStream, parent_id: str, search: str) -> Iterator[dict[str, Any]]:
        """The parent's objects from a bulk query's file, each a record of its own rather than a list in
        its parent's, so that memory stays flat however many there are; by pages if the operation did
        not complete (nothing of it was emitted)."""
        runner = stream.shop_tap.bulk_runner
        operation = runner.wait(runner.start(self.bulk_query(stream, parent_id, search)))
        if operation.status != "COMPLETED":
            stream.logger.warning("Bulk operation %s ended %s: reading by pages", operation.id, operation.status)
            yield from self.pages(stream, parent_id, search)
            return
        yield from runner.records(operation, {}, root_type=stream.graphql_type)
