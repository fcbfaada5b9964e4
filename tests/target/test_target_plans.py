"""The target's steps that need no shop: the order batches are written in, and what a record asks of the
object the shop holds (its plan), from records and looked-up objects given here."""

from __future__ import annotations

from typing import Any, cast

import pytest

from shopify_admin import ShopifyAdminClient
from shopify_admin.paging import pages
from target_shopify_admin.objects.customer import CustomerGateway
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.fulfillments.fulfillment import FulfillmentGateway
from target_shopify_admin.objects.gateway import ObjectGateway
from target_shopify_admin.objects.order import OrderGateway
from target_shopify_admin.objects.product import ProductGateway
from target_shopify_admin.pipeline.drain_order import DrainOrder
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan, Planner
from target_shopify_admin.pipeline.settings import StreamSettings


def test_a_batch_is_written_after_the_waiting_batches_of_what_it_can_name() -> None:
    drained: list[Any] = []
    order = DrainOrder(drained.append)
    sinks = {kind: object() for kind in ("fulfillment", "order", "customer", "product", "other")}
    for kind, sink in sinks.items():
        order.add(sink, None if kind == "other" else kind)  # type: ignore[arg-type]
    order.drain_before("fulfillment")
    assert drained == [sinks["order"], sinks["customer"], sinks["product"], sinks["other"]]
    drained.clear()
    order.drain_before("order")
    assert drained == [sinks["customer"], sinks["product"], sinks["other"]]
    drained.clear()
    order.drain_before("customer")
    order.drain_before(None)
    assert drained == []


