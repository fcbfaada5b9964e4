"""fulfillmentCreate / fulfillmentTrackingInfoUpdate / fulfillmentCancel, validated and worded as Shopify
answers them in the captured calls (../shared/shopify-captures/*/orders and */fulfillments).

A fulfillment takes quantities out of its fulfillment orders' remainingQuantity and never more than
remains, so re-running the same fulfillmentCreate is refused instead of fulfilling twice.
"""

from __future__ import annotations

from typing import Any

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...search import parse_time
from ...store import Record, Store
from ..inventory.models import release_stock
from ..orders.mutations import archive_if_done, open_fulfillment_order, touch_order
from ..orders.reads import fulfillment_status
from .models import Allocation, new_fulfillment, resting_status

Errors = list[dict[str, Any]]

FULFILLABLE = ("OPEN", "IN_PROGRESS")


def tracking_entries(given: dict[str, Any] | None) -> list[dict[str, Any]]:
    """FulfillmentTrackingInput → FulfillmentTrackingInfo rows; `numbers`/`urls` pair up by position."""
    if not given:
        return []
    numbers = given.get("numbers") or ([given["number"]] if given.get("number") else [])
    urls = given.get("urls") or ([given["url"]] if given.get("url") else [])
    company = given.get("company")
    if not numbers:
        return [{"company": company, "number": None, "url": urls[0] if urls else None}] if company or urls else []
    return [{"company": company, "number": n, "url": urls[i] if i < len(urls) else None} for i, n in enumerate(numbers)]


# fulfillmentCreate -------------------------------------------------------------------------------
def _quantity_errors(groups: list[dict[str, Any]]) -> Errors:
    return [
        user_error(
            ["fulfillment", "lineItemsByFulfillmentOrder", str(i), "fulfillmentOrderLineItems", str(j), "quantity"],
            "Quantity must be greater than 0",
        )
        for i, group in enumerate(groups)
        for j, row in enumerate(group.get("fulfillmentOrderLineItems") or [])
        if row["quantity"] <= 0
    ]


def _fulfillment_orders(ctx: Context, groups: list[dict[str, Any]]) -> list[Record] | dict[str, Any]:
    """The groups' fulfillment orders, or the error that stops them being fulfilled together."""
    fos = [find(ctx, g["fulfillmentOrderId"], "FulfillmentOrder") for g in groups]
    found = [fo for fo in fos if fo is not None]
    if len(found) < len(fos):
        return user_error(["fulfillment"], "Fulfillment order does not exist.")
    order_ids = sorted({fo["_order"]["_n"] for fo in found})
    if len(order_ids) > 1:
        ids = ", ".join(map(str, order_ids))
        return user_error(
            ["fulfillment"],
            f"All fulfillment orders must belong to the same order. Multiple orders with ids [{ids}] were found.",
        )
    for fo in found:
        if fo["status"] not in FULFILLABLE:
            return user_error(
                ["fulfillment"], f"Fulfillment order {fo['_n']} has an unfulfillable status= {fo['status'].lower()}."
            )
    return found


def _allocations(groups: list[dict[str, Any]], fos: list[Record]) -> list[Allocation] | dict[str, Any]:
    """What each group asks for; a group without line items asks for everything that remains."""
    wanted: dict[int, Allocation] = {}
    for group, fo in zip(groups, fos, strict=True):
        rows = group.get("fulfillmentOrderLineItems")
        if rows is None:
            for line in fo["_line_items"]:
                if line["remainingQuantity"] > 0:
                    wanted[line["_n"]] = (fo, line, line["remainingQuantity"])
            continue
        for row in rows:
            line = next((li for li in fo["_line_items"] if li["id"] == row["id"]), None)
            if line is None:
                return user_error(["fulfillment"], "Fulfillment order line item does not exist.")
            before = wanted.get(line["_n"], (fo, line, 0))[2]
            wanted[line["_n"]] = (fo, line, before + row["quantity"])
    if any(qty > line["remainingQuantity"] for _fo, line, qty in wanted.values()):
        return user_error(["fulfillment"], "Invalid fulfillment order line item quantity requested.")
    return list(wanted.values())


def _fulfill(store: Store, fos: list[Record], allocations: list[Allocation], tracking: list[dict[str, Any]]) -> Record:
    order = fos[0]["_order"]
    distinct = list({fo["_n"]: fo for fo in fos}.values())  # two groups may name the same fulfillment order
    fulfillment = new_fulfillment(store, distinct, allocations, tracking, store.clock.now_iso())
    fulfillment["_allocations"] = allocations
    for _fo, line, qty in allocations:
        release_stock(store, line["_line_item"], qty, shipped=True)
    archive_if_done(store, order)
    touch_order(store, order, *fos)
    return fulfillment


@resolves("Mutation.fulfillmentCreate")
def fulfillment_create(
    _root: Any, ctx: Context, fulfillment: dict[str, Any], message: str | None = None
) -> dict[str, Any]:
    groups = fulfillment["lineItemsByFulfillmentOrder"]
    errors = _quantity_errors(groups)
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    fos = _fulfillment_orders(ctx, groups)
    if isinstance(fos, dict):
        return {"fulfillment": None, "userErrors": [fos]}
    allocations = _allocations(groups, fos)
    if isinstance(allocations, dict):
        return {"fulfillment": None, "userErrors": [allocations]}
    created = _fulfill(ctx.store, fos, allocations, tracking_entries(fulfillment.get("trackingInfo")))
    return {"fulfillment": created, "userErrors": []}


