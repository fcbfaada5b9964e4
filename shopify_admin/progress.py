"""Progress lines for a person watching a long run: about every PROGRESS_EVERY seconds, one log line per
stream, bulk operation or sink, a short sentence then `key=value` pairs (values without spaces), e.g.

    Progress: stream=orders records=12000 of=100000 records_per_s=400.0 left_s=220 elapsed_s=30
    points_per_s=98.1 restore_rate=100 throttle_wait_s=12.3

(on one line). The SDK's own metrics come once a minute at best and say nothing of the cost budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ShopifyError

if TYPE_CHECKING:
    from .client import ShopifyAdminClient

PROGRESS_EVERY = 10.0  # seconds between two lines about the same thing
T = TypeVar("T")


class Progress:
    """Counts what one stream, bulk operation or sink has done and logs a line when one is due. The cost
    figures are the client's over the same time: points spent per second, against the restore rate, and
    seconds spent waiting for the throttle."""

    def __init__(
        self,
        logger: logging.Logger,
        client: ShopifyAdminClient,
        labels: dict[str, str],
        *,
        unit: str = "records",
        total: Callable[[], int | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.client, self.labels, self.unit = logger, client, labels, unit
        self.done = 0
        self.outcomes: Counter[str] = Counter()
        self.status: str | None = None
        self._count_total = total  # asked when the first line is due: a short run never pays for it
        self._total: int | None = None
        self._clock = clock
        self._started = clock()
        self._first: float | None = None  # when the first record came: the rate counts from there, not from
        # the start, which a bulk read spends waiting for its operation
        self._due = self._started + PROGRESS_EVERY
        self._points, self._waited = client.points_used, client.throttle.waited
        self._lock = threading.Lock()  # sinks write from several threads

    def advance(self, n: int = 1, outcome: str | None = None) -> None:
        with self._lock:
            self._started_counting()
            self.done += n
            if outcome:
                self.outcomes[outcome] += n
        self._log_if_due()

    def reached(self, done: int, status: str) -> None:
        """For what reports its own count and status (a bulk operation)."""
        self._started_counting()
        self.done, self.status = done, status
        self._log_if_due()

    def _started_counting(self) -> None:
        if self._first is None:
            self._first = self._clock()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            self.advance()

    def _log_if_due(self) -> None:
        now = self._clock()
        with self._lock:
            if now < self._due:
                return
            self._due = now + PROGRESS_EVERY
        if self._count_total is not None:
            count, self._count_total = self._count_total, None
            try:
                self._total = count()
            except ShopifyError as exc:  # the lines go on without a total; the run must not stop for one
                self.logger.warning("No total for the progress of %s: %s", self.labels, exc)
        self.logger.info("Progress: %s", " ".join(f"{key}={value}" for key, value in self.fields(now).items()))

    def fields(self, now: float) -> dict[str, Any]:
        elapsed = max(now - self._started, 1e-9)
        counting = now - (now if self._first is None else self._first)
        rate = self.done / counting if counting > 0 else 0.0
        fields: dict[str, Any] = dict(self.labels)
        if self.status:
            fields["status"] = self.status
        fields[self.unit] = self.done
        if self._total is not None:
            fields["of"] = self._total
        fields.update(sorted(self.outcomes.items()))
        fields[f"{self.unit}_per_s"] = f"{rate:.1f}"
        if self._total is not None and rate > 0:
            fields["left_s"] = round(max(0, self._total - self.done) / rate)
        fields["elapsed_s"] = round(elapsed)
        fields["points_per_s"] = f"{(self.client.points_used - self._points) / elapsed:.1f}"
        fields["restore_rate"] = f"{self.client.throttle.restore_rate:g}"
        fields["throttle_wait_s"] = f"{self.client.throttle.waited - self._waited:.1f}"
        return fields