class NoShop:
    """A client that fails the test on any request: planning must need none."""

    max_attempts = 1

    def execute(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise AssertionError(f"planning sent a request: {args}")


def planner(gateway: type[ObjectGateway], dry_run: bool = False, **settings: Any) -> Planner:
    return Planner(gateway(cast("ShopifyAdminClient", NoShop())), StreamSettings(gateway.kind, **settings), dry_run)


def plan(planner: Planner, record: dict, current: dict | None, related: dict | None = None, **kw: Any) -> Plan:
    pending = PendingRecord.of(record, planner.settings)
    return planner.upsert(pending, current, related or {}, {"email": record.get("email")}, **kw)


SHOPS_CUSTOMER: dict[str, Any] = {
    "id": "gid://shopify/Customer/1",
    "firstName": "Ada",
    "tags": ["b", "A"],
    "defaultEmailAddress": {"emailAddress": "ada@example.com"},
}


def test_a_new_customer_is_created_with_only_the_fields_the_record_gives() -> None:
    record = {"email": "ada@example.com", "firstName": "Ada", "lastName": None}
    assert plan(planner(CustomerGateway, match_on="email"), record, None) == Plan(
        Outcome.CREATED, None, {"firstName": "Ada", "email": "ada@example.com"}, {"email": "ada@example.com"}
    )


def test_a_customer_as_the_shop_holds_it_is_unchanged_and_a_difference_is_an_update() -> None:
    customers = planner(CustomerGateway, match_on="email")
    record = {"email": "ada@example.com", "firstName": "Ada ", "tags": "a, B"}
    assert plan(customers, record, SHOPS_CUSTOMER) == Plan(Outcome.UNCHANGED, SHOPS_CUSTOMER["id"])
    changed = plan(customers, {**record, "firstName": "Grace"}, SHOPS_CUSTOMER)
    assert changed.outcome == "updated" and changed.identifier == {"id": SHOPS_CUSTOMER["id"]}
    assert changed.wanted is not None and changed.wanted["firstName"] == "Grace"
    dry = plan(planner(CustomerGateway, dry_run=True), {**record, "firstName": "Grace"}, SHOPS_CUSTOMER)
    assert dry == Plan(Outcome.WOULD_UPDATE, SHOPS_CUSTOMER["id"])


def test_only_the_metafields_the_shop_does_not_hold_are_written() -> None:
    held = {"namespace": "crm", "key": "tier", "value": "gold", "type": "single_line_text_field"}
    record = {"email": "ada@example.com", "metafields": [held, {**held, "key": "score", "value": 3}]}
    wanted = plan(planner(CustomerGateway), record, SHOPS_CUSTOMER, {"metafields": [held]}).wanted
    assert wanted == {
        "metafields": [{**held, "key": "score", "value": "3"}]
    }  # the shop holds the email: no customerSet
    changed = {**record, "note": "new"}
    assert plan(planner(CustomerGateway), changed, SHOPS_CUSTOMER, {"metafields": [held]}).wanted == {
        "email": "ada@example.com",
        "note": "new",
        "metafields": [{**held, "key": "score", "value": "3"}],
    }


def test_create_and_update_refuse_what_the_lookup_found_or_did_not() -> None:
    with pytest.raises(RecordError, match="already exists"):
        plan(planner(CustomerGateway, action="create"), {"email": "ada@example.com"}, SHOPS_CUSTOMER)
    assert plan(planner(CustomerGateway, action="create"), {"email": "a@b.c"}, SHOPS_CUSTOMER, again=True).shopify_id
    with pytest.raises(RecordError, match="no customer with id 'gid://x' to update"):
        plan(planner(CustomerGateway, action="update"), {"id": "gid://x"}, None)


def test_a_product_variant_keeps_the_id_of_the_shops_variant_with_its_options() -> None:
    current = {
        "id": "gid://shopify/Product/1",
        "options": [],
        "variants": {"nodes": [{"id": "gid://v/1", "selectedOptions": [{"name": "Size", "value": "M"}]}]},
    }
    record = {"handle": "Tee", "variants": [{"selectedOptions": [{"name": "Size", "value": "M"}], "price": 5}]}
    wanted = plan(planner(ProductGateway, match_on="handle"), record, current).wanted
    assert wanted is not None and wanted["handle"] == "tee"
    assert wanted["variants"] == [
        {"optionValues": [{"optionName": "Size", "name": "M"}], "id": "gid://v/1", "price": "5.00"}
    ]
    assert wanted["productOptions"] == [{"name": "Size", "values": [{"name": "M"}]}]


def test_an_order_names_its_customer_by_the_id_looked_up_for_its_email() -> None:
    orders = planner(OrderGateway, match_on="source_identifier")
    record = {
        "sourceIdentifier": "s-1",
        "customer": {"email": "ada@example.com"},
        "lineItems": [{"title": "Tee", "quantity": 2, "price": "5"}],
    }
    wanted = plan(orders, record, None, {"customer_id": "gid://shopify/Customer/1"}).wanted
    assert wanted is not None and wanted["customer"] == {"toAssociate": {"id": "gid://shopify/Customer/1"}}
    assert wanted["lineItems"] == [
        {"quantity": 2, "title": "Tee", "priceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}}
    ]
    with pytest.raises(RecordError, match="no such customer"):
        plan(orders, record, None, {"customer_id": None})


ORDER_TO_FULFIL = {
    "id": "gid://shopify/Order/1",
    "fulfillments": [],
    "fulfillmentOrders": {
        "nodes": [
            {
                "id": "gid://fo/1",
                "status": "OPEN",
                "lineItems": {
                    "nodes": [{"id": "gid://foli/1", "remainingQuantity": 2, "lineItem": {"id": "gid://li/1"}}]
                },
            }
        ]
    },
}


def test_a_fulfillment_takes_what_remains_on_the_order_looked_up_for_it() -> None:
    fulfillments = planner(FulfillmentGateway)
    record = {"id": "gid://f/9", "orderId": ORDER_TO_FULFIL["id"]}
    related = {"order": {"id": ORDER_TO_FULFIL["id"], "order": ORDER_TO_FULFIL, "fulfillment": None}}
    wanted = plan(fulfillments, record, None, related).wanted
    group = {"fulfillmentOrderId": "gid://fo/1", "fulfillmentOrderLineItems": [{"id": "gid://foli/1", "quantity": 2}]}
    assert wanted == {"fulfillment": {"lineItemsByFulfillmentOrder": [group], "notifyCustomer": False}}
    with pytest.raises(RecordError, match="no order 'gid://shopify/Order/1' to fulfil"):
        plan(fulfillments, record, None, {"order": None})


def test_a_delete_of_what_is_gone_or_archived_changes_nothing() -> None:
    archiving = planner(ProductGateway, delete_mode="archive")
    assert archiving.delete(None) == Plan(Outcome.UNCHANGED, None)
    assert archiving.delete({"id": "gid://p/1", "status": "ARCHIVED"}) == Plan(Outcome.UNCHANGED, "gid://p/1")
    active = {"id": "gid://p/1", "status": "ACTIVE"}
    assert archiving.delete(active) == Plan(Outcome.DELETED, "gid://p/1", active)


def test_pages_follow_the_cursor_to_the_last_page_and_stop_at_a_missing_owner() -> None:
    answers = [
        {"order": {"lines": {"nodes": [1], "pageInfo": {"hasNextPage": True, "endCursor": "c1"}}}},
        {"order": {"lines": {"nodes": [2], "pageInfo": {"hasNextPage": False, "endCursor": "c2"}}}},
    ]
    sent: list[dict[str, Any]] = []

    class Shop:
        def execute(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
            sent.append(dict(variables))
            return answers.pop(0) if answers else {"order": None}

    shop = cast("ShopifyAdminClient", Shop())
    read = [page["nodes"] for page in pages(shop, "q", {"id": "o", "after": "c0"}, ("order", "lines"))]
    assert read == [[1], [2]] and sent == [{"id": "o", "after": "c0"}, {"id": "o", "after": "c1"}]
    assert list(pages(shop, "q", {"id": "gone"}, ("order", "lines"))) == []
