"""The order batches are written in: an order can name a customer or product written in the same run,
a fulfillment an order, an event a fulfillment, so a batch is written only after the waiting batches of
what it can name."""

from __future__ import annotations

from collections.abc import Callable

from singer_sdk import Sink

from target_shopify_admin.objects import object_kinds


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
    """The object's declared rank; a stream that maps to no object fails each record, at rank 0."""
    declared = object_kinds().get(kind or "")
    return declared.rank if declared else 0
