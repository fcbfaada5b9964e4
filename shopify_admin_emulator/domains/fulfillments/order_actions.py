"""What a merchant's app does to a fulfillment order: hold, release, move, cancel, open, reschedule, report
progress, close; checked and worded as Shopify answers them in ../shared/shopify-captures/2026-04/fulfillments.

Every fulfillment order here is merchant managed (the emulator has no fulfillment services), so
fulfillmentOrderClose, which only a fulfillment service's own orders allow, is always refused, as Shopify
refuses it for these.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...search import parse_time
from ...store import Record, Store
from ..orders.mutations import open_fulfillment_order, touch_order
from .models import FINISHED, resting_status, split_off
from .reads import HOLD_LIMIT

Error = dict[str, Any]
Quantities = dict[int, int]  # line number → quantity
DISPLAY_REASONS = {"OTHER": "Other", "AWAITING_RETURN_ITEMS": "Exchange items awaiting return delivery"}


def _fulfillment_order(ctx: Context, id: str) -> Record:
    """The fulfillment order; an unknown id is a request error, as Shopify answers it for each action."""
    fo = find(ctx, id, "FulfillmentOrder")
    if fo is None:
        raise GraphQLError(f"Invalid id: {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return fo


def _touched(store: Store, *fos: Record) -> None:
    touch_order(store, fos[0]["_order"], *fos)


def _quantities(fo: Record, rows: list[dict[str, Any]] | None, path: list[str]) -> tuple[Quantities, Error | None]:
    """{line number: quantity} the rows name on `fo` (none: everything remaining), or the error."""
    if not rows:
        return {li["_n"]: li["remainingQuantity"] for li in fo["_line_items"] if li["remainingQuantity"]}, None
    for i, row in enumerate(rows):
        if row["quantity"] <= 0:
            message = "You must select at least one item to place on partial hold."
            return {}, user_error([*path, str(i), "quantity"], message, "GREATER_THAN_ZERO")
    if len({row["id"] for row in rows}) < len(rows):
        return {}, user_error(path, "must contain unique line item ids", "DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS")
    lines = {li["id"]: li for li in fo["_line_items"]}
    if any(row["id"] not in lines or row["quantity"] > lines[row["id"]]["remainingQuantity"] for row in rows):
        return {}, user_error(path, "Invalid fulfillment order line item quantity requested.")  # not captured
    return {lines[row["id"]]["_n"]: row["quantity"] for row in rows}, None


def _whole(fo: Record, quantities: Quantities) -> bool:
    return all(quantities.get(li["_n"], 0) == li["remainingQuantity"] for li in fo["_line_items"])


# fulfillmentOrderHold / fulfillmentOrderReleaseHold ----------------------------------------------
def _hold_error(fo: Record, hold: dict[str, Any], quantities: Quantities) -> Error | None:
    handle = hold.get("handle") or ""
    if handle and any(h["handle"] == handle for h in fo["_holds"]):
        message = (
            "The handle provided for the fulfillment hold is already in use by this app for another hold on this"
            " fulfillment order."
        )
        return user_error(["fulfillmentHold", "handle"], message, "DUPLICATE_FULFILLMENT_HOLD_HANDLE")
    if len(fo["_holds"]) >= HOLD_LIMIT:
        message = (
            "The maximum number of fulfillment holds for this fulfillment order has been reached for this app."
            f" An app can only have up to {HOLD_LIMIT} holds on a single fulfillment order at any one time."
        )
        return user_error(["id"], message, "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED")
    partial = hold.get("fulfillmentOrderLineItems") and not _whole(fo, quantities)
    if partial and fo["status"] != "OPEN":
        message = "The fulfillment order is not in a splittable state."
        return user_error(["fulfillmentHold", "fulfillmentOrderLineItems"], message, "FULFILLMENT_ORDER_NOT_SPLITTABLE")
    if fo["status"] in FINISHED:  # not captured: worded as the other actions word a closed order
        return user_error(None, f"Expected fulfillment order status to be valid but it was {fo['status'].lower()}.")
    return None


@resolves("Mutation.fulfillmentOrderHold")
def fulfillment_order_hold(_root: Any, ctx: Context, id: str, fulfillmentHold: dict[str, Any]) -> dict[str, Any]:
    """Holding part of an open fulfillment order splits the rest off into a new one, left open."""
    fo = _fulfillment_order(ctx, id)
    nothing = {"fulfillmentHold": None, "fulfillmentOrder": None, "remainingFulfillmentOrder": None}
    rows = fulfillmentHold.get("fulfillmentOrderLineItems")
    held, error = _quantities(fo, rows, ["fulfillmentHold", "fulfillmentOrderLineItems"])
    error = error or _hold_error(fo, fulfillmentHold, held)
    if error is not None:
        return {**nothing, "userErrors": [error]}
    remaining = None
    if not _whole(fo, held):
        rest = {li["_n"]: li["remainingQuantity"] - held.get(li["_n"], 0) for li in fo["_line_items"]}
        remaining = split_off(ctx.store, fo, rest, None)
        remaining["_split_by_hold_of"] = fo
    reason = fulfillmentHold["reason"]
    hold = ctx.store.new_record(
        "FulfillmentHold",
        handle=fulfillmentHold.get("handle") or "",
        reason=reason,
        reasonNotes=fulfillmentHold.get("reasonNotes"),
        displayReason=DISPLAY_REASONS.get(reason, reason.replace("_", " ").capitalize()),
        heldByRequestingApp=True,
    )
    fo["_holds"].append(hold)
    fo["status"] = "ON_HOLD"
    _touched(ctx.store, fo, *([remaining] if remaining else []))
    return {"fulfillmentHold": hold, "fulfillmentOrder": fo, "remainingFulfillmentOrder": remaining, "userErrors": []}


def _rejoin(store: Store, fo: Record) -> None:
    """What a hold split off and nobody touched since goes back into `fo`, and its order closes empty."""
    for other in fo["_order"]["_fulfillment_orders"]:
        if other.get("_split_by_hold_of") is not fo or other["status"] != "OPEN" or other["_progress_reported"]:
            continue
        if resting_status(other) != "OPEN":
            continue
        ours = {li["_line_item"]["_n"]: li for li in fo["_line_items"]}
        for line in other["_line_items"]:
            mine = ours.get(line["_line_item"]["_n"])
            if mine is None:
                fo["_line_items"].append(store.new_record("FulfillmentOrderLineItem", **_line_copy(line)))
            else:
                mine["totalQuantity"] += line["totalQuantity"]
                mine["remainingQuantity"] += line["remainingQuantity"]
            line["totalQuantity"] = line["remainingQuantity"] = 0
        other["status"] = "CLOSED"
        store.touch(other)


def _line_copy(line: Record) -> dict[str, Any]:
    return {k: line[k] for k in ("totalQuantity", "remainingQuantity", "_line_item")}


@resolves("Mutation.fulfillmentOrderReleaseHold")
def fulfillment_order_release_hold(
    _root: Any, ctx: Context, id: str, holdIds: list[str] | None = None, externalId: str | None = None
) -> dict[str, Any]:
    """Without holdIds every hold goes; ids of other orders' holds are ignored."""
    fo = _fulfillment_order(ctx, id)
    if fo["status"] != "ON_HOLD":  # not captured
        return {"fulfillmentOrder": None, "userErrors": [user_error(["id"], "Fulfillment order is not on hold.")]}
    fo["_holds"] = [h for h in fo["_holds"] if holdIds is not None and h["id"] not in holdIds]
    if not fo["_holds"]:
        _rejoin(ctx.store, fo)
        fo["status"] = resting_status(fo)
    _touched(ctx.store, fo)
    return {"fulfillmentOrder": fo, "userErrors": []}


