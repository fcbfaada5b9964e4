"""Reads of an order's money: transactions, refunds (their line items, shipping lines and adjustments),
shipping lines, tax lines, discount applications and allocations, and the order totals they move.

`Order.refunds` and `Order.transactions` are lists (`first` cuts them), the others connections, as the
schema has them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import count, paginate_list
from ...graphql_api import Context, resolves
from ...resources import find
from ...store import Record, money
from .ledger import (
    ZERO,
    bag,
    capturable_amount,
    net_payment,
    received,
    refundable_amount,
    refunded,
    total_capturable,
    transaction_fees,
)


def _first(rows: list[Record], first: int | None) -> list[Record]:
    return rows if first is None else rows[:first]


# Order ---------------------------------------------------------------------------------------------
@resolves("Order.transactions")
def order_transactions(
    o: Record, _ctx: Context, first: int | None = None, capturable: bool | None = None, **_args: Any
) -> list[Record]:
    rows = o.get("_transactions", [])
    if capturable:
        rows = [t for t in rows if t["kind"] == "AUTHORIZATION" and capturable_amount(o, t) > 0]
    return _first(rows, first)


@resolves("Order.transactionsCount")
def order_transactions_count(o: Record, _ctx: Context) -> dict[str, Any]:
    return count(len(o.get("_transactions", [])))


@resolves("Order.shippingLine")
def order_shipping_line(o: Record, _ctx: Context) -> Record | None:
    return next(iter(o.get("_shipping_lines", [])), None)


@resolves("Order.discountCode")
def order_discount_code(o: Record, ctx: Context) -> str | None:
    return next(iter(order_discount_codes(o, ctx)), None)


@resolves("Order.refunds")
def order_refunds(o: Record, _ctx: Context, first: int | None = None) -> list[Record]:
    return _first(o.get("_refunds", []), first)


@resolves("Order.shippingLines")
def order_shipping_lines(o: Record, _ctx: Context, includeRemovals: bool = False, **args: Any) -> dict[str, Any]:
    return paginate_list([s for s in o.get("_shipping_lines", []) if includeRemovals or not s["isRemoved"]], args)


@resolves("Order.discountApplications")
def order_discount_applications(o: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(o.get("_discount_applications", []), args)


@resolves("Order.discountCodes")
def order_discount_codes(o: Record, _ctx: Context) -> list[str]:
    return [a["code"] for a in o.get("_discount_applications", []) if a["__typename"] == "DiscountCodeApplication"]


def priced(order: Record, tax_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**t, "priceSet": bag(order, t["_amount"]), "price": money(t["_amount"])} for t in tax_lines]


@resolves("Order.taxLines")
def order_tax_lines(o: Record, _ctx: Context) -> list[dict[str, Any]]:
    """The order's taxes by title and rate, summed over its lines and shipping lines."""
    sums: dict[tuple[str, float], dict[str, Any]] = {}
    sources = [li.get("_tax_lines", []) for li in o.get("_line_items", [])]
    sources += [s["_tax_lines"] for s in o.get("_shipping_lines", [])] + [o.get("_tax_lines", [])]
    for lines in sources:
        for t in lines:
            key = (t["title"], t["rate"])
            if key in sums:
                sums[key]["_amount"] = money(Decimal(sums[key]["_amount"]) + Decimal(t["_amount"]))
            else:
                sums[key] = dict(t)
    return priced(o, list(sums.values()))


def _refund_rows(o: Record, key: str) -> list[Record]:
    return [row for r in o.get("_refunds", []) for row in r[key]]


def _sum(rows: list[Record], key: str) -> Decimal:
    return sum((Decimal(r[key]) for r in rows), ZERO)


def current_subtotal(o: Record) -> Decimal:
    return Decimal(o["_subtotal"]) - _sum(_refund_rows(o, "_line_items"), "_subtotal")


def current_tax(o: Record) -> Decimal:
    return Decimal(o["_total_tax"]) - _sum(_refund_rows(o, "_line_items"), "_tax")


def current_shipping(o: Record) -> Decimal:
    """Shipping charged after its discounts and refunds."""
    charged = sum((Decimal(s["_price"]) - Decimal(s["_discount"]) for s in o.get("_shipping_lines", [])), ZERO)
    return charged - _sum(_refund_rows(o, "_shipping_lines"), "_subtotal")


