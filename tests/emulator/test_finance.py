"""The emulator's own sales report (domains/orders/finance.py) on a hand-made set of orders, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shopify_admin_emulator.domains.orders.finance import sales_by_day
from shopify_admin_emulator.domains.orders.ledger import (
    allocate,
    discount_application,
    new_shipping_line,
    new_transaction,
    percentage,
    tax_line,
)
from shopify_admin_emulator.domains.orders.models import new_line_item, new_order
from shopify_admin_emulator.domains.orders.refunds import RefundPlan, new_refund
from shopify_admin_emulator.store import Record, Store

D = Decimal
DAY_1, DAY_2 = "2026-03-01", "2026-03-02"  # before daylight saving time: Toronto is UTC-5


def line(store: Store, order: Record, quantity: int, price: str, tax: str, discount: str | None = None) -> Record:
    item = new_line_item(
        store, order, None, None, name="Mug", title="Mug", variant_title=None, quantity=quantity, unit_price=price
    )
    item["_tax_lines"], item["_tax"] = [tax_line("HST", D("0.13"), D(tax))], tax
    if discount:
        allocate(
            item, discount_application(order, "DiscountCodeApplication", percentage(D(10)), code="TEN"), D(discount)
        )
    order["_line_items"] = [item]
    return item


@pytest.fixture
def orders() -> list[Record]:
    store = Store(currency="USD")
    # A: 2 x 50.00 less 10% (10.00), 13% tax on 90.00 (11.70), shipping 10.00 taxed 1.30: 113.00, paid by card;
    # the next day one unit and the shipping come back: 45.00 + 5.85 + 10.00 + 1.30 = 62.15.
    a = new_order(store, None, f"{DAY_1}T10:00:00Z")
    mug = line(store, a, 2, "50.00", "11.70", discount="10.00")
    new_shipping_line(store, a, "Standard", D("10.00"), tax_lines=[tax_line("HST", D("0.13"), D("1.30"))])
    a.update(_subtotal="90.0", _total_tax="13.0", _total_shipping="10.0", _total_price="113.0", _total_refunded="0.0")
    sale = new_transaction(store, a, "SALE", D("113.00"), a["processedAt"], gateway="shopify_payments")
    plan = RefundPlan(lines=[(mug, 1, "NO_RESTOCK", None)], shipping=D("10.00"), payments=[(sale, D("62.15"))])
    new_refund(store, a, plan, f"{DAY_2}T01:00:00Z")
    # B: 113.00 with 13.00 of tax included, authorized, then captured after midnight UTC (not yet in Toronto).
    b = new_order(store, None, f"{DAY_1}T23:30:00Z", taxesIncluded=True)
    line(store, b, 1, "113.00", "13.00")
    b.update(_subtotal="113.0", _total_tax="13.0", _total_shipping="0.0", _total_price="113.0", _total_refunded="0.0")
    authorization = new_transaction(store, b, "AUTHORIZATION", D("113.00"), b["processedAt"])
    new_transaction(store, b, "CAPTURE", D("113.00"), f"{DAY_2}T02:00:00Z", parent=authorization)
    new_transaction(store, b, "SALE", D("5.00"), f"{DAY_2}T02:00:00Z", status="FAILURE")
    # C: a test order, which reports leave out.
    c = new_order(store, None, f"{DAY_1}T12:00:00Z", test=True)
    line(store, c, 1, "999.00", "129.87")
    new_transaction(store, c, "SALE", D("1128.87"), c["processedAt"])
    return [a, b, c]


def test_sales_per_utc_day(orders: list[Record]) -> None:
    days = sales_by_day(orders)
    first, second = days[date(2026, 3, 1)], days[date(2026, 3, 2)]
    assert (first.gross_sales, first.discounts, first.returns, first.net_sales) == (D(200), D(10), D(0), D(190))
    assert (first.shipping, first.taxes, first.total_sales) == (D(10), D(26), D(226))
    assert dict(first.payments) == {"shopify_payments": D("113.00")}
    assert (second.gross_sales, second.returns, second.net_sales) == (D(0), D(45), D(-45))
    assert (second.shipping, second.taxes, second.total_sales) == (D(-10), D("-7.15"), D("-62.15"))
    assert dict(second.payments) == {"shopify_payments": D("-62.15"), "manual": D("113.00")}


def test_sales_per_day_in_the_shops_timezone(orders: list[Record]) -> None:
    (day,) = sales_by_day(orders, "America/Toronto").items()
    assert day[0] == date(2026, 3, 1)
    sales = day[1]
    assert (sales.net_sales, sales.shipping, sales.taxes, sales.total_sales) == (D(145), D(0), D("18.85"), D("163.85"))
    assert dict(sales.payments) == {"shopify_payments": D("50.85"), "manual": D("113.00")}
