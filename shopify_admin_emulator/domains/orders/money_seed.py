"""The seeded orders' money: each gets the transactions, tax lines, shipping line and refunds its financial
status implies, and a share of them the shapes a revenue report must cope with: several captures of one
authorization, a void, failed and pending payments, Shopify Payments fees, a discount code and an
automatic discount, taxes included in prices, a presentment currency other than the shop's, partial and
full refunds with and without restock, refunded shipping, returns in each state.

Choices follow each order's position, not the seeder's random sequence, so the rest of the shop (ids,
counts, timestamps) is what it was without them; every movement is dated between the order's creation
and its last update, so no order's updatedAt moves.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ...store import Record, Store, iso, money
from .ledger import (
    CENT,
    ZERO,
    discount_application,
    fixed,
    gross,
    new_shipping_line,
    new_transaction,
    percentage,
    percentage_off,
    spread,
    tax_line,
)
from .refunds import RefundPlan, new_refund, shipping_left
from .returns import ReturnRow, new_return

RATE = Decimal("0.13")
PRESENTMENT = ("CAD", "1.37")  # currency and rate of the orders sold in another currency


def _at(order: Record, share: float) -> str:
    """A moment `share` of the way from the order's creation to its last update."""
    start, end = (datetime.fromisoformat(order[key]).timestamp() for key in ("createdAt", "updatedAt"))
    return iso(start + (end - start) * share)


def _reprice(order: Record, included: bool) -> None:
    """Totals and tax lines from the lines, their discounts and the order's shipping."""
    lines = order["_line_items"]
    for li in lines:
        base = Decimal(li["_unit_price"]) * li["quantity"] - Decimal(li.get("_discount", "0"))
        tax = (base * RATE / (1 + RATE) if included else base * RATE).quantize(CENT)
        li["_tax_lines"] = [tax_line("HST", RATE, tax)]
        li["_tax"] = money(tax)
    discounts = sum((Decimal(li.get("_discount", "0")) for li in lines), ZERO)
    subtotal = gross(lines) - discounts
    tax = sum((Decimal(li["_tax"]) for li in lines), ZERO)
    shipping = Decimal(order["_total_shipping"])
    order.update(
        taxesIncluded=included,
        _subtotal=money(subtotal),
        _total_tax=money(tax),
        _total_discounts=money(discounts),
        _total_price=money(subtotal + shipping + (ZERO if included else tax)),
    )


def _split_tax(order: Record) -> None:
    """The order's 13% tax as one HST line per line item, cent-exact: the last line takes the rounding."""
    lines = order["_line_items"]
    left = Decimal(order["_total_tax"])
    for i, li in enumerate(lines):
        base = Decimal(li["_unit_price"]) * li["quantity"]
        tax = left if i == len(lines) - 1 else (base * RATE).quantize(CENT)
        li["_tax_lines"] = [tax_line("HST", RATE, tax)]
        li["_tax"] = money(tax)
        left -= tax


def _price_shape(order: Record, position: int) -> None:
    """Paid orders in these positions get a discount, taxes included or another presentment currency."""
    shape = position % 10
    lines = order["_line_items"]
    if shape == 4:
        rate = Decimal(10)
        index = discount_application(order, "DiscountCodeApplication", percentage(rate), code="WELCOME10")
        spread(lines, index, percentage_off(lines, rate))
    elif shape == 5:
        index = discount_application(
            order, "AutomaticDiscountApplication", fixed(order, Decimal(5)), title="Five off", allocation_method="ONE"
        )
        spread(lines[:1], index, min(Decimal(5), gross(lines[:1])))
    elif shape == 7:
        order["presentmentCurrencyCode"], order["_fx"] = PRESENTMENT
    _reprice(order, included=shape == 6) if shape in (4, 5, 6) else _split_tax(order)