def current_total(o: Record) -> Decimal:
    """The total less what refunds took back: units and shipping, with their taxes unless prices include
    them."""
    rows = _refund_rows(o, "_line_items") + _refund_rows(o, "_shipping_lines")
    taxes = ZERO if o.get("taxesIncluded") else _sum(rows, "_tax")
    return Decimal(o["_total_price"]) - _sum(rows, "_subtotal") - taxes


def current_discounts(o: Record) -> Decimal:
    given_back = sum(
        (
            Decimal(r["_line_item"].get("_discount", "0")) * r["quantity"] / r["_line_item"]["quantity"]
            for r in _refund_rows(o, "_line_items")
        ),
        ZERO,
    )
    return Decimal(o.get("_total_discounts") or 0) - given_back


def outstanding(o: Record) -> Decimal:
    """What the customer still owes; negative when the merchant gave back more than the items."""
    if o.get("cancelledAt"):
        return ZERO
    return current_total(o) - net_payment(o) - total_capturable(o)


ORDER_MONEY = {
    "currentSubtotalPriceSet": current_subtotal,
    "currentTotalTaxSet": current_tax,
    "currentTotalPriceSet": current_total,
    "currentTotalDiscountsSet": current_discounts,
    "currentShippingPriceSet": current_shipping,
    "netPaymentSet": net_payment,
    "totalReceivedSet": received,
    "totalRefundedSet": refunded,
    "totalOutstandingSet": outstanding,
    "totalCapturableSet": total_capturable,
    "totalRefundedShippingSet": lambda o: _sum(_refund_rows(o, "_shipping_lines"), "_subtotal"),
}


def _order_bag(compute):
    return lambda o, _ctx: bag(o, compute(o))


for _field, _compute in ORDER_MONEY.items():
    resolves(f"Order.{_field}")(_order_bag(_compute))


@resolves("Order.totalCapturable")
def order_total_capturable(o: Record, _ctx: Context) -> str:
    return f"{total_capturable(o):.2f}"


@resolves("Order.capturable")
def order_capturable(o: Record, _ctx: Context) -> bool:
    return total_capturable(o) > 0 and not o.get("cancelledAt")


@resolves("Order.refundable")
def order_refundable(o: Record, _ctx: Context) -> bool:
    return net_payment(o) > 0 and not o.get("cancelledAt")


@resolves("Order.paymentGatewayNames")
def payment_gateway_names(o: Record, _ctx: Context) -> list[str]:
    """The gateways of the order's transactions; an order that holds none but says it was paid, manual."""
    if o.get("_transactions"):
        return list(dict.fromkeys(t["gateway"] for t in o["_transactions"]))
    return ["manual"] if o.get("displayFinancialStatus") not in (None, "PENDING") else []


# LineItem ------------------------------------------------------------------------------------------
@resolves("LineItem.taxLines")
def line_item_tax_lines(li: Record, _ctx: Context, **_args: Any) -> list[dict[str, Any]]:
    return priced(li["_order"], li.get("_tax_lines", []))


@resolves("LineItem.discountAllocations")
def line_item_discount_allocations(li: Record, _ctx: Context) -> list[dict[str, Any]]:
    order = li["_order"]
    applications = order.get("_discount_applications", [])
    return [
        {
            "allocatedAmountSet": bag(order, amount),
            "allocatedAmount": bag(order, amount)["shopMoney"],
            "discountApplication": applications[index],
        }
        for index, amount in li.get("_allocations", [])
    ]


# ShippingLine --------------------------------------------------------------------------------------
def _shipping_money(compute):
    return lambda s, _ctx: bag(s["_order"], compute(s))


def _discounted(s: Record) -> Decimal:
    return Decimal(s["_price"]) - Decimal(s["_discount"])


for _field, _compute in {
    "originalPriceSet": lambda s: Decimal(s["_price"]),
    "discountedPriceSet": _discounted,
    "currentDiscountedPriceSet": _discounted,
}.items():
    resolves(f"ShippingLine.{_field}")(_shipping_money(_compute))
resolves("ShippingLine.originalPrice")(lambda s, _ctx: bag(s["_order"], s["_price"])["shopMoney"])
resolves("ShippingLine.discountedPrice")(lambda s, _ctx: bag(s["_order"], _discounted(s))["shopMoney"])
resolves("ShippingLine.price")(lambda s, _ctx: money(s["_price"]))
resolves("ShippingLine.taxLines")(lambda s, _ctx: priced(s["_order"], s["_tax_lines"]))
resolves("ShippingLine.discountAllocations")(lambda _s, _ctx: [])


