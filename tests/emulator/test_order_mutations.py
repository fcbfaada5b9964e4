"""Order and fulfillment mutations through HTTP: what each one changes, read back the way a client would."""

from __future__ import annotations

from typing import Any

from ..conftest import Running

CREATE = """
mutation Create($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order {
      id name email tags updatedAt displayFinancialStatus displayFulfillmentStatus closed
      customer { id email }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalTaxSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      lineItems(first: 10) {
        nodes { id title quantity sku variant { id } originalUnitPriceSet { shopMoney { amount } } }
      }
      fulfillmentOrders(first: 5) {
        nodes { id status lineItems(first: 10) { nodes { id totalQuantity remainingQuantity } } }
      }
    }
    userErrors { field message code }
  }
}
"""
READ = """
query Read($id: ID!) {
  order(id: $id) {
    id updatedAt closed closedAt cancelledAt cancelReason displayFulfillmentStatus displayFinancialStatus
    note email tags phone poNumber customAttributes { key value }
    shippingAddress { lastName city provinceCode countryCodeV2 zip }
    lineItems(first: 10) { nodes { quantity unfulfilledQuantity currentQuantity } }
    fulfillments { id status trackingInfo { number url company } }
    fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 10) { nodes { id remainingQuantity } } } }
  }
}
"""
FULFILL = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id name status displayStatus totalQuantity trackingInfo { number url company } }
    userErrors { field message }
  }
}
"""
TRACK = """
mutation Track($id: ID!, $tracking: FulfillmentTrackingInput!) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking) {
    fulfillment { id trackingInfo { number url company } }
    userErrors { field message }
  }
}
"""
CANCEL_FULFILLMENT = """
mutation Cancel($id: ID!) {
  fulfillmentCancel(id: $id) { fulfillment { id status displayStatus } userErrors { field message } }
}
"""
CANCEL = """
mutation Cancel($id: ID!, $refund: Boolean) {
  orderCancel(orderId: $id, restock: true, reason: CUSTOMER, refund: $refund) {
    job { id done }
    orderCancelUserErrors { field message code }
    userErrors { field message }
  }
}
"""


def custom_order(email: str = "buyer@example.com", quantity: int = 2, **extra: Any) -> dict[str, Any]:
    return {
        "email": email,
        "tags": ["b", "a"],
        "lineItems": [
            {
                "title": "Widget",
                "quantity": quantity,
                "sku": "W-1",
                "requiresShipping": True,
                "priceSet": {"shopMoney": {"amount": "12.50", "currencyCode": "USD"}},
            }
        ],
        **extra,
    }


def create(shop: Running, order: dict[str, Any]) -> dict[str, Any]:
    payload = shop.graphql(CREATE, {"order": order})["data"]["orderCreate"]
    assert payload["userErrors"] == []
    return payload["order"]


def read(shop: Running, order_id: str) -> dict[str, Any]:
    return shop.graphql(READ, {"id": order_id})["data"]["order"]


def fulfil_all(shop: Running, fo_id: str, tracking: dict[str, Any] | None = None) -> dict[str, Any]:
    fulfillment: dict[str, Any] = {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo_id}]}
    if tracking:
        fulfillment["trackingInfo"] = tracking
    return shop.graphql(FULFILL, {"fulfillment": fulfillment})["data"]["fulfillmentCreate"]


def later(shop: Running, seconds: int = 5) -> None:
    """Move the emulator's clock so that updatedAt visibly changes."""
    shop.emulator.store.clock.offset += seconds


