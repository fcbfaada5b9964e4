"""An order's money as the store keeps it: transactions, refunds, shipping lines, tax lines and discount
applications, and the sums Shopify derives from them.

Amounts are kept in the shop's currency (`_amount`); an order sold in another presentment currency keeps
its rate (`_fx`, presentment units per shop unit) and shows each amount in both, rounded to the cent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ...store import Record, Store, money

ZERO = Decimal(0)
CENT = Decimal("0.01")
MONEY_IN = ("SALE", "CAPTURE")  # kinds whose success is money received


def bag(order: Record, amount: Decimal | str, currency: str | None = None) -> dict[str, Any]:
    """A MoneyBag of a shop amount of `order`: the presentment side converted at the order's rate."""
    shop_currency = currency or order.get("currencyCode") or "USD"
    presentment = (Decimal(amount) * Decimal(order.get("_fx", "1"))).quantize(CENT)
    return {
        "shopMoney": {"amount": money(amount), "currencyCode": shop_currency},
        "presentmentMoney": {
            "amount": money(presentment),
            "currencyCode": order.get("presentmentCurrencyCode") or shop_currency,
        },
    }


def given_amount(value: Any) -> Decimal | None:
    """A Money or Decimal input as a finite amount; None when it is none."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def tax_line(title: str, rate: Decimal, amount: Decimal, source: str = "Shopify") -> dict[str, Any]:
    """A TaxLine before its order turns `_amount` into a priceSet."""
    return {
        "title": title,
        "rate": float(rate),
        "ratePercentage": float(rate * 100),
        "source": source,
        "channelLiable": False,
        "_amount": money(amount),
    }


def new_transaction(
    store: Store,
    order: Record,
    kind: str,
    amount: Decimal,
    when: str,
    *,
    gateway: str = "manual",
    status: str = "SUCCESS",
    parent: Record | None = None,
    error_code: str | None = None,
    processed_at: str | None = None,
) -> Record:
    """An OrderTransaction made at `when` and processed then, or at `processed_at` (a back-dated refund's),
    stored and added to the order's; a failed one carries `error_code`."""
    number = len(order.setdefault("_transactions", [])) + 1
    transaction = store.new_record(
        "OrderTransaction",
        kind=kind,
        status=status,
        gateway=gateway,
        formattedGateway=GATEWAY_NAMES.get(gateway, gateway.replace("_", " ").title()),
        manualPaymentGateway=gateway not in CARD_GATEWAYS,
        test=bool(order.get("test")),
        createdAt=when,
        processedAt=processed_at or when,
        errorCode=error_code,
        authorizationCode=f"{order['_n'] % 1_000_000:06d}{number:02d}" if gateway in CARD_GATEWAYS else None,
        paymentId=f"r{order['_n'] % 10**9}.{number}",
        authorizationExpiresAt=None,
        _amount=money(amount),
        _parent=parent,
        _order=order,
    )
    order["_transactions"].append(store.put(transaction))
    return transaction


GATEWAY_NAMES = {"manual": "Manual", "shopify_payments": "Shopify Payments", "gift_card": "Gift card"}
CARD_GATEWAYS = {"shopify_payments"}
CARD_FEE_RATE, CARD_FEE_FLAT = Decimal("0.029"), Decimal("0.30")


def transaction_fees(transaction: Record) -> list[dict[str, Any]]:
    """Shopify Payments takes 2.9% + 30¢ of a successful sale or capture; other gateways report none."""
    if transaction["gateway"] not in CARD_GATEWAYS or transaction["kind"] not in MONEY_IN:
        return []
    if transaction["status"] != "SUCCESS":
        return []
    currency = transaction["_order"].get("currencyCode") or "USD"
    amount = (Decimal(transaction["_amount"]) * CARD_FEE_RATE + CARD_FEE_FLAT).quantize(CENT)

    def of(value: Decimal) -> dict[str, str]:
        return {"amount": money(value), "currencyCode": currency}

    return [
        {
            "id": f"gid://shopify/TransactionFee/{transaction['_n']}",
            "amount": of(amount),
            "flatFee": of(CARD_FEE_FLAT),
            "flatFeeName": None,
            "rate": str(CARD_FEE_RATE),
            "rateName": "Domestic card",
            "taxAmount": of(ZERO),
            "type": "payment",
        }
    ]


def succeeded(order: Record, *kinds: str) -> list[Record]:
    return [t for t in order.get("_transactions", []) if t["status"] == "SUCCESS" and t["kind"] in kinds]


def total_of(transactions: list[Record]) -> Decimal:
    return sum((Decimal(t["_amount"]) for t in transactions), ZERO)


def children(order: Record, parent: Record, kind: str) -> list[Record]:
    return [t for t in succeeded(order, kind) if t["_parent"] is parent]


def capturable_amount(order: Record, authorization: Record) -> Decimal:
    """What is left to capture of a successful authorization: nothing once voided."""
    if children(order, authorization, "VOID"):
        return ZERO
    return Decimal(authorization["_amount"]) - total_of(children(order, authorization, "CAPTURE"))


def refundable_amount(order: Record, payment: Record) -> Decimal:
    return Decimal(payment["_amount"]) - total_of(children(order, payment, "REFUND"))


def received(order: Record) -> Decimal:
    """Money taken: the successful sales and captures; an order that holds no transactions (created with a
    bare financialStatus) counts its total once its status says it was paid."""
    if order.get("_transactions"):
        return total_of(succeeded(order, *MONEY_IN))
    paid = order.get("displayFinancialStatus") in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")
    return Decimal(order["_total_price"]) if paid else ZERO


def refunded(order: Record) -> Decimal:
    return Decimal(order.get("_total_refunded") or 0)


def net_payment(order: Record) -> Decimal:
    return received(order) - refunded(order)


def total_capturable(order: Record) -> Decimal:
    return sum((capturable_amount(order, t) for t in succeeded(order, "AUTHORIZATION")), ZERO)


def payment_status(order: Record) -> str | None:
    """displayFinancialStatus after a capture, void or refund, from the transactions."""
    total = Decimal(order["_total_price"])
    taken, given_back = received(order), refunded(order)
    if given_back > 0:
        return "REFUNDED" if given_back >= taken else "PARTIALLY_REFUNDED"
    if taken > 0:
        return "PAID" if taken >= total else "PARTIALLY_PAID"
    if total_capturable(order) > 0:
        return "AUTHORIZED"
    if succeeded(order, "VOID"):
        return "VOIDED"
    return order.get("displayFinancialStatus")


def returned_quantity(line_item: Record) -> int:
    """Units of a line item refunded so far."""
    order = line_item["_order"]
    return sum(
        rli["quantity"] for r in order.get("_refunds", []) for rli in r["_line_items"] if rli["_line_item"] is line_item
    )


def new_shipping_line(
    store: Store,
    order: Record,
    title: str,
    price: Decimal,
    *,
    code: str | None = None,
    source: str = "shopify",
    discount: Decimal = ZERO,
    tax_lines: list[dict[str, Any]] | None = None,
) -> Record:
    """A ShippingLine, added to the order's (it is no node: Shopify gives it an id all the same)."""
    line = store.new_record(
        "ShippingLine",
        title=title,
        code=code or title,
        source=source,
        carrierIdentifier=None if source == "shopify" else f"{source}-carrier",
        custom=source != "shopify",
        deliveryCategory=None,
        phone=None,
        shippingRateHandle=None,
        isRemoved=False,
        _price=money(price),
        _discount=money(discount),
        _tax_lines=tax_lines or [],
        _order=order,
    )
    del line["legacyResourceId"]
    order.setdefault("_shipping_lines", []).append(line)
    return line


def discount_application(
    order: Record,
    type_name: str,
    value: dict[str, Any],
    *,
    code: str | None = None,
    title: str | None = None,
    target_type: str = "LINE_ITEM",
    allocation_method: str = "ACROSS",
) -> int:
    """Add a DiscountApplication (DiscountCodeApplication with `code`, AutomaticDiscountApplication with
    `title`) to the order; its index, by which line items allocate amounts of it."""
    applications = order.setdefault("_discount_applications", [])
    index = len(applications)
    application = {
        "__typename": type_name,
        "_n": index,
        "index": index,
        "allocationMethod": allocation_method,
        "targetSelection": "ALL",
        "targetType": target_type,
        "value": value,
    }
    application.update({"code": code} if code is not None else {"title": title, "description": None})
    applications.append(application)
    return index


def percentage(value: Decimal) -> dict[str, Any]:
    return {"__typename": "PricingPercentageValue", "percentage": float(value)}


def fixed(order: Record, amount: Decimal) -> dict[str, Any]:
    return {"__typename": "MoneyV2", **bag(order, amount)["presentmentMoney"]}


def gross(lines: list[Record]) -> Decimal:
    """What the lines sell for before discounts."""
    return sum((Decimal(li["_unit_price"]) * li["quantity"] for li in lines), ZERO)


def percentage_off(lines: list[Record], rate: Decimal) -> Decimal:
    """What `rate` percent off the lines takes, to the cent."""
    return (gross(lines) * rate / 100).quantize(CENT)


def allocate(line_item: Record, index: int, amount: Decimal) -> None:
    """Part of discount application `index` taken off a line item (its `_discount` sums them)."""
    line_item.setdefault("_allocations", []).append((index, money(amount)))
    line_item["_discount"] = money(Decimal(line_item.get("_discount", "0")) + amount)


def spread(lines: list[Record], index: int, total: Decimal) -> None:
    """Allocate discount application `index` over the lines in proportion to their totals, cent-exact: the
    last line takes what rounding left over."""
    line_totals = [gross([li]) for li in lines]
    whole = sum(line_totals, ZERO)
    left = total
    for i, (li, amount) in enumerate(zip(lines, line_totals, strict=True)):
        share = left if i == len(lines) - 1 else (total * amount / whole).quantize(CENT)
        allocate(li, index, share)
        left -= share
