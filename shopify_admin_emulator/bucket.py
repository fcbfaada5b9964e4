"""The leaky bucket of cost points that each access token's queries are charged to."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopify_admin.cost import PLANS as SHOPIFY_PLANS

# restore rate (points/s), bucket size: Shopify's plans, and one that never throttles
PLANS: dict[str, tuple[float, float]] = {**SHOPIFY_PLANS, "unlimited": (1_000_000, 1_000_000)}


@dataclass
class Bucket:
    """Leaky bucket of cost points: drains at `restore_rate` toward `size`, in the seconds of `clock` (the
    shop's, which tests move on rather than wait)."""

    restore_rate: float
    size: float
    clock: Callable[[], float] = time.monotonic
    level: float = -1
    stamp: float = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.level < 0:
            self.level = self.size
        self.stamp = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        # a clock moved back restores nothing, and takes nothing back
        self.level = min(self.size, self.level + max(0.0, now - self.stamp) * self.restore_rate)
        self.stamp = now

    def take(self, points: float) -> bool:
        with self.lock:
            self._refill()
            if points > self.level:
                return False
            self.level -= points
            return True

    def give_back(self, points: float) -> None:
        with self.lock:
            self._refill()
            self.level = min(self.size, self.level + points)

    def status(self) -> dict[str, Any]:
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": int(self.size),
                "currentlyAvailable": int(self.level),
                "restoreRate": int(self.restore_rate),
            }
