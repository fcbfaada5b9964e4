"""The seeded orders' money read through the API: every shape a revenue report meets is there, the totals
agree with the records they come from, nested connections page, and bulk exports carry them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from shopify_admin_emulator.domains.orders.finance import sales_by_day

from ..conftest import Running
from .test_bulk_operations import export

MONEY = "{ shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"
ORDER_MONEY = f"""
  id name taxesIncluded subtotalPriceSet {MONEY} totalDiscountsSet {MONEY} currentShippingPriceSet {MONEY}
  totalShippingPriceSet {MONEY} presentmentCurrencyCode
  displayFinancialStatus refundable returnStatus
  paymentGatewayNames discountCodes
  totalPriceSet {MONEY} currentTotalPriceSet {MONEY} currentSubtotalPriceSet {MONEY}
  currentTotalDiscountsSet {MONEY} currentTotalTaxSet {MONEY} totalReceivedSet {MONEY} netPaymentSet {MONEY}
  totalOutstandingSet {MONEY} totalRefundedSet {MONEY}
  taxLines {{ title rate ratePercentage priceSet {MONEY} channelLiable source }}
  shippingLines(first: 5) {{ nodes {{ id title code source carrierIdentifier originalPriceSet {MONEY}
    discountedPriceSet {MONEY} taxLines {{ title rate priceSet {MONEY} }} }} }}
  discountApplications(first: 5) {{ nodes {{ index allocationMethod targetSelection targetType
    value {{ ... on MoneyV2 {{ amount currencyCode }} ... on PricingPercentageValue {{ percentage }} }}
    ... on DiscountCodeApplication {{ code }} ... on AutomaticDiscountApplication {{ title }} }} }}
  lineItems(first: 50) {{ nodes {{ id quantity discountAllocations {{ allocatedAmountSet {MONEY}
    discountApplication {{ index }} }} taxLines {{ title priceSet {MONEY} }} }} pageInfo {{ hasNextPage }} }}
  transactions {{ id kind status gateway formattedGateway amountSet {MONEY} processedAt createdAt errorCode
    paymentId test authorizationCode manuallyCapturable parentTransaction {{ id }}
    fees {{ amount {{ amount currencyCode }} type }} }}
  refunds {{ id createdAt processedAt note totalRefundedSet {MONEY}
    refundLineItems(first: 10) {{ nodes {{ quantity restockType lineItem {{ id }} subtotalSet {MONEY}
      totalTaxSet {MONEY} }} }}
    orderAdjustments(first: 5) {{ nodes {{ id reason amountSet {MONEY} }} }}
    refundShippingLines(first: 5) {{ nodes {{ subtotalAmountSet {MONEY} taxAmountSet {MONEY} }} }}
    transactions(first: 5) {{ nodes {{ id kind gateway }} }} }}
  returns(first: 5) {{ nodes {{ id name status }} }}
