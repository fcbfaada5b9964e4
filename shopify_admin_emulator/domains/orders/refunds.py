"""Refunds: the record (what was given back, line by line, and the money that moved) and `refundCreate`,
validated and worded as the captures show (../shared/shopify-captures/*/orders/refund-create-*.json).

Validation runs before anything changes, so a refund answered with userErrors leaves the order as it was;
the answer still carries the order. Since 2026-04 the mutation requires `@idempotent(key:)`: a retry with
the same key answers the first refund and gives nothing back twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...search import parse_time
from ...store import Record, Store, money
from ..inventory.models import change_quantity, release_stock
from ..inventory.mutations import idempotent
from ..locations.models import primary_location
from .ledger import CENT, ZERO, given_amount, new_transaction, payment_status, received, refunded, returned_quantity
from .mutations import ORDER_MISSING, touch_order

Errors = list[dict[str, Any]]
INVALID_AMOUNT = "Amount must be a positive number"  # not captured: the captures send valid amounts


def unit_price(line_item: Record) -> Decimal:
    """What one unit was sold for, after the line's discounts."""
    return Decimal(line_item["_unit_price"]) - Decimal(line_item.get("_discount", "0")) / line_item["quantity"]


def unit_tax(line_item: Record) -> Decimal:
    return Decimal(line_item.get("_tax", "0")) / line_item["quantity"]


def shipping_left(order: Record) -> tuple[Decimal, Decimal]:
    """(price, tax) of shipping not yet refunded."""
    lines = order.get("_shipping_lines", [])
    price = sum((Decimal(s["_price"]) - Decimal(s["_discount"]) for s in lines), ZERO)
    tax = sum((Decimal(t["_amount"]) for s in lines for t in s["_tax_lines"]), ZERO)
    for refund in order.get("_refunds", []):
        for rsl in refund["_shipping_lines"]:
            price -= Decimal(rsl["_subtotal"])
            tax -= Decimal(rsl["_tax"])
    return price, tax


@dataclass
class RefundPlan:
    """What a refund gives back: (line item, quantity, restock type, location) rows, shipping, money."""

    lines: list[tuple[Record, int, str, Record | None]] = field(default_factory=list)
    shipping: Decimal = ZERO
    payments: list[tuple[Record, Decimal]] = field(default_factory=list)  # (parent transaction, amount)
    note: str | None = None
    reason: str = "REFUND_DISCREPANCY"


def new_refund(store: Store, order: Record, plan: RefundPlan, when: str, processed_at: str | None = None) -> Record:
    """A Refund of `plan` made at `when` and processed then or at `processed_at`, stored, added to the
    order's, with its REFUND transactions (processed with it) and the order's totals, status and stock
    moved. A difference between what the items are worth and what is paid back becomes an order
    adjustment (worth minus paid)."""
    processed = processed_at or when
    refund = store.new_record(
        "Refund", note=plan.note, createdAt=when, updatedAt=when, processedAt=processed, _order=order, duties=[]
    )
    refund["_line_items"] = [_refund_line(store, li, qty, restock, place) for li, qty, restock, place in plan.lines]
    shipping_price, shipping_tax = shipping_left(order)
    refund["_shipping_lines"] = []
    if plan.shipping and order.get("_shipping_lines"):
        tax = (shipping_tax * plan.shipping / shipping_price).quantize(CENT) if shipping_price else ZERO
        refund["_shipping_lines"].append(
            store.new_record(
                "RefundShippingLine",
                _shipping_line=order["_shipping_lines"][0],
                _subtotal=money(plan.shipping),
                _tax=money(tax),
            )
        )
    refund["_transactions"] = [
        new_transaction(
            store, order, "REFUND", amount, when, gateway=parent["gateway"], parent=parent, processed_at=processed
        )
        for parent, amount in plan.payments
    ]
    paid_back = sum((Decimal(t["_amount"]) for t in refund["_transactions"]), ZERO)
    worth = sum(
        (Decimal(r["_subtotal"]) + Decimal(r["_tax"]) for r in refund["_line_items"] + refund["_shipping_lines"]),
        ZERO,
    )
    refund["_adjustments"] = []
    if refund["_line_items"] and worth != paid_back:
        adjustment = store.new_record(
            "OrderAdjustment", reason=plan.reason, _amount=money(worth - paid_back), _order=order
        )
        del adjustment["legacyResourceId"]
        refund["_adjustments"].append(adjustment)
    order.setdefault("_refunds", []).append(store.put(refund))
    order["_total_refunded"] = money(refunded(order) + paid_back)
    order["displayFinancialStatus"] = payment_status(order)
    return refund


