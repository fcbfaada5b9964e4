"""Locations: reads. Inventory levels are served from inventory."""

from __future__ import annotations

from typing import Any

from ...graphql_api import Context, resolves
from ...resources import BY_ID, Resource, SortKey, constants, find
from ...search import Filter
from ...store import Record
from .models import primary_location

LOCATIONS = Resource(
    "Location",
    filters={
        "id": Filter("id", lambda r: r["_n"]),
        "name": Filter("text", lambda r: r.get("name")),
        "active": Filter("text", lambda r: str(r["isActive"]).lower()),
        "created_at": Filter("date", lambda r: r.get("createdAt")),
        "updated_at": Filter("date", lambda r: r.get("updatedAt")),
    },
    sorts={"ID": BY_ID, "NAME": SortKey(lambda r: r["name"]), "RELEVANCE": BY_ID},
    text_fields=("name",),
)


def listed(include_inactive: bool, include_legacy: bool) -> Any:
    """Shopify lists active locations that are not a fulfillment service's unless asked for more."""
    return lambda r: (include_inactive or r["isActive"]) and (include_legacy or not r["isFulfillmentService"])


@resolves("QueryRoot.locations")
def locations(
    _root: Any, ctx: Context, includeInactive: bool = False, includeLegacy: bool = False, **args: Any
) -> dict[str, Any]:
    return LOCATIONS.connection(ctx, "locations", args, listed(includeInactive, includeLegacy))


@resolves("QueryRoot.locationsCount")
def locations_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """Every matching location, inactive and legacy ones too; `limit` caps the count at AT_LEAST."""
    counted = LOCATIONS.count(ctx, "locationsCount", query)
    if limit is not None and counted["count"] > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return counted


@resolves("QueryRoot.location")
def location(_root: Any, ctx: Context, id: str | None = None) -> Record | None:
    """Without an id, the shop's primary location."""
    if id is None:
        return primary_location(ctx.store)
    return find(ctx, id, "Location")


@resolves("Location.hasActiveInventory")
def has_active_inventory(loc: Record, _ctx: Context) -> bool:
    return any(level["isActive"] for level in loc["_levels"].values())


@resolves("Location.activatable")
def activatable(loc: Record, _ctx: Context) -> bool:
    return not loc["isActive"]


@resolves("Location.deactivatable")
def deactivatable(loc: Record, _ctx: Context) -> bool:
    return loc["isActive"] and not loc["isPrimary"]


@resolves("Location.deletable")
def deletable(loc: Record, _ctx: Context) -> bool:
    return not loc["isActive"] and not loc["_levels"]


constants(
    "Location",
    {
        "addressVerified": False,
        "fulfillmentService": None,
        "hasUnfulfilledOrders": False,
        "localPickupSettingsV2": None,
        "suggestedAddresses": [],
    },
)