# fulfillmentTrackingInfoUpdate -------------------------------------------------------------------
@resolves("Mutation.fulfillmentTrackingInfoUpdate")
def fulfillment_tracking_info_update(
    _root: Any, ctx: Context, fulfillmentId: str, trackingInfoInput: dict[str, Any], notifyCustomer: bool | None = None
) -> dict[str, Any]:
    """Shopify accepts new tracking on a cancelled fulfillment too."""
    fulfillment = find(ctx, fulfillmentId, "Fulfillment")
    if fulfillment is None:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillmentId"], "Fulfillment does not exist.")]}
    fulfillment["trackingInfo"] = tracking_entries(trackingInfoInput)
    touch_order(ctx.store, fulfillment["_order"], fulfillment)
    return {"fulfillment": fulfillment, "userErrors": []}


# fulfillmentCancel -------------------------------------------------------------------------------
def _recorded_allocations(fulfillment: Record) -> list[Allocation]:
    """Seeded fulfillments do not record their allocations; each line came from the one FO holding it."""
    if "_allocations" in fulfillment:
        return list(fulfillment["_allocations"])
    fo_ids = set(fulfillment.get("_fulfillment_order_ids", ()))
    lines = [
        (fo, line)
        for fo in fulfillment["_order"].get("_fulfillment_orders", [])
        if fo["_n"] in fo_ids
        for line in fo["_line_items"]
    ]
    return [
        next((fo, line, row["quantity"]) for fo, line in lines if line["_line_item"] is row["_line_item"])
        for row in fulfillment.get("_line_items", [])
    ]


def _restore(store: Store, fulfillment: Record) -> list[Record]:
    """Give the quantities back. A closed fulfillment order stays CLOSED (with its remainingQuantity
    restored, as Shopify shows it) and a new OPEN one takes the lines; an open one takes them itself."""
    order = fulfillment["_order"]
    reopened: dict[int, list[tuple[Record, int]]] = {}
    changed: dict[int, Record] = {}
    for fo, line, qty in _recorded_allocations(fulfillment):
        line["remainingQuantity"] += qty
        line["_line_item"]["_fulfilled"] -= qty
        changed[fo["_n"]] = fo
        if fo["status"] == "CLOSED":
            reopened.setdefault(fo["_n"], []).append((line["_line_item"], qty))
        else:
            fo["status"] = resting_status(fo)
    created = [open_fulfillment_order(store, order, lines) for lines in reopened.values()]
    return [*changed.values(), *created]


@resolves("Mutation.fulfillmentCancel")
def fulfillment_cancel(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    """Cancelling a cancelled fulfillment answers it unchanged, without errors, as Shopify does."""
    fulfillment = find(ctx, id, "Fulfillment")
    if fulfillment is None:
        return {"fulfillment": None, "userErrors": [user_error(["id"], "Fulfillment not found.")]}
    if fulfillment["status"] != "CANCELLED":
        fulfillment["status"], fulfillment["displayStatus"] = "CANCELLED", "CANCELED"
        fos = _restore(ctx.store, fulfillment)
        order = fulfillment["_order"]
        if order["closed"] and not order.get("cancelledAt") and fulfillment_status(order) != "FULFILLED":
            order["closed"], order["closedAt"] = False, None  # Shopify reopens what it archived on fulfilment
        touch_order(ctx.store, order, fulfillment, *fos)
    return {"fulfillment": fulfillment, "userErrors": []}


# fulfillmentEventCreate --------------------------------------------------------------------------
EVENT_FIELDS = ("message", "city", "province", "country", "zip", "address1", "latitude", "longitude")
SHIPMENT_TIMES = {"IN_TRANSIT": "inTransitAt", "DELIVERED": "deliveredAt"}


@resolves("Mutation.fulfillmentEventCreate")
def fulfillment_event_create(_root: Any, ctx: Context, fulfillmentEvent: dict[str, Any]) -> dict[str, Any]:
    """The event shows on the fulfillment: its display status, and when it went in transit, was delivered
    and is expected. Shopify takes events on a cancelled fulfillment too, leaving it cancelled."""
    fulfillment = find(ctx, fulfillmentEvent["fulfillmentId"], "Fulfillment")
    if fulfillment is None:
        error = user_error(["fulfillmentEvent", "fulfillmentId"], "Fulfillment does not exist.")
        return {"fulfillmentEvent": None, "userErrors": [error]}
    now = ctx.store.clock.now_iso()
    status = fulfillmentEvent["status"]
    happened = parse_time(fulfillmentEvent.get("happenedAt") or now)
    expected = fulfillmentEvent.get("estimatedDeliveryAt")
    event = ctx.store.new_record(
        "FulfillmentEvent",
        status=status,
        happenedAt=happened,
        createdAt=now,
        estimatedDeliveryAt=parse_time(expected) if expected else None,
        **{name: fulfillmentEvent.get(name) for name in EVENT_FIELDS},
    )
    fulfillment.setdefault("_events", []).append(ctx.store.put(event))
    if fulfillment["status"] != "CANCELLED":
        fulfillment["displayStatus"] = status
    if status in SHIPMENT_TIMES:
        fulfillment[SHIPMENT_TIMES[status]] = happened
    if expected:
        fulfillment["estimatedDeliveryAt"] = event["estimatedDeliveryAt"]
    touch_order(ctx.store, fulfillment["_order"], fulfillment)
    return {"fulfillmentEvent": event, "userErrors": []}
