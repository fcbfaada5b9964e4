"""Fulfillment orders and fulfillments as the store keeps them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...store import Record, Store
from ..locations.models import primary_location

FINISHED = ("CLOSED", "CANCELLED", "INCOMPLETE")  # statuses a fulfillment order does not leave
Allocation = tuple[Record, Record, int]  # (fulfillment order, its line item, quantity fulfilled)


def new_fulfillment_order(
    store: Store,
    order: Record,
    quantities: Iterable[tuple[Record, int]],
    created: str,
    updated: str,
    fulfill_at: str,
    location: Record | None = None,
) -> Record:
    """An OPEN fulfillment order for (line item, quantity) pairs at `location` (the primary location if
    none), stored and added to the order's."""
    fo = store.new_record(
        "FulfillmentOrder",
        createdAt=created,
        updatedAt=updated,
        status="OPEN",
        requestStatus="UNSUBMITTED",
        fulfillAt=fulfill_at,
        _order=order,
        _location=location or primary_location(store),
        _holds=[],
        _progress_reported=False,
    )
    fo["_line_items"] = [
        store.new_record("FulfillmentOrderLineItem", totalQuantity=qty, remainingQuantity=qty, _line_item=li)
        for li, qty in quantities
    ]
    order.setdefault("_fulfillment_orders", []).append(store.put(fo))
    return fo


def new_fulfillment(
    store: Store, fos: list[Record], allocations: list[Allocation], tracking: list[dict[str, Any]], when: str
) -> Record:
    """A successful fulfillment of `allocations` from the distinct fulfillment orders `fos`, stored and added
    to their order's: the quantities leave the fulfillment orders' remainingQuantity and count as fulfilled
    on the order's line items."""
    order = fos[0]["_order"]
    by_line_item: dict[int, tuple[Record, int]] = {}
    for _fo, line, qty in allocations:
        line["remainingQuantity"] -= qty
        item = line["_line_item"]
        item["_fulfilled"] += qty
        by_line_item[item["_n"]] = (item, by_line_item.get(item["_n"], (item, 0))[1] + qty)
    for fo in fos:
        fo["status"] = "IN_PROGRESS" if any(li["remainingQuantity"] for li in fo["_line_items"]) else "CLOSED"
    fulfillment = store.new_record(
        "Fulfillment",
        name=f"{order['name']}-F{len(order['_fulfillments']) + 1}",
        createdAt=when,
        updatedAt=when,
        status="SUCCESS",
        displayStatus="FULFILLED",
        deliveredAt=None,
        inTransitAt=None,
        estimatedDeliveryAt=None,
        requiresShipping=any(item["requiresShipping"] for item, _qty in by_line_item.values()),
        _order=order,
        _fulfillment_order_ids=[fo["_n"] for fo in fos],
        trackingInfo=tracking,
    )
    fulfillment["_line_items"] = [
        store.new_record("FulfillmentLineItem", quantity=qty, _line_item=item) for item, qty in by_line_item.values()
    ]
    order["_fulfillments"].append(store.put(fulfillment))
    return fulfillment


def resting_status(fo: Record) -> str:
    """The status a fulfillment order returns to when nothing holds it: OPEN until part is fulfilled."""
    untouched = all(li["remainingQuantity"] == li["totalQuantity"] for li in fo["_line_items"])
    return "OPEN" if untouched else "IN_PROGRESS"


def split_off(store: Store, fo: Record, quantities: dict[int, int], location: Record | None) -> Record:
    """A new fulfillment order taking `quantities` ({line number: quantity}) out of `fo`, as Shopify splits
    one to hold or move part of it; lines left with nothing leave `fo`."""
    now = store.clock.now_iso()
    taken = []
    for line in fo["_line_items"]:
        quantity = quantities.get(line["_n"], 0)
        line["totalQuantity"] -= quantity
        line["remainingQuantity"] -= quantity
        if quantity:
            taken.append((line["_line_item"], quantity))
    fo["_line_items"] = [line for line in fo["_line_items"] if line["totalQuantity"]]
    return new_fulfillment_order(store, fo["_order"], taken, now, now, fo["fulfillAt"], location or fo["_location"])