# OrderTransaction ----------------------------------------------------------------------------------
resolves("OrderTransaction.amountSet")(lambda t, _ctx: bag(t["_order"], t["_amount"]))
resolves("OrderTransaction.amount")(lambda t, _ctx: f"{Decimal(t['_amount']):.2f}")
resolves("OrderTransaction.parentTransaction")(lambda t, _ctx: t["_parent"])
resolves("OrderTransaction.order")(lambda t, _ctx: t["_order"])
resolves("OrderTransaction.fees")(lambda t, _ctx: transaction_fees(t))


def _open_authorization(t: Record) -> bool:
    return t["kind"] == "AUTHORIZATION" and t["status"] == "SUCCESS" and capturable_amount(t["_order"], t) > 0


@resolves("OrderTransaction.manuallyCapturable")
def manually_capturable(t: Record, _ctx: Context) -> bool:
    return _open_authorization(t) and t["manualPaymentGateway"]


@resolves("OrderTransaction.multiCapturable")
def multi_capturable(t: Record, _ctx: Context) -> bool:
    return _open_authorization(t) and not t["manualPaymentGateway"]


@resolves("OrderTransaction.totalUnsettledSet")
def total_unsettled(t: Record, _ctx: Context) -> dict[str, Any] | None:
    return bag(t["_order"], capturable_amount(t["_order"], t)) if _open_authorization(t) else None


@resolves("OrderTransaction.maximumRefundableV2")
def maximum_refundable(t: Record, _ctx: Context) -> dict[str, str] | None:
    if t["kind"] not in ("SALE", "CAPTURE") or t["status"] != "SUCCESS":
        return None
    return bag(t["_order"], refundable_amount(t["_order"], t))["shopMoney"]


# Refund and its parts --------------------------------------------------------------------------------
@resolves("QueryRoot.refund")
def refund(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Refund")


def _refund_total(r: Record) -> Decimal:
    return sum((Decimal(t["_amount"]) for t in r["_transactions"] if t["status"] == "SUCCESS"), ZERO)


resolves("Refund.order")(lambda r, _ctx: r["_order"])
resolves("Refund.totalRefundedSet")(lambda r, _ctx: bag(r["_order"], _refund_total(r)))
resolves("Refund.totalRefunded")(lambda r, _ctx: bag(r["_order"], _refund_total(r))["shopMoney"])
resolves("Refund.refundLineItems")(lambda r, _ctx, **args: paginate_list(r["_line_items"], args))
resolves("Refund.refundShippingLines")(lambda r, _ctx, **args: paginate_list(r["_shipping_lines"], args))
resolves("Refund.orderAdjustments")(lambda r, _ctx, **args: paginate_list(r["_adjustments"], args))
resolves("Refund.transactions")(lambda r, _ctx, **args: paginate_list(r["_transactions"], args))
resolves("Refund.return")(lambda r, _ctx: r.get("_return"))


def _order_of_row(row: Record) -> Record:
    return row["_line_item"]["_order"]


resolves("RefundLineItem.lineItem")(lambda r, _ctx: r["_line_item"])
resolves("RefundLineItem.location")(lambda r, _ctx: r["_location"])
for _name, _key in {"priceSet": "_price", "subtotalSet": "_subtotal", "totalTaxSet": "_tax"}.items():
    resolves(f"RefundLineItem.{_name}")(lambda r, _ctx, _key=_key: bag(_order_of_row(r), r[_key]))
for _name, _key in {"price": "_price", "subtotal": "_subtotal", "totalTax": "_tax"}.items():
    resolves(f"RefundLineItem.{_name}")(lambda r, _ctx, _key=_key: f"{Decimal(r[_key]):.2f}")

resolves("RefundShippingLine.shippingLine")(lambda r, _ctx: r["_shipping_line"])
resolves("RefundShippingLine.subtotalAmountSet")(lambda r, _ctx: bag(r["_shipping_line"]["_order"], r["_subtotal"]))
resolves("RefundShippingLine.taxAmountSet")(lambda r, _ctx: bag(r["_shipping_line"]["_order"], r["_tax"]))


@resolves("OrderAdjustment.amountSet")
def adjustment_amount(a: Record, ctx: Context) -> dict[str, Any]:
    return bag(a["_order"], a["_amount"])


@resolves("OrderAdjustment.taxAmountSet")
def adjustment_tax(a: Record, ctx: Context) -> dict[str, Any]:
    return bag(a["_order"], ZERO)
