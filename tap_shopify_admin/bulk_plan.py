"""When a window is read by a bulk query rather than by pages, and the bulk operation a stream's state
remembers, so that a run cut off while it waited takes the operation up."""

from __future__ import annotations

import math
import sys
from typing import Any

from shopify_admin.bulk import BulkOperation, BulkRunner
from shopify_admin.cost import (
    BULK_OBJECTS_PER_SECOND,
    BULK_START_SECONDS,
    budget_rate,
    requested_cost,
    requests_rate,
)

from .documents import page_size

OPERATION_ID = "bulk_operation_id"  # stream state: the operation reading the window …
WINDOW_END = "bulk_window_end"  # … that ends there


def paged_by_budget(restore_rate: float, query: str) -> tuple[int, float]:
    """The page size of the page query `query`, and the objects a second that the plan's restore rate
    lets paging read, by the page's requested cost (Shopify's rule)."""
    first = page_size(query)
    return first, budget_rate(restore_rate, first, requested_cost(query, {"first": first}))


def bulk_threshold(*, restore_rate: float, query: str, concurrency: int, round_trip: float) -> int:
    """The window size above which a bulk query is done sooner than pages: paging reads `requests_rate`
    objects a second; a bulk query takes BULK_START_SECONDS plus its objects at BULK_OBJECTS_PER_SECOND."""
    first = page_size(query)
    cost = requested_cost(query, {"first": first})
    paged = requests_rate(
        restore_rate=restore_rate, per_request=first, cost=cost, concurrency=concurrency, round_trip=round_trip
    )
    if paged >= BULK_OBJECTS_PER_SECOND:
        return sys.maxsize
    return math.ceil(BULK_START_SECONDS / (1 / paged - 1 / BULK_OBJECTS_PER_SECOND))


def remember(state: dict[str, Any], operation_id: str, end: str) -> None:
    state.update({OPERATION_ID: operation_id, WINDOW_END: end})


def forget(state: dict[str, Any]) -> None:
    state.pop(OPERATION_ID, None)
    state.pop(WINDOW_END, None)


def resumed(runner: BulkRunner, state: dict[str, Any]) -> tuple[BulkOperation, str] | None:
    """The operation the state remembers, as it is now, and the end of its window; None (and the
    state forgets it) when there is none or Shopify no longer knows it."""
    operation_id = state.get(OPERATION_ID)
    if operation_id is None:
        return None
    operation = runner.poll(operation_id)
    if operation is None:
        forget(state)
        return None
    return operation, state[WINDOW_END]
