"""Client side of Shopify's cost bucket: wait before sending rather than retry after THROTTLED.

Every answer reports `throttleStatus`; between answers the bucket is predicted to refill at the
restore rate. One instance is shared by every stream or sink of a run, across threads: points spent
on requests still in flight are taken off what an answer reports, since Shopify had not charged them
yet when it answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .cost import PLANS


class CostThrottle:
    def __init__(
        self,
        tier: str = "standard",
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if tier not in PLANS:
            raise ValueError(f"user_tier must be one of {', '.join(PLANS)}, not {tier!r}")
        self.restore_rate, self.maximum = PLANS[tier]
        self.available = self.maximum
        self._clock, self._sleep = clock, sleep
        self._stamp = clock()
        self._lock = threading.Lock()
        self._in_flight = 0.0  # points acquired by requests not answered yet
        self._waited = 0.0  # see `waited`
        self._waiting, self._waiting_since = 0, 0.0  # requests waiting now, and since when one has been

    def _predicted(self, now: float) -> float:
        return min(self.maximum, self.available + (now - self._stamp) * self.restore_rate)

    def acquire(self, cost: float) -> float:
        """Block until `cost` points are predicted to be available, then spend them. They are in flight
        until `observe` is told of them; returns how many that is."""
        cost = min(cost, self.maximum)
        while True:
            with self._lock:
                now = self._clock()
                predicted = self._predicted(now)
                if predicted >= cost:
                    self.available, self._stamp = predicted - cost, now
                    self._in_flight += cost
                    return cost
                wait = (cost - predicted) / self.restore_rate
                self._waiting += 1
                if self._waiting == 1:
                    self._waiting_since = now
            self._sleep(wait)
            with self._lock:
                self._waiting -= 1
                if self._waiting == 0:
                    self._waited += self._clock() - self._waiting_since

    @property
    def waited(self) -> float:
        """Seconds during which some request waited for points, the present wait included: wall time, however
        many waited at once (concurrent writers may never all stop waiting)."""
        with self._lock:
            return self._waited + (self._clock() - self._waiting_since if self._waiting else 0.0)

    def observe(self, status: dict[str, Any] | None, landed: float = 0.0) -> None:
        """A request that spent `landed` points is over. Take Shopify's word for the bucket's state, if
        its answer gave one (it also tells the real plan's budget), less what is still in flight."""
        with self._lock:
            self._in_flight = max(0.0, self._in_flight - landed)
            if not status:
                return
            self.maximum = float(status.get("maximumAvailable") or self.maximum)
            self.restore_rate = float(status.get("restoreRate") or self.restore_rate)
            reported = float(status.get("currentlyAvailable", self.available + self._in_flight))
            self.available = reported - self._in_flight
            self._stamp = self._clock()

    def seconds_until(self, cost: float) -> float:
        with self._lock:
            return max(0.0, (min(cost, self.maximum) - self._predicted(self._clock())) / self.restore_rate)
