"""Net sales reconcile to the cent: the shop loaded into PostgreSQL through Meltano, docs/net-sales.sql run
over the loaded schema, and every day's every figure compared with the emulator's own sales report
(`finance.sales_by_day`, its arithmetic over its records, sharing no code with the tap or the SQL); then
refunds, a capture, a void, a return and a deletion made through the Admin API, an incremental run, and
the figures level again with no row doubled.

The emulator runs in this process, so that its report is read from the shop the pipeline reads, and so
that it is strict: a failure of its own fails the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shopify_admin_emulator.domains.orders.finance import sales_by_day

from ..conftest import TOKEN, Running, start
from ..helpers import ORDER_CREATE, ORDER_DELETE, REFUND_CREATE, usd
from ..postgres import Postgres
from .meltano import FORWARD, ROOT, Pipeline, pipeline_at

pytestmark = [pytest.mark.slow, pytest.mark.meltano]

NET_SALES = ROOT / "docs" / "net-sales.sql"
TIMEZONE = "America/Toronto"  # days in the shop's zone differ from UTC days for five hours of each
# what the SQL reads (of the orders, only the fields it and SHAPES name: the rest, such as fulfillments and
# addresses, would make the read slower), the orders' discount applications (to show code and automatic
# discounts are there) and returns (to count them)
ORDER_FIELDS = """id updatedAt _sdc_deleted_at processedAt test taxesIncluded currencyCode presentmentCurrencyCode
    displayFinancialStatus"""
NESTED = """order_line_items order_line_item_tax_lines order_line_item_discount_allocations order_tax_lines
    shipping_lines discount_applications refunds refund_line_items refund_shipping_lines transactions returns"""
SELECTED = [
    "shop.*",
    *(f"orders.{field}" for field in ORDER_FIELDS.split()),
    *(f"{stream}.*" for stream in NESTED.split()),
]

# what the loaded store must hold for the reconciliation to prove anything: (shape, query of its count)
SHAPES = {
    "full refunds": """select count(*) from orders where "displayFinancialStatus" = 'REFUNDED'""",
    "partial refunds": """select count(*) from orders where "displayFinancialStatus" = 'PARTIALLY_REFUNDED'""",
    "restocked refund lines": "select count(*) from refund_line_items where restocked",
    "refund lines not restocked": "select count(*) from refund_line_items where not restocked",
    "refunded shipping": "select count(*) from refund_shipping_lines",
    "discount codes": """select count(*) from discount_applications where code is not null""",
    "automatic discounts": """select count(*) from discount_applications where title = 'Five off'""",
    "taxes included in prices": """select count(*) from orders where "taxesIncluded" """,
    "taxes on top of prices": """select count(*) from orders where not "taxesIncluded" """,
    "shipping": "select count(*) from shipping_lines",
    "a presentment currency": """select count(*) from orders where "presentmentCurrencyCode" <> "currencyCode" """,
    "a third gateway": "select count(distinct gateway) - 2 from transactions",
    "failed payments": "select count(*) from transactions where status = 'FAILURE'",
    "pending payments": "select count(*) from transactions where status = 'PENDING'",
    "voided authorizations": "select count(*) from transactions where kind = 'VOID'",
    "test orders": "select count(*) from orders where test",
    "returns": "select count(*) from returns",
}
ORDER_CAPTURE = """mutation($input: OrderCaptureInput!) {
  orderCapture(input: $input) { transaction { id } userErrors { field message } }
}"""
TRANSACTION_VOID = """mutation($id: ID!) {
  transactionVoid(parentTransactionId: $id) { transaction { id } userErrors { field message } }
}"""
RETURN_CREATE = """mutation($input: ReturnInput!) {
  returnCreate(returnInput: $input) { return { id } userErrors { field message } }
}"""
RETURN_CLOSE = """mutation($id: ID!) { returnClose(id: $id) { return { id } userErrors { field message } } }"""
MOVED_MONEY = """query($after: String) { orders(first: 100, after: $after) {
  nodes { returnStatus refunds { id } transactions { id } returns(first: 10) { nodes { id } } }
  pageInfo { hasNextPage endCursor } } }"""

Figures = tuple[Any, ...]  # currency, gross sales … total sales, {gateway: payments}


@pytest.fixture
def toronto() -> Iterator[Running]:
    """1,000 orders with their money, in a shop in Toronto whose clock runs a second behind the wall clock:
    whatever the test writes before a run is stamped before the second that run's window ends at (the
    tap's sync start), as a second's wait would make it."""
    shop = start(customers=200, products=40, orders=1000, timezone=TIMEZONE)
    shop.emulator.store.clock.offset = -1.0
    yield shop
    shop.server.shutdown()
    shop.server.server_close()


@pytest.fixture
def warehouse(installed: None, postgres: Postgres, tmp_path: Path, toronto: Running) -> Pipeline:
    pipeline = pipeline_at(postgres, tmp_path, "e2e_net_sales", toronto.url, TOKEN)
    pipeline.meltano.env["TAP_SHOPIFY_ADMIN__SELECT"] = json.dumps(SELECTED)
    return pipeline


def create_order(pipeline: Pipeline, processed_at: str, kind: str, gateway: str, *, test: bool = False) -> dict:
    """An order of two 40.00 units taxed 10.40, with 9.99 of shipping, paid or authorized in full."""
    order = {
        "currency": "USD",
        "processedAt": processed_at,
        "test": test,
        "lineItems": [
            {
                "title": "Travel mug",
                "quantity": 2,
                "priceSet": usd("40.00"),
                "taxLines": [{"title": "HST", "rate": "0.13", "priceSet": usd("10.40")}],
            }
        ],
        "shippingLines": [{"title": "Standard", "code": "STANDARD", "priceSet": usd("9.99")}],
        "transactions": [{"kind": kind, "gateway": gateway, "amountSet": usd("100.39"), "processedAt": processed_at}],
    }
    return pipeline.mutate(ORDER_CREATE, {"order": order})["order"]  # type: ignore[no-any-return]


def warehouse_report(pipeline: Pipeline) -> dict[date, Figures]:
    """docs/net-sales.sql, as it is, over the loaded schema."""
    rows = pipeline.postgres.psql(f"SET search_path TO {pipeline.schema};\n{NET_SALES.read_text()}")
    return {
        date.fromisoformat(day): (
            currency,
            *map(Decimal, figures),
            json.loads(payments, parse_float=Decimal, parse_int=Decimal),
        )
        for day, currency, *figures, payments in rows
    }


def shop_report(shop: Running) -> dict[date, Figures]:
    """The emulator's own report of the shop's live orders."""
    store = shop.emulator.store
    with store.lock:
        days = sales_by_day(list(store.all("Order")), store.timezone)
    return {
        day: (
            store.currency,
            s.gross_sales,
            s.discounts,
            s.returns,
            s.net_sales,
            s.shipping,
            s.taxes,
            s.total_sales,
            dict(s.payments),
        )
        for day, s in days.items()
    }


def assert_level(pipeline: Pipeline, shop: Running) -> dict[date, Figures]:
    ours, theirs = warehouse_report(pipeline), shop_report(shop)
    differ = sorted(day for day in ours.keys() | theirs.keys() if ours.get(day) != theirs.get(day))
    assert not differ, "\n".join(f"{day}: SQL {ours.get(day)}\n{'':12}shop {theirs.get(day)}" for day in differ[:5])
    return ours


def print_day(report: dict[date, Figures]) -> None:
    """The figures of the day with the most going on, to quote."""
    day = max(report, key=lambda d: (len(report[d][-1]), report[d][3] != 0, report[d][1]))
    names = ("currency", "gross sales", "discounts", "returns", "net sales", "shipping", "taxes", "total sales")
    print(f"\n{day} in {TIMEZONE}:")
    for name, value in zip(names, report[day], strict=False):
        print(f"  {name:12} {value}")
    for gateway, amount in sorted(report[day][-1].items()):
        print(f"  payments {gateway}: {amount}")


def moved_money(pipeline: Pipeline) -> dict[str, int]:
    """Refunds, transactions and returns of the shop's orders, counted through the Admin API. Returns count
    on orders whose returnStatus is not NO_RETURN: an order whose only return was declined reads NO_RETURN
    (as Shopify's does, ../shared/shopify-captures/2026-04/orders/order-return-status-lifecycle.json), so
    no search finds it and a return declined before any run read it never reaches the warehouse (it moves
    no money)."""
    counts = {"refunds": 0, "transactions": 0, "returns": 0}
    after = None
    while True:
        page = pipeline.graphql(MOVED_MONEY, {"after": after})["orders"]
        for order in page["nodes"]:
            counts["refunds"] += len(order["refunds"])
            counts["transactions"] += len(order["transactions"])
            counts["returns"] += len(order["returns"]["nodes"]) if order["returnStatus"] != "NO_RETURN" else 0
        if not page["pageInfo"]["hasNextPage"]:
            return counts
        after = page["pageInfo"]["endCursor"]


def loaded_money(pipeline: Pipeline) -> dict[str, int]:
    """The same rows in the warehouse, of its live orders."""
    live = f'join {pipeline.schema}.orders o on o.id = m."orderId" and o._sdc_deleted_at is null'
    return {
        table: int(pipeline.postgres.value(f"select count(*) from {pipeline.schema}.{table} m {live}"))
        for table in ("refunds", "transactions", "returns")
    }


def local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(TIMEZONE)).date()


def test_net_sales_reconcile_to_the_cent_before_and_after_an_incremental_run(
    warehouse: Pipeline, toronto: Running
) -> None:
    # in the evening in Toronto, past midnight UTC: each order's day is the day before its UTC date
    authorized_at = ("2026-01-14T03:30:00Z", "2026-02-20T04:15:00Z")
    capture, void = (
        create_order(warehouse, when, "AUTHORIZATION", gateway)
        for when, gateway in zip(authorized_at, ("shopify_payments", "manual"), strict=True)
    )
    create_order(warehouse, "2026-03-05T22:00:00Z", "SALE", "gift_card")
    create_order(warehouse, "2026-03-05T22:05:00Z", "SALE", "manual", test=True)

    warehouse.meltano.run(*FORWARD)
    assert_level(warehouse, toronto)
    missing = [shape for shape, count in SHAPES.items() if int(warehouse.postgres.value(
        f"SET search_path TO {warehouse.schema};\n{count}")) < 1]  # fmt: skip
    assert not missing, f"the loaded shop holds no {', '.join(missing)}"
    first_load = warehouse.postgres.value(f"select max(_sdc_batched_at) from {warehouse.schema}.orders")

    # then, through the Admin API, on orders of different days
    store = toronto.emulator.store
    with store.lock:
        orders = sorted(store.all("Order"), key=lambda o: o["_n"])
    paid = [o for o in orders if o["displayFinancialStatus"] == "PAID" and not o.get("_refunds")]
    days_used = {local_day(when) for when in authorized_at}

    def on_a_new_day(candidates: list[dict[str, Any]]) -> dict[str, Any]:
        order = next(o for o in candidates if local_day(o["processedAt"]) not in days_used)
        days_used.add(local_day(order["processedAt"]))
        return order

    restocked = on_a_new_day([o for o in paid if Decimal(o["_total_price"]) > 20])
    location = warehouse.graphql("{ locations(first: 1) { nodes { id } } }")["locations"]["nodes"][0]["id"]
    warehouse.mutate(REFUND_CREATE, {"key": "net-sales-restock", "input": {
        "orderId": restocked["id"],
        "refundLineItems": [{"lineItemId": restocked["_line_items"][0]["id"], "quantity": 1,
                             "restockType": "RETURN", "locationId": location}],
        "transactions": [{"orderId": restocked["id"], "kind": "REFUND", "gateway": "manual", "amount": "10.00",
                          "parentId": restocked["_transactions"][-1]["id"]}],
    }})  # fmt: skip
    shipped = on_a_new_day([o for o in paid if Decimal(o["_total_shipping"]) > 0 and not o["taxesIncluded"]])
    warehouse.mutate(REFUND_CREATE, {"key": "net-sales-shipping", "input": {
        "orderId": shipped["id"],
        "refundLineItems": [{"lineItemId": shipped["_line_items"][-1]["id"], "quantity": 1,
                             "restockType": "NO_RESTOCK"}],
        "shipping": {"fullRefund": True},
        "transactions": [{"orderId": shipped["id"], "kind": "REFUND", "gateway": "manual",
                          "amount": shipped["_total_shipping"], "parentId": shipped["_transactions"][-1]["id"]}],
    }})  # fmt: skip
    warehouse.mutate(ORDER_CAPTURE, {"input": {
        "id": capture["id"], "parentTransactionId": capture["transactions"][0]["id"], "amount": "100.39"}})  # fmt: skip
    warehouse.mutate(TRANSACTION_VOID, {"id": void["transactions"][0]["id"]})
    returned = on_a_new_day([o for o in orders if o["_fulfillments"] and not o.get("_returns")])
    unit = returned["_fulfillments"][0]["_line_items"][0]["id"]
    made = warehouse.mutate(RETURN_CREATE, {"input": {
        "orderId": returned["id"],
        "returnLineItems": [{"fulfillmentLineItemId": unit, "quantity": 1, "returnReason": "DEFECTIVE"}]}})  # fmt: skip
    warehouse.mutate(RETURN_CLOSE, {"id": made["return"]["id"]})
    deleted = on_a_new_day([o for o in orders if o["displayFinancialStatus"] == "PARTIALLY_REFUNDED"])
    warehouse.mutate(ORDER_DELETE, {"id": deleted["id"]})

    warehouse.meltano.run(*FORWARD)  # incremental: Meltano passes on the first run's state
    report = assert_level(warehouse, toronto)
    # only the orders refunded, captured, voided or deleted were read again (a return moves no order)
    assert warehouse.rows("orders", f"_sdc_batched_at > '{first_load}'") == 5
    assert loaded_money(warehouse) == moved_money(warehouse)
    assert warehouse.rows("orders", f"id = '{deleted['id']}' and _sdc_deleted_at is not null") == 1
    print_day(report)