"""


def amount(bag: dict[str, Any], side: str = "shopMoney") -> Decimal:
    return Decimal(bag[side]["amount"])


def all_orders(shop: Running) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        page = "pageInfo { hasNextPage endCursor }"
        query = f"query($after: String) {{ orders(first: 50, after: $after) {{ nodes {{ {ORDER_MONEY} }} {page} }} }}"
        answer = shop.graphql(query, {"after": after})
        assert "errors" not in answer, answer
        rows += answer["data"]["orders"]["nodes"]
        if not answer["data"]["orders"]["pageInfo"]["hasNextPage"]:
            return rows
        after = answer["data"]["orders"]["pageInfo"]["endCursor"]


def test_seeded_orders_hold_every_money_shape_and_add_up(shop: Running) -> None:
    orders = all_orders(shop)
    transactions = [t for o in orders for t in o["transactions"]]
    shapes = Counter((t["kind"], t["status"]) for t in transactions)
    for shape in [("SALE", "SUCCESS"), ("SALE", "FAILURE"), ("SALE", "PENDING"), ("AUTHORIZATION", "SUCCESS")]:
        assert shapes[shape], shape
    for shape in [("CAPTURE", "SUCCESS"), ("VOID", "SUCCESS"), ("REFUND", "SUCCESS")]:
        assert shapes[shape], shape
    assert {t["gateway"] for t in transactions} == {"manual", "shopify_payments"}
    assert any(t["fees"] for t in transactions if t["gateway"] == "shopify_payments")
    assert any(o["taxesIncluded"] for o in orders)
    assert any(o["presentmentCurrencyCode"] != o["totalPriceSet"]["shopMoney"]["currencyCode"] for o in orders)
    applications = [a for o in orders for a in o["discountApplications"]["nodes"]]
    assert {"code" in a for a in applications} == {True, False}  # codes and automatic discounts
    refunds = [r for o in orders for r in o["refunds"]]
    restocks = {row["restockType"] for r in refunds for row in r["refundLineItems"]["nodes"]}
    assert {"NO_RESTOCK", "RETURN", "CANCEL"} <= restocks
    assert any(r["refundShippingLines"]["nodes"] for r in refunds)
    assert any(not r["refundLineItems"]["nodes"] for r in refunds)  # money back without items
    assert {r["status"] for o in orders for r in o["returns"]["nodes"]} == {"CLOSED", "OPEN", "REQUESTED", "DECLINED"}
    for o in orders:
        statuses = {r["status"] for r in o["returns"]["nodes"]}
        expected = next(
            (
                aggregate
                for status, aggregate in (
                    ("REQUESTED", "RETURN_REQUESTED"),
                    ("OPEN", "IN_PROGRESS"),
                    ("CLOSED", "RETURNED"),
                )
                if status in statuses
            ),
            "NO_RETURN",
        )
        assert o["returnStatus"] == expected, o["name"]
    for o in orders:
        sold = [t for t in o["transactions"] if t["status"] == "SUCCESS" and t["kind"] in ("SALE", "CAPTURE")]
        given_back = [t for t in o["transactions"] if t["status"] == "SUCCESS" and t["kind"] == "REFUND"]
        received = sum((amount(t["amountSet"]) for t in sold), Decimal(0))
        refunded = sum((amount(t["amountSet"]) for t in given_back), Decimal(0))
        assert amount(o["totalReceivedSet"]) == received, o["name"]
        assert (
            amount(o["totalRefundedSet"])
            == refunded
            == sum((amount(r["totalRefundedSet"]) for r in o["refunds"]), Decimal(0))
        )
        assert amount(o["netPaymentSet"]) == received - refunded
        assert o["refundable"] == (received - refunded > 0)
        if o["lineItems"]["pageInfo"]["hasNextPage"]:
            continue  # the orders with more lines than a page; their lines are checked as paged elsewhere
        taxes = sum((amount(t["priceSet"]) for t in o["taxLines"]), Decimal(0))
        assert taxes == sum(
            (amount(t["priceSet"]) for li in o["lineItems"]["nodes"] for t in li["taxLines"]), Decimal(0)
        )
        returned = [row for r in o["refunds"] for row in r["refundLineItems"]["nodes"]]
        returned_value = sum((amount(row["subtotalSet"]) for row in returned), Decimal(0))
        returned_tax = sum((amount(row["totalTaxSet"]) for row in returned), Decimal(0))
        assert amount(o["currentSubtotalPriceSet"]) == amount(o["subtotalPriceSet"]) - returned_value
        shipping_back = [row for r in o["refunds"] for row in r["refundShippingLines"]["nodes"]]
        shipping_value = sum((amount(row["subtotalAmountSet"]) for row in shipping_back), Decimal(0))
        shipping_tax = sum((amount(row["taxAmountSet"]) for row in shipping_back), Decimal(0))
        tax_back = Decimal(0) if o["taxesIncluded"] else returned_tax + shipping_tax
        taken_back = returned_value + shipping_value + tax_back
        assert amount(o["currentTotalPriceSet"]) == amount(o["totalPriceSet"]) - taken_back
        assert amount(o["currentShippingPriceSet"]) == amount(o["totalShippingPriceSet"]) - shipping_value
        allocated = sum(
            (amount(a["allocatedAmountSet"]) for li in o["lineItems"]["nodes"] for a in li["discountAllocations"]),
            Decimal(0),
        )
        assert amount(o["totalDiscountsSet"]) == allocated
        if o["presentmentCurrencyCode"] != o["totalPriceSet"]["shopMoney"]["currencyCode"]:
            converted = (amount(o["totalPriceSet"]) * Decimal("1.37")).quantize(Decimal("0.01"))
            assert amount(o["totalPriceSet"], "presentmentMoney") == converted


def test_nested_money_connections_page(shop: Running) -> None:
    order = next(
        o for o in shop.emulator.store.all("Order") if len(o["_line_items"]) > 1 and o.get("_discount_applications")
    )
    query = """query($id: ID!, $after: String) { order(id: $id) {
      lineItems(first: 1, after: $after) {
        nodes { id discountAllocations { discountApplication { index } } } pageInfo { hasNextPage endCursor }
      }
      discountApplications(first: 1) { nodes { index } pageInfo { hasNextPage } } } }"""
    first = shop.graphql(query, {"id": order["id"]})["data"]["order"]
    assert first["lineItems"]["pageInfo"]["hasNextPage"]
    after = first["lineItems"]["pageInfo"]["endCursor"]
    second = shop.graphql(query, {"id": order["id"], "after": after})["data"]["order"]["lineItems"]["nodes"]
    assert second[0]["id"] != first["lineItems"]["nodes"][0]["id"]
    assert first["discountApplications"]["nodes"] == [{"index": 0}]


def test_bulk_export_of_refunds_transactions_and_shipping_lines(shop: Running) -> None:
    """Lists (refunds, transactions) come inside their order's row; connections as rows of their own that
    name their parent in `__parentId`."""
    query = """{ orders { edges { node { id
      transactions { id kind gateway amountSet { shopMoney { amount } } }
      refunds { id totalRefundedSet { shopMoney { amount } } }
      shippingLines { edges { node { id title originalPriceSet { shopMoney { amount } } } } }
      discountApplications { edges { node { index } } } } } } }"""
    operation, rows = export(shop, query)
    assert operation["status"] == "COMPLETED", operation
    orders = {r["id"]: r for r in rows if r.get("id", "").startswith("gid://shopify/Order/")}
    stored = {o["id"]: o for o in shop.emulator.store.all("Order")}
    assert orders.keys() == stored.keys()
    for order_id, row in orders.items():
        assert [t["id"] for t in row["transactions"]] == [t["id"] for t in stored[order_id].get("_transactions", [])]
        assert [r["id"] for r in row["refunds"]] == [r["id"] for r in stored[order_id].get("_refunds", [])]
    children = [r for r in rows if "__parentId" in r]
    shipping = [r for r in children if r.get("id", "").startswith("gid://shopify/ShippingLine/")]
    assert shipping and all(r["__parentId"] in orders for r in shipping)
    assert len(shipping) == sum(len(o.get("_shipping_lines", [])) for o in stored.values())
    applications = [r for r in children if "index" in r]
    assert len(applications) == sum(len(o.get("_discount_applications", [])) for o in stored.values())


def test_amounts_that_are_not_positive_numbers_are_user_errors(shop: Running) -> None:
    """Not the emulator's own exception text (Decimal's ConversionSyntax reached the client before)."""
    order = next(o for o in shop.emulator.store.all("Order") if o["displayFinancialStatus"] == "PAID")
    sale = next(t for t in order["_transactions"] if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS")
    refund = """mutation($input: RefundInput!, $key: String!) {
      refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } } }"""
    for key, value in (("text", "abc"), ("negative", "-5"), ("infinite", "Infinity")):
        row = {"orderId": order["id"], "kind": "REFUND", "gateway": "manual", "amount": value, "parentId": sale["id"]}
        answer = shop.graphql(refund, {"input": {"orderId": order["id"], "transactions": [row]}, "key": key})
        assert answer["data"]["refundCreate"] == {
            "refund": None,
            "userErrors": [{"field": ["transactions", "0", "amount"], "message": "Amount must be a positive number"}],
        }
    assert order["_total_refunded"] == "0.0"


BACKDATED_REFUND = """mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { createdAt processedAt transactions(first: 5) { nodes { processedAt } } } userErrors { message } } }"""


def test_a_refund_is_booked_at_the_processed_at_it_is_given(shop: Running) -> None:
    """RefundInput.processedAt (2026-01, for back-dated refunds: shopify.dev's changelog "Set and retrieve
    processedAt in the refundCreate mutation") books the refund and, inferred, its transactions then, so the
    sales report counts its return on that day; createdAt stays the moment it was made. A processedAt that
    is no DateTime is refused as captured for other DateTime inputs."""
    store = shop.emulator.store
    order = next(o for o in store.all("Order") if o["displayFinancialStatus"] == "PAID" and not o.get("test"))
    sale = next(t for t in order["_transactions"] if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS")
    row = {"orderId": order["id"], "kind": "REFUND", "gateway": "manual", "amount": "1.00", "parentId": sale["id"]}
    refund = {"orderId": order["id"], "transactions": [row]}
    refused = shop.graphql(BACKDATED_REFUND, {"input": {**refund, "processedAt": "not-a-date"}, "key": "bad"})
    assert [e["message"] for e in refused["errors"]] == [
        "Variable $input of type RefundInput! was provided invalid value for processedAt"
        " (invalid DateTime 'not-a-date')"
    ]
    processed_at = "2020-01-15T10:30:00Z"  # before every seeded movement: the day holds this one
    answer = shop.graphql(BACKDATED_REFUND, {"input": {**refund, "processedAt": processed_at}, "key": "backdated"})
    booked = answer["data"]["refundCreate"]
    assert booked["userErrors"] == []
    assert booked["refund"]["processedAt"] == processed_at
    assert booked["refund"]["transactions"]["nodes"] == [{"processedAt": processed_at}]
    assert booked["refund"]["createdAt"] == store.clock.now_iso()
    assert sales_by_day([order])[date(2020, 1, 15)].payments == {sale["gateway"]: Decimal("-1.00")}
