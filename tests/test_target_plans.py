"""The target's steps that need no shop: the order batches are written in, and what a record asks of the
object the shop holds (its plan), from records and looked-up objects given here."""

from __future__ import annotations

from typing import Any

from target_shopify_admin.drain_order import DrainOrder


def test_a_batch_is_written_after_the_waiting_batches_of_what_it_can_name() -> None:
    drained: list[Any] = []
    order = DrainOrder(drained.append)
    sinks = {kind: object() for kind in ("fulfillment", "order", "customer", "product", "other")}
    for kind, sink in sinks.items():
        order.add(sink, None if kind == "other" else kind)  # type: ignore[arg-type]
    order.drain_before("fulfillment")
    assert drained == [sinks["order"], sinks["customer"], sinks["product"], sinks["other"]]
    drained.clear()
    order.drain_before("order")
    assert drained == [sinks["customer"], sinks["product"], sinks["other"]]
    drained.clear()
    order.drain_before("customer")
    order.drain_before(None)
    assert drained == []