def _payments(store: Store, order: Record, position: int) -> None:
    """What paid the order: a sale, or (every tenth) an authorization captured in two parts; some orders
    first see a declined card or a voided authorization. A pending order holds a pending sale."""
    total, when = Decimal(order["_total_price"]), order["createdAt"]
    gateway = "shopify_payments" if position % 3 == 0 else "manual"
    status = order["displayFinancialStatus"]
    if status == "PENDING":
        if position % 2:
            new_transaction(store, order, "SALE", total, when, gateway="manual", status="PENDING")
        return
    if position % 10 == 1:
        new_transaction(
            store, order, "SALE", total, when, gateway=gateway, status="FAILURE", error_code="CARD_DECLINED"
        )
    if position % 10 == 3:
        voided = new_transaction(store, order, "AUTHORIZATION", total, when, gateway=gateway)
        new_transaction(store, order, "VOID", ZERO, when, gateway=gateway, parent=voided)
    if position % 10 == 0:
        authorization = new_transaction(store, order, "AUTHORIZATION", total, when, gateway=gateway)
        first = (total / 2).quantize(CENT)
        new_transaction(store, order, "CAPTURE", first, _at(order, 0.1), gateway=gateway, parent=authorization)
        new_transaction(store, order, "CAPTURE", total - first, _at(order, 0.2), gateway=gateway, parent=authorization)
    else:
        new_transaction(store, order, "SALE", total, when, gateway=gateway)


def _refunds(store: Store, order: Record, position: int) -> None:
    """A refunded order gives everything back (restocked when its position is even); a partly refunded one
    gives back a unit, with its shipping every third order, or else a goodwill amount without items."""
    status = order["displayFinancialStatus"]
    if status not in ("REFUNDED", "PARTIALLY_REFUNDED"):
        return
    paid = [t for t in order["_transactions"] if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"]
    plan = RefundPlan(note="Seeded refund")
    if status == "REFUNDED":
        restock = "CANCEL" if position % 2 == 0 else "NO_RESTOCK"
        plan.lines = [(li, li["quantity"], restock, None) for li in order["_line_items"]]
        plan.shipping = shipping_left(order)[0]
        plan.payments = [(t, Decimal(t["_amount"])) for t in paid]
    elif position % 4 == 1:
        plan.payments = [(paid[-1], min(Decimal(5), Decimal(paid[-1]["_amount"])))]
    else:
        line = order["_line_items"][0]
        unit = Decimal(line["_unit_price"]) - Decimal(line.get("_discount", "0")) / line["quantity"]
        tax = Decimal(line["_tax"]) / line["quantity"]
        plan.lines = [(line, 1, "RETURN" if position % 2 else "NO_RESTOCK", None)]
        plan.shipping = shipping_left(order)[0] if position % 3 == 0 else ZERO
        amount = (unit + (ZERO if order["taxesIncluded"] else tax)).quantize(CENT) + plan.shipping
        plan.payments = [(paid[-1], min(amount, Decimal(paid[-1]["_amount"])))]
    new_refund(store, order, plan, _at(order, 0.5))


RETURN_SHAPES = [("CLOSED", "SIZE_TOO_SMALL"), ("OPEN", "DEFECTIVE"), ("REQUESTED", "UNWANTED"), ("DECLINED", "OTHER")]


def _returns(store: Store, order: Record, position: int) -> None:
    """Every fifteenth fulfilled order has a return of one unit, in turn closed, open, requested and
    declined, dated with the fulfillment (a return moves no order's updatedAt)."""
    if not order["_fulfillments"] or position % 15 != 2:
        return
    status, reason = RETURN_SHAPES[position // 15 % len(RETURN_SHAPES)]
    unit = order["_fulfillments"][0]["_line_items"][0]
    note = "Arrived scratched" if reason == "OTHER" else ""
    made = new_return(store, order, [ReturnRow(unit, 1, reason, note)], status, order["updatedAt"])
    if status == "DECLINED":
        made["decline"] = {"reason": "FINAL_SALE", "note": "Final sale item"}


def seed_money(store: Store) -> None:
    """Give every stored order its money (see the module docstring)."""
    for position, order in enumerate(sorted(store.all("Order"), key=lambda o: o["_n"])):
        order["_total_refunded"] = "0.0"
        if order["_total_shipping"] != "0.0":
            new_shipping_line(store, order, "Standard", Decimal(order["_total_shipping"]), code="STANDARD")
        if order["displayFinancialStatus"] == "PAID":
            _price_shape(order, position)
        else:
            _split_tax(order)
        _payments(store, order, position)
        _refunds(store, order, position)
        _returns(store, order, position)
