"""The base stream: pages one Admin API connection by `updatedAt` windows through the shared client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from graphql import FieldNode, SelectionSetNode, parse, print_ast
from singer_sdk import Stream
from typing_extensions import override

from .graphql_schema import record_schema

if TYPE_CHECKING:
    from shopify_admin import ShopifyAdminClient

    from .tap import TapShopifyAdmin

ALWAYS_SELECTED = {"id", "updatedAt"}


def shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ShopifyStream(Stream):
    """One top-level connection (`customers`, `orders`, …) read in `updatedAt` order."""

    graphql_type: ClassVar[str]
    root: ClassVar[str]
    fields: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]  # type: ignore[misc]
    replication_key = "updatedAt"
    is_sorted = True
    page_size: ClassVar[int] = 100

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap, schema=record_schema(self.graphql_type, self.fields))
        self._tap_ref = tap

    @property
    def client(self) -> ShopifyAdminClient:
        return self._tap_ref.client

    def selected_fields(self) -> str:
        """The stream's selection without the top-level fields the catalog deselects."""
        selection = parse(f"{{ {self.fields} }}").definitions[0].selection_set  # type: ignore[attr-defined]
        kept = tuple(
            sel
            for sel in selection.selections
            if isinstance(sel, FieldNode)
            and (sel.name.value in ALWAYS_SELECTED or self.mask.get(("properties", sel.name.value), True))
        )
        return print_ast(SelectionSetNode(selections=kept))[1:-1].strip()

    def page_query(self) -> str:
        name = self.name.title().replace("_", "")
        return print_ast(
            parse(
                f"query {name}Page($first: Int!, $after: String, $query: String) {{"
                f" {self.root}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{"
                f" nodes {{ {self.selected_fields()} }} pageInfo {{ hasNextPage endCursor }} }} }}"
            )
        )

    def window(self, context: Mapping[str, Any] | None) -> str:
        """`updated_at:>=A AND updated_at:<B`: from the bookmark (inclusive, so records sharing the
        bookmark's second are read again rather than lost) to the sync's start at the latest."""
        start = self.get_starting_timestamp(context)
        end = min(self._tap_ref.sync_started, self._tap_ref.end_date or self._tap_ref.sync_started)
        terms = [f"updated_at:<'{shopify_time(end)}'"]
        if start is not None:
            terms.insert(0, f"updated_at:>='{shopify_time(start)}'")
        return " AND ".join(terms)

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        query = self.page_query()
        variables: dict[str, Any] = {"first": self.page_size, "query": self.window(context), "after": None}
        while True:
            page = self.client.execute(query, variables)[self.root]
            yield from page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            variables["after"] = page["pageInfo"]["endCursor"]
