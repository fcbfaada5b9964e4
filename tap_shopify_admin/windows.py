"""Time windows: the searches that bound a read by `updatedAt` (or `createdAt`), the window's end
(search lag, `end_date`) and the slices a paged window is read in. Pure."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from shopify_admin.search import quoted


def shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def search(field: str, start: str | None, end: str) -> str:
    """Shopify's search for `start` (inclusive, if any) to `end` (exclusive) on `field`."""
    return " AND ".join(([f"{field}:>={quoted(start)}"] if start else []) + [f"{field}:<{quoted(end)}"])


def window_end(sync_started: datetime, search_lag: float, end_date: datetime | None) -> str:
    """`search_lag` seconds before the sync's start, or `end_date` if earlier: Shopify's search shows a
    change only after a while, and a change it missed must not fall behind the bookmark."""
    searchable = sync_started - timedelta(seconds=search_lag)
    return shopify_time(min(searchable, end_date or searchable))


def time_slices(origin: str, resume: str, end: str, concurrency: int) -> list[tuple[str, str]]:
    """`resume`…`end` cut into contiguous slices of whole seconds, as many as the pages a first page that
    spanned `origin`…`resume` suggests are left, from one up to four per concurrent read."""
    low, high = moment(resume), moment(end)
    left = (high - low).total_seconds()
    covered = (low - moment(origin)).total_seconds()
    wanted = math.ceil(left / covered) if covered > 0 else 4 * concurrency
    count = max(1, min(4 * concurrency, wanted, int(left)))
    bounds = sorted({shopify_time(low + timedelta(seconds=round(i * left / count))) for i in range(count)})
    return list(zip(bounds, [*bounds[1:], end], strict=True))
