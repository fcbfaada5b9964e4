"""orderCapture and transactionVoid, validated and worded as the captures show
(../shared/shopify-captures/2026-04/payments/order-capture-validation.json, transaction-void-codes.json,
order-payment-transaction-void-live.json). Amounts given to orderCapture are in the order's presentment
currency, as the captured multi-currency call shows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record
from .ledger import CENT, capturable_amount, children, given_amount, new_transaction, payment_status
from .mutations import touch_order


def _capture_error(order: Record | None, parent: Record | None, data: dict[str, Any]) -> dict[str, Any] | None:
    if order is None:
        return user_error(["id"], "Order does not exist")
    presentment = order.get("presentmentCurrencyCode") or order["currencyCode"]
    multi_currency = presentment != order["currencyCode"]
    if (multi_currency or data.get("currency")) and data.get("currency") != presentment:
        return user_error(["currency"], f"Currency Currency must match parent transaction {presentment}")
    if parent is None or parent["_order"] is not order or parent["kind"] != "AUTHORIZATION":
        return user_error(None, "Unable to find parent transaction")
    amount = given_amount(data["amount"])
    if amount is None or amount <= 0:
        return user_error(None, "Amount must be greater than zero for capture transactions")
    left = (capturable_amount(order, parent) * Decimal(order.get("_fx", "1"))).quantize(CENT)
    if amount > left:
        return user_error(None, f"Cannot capture more than the authorized {left:.2f} for this payment.")
    if data.get("finalCapture") is not None and parent["gateway"] == "manual":
        message = (
            "Setting final capture is not supported for this transaction's payment gateway. "
            "Please remove the parameter or set it to null, then try again."
        )
        return user_error(None, message)
    return None


@resolves("Mutation.orderCapture")
def order_capture(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    order = find(ctx, input["id"], "Order")
    parent = find(ctx, input["parentTransactionId"], "OrderTransaction")
    error = _capture_error(order, parent, input)
    if error is not None or order is None or parent is None:
        return {"transaction": None, "userErrors": [error]}
    shop_amount = (Decimal(str(input["amount"])) / Decimal(order.get("_fx", "1"))).quantize(CENT)  # checked above
    now = ctx.store.clock.now_iso()
    capture = new_transaction(ctx.store, order, "CAPTURE", shop_amount, now, gateway=parent["gateway"], parent=parent)
    order["displayFinancialStatus"] = payment_status(order)
    touch_order(ctx.store, order)
    return {"transaction": capture, "userErrors": []}


@resolves("Mutation.transactionVoid")
def transaction_void(_root: Any, ctx: Context, parentTransactionId: str) -> dict[str, Any]:
    parent = find(ctx, parentTransactionId, "OrderTransaction")
    field = ["parentTransactionId"]
    if parent is None:
        missing = user_error(field, "Transaction does not exist", "TRANSACTION_NOT_FOUND")
        return {"transaction": None, "userErrors": [missing]}
    order = parent["_order"]
    if parent["kind"] != "AUTHORIZATION" or parent["status"] != "SUCCESS":
        message = "Parent transaction must be a successful authorization"
        return {"transaction": None, "userErrors": [user_error(field, message, "AUTH_NOT_SUCCESSFUL")]}
    if children(order, parent, "CAPTURE") or children(order, parent, "VOID"):
        message = "Parent transaction require a parent_id referring to a voidable transaction"
        return {"transaction": None, "userErrors": [user_error(field, message, "AUTH_NOT_VOIDABLE")]}
    now = ctx.store.clock.now_iso()
    void = new_transaction(ctx.store, order, "VOID", Decimal(0), now, gateway=parent["gateway"], parent=parent)
    order["displayFinancialStatus"] = payment_status(order)
    touch_order(ctx.store, order)
    return {"transaction": void, "userErrors": []}
