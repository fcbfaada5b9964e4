"""The leaky bucket of cost points that each access token's queries are charged to."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from shopify_admin.cost import PLANS as SHOPIFY_PLANS

# restore rate (points/s), bucket size: Shopify's plans, and one that never throttles
PLANS: dict[str, tuple[float, float]] = {**SHOPIFY_PLANS, "unlimited": (1_000_000, 1_000_000)}


@dataclass
class Bucket:
    """Leaky bucket of cost points: drains at `restore_rate` toward `size`."""

    restore_rate: float
    size: float
    level: float = -1
    stamp: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.level < 0:
            self.level = self.size

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.size, self.level + (now - self.stamp) * self.restore_rate)
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
