"""The shop's own sales report, per day in the shop's timezone and in the shop's currency, as Shopify's
finance reports define it (docs/emulator.md, "Money"): computed from the emulator's records alone, for a
warehouse built from the API to be reconciled against.

Sales are booked on the day they happen: what an order sold on its processedAt day, what a refund gave
back on the refund's day, a payment on its transaction's day. Test orders are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ...store import Record
from .ledger import ZERO

Money = Decimal


@dataclass
class DaySales:
    gross_sales: Money = ZERO
    discounts: Money = ZERO  # positive: what was taken off
    returns: Money = ZERO  # positive: what refunded items were sold for
    shipping: Money = ZERO
    taxes: Money = ZERO
    payments: dict[str, Money] = field(default_factory=lambda: defaultdict(lambda: ZERO))  # net, per gateway

    @property
    def net_sales(self) -> Money:
        return self.gross_sales - self.discounts - self.returns

    @property
    def total_sales(self) -> Money:
        return self.net_sales + self.shipping + self.taxes


def _day(stamp: str, zone: ZoneInfo) -> date:
    return datetime.fromisoformat(stamp).astimezone(zone).date()


def _tax_part(order: Record, tax: Money) -> Money:
    """The part of a taxed amount that is tax, which prices that include tax must give up."""
    return tax if order.get("taxesIncluded") else ZERO


def sales_by_day(orders: Iterable[Record], timezone: str = "Etc/UTC") -> dict[date, DaySales]:
    """Gross sales (units at their price, less the tax prices include), discounts, returns (refunded units
    at what they were sold for, less their tax), net sales, shipping (charged less discounted and
    refunded), taxes (charged less refunded), total sales, and payments received net of refunds per gateway."""
    zone = ZoneInfo(timezone)
    days: dict[date, DaySales] = defaultdict(DaySales)
    for order in orders:
        if order.get("test"):
            continue
        sold = days[_day(order["processedAt"], zone)]
        for li in order["_line_items"]:
            tax = Decimal(li.get("_tax", "0"))
            sold.gross_sales += Decimal(li["_unit_price"]) * li["quantity"] - _tax_part(order, tax)
            sold.discounts += Decimal(li.get("_discount", "0"))
            sold.taxes += tax
        for shipping in order.get("_shipping_lines", []):
            sold.shipping += Decimal(shipping["_price"]) - Decimal(shipping["_discount"])
            sold.taxes += sum((Decimal(t["_amount"]) for t in shipping["_tax_lines"]), ZERO)
        sold.taxes += sum((Decimal(t["_amount"]) for t in order.get("_tax_lines", [])), ZERO)
        for refund in order.get("_refunds", []):
            given_back = days[_day(refund["processedAt"], zone)]
            for row in refund["_line_items"]:
                tax = Decimal(row["_tax"])
                given_back.returns += Decimal(row["_subtotal"]) - _tax_part(order, tax)
                given_back.taxes -= tax
            for row in refund["_shipping_lines"]:
                given_back.shipping -= Decimal(row["_subtotal"])
                given_back.taxes -= Decimal(row["_tax"])
        for t in order.get("_transactions", []):
            if t["status"] != "SUCCESS" or t["kind"] not in ("SALE", "CAPTURE", "REFUND"):
                continue
            sign = -1 if t["kind"] == "REFUND" else 1
            days[_day(t["processedAt"], zone)].payments[t["gateway"]] += sign * Decimal(t["_amount"])
    return dict(days)
