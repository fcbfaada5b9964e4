"""Abandoned checkouts: the `abandonedCheckouts` root, searchable by the dates, `status` (`open`, or
`closed` once completed) and email, sorted by Shopify's keys (which have no UPDATED_AT), the count, and
a checkout's line items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import BY_CREATED, BY_ID, Resource, SortKey, common_filters
from ...search import Filter
from ...store import Record

CHECKOUTS = Resource(
    "AbandonedCheckout",
    filters={
        **common_filters(),
        "status": Filter("text", lambda r: "closed" if r["completedAt"] else "open"),
        "email": Filter("text", lambda r: (r["customer"] or {}).get("email")),
    },
    sorts={
        "ID": BY_ID,
        "CHECKOUT_ID": BY_ID,
        "RELEVANCE": BY_ID,
        "CREATED_AT": BY_CREATED,
        "TOTAL_PRICE": SortKey(lambda r: Decimal(r["totalPriceSet"]["shopMoney"]["amount"])),
        "CUSTOMER_NAME": SortKey(lambda r: (r["customer"] or {}).get("lastName") or ""),
    },
    text_fields=("name",),
)


@resolves("QueryRoot.abandonedCheckouts")
def abandoned_checkouts(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return CHECKOUTS.connection(ctx, "abandonedCheckouts", args)


@resolves("QueryRoot.abandonedCheckoutsCount")
def abandoned_checkouts_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = 10000) -> Any:
    return CHECKOUTS.count(ctx, "abandonedCheckoutsCount", query, limit)


@resolves("AbandonedCheckout.lineItems")
def line_items(checkout: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(checkout["_line_items"], args)
