"""The tap's pure parts, without an emulator: documents rendered from a selection, window bounds, the
bulk threshold and its state, the merge of deletions after the bookmark, and the remaining nested pages
read through a fake shop."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import parse, validate
from singer_sdk.exceptions import InvalidStreamSortException

from shopify_admin.bulk import BulkOperation
from shopify_admin.cost import requested_cost
from shopify_admin.schema import admin_schema
from tap_shopify_admin import bulk_plan
from tap_shopify_admin.deletions import IDS_AT_BOOKMARK, LAST_ID_AT_BOOKMARK, merged_after_bookmark
from tap_shopify_admin.documents import (
    bulk_connections,
    bulk_query,
    fill_query,
    list_connections,
    nested_page_query,
    page_query,
    render,
    selection,
)
from tap_shopify_admin.nested_pages import NestedPages
from tap_shopify_admin.readers.window import SortedWindow, UnsortedWindow
from tap_shopify_admin.windows import Page, search, search_field, sliced_window, window_end

ORDER = """
    id updatedAt lineItems(first: 2) { nodes { id sku } }
    fulfillments { id fulfillmentLineItems(first: 3) { nodes { id } } }
"""


def order(number: int, at: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"gid://shopify/Order/{number}", "updatedAt": at, **extra}


def test_paged_documents_select_page_info_and_bulk_ones_edges() -> None:
    paged = render(admin_schema().type_map["Order"], selection(ORDER))
    bulk = render(admin_schema().type_map["Order"], selection(ORDER), bulk=True)
    assert "lineItems(first: 2) { nodes { id sku } pageInfo { hasNextPage endCursor } }" in paged
    assert "lineItems { edges { node { id sku } } }" in bulk
    assert "fulfillmentLineItems" not in bulk  # a connection inside a list: filled afterwards
    for document in (
        page_query("Orders", "orders", "sortKey: UPDATED_AT", paged),
        bulk_query("orders", search("updated_at", None, "2026-01-01T00:00:00Z"), "", bulk),
        nested_page_query("Orders", "Order", "lineItems", "LineItem", selection("id sku")),
        fill_query("Orders", "Fulfillment", selection("fulfillmentLineItems(first: 3) { nodes { id } }")),
    ):
        assert validate(admin_schema(), parse(document)) == [], document


def test_connections_are_found_for_bulk_lines_and_inside_lists() -> None:
    assert bulk_connections("Order", selection(ORDER)) == {"Order": {"LineItem": "lineItems"}}
    (found,) = list_connections("Order", selection(ORDER))
    assert (found.key, found.item_type) == ("fulfillments", "Fulfillment")
    assert [s.name.value for s in found.connections.selections] == ["fulfillmentLineItems"]  # type: ignore[attr-defined]


def test_bulk_lines_without_an_id_go_in_their_parents_one_connection_of_such_nodes() -> None:
    """A discount application has no id, so its bulk line is told apart by having none."""
    fields = "id shippingLines(first: 5) { nodes { id } } discountApplications(first: 5) { nodes { index } }"
    found = bulk_connections("Order", selection(fields))
    assert found == {"Order": {"ShippingLine": "shippingLines", "": "discountApplications"}}
    with pytest.raises(ValueError, match="cannot be told apart"):
        bulk_connections("Order", selection(f"{fields} more: discountApplications(first: 5) {{ nodes {{ index }} }}"))


def test_a_window_ends_at_the_search_lag_or_the_end_date() -> None:
    started = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert window_end(started, 60, None) == "2026-05-01T11:59:00Z"
    assert window_end(started, 0, datetime(2026, 4, 1, tzinfo=UTC)) == "2026-04-01T00:00:00Z"
    assert search("updated_at", None, "2026-05-01T11:59:00Z") == 'updated_at:<"2026-05-01T11:59:00Z"'
    assert search("created_at", "A", "B") == 'created_at:>="A" AND created_at:<"B"'


def test_a_window_searches_and_sorts_by_its_replication_key() -> None:
    assert search_field("updatedAt") == "updated_at" and search_field("createdAt") == "created_at"
    events = SimpleNamespace(name="events", replication_key="createdAt")
    assert SortedWindow().search(events, "A", "B") == 'created_at:>="A" AND created_at:<"B"'  # type: ignore[arg-type]
    assert SortedWindow().sort_key(events) == "CREATED_AT"  # type: ignore[arg-type]
    assert UnsortedWindow().sort_key(events) is None  # type: ignore[arg-type]


def test_the_bulk_threshold_and_the_operation_in_the_state() -> None:
    query = page_query("Customers", "customers", "sortKey: UPDATED_AT", "id updatedAt firstName")
    first, by_budget = bulk_plan.paged_by_budget(100, query)
    assert first == 250 and by_budget == 100 * 250 / requested_cost(query, {"first": 250})
    paged = min(by_budget, 4 * 250 / 0.2)  # by the budget or by 4 requests in flight, 0.2 s each
    threshold = bulk_plan.bulk_threshold(restore_rate=100, query=query, concurrency=4, round_trip=0.2)
    assert threshold == math.ceil(10 / (1 / paged - 1 / 2000))  # a bulk query: 10 s, then 2,000 objects a second
    assert bulk_plan.bulk_threshold(restore_rate=1e6, query=query, concurrency=4, round_trip=0.01) > 1e9
    state: dict[str, Any] = {"replication_key_value": "X"}
    bulk_plan.remember(state, "gid://shopify/BulkOperation/1", "2026-01-01T00:00:00Z")
    assert state[bulk_plan.OPERATION_ID] == "gid://shopify/BulkOperation/1"
    bulk_plan.forget(state)
    assert state == {"replication_key_value": "X"}


class Runner:
    """Knows the operations in `known`."""

    def __init__(self, *known: str) -> None:
        self.known = known

    def poll(self, operation_id: str) -> BulkOperation | None:
        known = operation_id in self.known
        return BulkOperation.from_api({"id": operation_id, "status": "RUNNING"}) if known else None


def test_an_operation_in_the_state_is_taken_up_while_shopify_knows_it() -> None:
    state: dict[str, Any] = {}
    assert bulk_plan.resumed(Runner(), state) is None  # type: ignore[arg-type]
    bulk_plan.remember(state, "gid://shopify/BulkOperation/1", "2026-01-01T00:00:00Z")
    taken = bulk_plan.resumed(Runner("gid://shopify/BulkOperation/1"), state)  # type: ignore[arg-type]
    assert taken is not None and taken[0].status == "RUNNING" and taken[1] == "2026-01-01T00:00:00Z"
    assert bulk_plan.resumed(Runner(), state) is None  # type: ignore[arg-type]
    assert state == {}


def test_deletions_merge_in_order_after_the_ids_already_emitted_in_the_bookmarks_second() -> None:
    state = {"replication_key_value": "2026-01-01T00:00:01Z", LAST_ID_AT_BOOKMARK: 2, IDS_AT_BOOKMARK: ["x"]}
    records = [order(1, "2026-01-01T00:00:01Z"), order(3, "2026-01-01T00:00:01Z"), order(4, "2026-01-01T00:00:05Z")]
    deleted = [{**order(9, "2026-01-01T00:00:02Z"), "_sdc_deleted_at": "2026-01-01T00:00:02Z"}]
    merged = list(merged_after_bookmark("orders", records, deleted, state, deletable=True))
    assert [(r["id"].rsplit("/", 1)[1], r["_sdc_deleted_at"]) for r in merged] == [
        ("3", None),
        ("9", "2026-01-01T00:00:02Z"),
        ("4", None),
    ]
    assert state[LAST_ID_AT_BOOKMARK] == 4 and IDS_AT_BOOKMARK not in state


def test_only_a_sorted_stream_is_held_to_its_order() -> None:
    records = [order(2, "2026-01-01T00:00:05Z"), order(1, "2026-01-01T00:00:01Z")]
    with pytest.raises(InvalidStreamSortException):
        list(merged_after_bookmark("orders", records, [], {}, deletable=False))
    unsorted = merged_after_bookmark("inventory_items", records, [], {}, deletable=False, in_order=False)
    assert [r["id"] for r in unsorted] == [r["id"] for r in records]


class Shop:
    """Answers the later pages of an order's line items, one a page."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        assert variables is not None and "node(id: $id)" in query
        self.sent.append(dict(variables))
        at = int(variables["after"])
        page = {"nodes": [{"id": f"L{at}", "sku": None}], "pageInfo": {"hasNextPage": at < 3, "endCursor": str(at + 1)}}
        return {"node": {"lineItems": page}}