def test_order_create_computes_totals_and_opens_one_fulfillment_order(shop: Running) -> None:
    order = create(
        shop,
        custom_order(
            shippingLines=[{"title": "Ground", "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}}],
            taxLines=[
                {"title": "VAT", "rate": "0.1", "priceSet": {"shopMoney": {"amount": "2.50", "currencyCode": "USD"}}}
            ],
            discountCode={
                "itemFixedDiscountCode": {
                    "code": "FIVE",
                    "amountSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
                }
            },
        ),
    )
    assert order["subtotalPriceSet"]["shopMoney"] == {"amount": "20.0", "currencyCode": "USD"}
    assert order["totalDiscountsSet"]["shopMoney"]["amount"] == "5.0"
    assert order["totalShippingPriceSet"]["shopMoney"]["amount"] == "5.0"
    assert order["totalTaxSet"]["shopMoney"]["amount"] == "2.5"
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "27.5"
    assert order["tags"] == ["a", "b"]
    assert order["displayFinancialStatus"] is None and order["displayFulfillmentStatus"] == "UNFULFILLED"
    [fo] = order["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "OPEN"
    assert [(r["totalQuantity"], r["remainingQuantity"]) for r in fo["lineItems"]["nodes"]] == [(2, 2)]
    assert read(shop, order["id"])["email"] == "buyer@example.com"


def test_order_create_from_a_variant_links_customer_and_is_not_idempotent(shop: Running) -> None:
    store = shop.emulator.store
    variant = next(iter(store.all("ProductVariant")))
    customer = next(c for c in store.all("Customer") if c["email"])
    before = len(customer["_order_ids"])
    order = {
        "customer": {"toAssociate": {"id": customer["id"]}},
        "sourceIdentifier": "checkout-42",
        "lineItems": [{"variantId": variant["id"], "quantity": 1}],
        "transactions": [
            {
                "kind": "SALE",
                "status": "SUCCESS",
                "amountSet": {"shopMoney": {"amount": variant["price"], "currencyCode": "USD"}},
            }
        ],
    }
    first, second = create(shop, order), create(shop, order)
    assert first["id"] != second["id"] and first["name"] != second["name"]
    assert first["customer"]["id"] == customer["id"] and first["email"] == customer["email"]
    assert first["displayFinancialStatus"] == "PAID"
    [line] = first["lineItems"]["nodes"]
    assert line["variant"]["id"] == variant["id"] and line["sku"] == variant["sku"]
    assert line["originalUnitPriceSet"]["shopMoney"]["amount"] == variant["price"]
    assert len(customer["_order_ids"]) == before + 2
    found = shop.graphql('{ ordersCount(query: "source_identifier:checkout-42") { count } }')
    assert found["data"]["ordersCount"]["count"] == 2


def test_order_create_upserts_a_customer_for_a_new_email(shop: Running) -> None:
    order = create(shop, custom_order(email="fresh-buyer@example.com"))
    assert order["customer"]["email"] == "fresh-buyer@example.com"
    again = create(shop, custom_order(email="fresh-buyer@example.com"))
    assert again["customer"]["id"] == order["customer"]["id"]


def test_order_create_rejects_an_order_without_line_items(shop: Running) -> None:
    payload = shop.graphql(CREATE, {"order": {"email": "x@example.com", "lineItems": []}})["data"]["orderCreate"]
    assert payload["order"] is None
    assert payload["userErrors"] == [
        {"field": ["order", "lineItems"], "message": "Line items must have at least one line item", "code": "INVALID"}
    ]


def test_order_update_changes_fields_and_moves_updated_at(shop: Running) -> None:
    order = create(shop, custom_order())
    later(shop)
    update = """
    mutation Update($input: OrderInput!) {
      orderUpdate(input: $input) { order { id note } userErrors { field message } }
    }"""
    changes = {
        "id": order["id"],
        "note": "leave at the door",
        "tags": ["gift"],
        "phone": "+16135550000",
        "poNumber": "PO-7",
        "customAttributes": [{"key": "gift_wrap", "value": "yes"}],
        "shippingAddress": {
            "lastName": "Lovelace",
            "address1": "1 Main St",
            "city": "Austin",
            "countryCode": "US",
            "provinceCode": "TX",
            "zip": "73301",
        },
    }
    payload = shop.graphql(update, {"input": changes})["data"]["orderUpdate"]
    assert payload["userErrors"] == [] and payload["order"]["note"] == "leave at the door"
    after = read(shop, order["id"])
    assert after["updatedAt"] > order["updatedAt"]
    assert (after["tags"], after["phone"], after["poNumber"]) == (["gift"], "+16135550000", "PO-7")
    assert after["customAttributes"] == [{"key": "gift_wrap", "value": "yes"}]
    assert after["shippingAddress"] == {
        "lastName": "Lovelace",
        "city": "Austin",
        "provinceCode": "TX",
        "countryCodeV2": "US",
        "zip": "73301",
    }
    bad = shop.graphql(update, {"input": {"id": order["id"], "phone": "call me"}})["data"]["orderUpdate"]
    assert bad["userErrors"] == [{"field": ["phone"], "message": "Phone is invalid"}]
    assert read(shop, order["id"])["phone"] == "+16135550000"


def test_order_cancel_answers_a_job_and_closes_fulfillment_orders(shop: Running) -> None:
    order = create(shop, custom_order())
    later(shop)
    payload = shop.graphql(CANCEL, {"id": order["id"]})["data"]["orderCancel"]
    assert payload["job"]["id"].startswith("gid://shopify/Job/") and payload["job"]["done"] is False
    assert payload["orderCancelUserErrors"] == [] and payload["userErrors"] == []
    after = read(shop, order["id"])
    assert after["cancelledAt"] is not None and after["cancelReason"] == "CUSTOMER"
    assert after["closed"] is True and after["updatedAt"] > order["updatedAt"]
    assert [fo["status"] for fo in after["fulfillmentOrders"]["nodes"]] == ["CLOSED"]
    assert after["lineItems"]["nodes"] == [{"quantity": 2, "unfulfilledQuantity": 0, "currentQuantity": 0}]
    again = shop.graphql(CANCEL, {"id": order["id"]})["data"]["orderCancel"]
    assert again["job"] is None
    assert again["userErrors"] == [
        {"field": ["orderId"], "message": "Cannot cancel an order that has already been canceled"}
    ]


def test_order_close_and_open_are_noops_when_already_there(shop: Running) -> None:
    order = create(shop, custom_order())
    selection = "{ order { closed closedAt updatedAt } userErrors { field message } }"
    close = f"mutation($id: ID!) {{ orderClose(input: {{id: $id}}) {selection} }}"
    reopen = f"mutation($id: ID!) {{ orderOpen(input: {{id: $id}}) {selection} }}"
    later(shop)
    closed = shop.graphql(close, {"id": order["id"]})["data"]["orderClose"]
    assert closed["userErrors"] == [] and closed["order"]["closed"] is True and closed["order"]["closedAt"]
    assert closed["order"]["updatedAt"] > order["updatedAt"]
    later(shop)
    assert shop.graphql(close, {"id": order["id"]})["data"]["orderClose"] == closed
    opened = shop.graphql(reopen, {"id": order["id"]})["data"]["orderOpen"]
    assert opened["order"]["closed"] is False and opened["order"]["closedAt"] is None
    assert shop.graphql(reopen, {"id": order["id"]})["data"]["orderOpen"] == opened


def test_order_delete_removes_the_order_and_leaves_a_destroy_event(shop: Running) -> None:
    order = create(shop, custom_order(email="delete-me@example.com"))
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    delete = "mutation($id: ID!) { orderDelete(orderId: $id) { deletedId userErrors { field message code } } }"
    assert shop.graphql(delete, {"id": order["id"]})["data"]["orderDelete"] == {
        "deletedId": order["id"],
        "userErrors": [],
    }
    assert read(shop, order["id"]) is None
    assert shop.graphql("query($id: ID!) { fulfillmentOrder(id: $id) { id } }", {"id": fo_id})["data"] == {
        "fulfillmentOrder": None
    }
    customer = shop.emulator.store.node(order["customer"]["id"], "Customer")
    assert customer is not None and customer["_order_ids"] == []
    events = shop.graphql(
        '{ events(first: 250, query: "subject_type:ORDER") '
        "{ nodes { ... on BasicEvent { action subjectId message } } } }"
    )["data"]["events"]["nodes"]
    assert {"action": "destroy", "subjectId": order["id"], "message": f"Order {order['name']} was deleted."} in events
    repeat = shop.graphql(delete, {"id": order["id"]})["data"]["orderDelete"]
    assert repeat["userErrors"] == [{"field": ["orderId"], "message": "Order does not exist", "code": "NOT_FOUND"}]


def test_fulfil_everything_then_a_second_fulfilment_is_refused(shop: Running) -> None:
    order = create(shop, custom_order(financialStatus="PAID"))
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    later(shop)
    first = fulfil_all(shop, fo_id, {"number": "1Z1", "company": "UPS", "url": "https://ups.example/1Z1"})
    assert first["userErrors"] == []
    assert first["fulfillment"]["name"] == f"{order['name']}-F1"
    assert first["fulfillment"]["status"] == "SUCCESS" and first["fulfillment"]["totalQuantity"] == 2
    after = read(shop, order["id"])
    assert after["displayFulfillmentStatus"] == "FULFILLED" and after["closed"] is True
    assert after["updatedAt"] > order["updatedAt"]
    assert after["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert after["lineItems"]["nodes"][0]["unfulfilledQuantity"] == 0
    second = fulfil_all(shop, fo_id)
    assert second == {
        "fulfillment": None,
        "userErrors": [
            {
                "field": ["fulfillment"],
                "message": f"Fulfillment order {fo_id.rsplit('/', 1)[1]} has an unfulfillable status= closed.",
            }
        ],
    }
    assert len(read(shop, order["id"])["fulfillments"]) == 1


def test_partial_fulfilment_refuses_more_than_remains(shop: Running) -> None:
    order = create(shop, custom_order(quantity=3))
    fo = order["fulfillmentOrders"]["nodes"][0]
    line_id = fo["lineItems"]["nodes"][0]["id"]

    def fulfil(quantity: int) -> dict[str, Any]:
        group = {"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": [{"id": line_id, "quantity": quantity}]}
        return shop.graphql(FULFILL, {"fulfillment": {"lineItemsByFulfillmentOrder": [group]}})["data"][
            "fulfillmentCreate"
        ]

    assert fulfil(2)["userErrors"] == []
    after = read(shop, order["id"])
    assert after["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert after["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    assert after["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0]["remainingQuantity"] == 1
    assert fulfil(2)["userErrors"] == [
        {"field": ["fulfillment"], "message": "Invalid fulfillment order line item quantity requested."}
    ]
    assert fulfil(1)["userErrors"] == []
    assert read(shop, order["id"])["displayFulfillmentStatus"] == "FULFILLED"


def test_tracking_update_replaces_tracking_and_moves_updated_at(shop: Running) -> None:
    order = create(shop, custom_order())
    fulfillment = fulfil_all(shop, order["fulfillmentOrders"]["nodes"][0]["id"], {"number": "OLD", "company": "UPS"})
    before = read(shop, order["id"])["updatedAt"]
    later(shop)
    tracking = {"numbers": ["A1", "A2"], "urls": ["https://t.example/A1"], "company": "DHL"}
    payload = shop.graphql(TRACK, {"id": fulfillment["fulfillment"]["id"], "tracking": tracking})["data"]
    assert payload["fulfillmentTrackingInfoUpdate"]["fulfillment"]["trackingInfo"] == [
        {"number": "A1", "url": "https://t.example/A1", "company": "DHL"},
        {"number": "A2", "url": None, "company": "DHL"},
    ]
    assert read(shop, order["id"])["updatedAt"] > before


def test_fulfillment_cancel_restores_quantities(shop: Running) -> None:
    order = create(shop, custom_order(financialStatus="PAID"))
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    fulfillment_id = fulfil_all(shop, fo_id)["fulfillment"]["id"]
    assert read(shop, order["id"])["closed"] is True
    cancelled = shop.graphql(CANCEL_FULFILLMENT, {"id": fulfillment_id})["data"]["fulfillmentCancel"]
    assert cancelled == {
        "fulfillment": {"id": fulfillment_id, "status": "CANCELLED", "displayStatus": "CANCELED"},
        "userErrors": [],
    }
    after = read(shop, order["id"])
    assert after["displayFulfillmentStatus"] == "UNFULFILLED" and after["closed"] is False
    assert after["lineItems"]["nodes"][0]["unfulfilledQuantity"] == 2
    old, new = after["fulfillmentOrders"]["nodes"]
    assert (old["id"], old["status"]) == (fo_id, "CLOSED")
    assert new["status"] == "OPEN" and new["lineItems"]["nodes"][0]["remainingQuantity"] == 2
    assert fulfil_all(shop, new["id"])["userErrors"] == []
    assert shop.graphql(CANCEL_FULFILLMENT, {"id": fulfillment_id})["data"]["fulfillmentCancel"] == cancelled


def test_cancelling_a_seeded_fulfillment_reopens_its_lines(shop: Running) -> None:
    store = shop.emulator.store
    fulfillment = next(f for f in store.all("Fulfillment") if f["status"] == "SUCCESS")
    order = fulfillment["_order"]
    shop.graphql(CANCEL_FULFILLMENT, {"id": fulfillment["id"]})
    assert all(li["_fulfilled"] == 0 for li in order["_line_items"])
    assert read(shop, order["id"])["displayFulfillmentStatus"] == "UNFULFILLED"


def test_order_with_a_fulfilment_cannot_be_cancelled(shop: Running) -> None:
    order = create(shop, custom_order())
    fulfil_all(shop, order["fulfillmentOrders"]["nodes"][0]["id"])
    payload = shop.graphql(CANCEL, {"id": order["id"]})["data"]["orderCancel"]
    assert payload["orderCancelUserErrors"] == [
        {"field": ["orderId"], "message": "Cannot cancel an order that has outstanding fulfillments", "code": "INVALID"}
    ]
    assert read(shop, order["id"])["cancelledAt"] is None
