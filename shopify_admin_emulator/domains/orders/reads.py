"""Orders and their line items: reads. Mutations live in order_mutations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, SortKey, common_filters, constants, find
from ...search import Filter
from ...store import Record
from ..fulfillments.models import FINISHED
from ..metafields.definitions import by_custom_id
from .ledger import ZERO, bag, returned_quantity
from .returns import order_return_status

ORDERS = Resource(
    "Order",
    filters={
        **common_filters(),
        "name": Filter("text", lambda r: [r["name"], r["name"].lstrip("#")]),
        "email": Filter("text", lambda r: r.get("email")),
        "tag": Filter("text", lambda r: r.get("tags")),
        "source_identifier": Filter("text", lambda r: r.get("sourceIdentifier")),
        "source_name": Filter("text", lambda r: r.get("sourceName")),
        "customer_id": Filter("number", lambda r: r.get("_customer_id")),
        "processed_at": Filter("date", lambda r: r.get("processedAt")),
        "financial_status": Filter("text", lambda r: r.get("displayFinancialStatus")),
        "fulfillment_status": Filter("text", lambda r: fulfillment_status(r)),
        "return_status": Filter("text", lambda r: order_return_status(r, None)),
        "status": Filter(
            "text", lambda r: "cancelled" if r.get("cancelledAt") else ("closed" if r.get("closed") else "open")
        ),
        "sku": Filter("text", lambda r: [li.get("sku") for li in r.get("_line_items", [])]),
    },
    sorts={
        **COMMON_SORTS,
        "PROCESSED_AT": SortKey(lambda r: r["processedAt"], "processed_at"),
        "ORDER_NUMBER": SortKey(lambda r: r["number"]),
        "TOTAL_PRICE": SortKey(lambda r: Decimal(r["_total_price"])),
    },
    text_fields=("name", "email"),
)

MONEY_FIELDS = {
    "subtotalPriceSet": "_subtotal",
    "totalPriceSet": "_total_price",
    "totalTaxSet": "_total_tax",
    "totalDiscountsSet": "_total_discounts",
    "totalShippingPriceSet": "_total_shipping",
}


def fulfillment_status(order: Record) -> str:
    # Lines that need no shipping get fulfilled too (Shopify gives them fulfillment orders as well).
    ordered = sum(li["quantity"] for li in order.get("_line_items", []))
    fulfilled = sum(li.get("_fulfilled", 0) for li in order.get("_line_items", []))
    if ordered == 0 or fulfilled == 0:
        return "UNFULFILLED"
    return "FULFILLED" if fulfilled >= ordered else "PARTIALLY_FULFILLED"


@resolves("QueryRoot.orders")
def orders(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return ORDERS.connection(ctx, "orders", args)


@resolves("Customer.orders")
def orders_of_customer(c: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    owned = set(c.get("_order_ids", []))
    query = " AND ".join(q for q in (args.get("query"),) if q)
    return ORDERS.connection(ctx, "orders", {**args, "query": query or None}, only=lambda r: r["_n"] in owned)


@resolves("QueryRoot.ordersCount")
def orders_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = None) -> dict[str, Any]:
    return ORDERS.count(ctx, "ordersCount", query, limit)


@resolves("QueryRoot.order")
def order(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Order")


@resolves("QueryRoot.orderByIdentifier")
def order_by_identifier(_root: Any, ctx: Context, identifier: dict[str, Any]) -> Record | None:
    if identifier.get("id"):
        return find(ctx, identifier["id"], "Order")
    if identifier.get("customId"):
        return by_custom_id(ctx, identifier["customId"], "Order")
    return None


def _money_resolver(key: str):
    def resolve(o: Record, ctx: Context) -> dict[str, Any] | None:
        value = o.get(key)
        return None if value is None else bag(o, value)

    return resolve


for _field, _key in MONEY_FIELDS.items():
    resolves(f"Order.{_field}")(_money_resolver(_key))


@resolves("Order.displayFulfillmentStatus")
def display_fulfillment_status(o: Record, _ctx: Context) -> str:
    """Before anything is fulfilled, an order whose live fulfillment orders are all held shows ON_HOLD, and
    all with progress reported IN_PROGRESS, as in the captures."""
    status = fulfillment_status(o)
    live = {fo["status"] for fo in o.get("_fulfillment_orders", []) if fo["status"] not in FINISHED}
    if status == "UNFULFILLED" and len(live) == 1 and live <= {"ON_HOLD", "IN_PROGRESS"}:
        return live.pop()
    return status


@resolves("Order.customer")
def order_customer(o: Record, ctx: Context) -> Record | None:
    number = o.get("_customer_id")
    return ctx.store.table("Customer").get(number) if number else None


@resolves("Order.subtotalLineItemsQuantity")
def subtotal_quantity(o: Record, _ctx: Context) -> int:
    return sum(li["quantity"] for li in o.get("_line_items", []))


@resolves("Order.fullyPaid")
def fully_paid(o: Record, _ctx: Context) -> bool:
    return o.get("displayFinancialStatus") == "PAID"


@resolves("Order.unpaid")
def unpaid(o: Record, _ctx: Context) -> bool:
    return o.get("displayFinancialStatus") in ("PENDING", "AUTHORIZED", "EXPIRED")


@resolves("Order.lineItems")
def line_items(o: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(o.get("_line_items", []), args)


@resolves("LineItem.currentQuantity")
def current_quantity(li: Record, _ctx: Context) -> int:
    """What is left of the line once removed and refunded units are taken out."""
    return max(li["quantity"] - li.get("_removed", 0) - returned_quantity(li), 0)


@resolves("LineItem.unfulfilledQuantity")
def unfulfilled_quantity(li: Record, _ctx: Context) -> int:
    return li["quantity"] - li.get("_removed", 0) - li.get("_fulfilled", 0)


def _line_money(compute):
    def resolve(li: Record, ctx: Context, **_args: Any) -> dict[str, Any]:
        return bag(li["_order"], compute(li))

    return resolve


resolves("LineItem.originalUnitPriceSet")(_line_money(lambda li: Decimal(li["_unit_price"])))
resolves("LineItem.discountedUnitPriceSet")(
    _line_money(lambda li: Decimal(li["_unit_price"]) - Decimal(li.get("_discount", "0")) / li["quantity"])
)
resolves("LineItem.originalTotalSet")(_line_money(lambda li: Decimal(li["_unit_price"]) * li["quantity"]))
resolves("LineItem.discountedTotalSet")(
    _line_money(lambda li: Decimal(li["_unit_price"]) * li["quantity"] - Decimal(li.get("_discount", "0")))
)


@resolves("LineItem.variant")
def line_item_variant(li: Record, ctx: Context) -> Record | None:
    number = li.get("_variant_id")
    return ctx.store.table("ProductVariant").get(number) if number else None


@resolves("LineItem.product")
def line_item_product(li: Record, ctx: Context) -> Record | None:
    number = li.get("_product_id")
    return ctx.store.table("Product").get(number) if number else None


def order_of(ctx: Context, global_id: str) -> Record | None:
    return find(ctx, global_id, "Order")


# Fields of features the emulator does not model (duties, tips, disputes, additional fees, a business
# entity): what a shop without them answers.
constants(
    "Order",
    {
        "additionalFees": [],
        "canNotifyCustomer": False,
        "currentTotalWeight": 0,
        "customerAcceptsMarketing": False,
        "disputes": [],
        "dutiesIncluded": False,
        "edited": False,
        "estimatedTaxes": False,
        "hasTimelineComment": False,
        "requiresShipping": True,
        "restockable": False,
        "taxExempt": False,
    },
)
constants("LineItem", {"duties": [], "isGiftCard": False, "lineItemGroup": None})


def _order_money(compute):
    return lambda o, _ctx: bag(o, compute(o))


for _field, _compute in {
    "originalTotalPriceSet": lambda o: Decimal(o["_total_price"]),
    "currentCartDiscountAmountSet": lambda _o: ZERO,
    "refundDiscrepancySet": lambda _o: ZERO,
    "totalTipReceivedSet": lambda _o: ZERO,
}.items():
    resolves(f"Order.{_field}")(_order_money(_compute))


@resolves("Order.totalCashRoundingAdjustment")
def cash_rounding(o: Record, ctx: Context) -> dict[str, Any]:
    zero = bag(o, ZERO)
    return {"paymentSet": zero, "refundSet": zero}


@resolves("Order.merchantBusinessEntity")
def merchant_business_entity(_o: Record, ctx: Context) -> dict[str, Any]:
    return {
        "id": "gid://shopify/BusinessEntity/1",
        "displayName": ctx.store.shop_name,
        "companyName": None,
        "primary": True,
        "address": {"countryCode": "CA"},
    }


@resolves("Order.statusPageUrl")
def status_page_url(o: Record, ctx: Context) -> str:
    return f"https://{ctx.store.shop_name}.myshopify.com/{o['_n']}/orders/{o['_n']:032x}/authenticate"


@resolves("Order.billingAddressMatchesShippingAddress")
def billing_matches_shipping(o: Record, _ctx: Context) -> bool:
    return o.get("billingAddress") == o.get("shippingAddress")


@resolves("Order.canMarkAsPaid")
def can_mark_as_paid(o: Record, _ctx: Context) -> bool:
    return o.get("displayFinancialStatus") in ("PENDING", "PARTIALLY_PAID") and not o.get("cancelledAt")


@resolves("Order.fulfillable")
def fulfillable(o: Record, _ctx: Context) -> bool:
    return fulfillment_status(o) != "FULFILLED" and not o.get("cancelledAt") and not o.get("closed")


@resolves("Order.currentSubtotalLineItemsQuantity")
def current_subtotal_quantity(o: Record, _ctx: Context) -> int:
    return sum(current_quantity(li, _ctx) for li in o.get("_line_items", []))


resolves("LineItem.totalDiscountSet")(_line_money(lambda li: Decimal(li.get("_discount", "0"))))
resolves("LineItem.unfulfilledOriginalTotalSet")(
    _line_money(lambda li: Decimal(li["_unit_price"]) * unfulfilled_quantity(li, None))  # type: ignore[arg-type]
)
resolves("LineItem.unfulfilledDiscountedTotalSet")(
    _line_money(
        lambda li: (
            (Decimal(li["_unit_price"]) - Decimal(li.get("_discount", "0")) / li["quantity"])
            * unfulfilled_quantity(li, None)
        )  # type: ignore[arg-type]
    )
)