def test_the_remaining_nested_pages_are_read_and_the_connection_becomes_a_list() -> None:
    shop = Shop()
    first = {"nodes": [{"id": "L0", "sku": "a"}], "pageInfo": {"hasNextPage": True, "endCursor": "1"}}
    record = order(1, "2026-01-01T00:00:01Z", lineItems=first, fulfillments=[])
    NestedPages(shop, "Orders").fetch_remaining(record, "Order", selection(ORDER))  # type: ignore[arg-type]
    assert [item["id"] for item in record["lineItems"]] == ["L0", "L1", "L2", "L3"]
    assert [sent["after"] for sent in shop.sent] == ["1", "2", "3"]
    assert all(sent["id"] == "gid://shopify/Order/1" for sent in shop.sent)


def test_a_sliced_window_gives_the_first_page_then_the_slices_in_order_without_repeats() -> None:
    """Customers one a second from 00:00:00 to 00:00:09, two in 00:00:03; pages of three."""
    at = [f"2026-01-01T00:00:0{s}Z" for s in (0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9)]
    shop = [{"id": f"C{n}", "updatedAt": t} for n, t in enumerate(at)]
    asked: list[tuple[str | None, str]] = []

    def read(low: str | None, high: str) -> Iterator[Page]:
        asked.append((low, high))
        found = [r for r in shop if (low is None or r["updatedAt"] >= low) and r["updatedAt"] < high]
        for page in range(0, len(found), 3):
            yield Page(found[page : page + 3], page + 3 < len(found))

    end = "2026-01-01T00:00:10Z"
    assert [r["id"] for r in sliced_window(read, None, end, 2)] == [r["id"] for r in shop]
    assert asked[0] == (None, end)
    slices = [(str(low), high) for low, high in asked[1:]]
    assert slices == sorted(slices) and all(low < high for low, high in slices)
    assert asked[1][0] == "2026-01-01T00:00:02Z" and asked[-1][1] == end


def test_a_window_one_page_long_is_read_by_one_request() -> None:
    asked: list[str | None] = []

    def read(low: str | None, high: str) -> Iterator[Page]:
        asked.append(low)
        yield Page([{"id": "C1", "updatedAt": "2026-01-01T00:00:00Z"}], False)

    assert [r["id"] for r in sliced_window(read, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", 4)] == ["C1"]
    assert asked == ["2026-01-01T00:00:00Z"]
