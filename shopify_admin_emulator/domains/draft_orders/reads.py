"""Draft orders: the `draftOrders` root (searchable, as the captures show, by status, tag, dates,
customer and free text), `draftOrder`, `draftOrdersCount` and a draft order's line items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import BY_ID, BY_UPDATED, Resource, SortKey, common_filters, find
from ...search import Filter
from ...store import Record

DRAFT_ORDERS = Resource(
    "DraftOrder",
    filters={
        **common_filters(),
        "status": Filter("text", lambda r: r["status"]),
        "tag": Filter("text", lambda r: r["tags"]),
        "email": Filter("text", lambda r: r.get("email")),
        "name": Filter("text", lambda r: r["name"]),
        "customer_id": Filter("number", lambda r: r["customer"]["_n"] if r.get("customer") else None),
    },
    sorts={
        "ID": BY_ID,
        "RELEVANCE": BY_ID,
        "UPDATED_AT": BY_UPDATED,
        "NUMBER": SortKey(lambda r: r["_number"]),
        "STATUS": SortKey(lambda r: r["status"]),
        "TOTAL_PRICE": SortKey(lambda r: Decimal(r["totalPriceSet"]["shopMoney"]["amount"])),
        "CUSTOMER_NAME": SortKey(lambda r: (r.get("customer") or {}).get("lastName") or ""),
    },
    text_fields=("name", "email"),
)


@resolves("QueryRoot.draftOrders")
def draft_orders(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return DRAFT_ORDERS.connection(ctx, "draftOrders", args)


@resolves("QueryRoot.draftOrdersCount")
def draft_orders_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = 10000) -> Any:
    return DRAFT_ORDERS.count(ctx, "draftOrdersCount", query, limit)


@resolves("QueryRoot.draftOrder")
def draft_order(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "DraftOrder")


@resolves("DraftOrder.lineItems")
def line_items(d: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(d["_line_items"], args)
