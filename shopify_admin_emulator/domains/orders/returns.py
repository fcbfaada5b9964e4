"""Returns: the record, its reads, `Order.returnStatus`, and returnCreate / returnRequest /
returnApproveRequest / returnDeclineRequest / returnClose / returnReopen / returnCancel, worded as the
captures show (../shared/shopify-captures/2026-04/orders/*return*.json).

A return is made of fulfilled units (fulfillment line items). The captures show no return mutation moving
the order's updatedAt, so none does here: a sync that follows orders by updatedAt does not see returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record, Store

Errors = list[dict[str, Any]]
LIVE = ("REQUESTED", "OPEN")


@resolves("QueryRoot.return")
def return_by_id(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Return")


@resolves("Order.returns")
def order_returns(o: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(o.get("_returns", []), args)


@resolves("Order.returnStatus")
def order_return_status(o: Record, _ctx: Context) -> str:
    """As the captured lifecycle aggregates it: a requested return wins, then an open one; closed returns
    read RETURNED; declined and canceled ones count for nothing."""
    statuses = {r["status"] for r in o.get("_returns", [])}
    for status, answer in (("REQUESTED", "RETURN_REQUESTED"), ("OPEN", "IN_PROGRESS"), ("CLOSED", "RETURNED")):
        if status in statuses:
            return answer
    return "NO_RETURN"


resolves("Return.order")(lambda r, _ctx: r["_order"])
resolves("Return.totalQuantity")(lambda r, _ctx: sum(li["quantity"] for li in r["_line_items"]))
resolves("Return.returnLineItems")(lambda r, _ctx, **args: paginate_list(r["_line_items"], args))
resolves("ReturnLineItem.fulfillmentLineItem")(lambda li, _ctx: li["_fulfillment_line_item"])
resolves("ReturnLineItem.unprocessedQuantity")(lambda li, _ctx: li["quantity"] - li["processedQuantity"])
resolves("ReturnLineItem.processableQuantity")(lambda li, _ctx: li["quantity"] - li["processedQuantity"])
resolves("ReturnLineItem.refundableQuantity")(lambda li, _ctx: li["quantity"] - li["refundedQuantity"])


@dataclass
class ReturnRow:
    unit: Record  # the fulfillment line item
    quantity: int
    reason: str
    reason_note: str = ""
    customer_note: str | None = None


def new_return(store: Store, order: Record, rows: list[ReturnRow], status: str, when: str) -> Record:
    """A return of fulfilled units, stored and added to the order's, named after it (`#1001-R1`)."""
    returns = order.setdefault("_returns", [])
    record = store.new_record(
        "Return",
        name=f"{order['name']}-R{len(returns) + 1}",
        status=status,
        createdAt=when,
        closedAt=when if status == "CLOSED" else None,
        requestApprovedAt=when if status in ("OPEN", "CLOSED") else None,
        decline=None,
        _order=order,
    )
    del record["legacyResourceId"]
    record["_line_items"] = []
    for row in rows:
        line = store.new_record(
            "ReturnLineItem",
            quantity=row.quantity,
            processedQuantity=0,
            refundedQuantity=0,
            returnReason=row.reason,
            returnReasonNote=row.reason_note,
            customerNote=row.customer_note,
            _fulfillment_line_item=row.unit,
        )
        del line["legacyResourceId"]
        record["_line_items"].append(line)
    returns.append(store.put(record))
    return record


# mutations ---------------------------------------------------------------------------------------
def _fulfilled_unit(order: Record, global_id: str) -> Record | None:
    return next(
        (row for f in order.get("_fulfillments", []) for row in f["_line_items"] if row["id"] == global_id), None
    )


def _in_returns(order: Record, row: Record) -> int:
    return sum(
        li["quantity"]
        for r in order.get("_returns", [])
        if r["status"] not in ("DECLINED", "CANCELED")
        for li in r["_line_items"]
        if li["_fulfillment_line_item"] is row
    )


def _line_errors(order: Record, rows: list[dict[str, Any]], path: list[str], requested: bool) -> Errors:
    for i, row in enumerate(rows):
        at = [*path, "returnLineItems", str(i)]
        unit = _fulfilled_unit(order, row["fulfillmentLineItemId"])
        if unit is None:
            return [user_error([*at, "fulfillmentLineItemId"], "Fulfillment Line Item was not found.", "NOT_FOUND")]
        if not row.get("returnReason"):
            if requested:
                return [user_error([*at, "returnReason"], "Return reason can't be blank", "BLANK")]
            message = "Return line items Either return reason or return reason definition must be provided"
            return [user_error(at, message, "NOT_FOUND")]
        if not requested and row["returnReason"] == "OTHER" and not (row.get("returnReasonNote") or "").strip():
            message = 'Return line items return reason note The note is required when the return reason is "Other"'
            return [user_error([*at, "returnReasonNote"], message, "BLANK")]
        if row["quantity"] < 1 or row["quantity"] > unit["quantity"] - _in_returns(order, unit):
            return [user_error([*at, "quantity"], "Return line item has an invalid quantity.", "INVALID")]
    return []


