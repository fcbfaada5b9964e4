"""Fulfillment orders and fulfillments: reads. Mutations live in `mutations` and `order_actions`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, common_filters, empty_connections, find, money_bag
from ...scopes import access_denied
from ...search import Filter
from ...store import Record
from ..orders.reads import line_item_variant
from .models import FINISHED

FULFILLMENT_ORDERS = Resource(
    "FulfillmentOrder",
    filters={
        **common_filters(),
        "status": Filter("text", lambda r: r.get("status")),
        "order_id": Filter("number", lambda r: r["_order"]["_n"]),
        "assigned_location_id": Filter("number", lambda r: r["_location"]["_n"] if r["_location"] else None),
    },
    sorts=dict(COMMON_SORTS),
)


@resolves("QueryRoot.fulfillmentOrders")
def fulfillment_orders(_root: Any, ctx: Context, includeClosed: bool = False, **args: Any) -> dict[str, Any]:
    only = None if includeClosed else (lambda r: r["status"] not in FINISHED)
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


HOLD_LIMIT = 10  # holds one app may keep on a fulfillment order


def supported_actions(fo: Record) -> list[str]:
    """In the order Shopify lists them (../shared/shopify-captures/2026-04/fulfillments)."""
    if fo["status"] == "ON_HOLD":
        return ["RELEASE_HOLD", *(["HOLD"] if len(fo["_holds"]) < HOLD_LIMIT else []), "MOVE"]
    if fo["status"] == "SCHEDULED":
        return ["MARK_AS_OPEN"]
    if fo["status"] not in ("OPEN", "IN_PROGRESS"):
        return []
    if fo["_progress_reported"]:
        return ["CREATE_FULFILLMENT", "REPORT_PROGRESS", "HOLD", "MARK_AS_OPEN"]
    actions = ["CREATE_FULFILLMENT", "REPORT_PROGRESS", "MOVE", "HOLD"]
    if sum(li["remainingQuantity"] for li in fo["_line_items"]) > 1:
        actions.append("SPLIT")
    if any(_mergeable(fo, other) for other in fo["_order"]["_fulfillment_orders"]):
        actions.append("MERGE")
    return actions


def _mergeable(fo: Record, other: Record) -> bool:
    return other is not fo and other["status"] == "OPEN" and other["_location"] is fo["_location"]


@resolves("FulfillmentOrder.supportedActions")
def fo_supported_actions(fo: Record, _ctx: Context) -> list[dict[str, str]]:
    return [{"action": action} for action in supported_actions(fo)]


@resolves("FulfillmentOrder.assignedLocation")
def fo_assigned_location(fo: Record, _ctx: Context) -> dict[str, Any]:
    location = fo["_location"]
    address = location["address"] if location else {}
    fields = ("address1", "address2", "city", "province", "zip", "phone")
    return {
        **{name: address.get(name) for name in fields},
        "name": location["name"] if location else "Shop location",
        "countryCode": address.get("countryCode") or "CA",
        "location": location,
    }


@resolves("FulfillmentOrder.fulfillmentHolds")
def fo_holds(fo: Record, _ctx: Context) -> list[Record]:
    return list(fo["_holds"])


@resolves("FulfillmentHold.heldByApp")
def held_by_app(_hold: Record, _ctx: Context) -> None:
    """Shopify refuses this field to an app without read_apps, as it refused the captures'."""
    raise access_denied("heldByApp", "read_apps")


@resolves("Fulfillment.events")
def fulfillment_events(f: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(f.get("_events", []), args)


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


empty_connections("FulfillmentOrder", "fulfillmentOrdersForMerge", "locationsForMove", "merchantRequests")
