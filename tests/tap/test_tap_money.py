"""tap-shopify-admin's money streams against the emulator: refunds with their lines, transactions, tax,
shipping and discount lines, and returns; nested lists read whole; a return made after a sync arrives
in the next run; a deleted order's money dropped by the join the README shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Running, start
from ..helpers import ORDER_CREATE, ORDER_DELETE, REFUND_CREATE, last_state, records, run_tap, tap_config, usd

RETURN_REQUEST = """mutation($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id } userErrors { field message } }
}"""
RETURN_DECLINE = """mutation($input: ReturnDeclineRequestInput!) {
  returnDeclineRequest(input: $input) { return { id } userErrors { field message } }
}"""


def create_order(shop: Running, lines: int, sales: int, *, shipping_tax: bool = False) -> dict[str, Any]:
    """An order of `lines` lines of one 10.00 unit (taxed 1.00), shipping 5.00, paid by `sales` sales."""
    total = lines * 11 + 5 + (1 if shipping_tax else 0)
    shipping: dict[str, Any] = {"title": "Standard", "code": "STANDARD", "priceSet": usd("5.00")}
    if shipping_tax:
        shipping["taxLines"] = [{"title": "Shipping tax", "rate": "0.2", "priceSet": usd("1.00")}]
    order = {
        "currency": "USD",
        "lineItems": [
            {
                "title": f"Line {n}",
                "quantity": 1,
                "priceSet": usd("10.00"),
                "taxLines": [{"title": "VAT", "rate": "0.1", "priceSet": usd("1.00")}],
            }
            for n in range(lines)
        ],
        "shippingLines": [shipping],
        "transactions": [
            {"kind": "SALE", "gateway": "manual", "amountSet": usd(f"{total / sales:.2f}")} for _ in range(sales)
        ],
    }
    answer = shop.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]
    assert answer["userErrors"] == [], answer
    return answer["order"]  # type: ignore[no-any-return]


def refund(shop: Running, order: dict[str, Any], lines: int, amount: str, *, shipping: str | None = None) -> str:
    """Refund the order's first `lines` lines, paying back `amount` from its first sale."""
    (stored,) = [o for o in shop.emulator.store.all("Order") if o["id"] == order["id"]]
    refund_input: dict[str, Any] = {
        "orderId": order["id"],
        "refundLineItems": [
            {"lineItemId": line["id"], "quantity": 1, "restockType": "NO_RESTOCK"}
            for line in stored["_line_items"][:lines]
        ],
        "transactions": [
            {
                "orderId": order["id"],
                "kind": "REFUND",
                "gateway": "manual",
                "amount": amount,
                "parentId": order["transactions"][0]["id"],
            }
        ],
    }
    if shipping:
        refund_input["shipping"] = {"amount": shipping}
    answer = shop.graphql(REFUND_CREATE, {"input": refund_input, "key": f"{order['id']}-{lines}"})
    assert answer["data"]["refundCreate"]["userErrors"] == [], answer
    return answer["data"]["refundCreate"]["refund"]["id"]  # type: ignore[no-any-return]


def request_return(shop: Running) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A return requested of one unit of the first fulfilled order without returns or refunds: the order,
    the fulfillment line item and the return's id."""
    order = next(
        o
        for o in sorted(shop.emulator.store.all("Order"), key=lambda o: o["_n"])
        if o["_fulfillments"] and not o.get("_returns") and not o.get("_refunds")
    )
    unit = order["_fulfillments"][0]["_line_items"][0]
    line = {"fulfillmentLineItemId": unit["id"], "quantity": 1, "returnReason": "DEFECTIVE"}
    answer = shop.graphql(RETURN_REQUEST, {"input": {"orderId": order["id"], "returnLineItems": [line]}})
    assert answer["data"]["returnRequest"]["userErrors"] == [], answer
    return order, unit, answer["data"]["returnRequest"]["return"]["id"]


def add_money_shapes(shop: Running) -> None:
    """What a small seed may lack: shipping taxed, a refund of a line and of shipping whose money differs
    from what they are worth (an order adjustment), and a return."""
    order = create_order(shop, lines=2, sales=1, shipping_tax=True)
    refund(shop, order, lines=1, amount="9.00", shipping="5.00")
    request_return(shop)


@pytest.fixture(scope="module")
def money_shop() -> Iterator[Running]:
    running = start(plan="unlimited", customers=20, products=10, orders=60)
    yield running
    running.server.shutdown()
    running.server.server_close()


