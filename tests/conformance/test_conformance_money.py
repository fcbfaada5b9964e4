"""Captured refunds, captures, voids and returns replayed against the emulator, call by call.

Where a capture starts from an order made outside it, the order is rebuilt from the capture's own read of
it (`OrdersOrderHydrate`), and that read, replayed, must answer what Shopify answered before the call.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..captures import load, needs_captures
from ..conftest import Running
from .test_conformance_orders import Replay, answer

pytestmark = needs_captures

MONEY = "{ shopMoney { amount currencyCode } }"
# The 2025-01 refund captures keep answers only; this is the selection they show. 2026-04 requires the key.
REFUND_CREATE = f"""mutation RefundCreate($input: RefundInput!, $key: String!) {{
  refundCreate(input: $input) @idempotent(key: $key) {{
    refund {{
      id note createdAt updatedAt totalRefundedSet {MONEY}
      refundLineItems(first: 10) {{
        nodes {{ id quantity restockType restocked lineItem {{ id title }} subtotalSet {MONEY} }}
      }}
      transactions(first: 10) {{ nodes {{ id kind status gateway amountSet {MONEY} }} }}
    }}
    order {{ id displayFinancialStatus totalRefundedSet {MONEY} }}
    userErrors {{ field message }}
  }}
}}"""
ORDER_CREATE = """mutation($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order { id lineItems(first: 50) { nodes { id } } transactions { id } }
    userErrors { field message }
  }
}"""


def rebuild(shop: Running, replay: Replay, hydrate: dict[str, Any]) -> None:
    """Make the order a hydrate call read (lines, shipping, sales; refunds it had are made again) and require
    the hydrate to answer as captured."""
    theirs = answer(hydrate)["data"]["order"]
    currency = theirs["totalPriceSet"]["shopMoney"]["currencyCode"]

    def price(node: dict[str, Any]) -> dict[str, Any]:
        return {"shopMoney": node["shopMoney"]}

    sales = [t for t in theirs["transactions"] if t["kind"] == "SALE"]
    order = {
        "currency": currency,
        "lineItems": [
            {"title": li["title"], "quantity": li["quantity"], "priceSet": price(li["originalUnitPriceSet"])}
            for li in theirs["lineItems"]["nodes"]
        ],
        "shippingLines": [
            {"title": "Standard", "priceSet": price(s["originalPriceSet"])} for s in theirs["shippingLines"]["nodes"]
        ],
        "transactions": [{"kind": "SALE", "gateway": t["gateway"], "amountSet": price(t["amountSet"])} for t in sales],
    }
    made = shop.graphql(ORDER_CREATE, {"order": order})["data"]["orderCreate"]["order"]
    replay.same_as(theirs["id"], made["id"])
    for a, b in zip(theirs["lineItems"]["nodes"], made["lineItems"]["nodes"], strict=True):
        replay.same_as(a["id"], b["id"])
    for a, b in zip(sales, made["transactions"], strict=True):
        replay.same_as(a["id"], b["id"])
    refunds = [t for t in theirs["transactions"] if t["kind"] == "REFUND"]
    for refund, given in zip(theirs["refunds"], refunds, strict=True):
        line = theirs["lineItems"]["nodes"][0]
        refund_input = {
            "orderId": theirs["id"],
            "note": refund["note"],
            "refundLineItems": [{"lineItemId": line["id"], "quantity": line["quantity"] - line["currentQuantity"]}],
            "transactions": [
                {
                    "kind": "REFUND",
                    "gateway": given["gateway"],
                    "orderId": theirs["id"],
                    "parentId": sales[0]["id"],
                    "amount": given["amountSet"]["shopMoney"]["amount"],
                }
            ],
        }
        replay.send(REFUND_CREATE, {"input": refund_input, "key": refund["id"]}, {"refundCreate": {"refund": refund}})
    replay.check(hydrate)


@pytest.mark.parametrize(
    "path",
    [
        "2025-01/orders/refund-create-partial-shipping-restock-parity.json",
        "2025-01/orders/refund-create-over-refund-user-errors.json",
    ],
)
def test_refund_create_2025(shop: Running, path: str) -> None:
    capture = load(path)
    replay = Replay(shop)
    rebuild(shop, replay, capture["upstreamCalls"][0])
    replay.check(capture["mutation"], REFUND_CREATE, {**capture["variables"], "key": path})
    downstream = load("2026-04/orders/refund-create-attribution-validation.json")["downstreamRead"]["query"]
    replay.check(capture["downstreamRead"], downstream, capture["downstreamRead"]["variables"])


def test_refund_create_full_refund(shop: Running) -> None:
    """As captured, but for the refunded line's subtotalSet: Shopify answered 0.0 for a line refunded in full
    with its shipping (and 10.0 for one unit of two in the partial capture); the emulator answers what the
    units sold for, 10.0, in both."""
    capture = load("2025-01/orders/refund-create-full-parity.json")
    replay = Replay(shop)
    rebuild(shop, replay, capture["upstreamCalls"][0])
    theirs = answer(capture["mutation"])
    line = theirs["data"]["refundCreate"]["refund"]["refundLineItems"]["nodes"][0]
    line["subtotalSet"]["shopMoney"]["amount"] = "10.0"
    replay.check({"response": theirs}, REFUND_CREATE, {**capture["variables"], "key": "full"})
    downstream = load("2026-04/orders/refund-create-attribution-validation.json")["downstreamRead"]["query"]
    replay.check(capture["downstreamRead"], downstream, capture["downstreamRead"]["variables"])


def test_refund_create_quantities_and_amounts(shop: Running) -> None:
    capture = load("2025-01/orders/refund-create-user-errors-and-quantities.json")
    replay = Replay(shop)
    rebuild(shop, replay, capture["upstreamCalls"][0])
    for name in ("unknownOrder", "overRefundQuantityLineItem", "overRefundAmountNoAllow", "overRefundAllowed"):
        call = capture[name]
        replay.check(call, REFUND_CREATE, {**call["variables"], "key": name})


def test_refund_create_transactions_2026(shop: Running) -> None:
    capture = load("2026-04/orders/refund-create-transactions-validation.json")
    replay = Replay(shop)
    for hydrate in capture["upstreamCalls"]:
        rebuild(shop, replay, hydrate)
    for name in ("invalidKind", "missingParent", "mismatchedGateway", "happyPath"):
        replay.check(capture[name])


def test_refund_create_requires_the_idempotent_directive(shop: Running) -> None:
    """Required since 2026-04; Shopify's answer without it is the one captured for locationActivate."""
    capture = load("2026-04/orders/refund-create-transactions-validation.json")
    replay = Replay(shop)
    rebuild(shop, replay, capture["upstreamCalls"][1])
    call = capture["happyPath"]
    query = call["query"].replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "")
    ours = replay.send(query, {"input": call["variables"]["input"]}, {})
    assert ours["data"] == {"refundCreate": None}
    message = "The @idempotent directive is required for this mutation but was not provided."
    assert ours["errors"][0]["message"] == message
    assert ours["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}


def test_refund_create_retried_with_its_key_refunds_once(shop: Running) -> None:
    capture = load("2026-04/orders/refund-create-transactions-validation.json")
    replay = Replay(shop)
    rebuild(shop, replay, capture["upstreamCalls"][1])
    call = capture["happyPath"]
    first = replay.send(call["query"], replay.adapt(call["variables"]), {})
    again = replay.send(call["query"], replay.adapt(call["variables"]), {})
    assert again["data"] == first["data"]
    assert first["data"]["refundCreate"]["order"]["totalRefundedSet"]["shopMoney"]["amount"] == "1.0"


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("2026-04/payments/order-capture-validation.json", "operations"),
        ("2026-04/payments/transaction-void-codes.json", "operations"),
        ("2026-04/payments/order-payment-transaction-void-live.json", "voidFlow"),
    ],
)
def test_capture_and_void(shop: Running, path: str, group: str) -> None:
    shop.emulator.store.currency = "CAD"  # the captured shop's
    replay = Replay(shop)
    for name, call in load(path)[group].items():
        if name == "postFinalCapture":
            continue  # below
        replay.check(call)


