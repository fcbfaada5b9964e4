"""The shop, node / nodes, and destroy events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ...connections import bad_request
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, common_filters
from ...search import Filter
from ...store import Record, iso

EVENTS = Resource(
    "BasicEvent",
    filters={
        **common_filters(),
        "action": Filter("text", lambda r: r.get("action")),
        "subject_type": Filter("text", lambda r: r.get("subjectType")),
        "subject_id": Filter("id", lambda r: int(r["subjectId"].rsplit("/", 1)[1])),
    },
    sorts={"ID": COMMON_SORTS["ID"], "CREATED_AT": COMMON_SORTS["CREATED_AT"]},
)


@resolves("QueryRoot.shop")
def shop(_root: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.store
    domain = f"{store.shop_name}.myshopify.com"
    return {
        "__typename": "Shop",
        "id": "gid://shopify/Shop/1",
        "name": store.shop_name,
        "email": f"owner@{domain}",
        "contactEmail": f"owner@{domain}",
        "myshopifyDomain": domain,
        "currencyCode": store.currency,
        "enabledPresentmentCurrencies": [store.currency],
        "ianaTimezone": store.timezone,
        # as the shop's admin shows it now: EST in winter, EDT in summer
        "timezoneAbbreviation": datetime.fromtimestamp(store.clock.now(), ZoneInfo(store.timezone)).tzname(),
        "weightUnit": "KILOGRAMS",  # the captured shop's, whose product weights are all in kilograms
        # the captured shop's (`shop { currencyCode taxesIncluded taxShipping }`): prices before tax
        "taxesIncluded": False,
        "taxShipping": False,
        "createdAt": iso(store.created_at),
        "updatedAt": iso(store.created_at),
        "url": f"https://{domain}",
        "plan": {
            "publicDisplayName": ctx.emulator.plan_name,
            "partnerDevelopment": True,
            "shopifyPlus": ctx.emulator.plan == "plus",
        },
    }


@resolves("QueryRoot.node")
def node(_root: Any, ctx: Context, id: str) -> Record | None:
    return ctx.store.node(id)


@resolves("QueryRoot.nodes")
def nodes(_root: Any, ctx: Context, ids: list[str]) -> list[Record | None]:
    if len(ids) > 250:
        raise bad_request(f"The input array size of {len(ids)} is greater than the maximum allowed of 250.")
    return [ctx.store.node(i) for i in ids]


@resolves("QueryRoot.events")
def events(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return EVENTS.connection(ctx, "events", args)


@resolves("QueryRoot.eventsCount")
def events_count(_root: Any, ctx: Context, query: str | None = None) -> dict[str, Any]:
    return EVENTS.count(ctx, "eventsCount", query)


@resolves("QueryRoot.currentAppInstallation")
def current_app_installation(_root: Any, ctx: Context) -> dict[str, Any]:
    return {"accessScopes": [{"handle": scope} for scope in ctx.emulator.config.scopes]}