def _open_return(ctx: Context, data: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    order = find(ctx, data["orderId"], "Order")
    if order is None:
        return {"return": None, "userErrors": [user_error([path, "orderId"], "Order does not exist.", "NOT_FOUND")]}
    rows = data.get("returnLineItems") or []
    errors = _line_errors(order, rows, [path], requested=status == "REQUESTED")
    if errors:
        return {"return": None, "userErrors": errors}
    units = [
        ReturnRow(
            _fulfilled_unit(order, row["fulfillmentLineItemId"]),  # type: ignore[arg-type]  # checked above
            row["quantity"],
            row["returnReason"],
            row.get("returnReasonNote") or "",
            row.get("customerNote"),
        )
        for row in rows
    ]
    return {"return": new_return(ctx.store, order, units, status, ctx.store.clock.now_iso()), "userErrors": []}


@resolves("Mutation.returnCreate")
def return_create(_root: Any, ctx: Context, returnInput: dict[str, Any]) -> dict[str, Any]:
    return _open_return(ctx, returnInput, "returnInput", "OPEN")


@resolves("Mutation.returnRequest")
def return_request(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    return _open_return(ctx, input, "input", "REQUESTED")


def _change(
    ctx: Context, global_id: str, field: list[str], allowed: tuple[str, ...], target: str, refusal: str
) -> dict[str, Any]:
    """Move a return from one of `allowed` to `target`; a return already there answers as it is."""
    record = find(ctx, global_id, "Return")
    if record is None:
        return {"return": None, "userErrors": [user_error(field, "Return not found.", "NOT_FOUND")]}
    if record["status"] != target:
        if record["status"] not in allowed:
            return {"return": None, "userErrors": [user_error(field, refusal, "INVALID_STATE")]}
        record["status"] = target
        record["closedAt"] = ctx.store.clock.now_iso() if target == "CLOSED" else None
        if target == "OPEN" and record["requestApprovedAt"] is None:
            record["requestApprovedAt"] = ctx.store.clock.now_iso()
        ctx.store.table("Return").changed()
    return {"return": record, "userErrors": []}


NOT_APPROVABLE = "Return is not approvable. Only returns with status REQUESTED can be approved."
NOT_DECLINABLE = "Return is not declinable. Only non-refunded returns with status REQUESTED can be declined."


@resolves("Mutation.returnApproveRequest")
def return_approve_request(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    record = find(ctx, input["id"], "Return")
    if record is not None and record["status"] == "OPEN":  # approving twice is refused, not a no-op
        return {"return": None, "userErrors": [user_error(["input", "id"], NOT_APPROVABLE, "INVALID_STATE")]}
    return _change(ctx, input["id"], ["input", "id"], ("REQUESTED",), "OPEN", NOT_APPROVABLE)


@resolves("Mutation.returnDeclineRequest")
def return_decline_request(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    record = find(ctx, input["id"], "Return")
    if record is not None and record["status"] == "DECLINED":
        error = user_error(["input", "id"], "The return is already declined.", "INVALID_STATE")
        return {"return": None, "userErrors": [error]}
    answer = _change(ctx, input["id"], ["input", "id"], ("REQUESTED",), "DECLINED", NOT_DECLINABLE)
    if answer["return"] is not None:
        answer["return"]["decline"] = {"reason": input["declineReason"], "note": input.get("declineNote")}
    return answer


@resolves("Mutation.returnClose")
def return_close(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    return _change(ctx, id, ["id"], ("OPEN",), "CLOSED", "Return status is invalid.")


@resolves("Mutation.returnReopen")
def return_reopen(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    return _change(ctx, id, ["id"], ("CLOSED",), "OPEN", "Return status is invalid.")


@resolves("Mutation.returnCancel")
def return_cancel(_root: Any, ctx: Context, id: str, **_args: Any) -> dict[str, Any]:
    record = find(ctx, id, "Return")
    if record is not None and any(li["processedQuantity"] for li in record["_line_items"]):
        return {"return": None, "userErrors": [user_error(["id"], "Return is not cancelable.", "INVALID_STATE")]}
    return _change(ctx, id, ["id"], LIVE, "CANCELED", "Return is not cancelable.")
