"""Time windows: the searches that bound a read by `updatedAt` (or `createdAt`), the window's end
(search lag, `end_date`) and the slices a paged window is read in, concurrently and in order."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from shopify_admin.search import quoted

from .read_ahead import in_order


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    more: bool  # the window holds more after these


def shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def search_field(key: str) -> str:
    """The search field of the replication key `key`: `updatedAt` → `updated_at`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


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


def sliced_window(
    read: Callable[[str | None, str], Iterator[Page]],
    start: str | None,
    end: str,
    concurrency: int,
    key: str = "updatedAt",
) -> Iterator[dict[str, Any]]:
    """The records of `start`…`end` in order, `read(low, high)` giving a slice's pages: a first page alone
    (all an incremental run usually needs), then the rest of the window cut into `time_slices`, read
    `concurrency` at a time and handed on in order, without the records of the first page's last second,
    where the slices start, that it already gave."""
    opening = next(read(start, end))  # lazy: the slice's second page is not read
    yield from opening.records
    if not opening.more:
        return
    resume = opening.records[-1][key]
    already = {r["id"] for r in opening.records if r[key] == resume}
    slices = time_slices(opening.records[0][key], resume, end, concurrency)
    reads = [partial(read, low, high) for low, high in slices]
    for page in in_order(reads, concurrency):
        yield from (r for r in page.records if r[key] != resume or r["id"] not in already)