def test_the_money_streams_carry_what_the_orders_hold(money_shop: Running, tmp_path: Path) -> None:
    add_money_shapes(money_shop)
    messages = run_tap(tmp_path, tap_config(money_shop))
    store = money_shop.emulator.store
    orders = list(store.all("Order"))
    refunds = [r for o in orders for r in o.get("_refunds", [])]
    assert {r["id"] for r in records(messages, "refunds")} == {r["id"] for r in refunds}
    assert {(r["id"], r["orderId"]) for r in records(messages, "transactions")} == {
        (t["id"], o["id"]) for o in orders for t in o.get("_transactions", [])
    }
    assert {r["id"] for r in records(messages, "refund_line_items")} == {
        li["id"] for r in refunds for li in r["_line_items"]
    }
    assert {r["id"] for r in records(messages, "order_adjustments")} == {
        a["id"] for r in refunds for a in r["_adjustments"]
    }
    assert len(records(messages, "shipping_line_tax_lines")) == sum(
        len(s["_tax_lines"]) for o in orders for s in o.get("_shipping_lines", [])
    )
    item_taxes = records(messages, "order_line_item_tax_lines")
    assert len(item_taxes) == sum(len(li["_tax_lines"]) for o in orders for li in o["_line_items"])
    assert all(set(t) >= {"lineItemId", "position", "priceSet", "rate", "title"} for t in item_taxes)
    applications = records(messages, "discount_applications")
    assert len(applications) == sum(len(o.get("_discount_applications", [])) for o in orders)
    assert any("code" in a for a in applications)
    returned = [r for o in orders for r in o.get("_returns", [])]
    live = [r for r in returned if r["status"] != "DECLINED"]  # a declined return leaves its order NO_RETURN
    assert {r["id"] for r in records(messages, "returns")} == {r["id"] for r in live}
    assert len(records(messages, "return_line_items")) == sum(len(r["_line_items"]) for r in live)


def test_300_refund_lines_and_60_transactions_arrive_whole(money_shop: Running, tmp_path: Path) -> None:
    order = create_order(money_shop, lines=300, sales=60)
    made = refund(money_shop, order, lines=300, amount="3000.00")
    for bulk in ("never", "always"):
        (tmp_path / bulk).mkdir()
        messages = run_tap(tmp_path / bulk, tap_config(money_shop, bulk=bulk))
        lines = [r for r in records(messages, "refund_line_items") if r["refundId"] == made]
        assert len({r["id"] for r in lines}) == len(lines) == 300, bulk
        transactions = [r for r in records(messages, "transactions") if r["orderId"] == order["id"]]
        assert len({r["id"] for r in transactions}) == len(transactions) == 61, bulk  # 60 sales, 1 refund


def test_a_return_made_after_a_sync_arrives_in_the_next_run_once_and_its_decline_after(
    money_shop: Running, tmp_path: Path
) -> None:
    """Returns move no order: the one requested arrives by its order's return status, and once declined
    (the order then reads NO_RETURN, which the search skips) by the state's list of live returns."""
    first = run_tap(tmp_path, tap_config(money_shop))
    order, unit, made = request_return(money_shop)
    assert made not in {r["id"] for r in records(first, "returns")}
    again = run_tap(tmp_path, tap_config(money_shop), state=last_state(first))
    assert [r["orderId"] for r in records(again, "returns") if r["id"] == made] == [order["id"]]
    (line,) = [r for r in records(again, "return_line_items") if r["returnId"] == made]
    assert line["quantity"] == 1 and line["returnReason"] == "DEFECTIVE"
    assert line["fulfillmentLineItem"]["lineItem"]["id"] == unit["_line_item"]["id"]
    assert records(again, "orders") == []  # the order itself did not move: the return came by its own way

    declined = {"id": made, "declineReason": "FINAL_SALE"}
    answer = money_shop.graphql(RETURN_DECLINE, {"input": declined})["data"]["returnDeclineRequest"]
    assert answer["userErrors"] == [], answer
    after_decline = run_tap(tmp_path, tap_config(money_shop), state=last_state(again))
    assert [r["status"] for r in records(after_decline, "returns") if r["id"] == made] == ["DECLINED"]
    settled = run_tap(tmp_path, tap_config(money_shop), state=last_state(after_decline))
    assert made not in {r["id"] for r in records(settled, "returns")}  # read once more, then left


def test_a_deleted_orders_money_is_dropped_by_the_join_to_live_orders(money_shop: Running, tmp_path: Path) -> None:
    """The README's join: a child row whose order has `_sdc_deleted_at` is left out."""
    first = run_tap(tmp_path, tap_config(money_shop))
    refunded = next(r["orderId"] for r in records(first, "refunds"))
    answer = money_shop.graphql(ORDER_DELETE, {"id": refunded})["data"]["orderDelete"]
    assert answer["userErrors"] == [], answer
    again = run_tap(tmp_path, tap_config(money_shop), state=last_state(first))
    orders = {r["id"]: r for r in records(first, "orders") + records(again, "orders")}  # upserted by id
    assert orders[refunded]["_sdc_deleted_at"]
    assert not [r for r in records(again, "refunds") if r["orderId"] == refunded]
    live_refunds = [r for r in records(first, "refunds") if not orders[r["orderId"]].get("_sdc_deleted_at")]
    assert live_refunds and refunded not in {r["orderId"] for r in live_refunds}