# fulfillmentOrderMove ----------------------------------------------------------------------------
def _move_error(fo: Record, location: Record | None) -> Error | None:
    if fo["status"] in FINISHED:
        return user_error(None, "Cannot change location.")
    if fo["_progress_reported"]:
        message = (
            "Cannot move a fulfillment order that has had progress reported. To move a fulfillment order that has"
            " had progress reported, the fulfillment order must first be marked as open resolving the ongoing"
            " progress state."
        )
        return user_error(["id"], message, "CANNOT_MOVE_FULFILLMENT_ORDER_WITH_REPORTED_PROGRESS")
    # No capture moves to a deactivated location. Shopify refuses an inactive destination as it does an
    # unknown one elsewhere (locationDeactivate's DESTINATION_LOCATION_NOT_FOUND_OR_INACTIVE), so the move
    # answers with its captured refusal of an unknown location.
    if location is None or not location["isActive"]:
        return user_error(["id"], "Location not found.")
    return None


@resolves("Mutation.fulfillmentOrderMove")
def fulfillment_order_move(
    _root: Any,
    ctx: Context,
    id: str,
    newLocationId: str,
    fulfillmentOrderLineItems: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Moving all of it keeps the fulfillment order; moving part splits that part off at the new location."""
    fo = _fulfillment_order(ctx, id)
    location = find(ctx, newLocationId, "Location")
    nothing = {"movedFulfillmentOrder": None, "originalFulfillmentOrder": None, "remainingFulfillmentOrder": None}
    error = _move_error(fo, location)
    if error is not None:
        return {**nothing, "userErrors": [error]}
    quantities, error = _quantities(fo, fulfillmentOrderLineItems, ["fulfillmentOrderLineItems"])
    if error is not None:
        return {**nothing, "userErrors": [error]}
    if _whole(fo, quantities):
        fo["_location"] = location
        _touched(ctx.store, fo)
        return {**nothing, "movedFulfillmentOrder": fo, "originalFulfillmentOrder": fo, "userErrors": []}
    moved = split_off(ctx.store, fo, quantities, location)
    _touched(ctx.store, fo, moved)
    return {
        "movedFulfillmentOrder": moved,
        "originalFulfillmentOrder": fo,
        "remainingFulfillmentOrder": fo,
        "userErrors": [],
    }


# fulfillmentOrderCancel --------------------------------------------------------------------------
@resolves("Mutation.fulfillmentOrderCancel")
def fulfillment_order_cancel(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    """The fulfillment order closes with what it fulfilled; what remained moves to a new open replacement."""
    fo = _fulfillment_order(ctx, id)
    nothing = {"fulfillmentOrder": None, "replacementFulfillmentOrder": None}
    if fo["_progress_reported"]:
        message = "Cannot cancel fulfillment order that has had progress reported. Mark as unfulfilled first."
        return {**nothing, "userErrors": [user_error(["id"], message)]}
    if fo["status"] in FINISHED:
        message = "Fulfillment order is not in cancelable request state and can't be canceled."
        return {**nothing, "userErrors": [user_error(None, message)]}
    remaining = [(li["_line_item"], li["remainingQuantity"]) for li in fo["_line_items"] if li["remainingQuantity"]]
    for line in fo["_line_items"]:
        line["totalQuantity"] -= line["remainingQuantity"]
        line["remainingQuantity"] = 0
    fo["_line_items"] = [line for line in fo["_line_items"] if line["totalQuantity"]]
    fo["status"], fo["_holds"] = "CLOSED", []
    replacement = open_fulfillment_order(ctx.store, fo["_order"], remaining)
    replacement["_location"], replacement["fulfillAt"] = fo["_location"], fo["fulfillAt"]
    _touched(ctx.store, fo, replacement)
    return {"fulfillmentOrder": fo, "replacementFulfillmentOrder": replacement, "userErrors": []}


# fulfillmentOrderOpen / fulfillmentOrderReportProgress / fulfillmentOrderReschedule / fulfillmentOrderClose
@resolves("Mutation.fulfillmentOrderOpen")
def fulfillment_order_open(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    """Opens a scheduled fulfillment order, or one whose progress was reported."""
    fo = _fulfillment_order(ctx, id)
    if fo["status"] != "SCHEDULED" and not fo["_progress_reported"]:
        message = f"Expected fulfillment order status to be valid but it was {fo['status'].lower()}."
        return {"fulfillmentOrder": None, "userErrors": [user_error(None, message)]}
    fo["_progress_reported"] = False
    fo["status"] = resting_status(fo)
    _touched(ctx.store, fo)
    return {"fulfillmentOrder": fo, "userErrors": []}


@resolves("Mutation.fulfillmentOrderReportProgress")
def fulfillment_order_report_progress(
    _root: Any, ctx: Context, id: str, progressReport: dict[str, Any] | None = None
) -> dict[str, Any]:
    fo = _fulfillment_order(ctx, id)
    if fo["status"] not in ("OPEN", "IN_PROGRESS"):
        error = user_error(None, "Cannot report progress on a fulfillment order in this state.")
        return {"fulfillmentOrder": None, "userErrors": [error]}
    fo["status"], fo["_progress_reported"] = "IN_PROGRESS", True
    _touched(ctx.store, fo)
    return {"fulfillmentOrder": fo, "userErrors": []}


@resolves("Mutation.fulfillmentOrderReschedule")
def fulfillment_order_reschedule(_root: Any, ctx: Context, id: str, fulfillAt: str) -> dict[str, Any]:
    fo = _fulfillment_order(ctx, id)
    if fo["status"] != "SCHEDULED":
        return {"fulfillmentOrder": None, "userErrors": [user_error(None, "Fulfillment order must be scheduled.")]}
    fo["fulfillAt"] = parse_time(fulfillAt)
    _touched(ctx.store, fo)
    return {"fulfillmentOrder": fo, "userErrors": []}


@resolves("Mutation.fulfillmentOrderClose")
def fulfillment_order_close(_root: Any, ctx: Context, id: str, message: str | None = None) -> dict[str, Any]:
    _fulfillment_order(ctx, id)
    error = user_error(None, "The fulfillment order's assigned fulfillment service must be of api type")
    return {"fulfillmentOrder": None, "userErrors": [error]}