def _refund_line(store: Store, line_item: Record, quantity: int, restock: str, location: Record | None) -> Record:
    restocked = restock in ("RETURN", "CANCEL")
    if restock == "CANCEL":
        release_stock(store, line_item, quantity, shipped=False)
    elif restock == "RETURN":
        variant = store.table("ProductVariant").get(line_item.get("_variant_id") or 0)
        place = location or primary_location(store)
        level = variant["inventoryItem"]["_levels"].get(place["_n"]) if variant and place else None
        if level is not None:
            change_quantity(store, level, "available", quantity)
    row = store.new_record(
        "RefundLineItem",
        quantity=quantity,
        restockType=restock,
        restocked=restocked,
        _line_item=line_item,
        _location=location if restocked else None,
        _price=money(unit_price(line_item)),
        _subtotal=money((unit_price(line_item) * quantity).quantize(CENT)),
        _tax=money((unit_tax(line_item) * quantity).quantize(CENT)),
    )
    del row["legacyResourceId"]
    return row


# refundCreate ------------------------------------------------------------------------------------
def dollars(amount: Decimal) -> str:
    """How Shopify words an amount in these messages, whatever the currency: `$1,025.00`."""
    return f"${amount:,.2f}"


def _plan(ctx: Context, order: Record, data: dict[str, Any]) -> tuple[RefundPlan, Errors]:
    plan = RefundPlan(note=data.get("note"), reason=data.get("discrepancyReason") or "REFUND_DISCREPANCY")
    for i, row in enumerate(data.get("refundLineItems") or []):
        line_item = next((li for li in order["_line_items"] if li["id"] == row["lineItemId"]), None)
        if line_item is None:
            return plan, [user_error(["refundLineItems", str(i), "lineItemId"], "Line item does not exist")]
        path = ["refundLineItems", str(i), "quantity"]
        if row["quantity"] > line_item["quantity"] - returned_quantity(line_item):
            return plan, [user_error(path, "Quantity cannot refund more items than were purchased")]
        if row["quantity"] < 1:
            return plan, [user_error(path, "Quantity must be greater than 0")]  # not captured
        location = find(ctx, row.get("locationId"), "Location")
        plan.lines.append((line_item, row["quantity"], row.get("restockType") or "NO_RESTOCK", location))
    shipping = data.get("shipping") or {}
    price_left, _tax = shipping_left(order)
    shipping_amount = price_left if shipping.get("fullRefund") else given_amount(shipping.get("amount") or 0)
    if shipping_amount is None or shipping_amount < 0:
        return plan, [user_error(["shipping", "amount"], INVALID_AMOUNT)]
    plan.shipping = shipping_amount
    for i, row in enumerate(data.get("transactions") or []):
        if row.get("kind") != "REFUND":
            return plan, [user_error(None, f"Kind {str(row.get('kind')).lower()} is not a valid transaction")]
        parent = find(ctx, row.get("parentId"), "OrderTransaction")
        if parent is None or parent["_order"] is not order:
            return plan, [user_error(["transactions"], "Transactions require a parent_id associated with the order")]
        amount = given_amount(row["amount"])
        if amount is None or amount <= 0:
            return plan, [user_error(["transactions", str(i), "amount"], INVALID_AMOUNT)]
        plan.payments.append((parent, amount))
    asked = sum((amount for _parent, amount in plan.payments), ZERO)
    available = received(order) - refunded(order)
    if asked > available:
        message = f"Refund amount {dollars(asked)} is greater than net payment received {dollars(available)}"
        return plan, [user_error(None, message)]
    return plan, []


@resolves("Mutation.refundCreate")
@idempotent("refundCreate")
def refund_create(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    order = find(ctx, input["orderId"], "Order")
    if order is None:
        return {"refund": None, "order": None, "userErrors": [user_error(["orderId"], ORDER_MISSING)]}
    plan, errors = _plan(ctx, order, input)
    if errors:
        return {"refund": None, "order": order, "userErrors": errors}
    # RefundInput.processedAt books a refund at another time (a back-dated one, shopify.dev's changelog
    # "Set and retrieve processedAt in the refundCreate mutation"); createdAt stays the moment it is made.
    processed = parse_time(input["processedAt"]) if input.get("processedAt") else None
    refund = new_refund(ctx.store, order, plan, ctx.store.clock.now_iso(), processed)
    touch_order(ctx.store, order)
    return {"refund": refund, "order": order, "userErrors": []}
