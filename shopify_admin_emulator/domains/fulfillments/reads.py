"""Fulfillment orders and fulfillments: reads. Mutations live in fulfillment_mutations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, common_filters, constants, empty_connections, find, money_bag
from ...search import Filter
from ...store import Record
from ..orders.reads import line_item_variant

FULFILLMENT_ORDERS = Resource(
    "FulfillmentOrder",
    filters={
        **common_filters(),
        "status": Filter("text", lambda r: r.get("status")),
        "order_id": Filter("number", lambda r: r["_order"]["_n"]),
        "assigned_location_id": Filter("number", lambda r: 1),
    },
    sorts=dict(COMMON_SORTS),
)
CLOSED = {"CLOSED", "CANCELLED", "INCOMPLETE"}


@resolves("QueryRoot.fulfillmentOrders")
def fulfillment_orders(_root: Any, ctx: Context, includeClosed: bool = False, **args: Any) -> dict[str, Any]:
    only = None if includeClosed else (lambda r: r["status"] not in CLOSED)
    return FULFILLMENT_ORDERS.connection(ctx, "fulfillmentOrders", args, only=only)


@resolves("QueryRoot.fulfillmentOrder")
def fulfillment_order(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "FulfillmentOrder")


@resolves("QueryRoot.fulfillment")
def fulfillment(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Fulfillment")


@resolves("Order.fulfillmentOrders")
def order_fulfillment_orders(
    o: Record, _ctx: Context, displayable: bool = False, query: str | None = None, **args: Any
) -> dict[str, Any]:
    rows = o.get("_fulfillment_orders", [])
    if displayable:
        rows = [r for r in rows if r["status"] not in ("CANCELLED", "INCOMPLETE")]
    return paginate_list(rows, args)


@resolves("Order.fulfillments")
def order_fulfillments(o: Record, _ctx: Context, first: int | None = None) -> list[Record]:
    rows = o.get("_fulfillments", [])
    return rows[:first] if first is not None else rows


@resolves("FulfillmentOrder.order")
def fo_order(fo: Record, _ctx: Context) -> Record:
    return fo["_order"]


@resolves("FulfillmentOrder.orderId")
def fo_order_id(fo: Record, _ctx: Context) -> str:
    return fo["_order"]["id"]


@resolves("FulfillmentOrder.orderName")
def fo_order_name(fo: Record, _ctx: Context) -> str:
    return fo["_order"]["name"]


@resolves("FulfillmentOrder.orderProcessedAt")
def fo_order_processed_at(fo: Record, _ctx: Context) -> str:
    return fo["_order"]["processedAt"]


@resolves("FulfillmentOrder.lineItems")
def fo_line_items(fo: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(fo.get("_line_items", []), args)


@resolves("FulfillmentOrder.fulfillments")
def fo_fulfillments(fo: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    rows = [f for f in fo["_order"].get("_fulfillments", []) if fo["_n"] in f.get("_fulfillment_order_ids", ())]
    return paginate_list(rows, args)


@resolves("FulfillmentOrder.supportedActions")
def fo_supported_actions(fo: Record, _ctx: Context) -> list[dict[str, str]]:
    if fo["status"] in ("OPEN", "IN_PROGRESS"):
        return [{"action": a} for a in ("CREATE_FULFILLMENT", "HOLD", "MOVE", "SPLIT")]
    return []


@resolves("FulfillmentOrderLineItem.lineItem")
def foli_line_item(foli: Record, _ctx: Context) -> Record:
    return foli["_line_item"]


def _from_line_item(name: str):
    def resolve(row: Record, ctx: Context) -> Any:
        li = row["_line_item"]
        if name == "variant":
            return line_item_variant(li, ctx)
        if name == "productTitle":
            return li["title"]
        if name == "inventoryItemId":
            variant = line_item_variant(li, ctx)
            return variant["inventoryItem"]["id"] if variant else None
        return li.get(name)

    return resolve


for _name in ("sku", "productTitle", "variantTitle", "vendor", "requiresShipping", "variant", "inventoryItemId"):
    resolves(f"FulfillmentOrderLineItem.{_name}")(_from_line_item(_name))


@resolves("Fulfillment.order")
def fulfillment_order_of(f: Record, _ctx: Context) -> Record:
    return f["_order"]


@resolves("Fulfillment.trackingInfo")
def tracking_info(f: Record, _ctx: Context, first: int | None = None) -> list[Record]:
    rows = f.get("trackingInfo", [])
    return rows[:first] if first is not None else rows


@resolves("Fulfillment.totalQuantity")
def total_quantity(f: Record, _ctx: Context) -> int:
    return sum(row["quantity"] for row in f.get("_line_items", []))


@resolves("Fulfillment.fulfillmentLineItems")
def fulfillment_line_items(f: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(f.get("_line_items", []), args)


@resolves("Fulfillment.fulfillmentOrders")
def fulfillment_fulfillment_orders(f: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    ids = set(f.get("_fulfillment_order_ids", ()))
    return paginate_list([fo for fo in f["_order"].get("_fulfillment_orders", []) if fo["_n"] in ids], args)


@resolves("FulfillmentLineItem.lineItem")
def fli_line_item(row: Record, _ctx: Context) -> Record:
    return row["_line_item"]


def _fli_money(row: Record, ctx: Context) -> dict[str, Any]:
    li = row["_line_item"]
    return money_bag(
        Decimal(li["_unit_price"]) * row["quantity"], li["_order"].get("currencyCode") or ctx.store.currency
    )


resolves("FulfillmentLineItem.originalTotalSet")(_fli_money)
resolves("FulfillmentLineItem.discountedTotalSet")(_fli_money)


constants("FulfillmentOrder", {"fulfillmentHolds": []})
empty_connections("FulfillmentOrder", "fulfillmentOrdersForMerge", "locationsForMove", "merchantRequests")
empty_connections("Fulfillment", "events")