def test_capture_in_presentment_currency(shop: Running) -> None:
    """Captured but for the shop amount of the captured 1.00 USD: Shopify converted it at its rate of the
    day (1.4 CAD); the emulator converts at the order's own rate (16.99 CAD for 12.50 USD), 1.36."""
    shop.emulator.store.currency = "CAD"
    operations = load("2026-04/payments/order-capture-validation.json")["operations"]
    replay = Replay(shop)
    replay.check(operations["createAuthorizationOrder"])
    theirs = answer(operations["postFinalCapture"])
    theirs["data"]["orderCapture"]["transaction"]["amountSet"]["shopMoney"]["amount"] = "1.36"
    call = operations["postFinalCapture"]
    replay.check({"response": theirs}, call["query"], call["variables"])


# The return captures that select reverse fulfillment orders (not modelled) are left out; this one does not.
LIFECYCLE = "2026-04/orders/order-return-status-lifecycle.json"
UNMODELLED = {"processFirst", "readAfterProcess"}  # returnProcess


@pytest.mark.parametrize("case", ["zero", "mixed", "declined", "canceled"])
def test_return_lifecycle_and_order_return_status(shop: Running, case: str) -> None:
    capture = load(LIFECYCLE)
    replay = Replay(shop)
    for name in ("orderCreate", "fulfillmentCreate", "orderReadAfterFulfillment"):
        if name in capture["setup"].get(case, {}):
            replay.check(capture["setup"][case][name])
    for name, call in capture[f"{case}Case"].items():
        if isinstance(call, dict) and name not in UNMODELLED:
            replay.check(call)
