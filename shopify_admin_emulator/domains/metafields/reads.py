"""Metafields on the owners the shared resolvers do not serve (collections, locations, draft orders,
the shop), a metafield's owner and definition, and the `metafieldDefinitions` root."""

from __future__ import annotations

from typing import Any

from ...connections import paginate
from ...graphql_api import Context, resolves
from ...resources import Resource, SortKey, common_filters, owner_metafield, owner_metafields
from ...search import Filter
from ...store import Record
from .models import definition_of, shop_owner

for _owner in ("Collection", "Location", "DraftOrder"):
    resolves(f"{_owner}.metafields")(owner_metafields)
    resolves(f"{_owner}.metafield")(owner_metafield)


@resolves("Shop.metafields")
def shop_metafields(_shop: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return owner_metafields(shop_owner(ctx.store), ctx, **args)


@resolves("Shop.metafield")
def shop_metafield(_shop: Record, ctx: Context, key: str, namespace: str | None = None) -> Record | None:
    return owner_metafield(shop_owner(ctx.store), ctx, key, namespace)


@resolves("Metafield.owner")
def owner(m: Record, ctx: Context) -> Record:
    from ..shop.reads import shop  # the shop's fields are served from its settings, not its metafield record

    return shop(None, ctx) if m["_owner"]["__typename"] == "Shop" else m["_owner"]


@resolves("Metafield.definition")
def definition(m: Record, ctx: Context) -> Record | None:
    return definition_of(ctx.store, m["ownerType"], m["namespace"], m["key"])


DEFINITIONS = Resource(
    "MetafieldDefinition",
    filters={
        **common_filters(),
        "namespace": Filter("text", lambda r: r["namespace"]),
        "key": Filter("text", lambda r: r["key"]),
        "type": Filter("text", lambda r: r["type"]["name"]),
    },
    sorts={
        "ID": SortKey(lambda r: r["_n"]),
        "RELEVANCE": SortKey(lambda r: r["_n"]),
        "NAME": SortKey(lambda r: r["name"]),
    },
    text_fields=("name", "namespace", "key"),
)


@resolves("QueryRoot.metafieldDefinitions")
def metafield_definitions(
    _root: Any, ctx: Context, ownerType: str, namespace: str | None = None, key: str | None = None, **args: Any
) -> dict[str, Any]:
    def wanted(d: Record) -> bool:
        return d["ownerType"] == ownerType and namespace in (None, d["namespace"]) and key in (None, d["key"])

    pinned = args.pop("pinnedStatus", None)
    if pinned == "PINNED":  # no definition of the emulator's is pinned
        return paginate([], [], args)
    return DEFINITIONS.connection(ctx, "metafieldDefinitions", args, only=wanted)
