"""The order batches are written in: an order can name a customer or product written in the same run,
a fulfillment an order, an event a fulfillment, so a batch is written only after the waiting batches of
what it can name."""

from __future__ import annotations

from collections.abc import Callable

from singer_sdk import Sink

DEPENDENCY_RANK = {
    "customer": 0,
    "product": 0,
    "order": 1,
    "inventory_item": 1,  # the items of products written first
    "inventory_level": 1,
    "fulfillment": 2,
    "fulfillment_event": 3,  # names a fulfillment
    "fulfillment_order_action": 3,  # names a fulfillment order, which orders and fulfillments change
}


class DrainOrder:
    def __init__(self, drain: Callable[[Sink], None]) -> None:
        self.drain = drain  # the target's: writes a sink's waiting batch, if any
        self.sinks: list[tuple[Sink, int]] = []  # every sink of the run (the SDK forgets one whose schema changed)

    def add(self, sink: Sink, kind: str | None) -> None:
        self.sinks.append((sink, rank(kind)))

    def drain_before(self, kind: str | None) -> None:
        """Write the waiting batches of every object a batch of `kind` can name."""
        for sink, earlier in self.sinks:
            if earlier < rank(kind):
                self.drain(sink)


def rank(kind: str | None) -> int:
    return DEPENDENCY_RANK.get(kind or "", 0)
