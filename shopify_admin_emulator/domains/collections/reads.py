"""Collections: the `collections` root and its look-ups, a collection's products, a product's collections,
and the `job` root that collection mutations answer with."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ...connections import count, paginate
from ...graphql_api import Context, resolves
from ...resources import BY_ID, BY_UPDATED, Resource, SortKey, common_filters, find
from ...search import Filter
from ...store import Record
from ..metafields.definitions import by_custom_id
from .models import is_smart, member_numbers, members

COLLECTIONS = Resource(
    "Collection",
    filters={
        **common_filters(),
        "title": Filter("text", lambda r: r["title"]),
        "handle": Filter("text", lambda r: r["handle"]),
        "collection_type": Filter("text", lambda r: "smart" if is_smart(r) else "custom"),
        "product_id": Filter("number", lambda r: r["_product_ids"]),
    },
    # Shopify has no CREATED_AT sort key for collections; RELEVANCE without a search is by id
    sorts={"ID": BY_ID, "RELEVANCE": BY_ID, "UPDATED_AT": BY_UPDATED, "TITLE": SortKey(lambda r: r["title"].lower())},
    text_fields=("title", "handle"),
)


def _lowest_price(product: Record) -> Decimal:
    return min((Decimal(v["price"]) for v in product.get("_variants", [])), default=Decimal(0))


# a product sort key (or a collection's own sort order) → (key, descending); None keeps the collection's order
PRODUCT_ORDERS: dict[str, tuple[Callable[[Record], Any], bool] | None] = {
    "TITLE": (lambda p: p["title"].lower(), False),
    "ALPHA_ASC": (lambda p: p["title"].lower(), False),
    "ALPHA_DESC": (lambda p: p["title"].lower(), True),
    "CREATED": (lambda p: p["createdAt"], False),
    "CREATED_DESC": (lambda p: p["createdAt"], True),
    "ID": (lambda p: p["_n"], False),
    "PRICE": (_lowest_price, False),
    "PRICE_ASC": (_lowest_price, False),
    "PRICE_DESC": (_lowest_price, True),
}


@resolves("QueryRoot.collections")
def collections(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return COLLECTIONS.connection(ctx, "collections", args)


@resolves("QueryRoot.collectionsCount")
def collections_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = None, **_: Any) -> Any:
    return COLLECTIONS.count(ctx, "collectionsCount", query, limit)


@resolves("QueryRoot.collection")
def collection(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Collection")


def collection_by_handle(ctx: Context, handle: str) -> Record | None:
    return next((c for c in ctx.store.all("Collection") if c["handle"] == handle), None)


@resolves("QueryRoot.collectionByHandle")
def by_handle(_root: Any, ctx: Context, handle: str) -> Record | None:
    return collection_by_handle(ctx, handle)


@resolves("QueryRoot.collectionByIdentifier")
def by_identifier(_root: Any, ctx: Context, identifier: dict[str, Any]) -> Record | None:
    if identifier.get("id"):
        return find(ctx, identifier["id"], "Collection")
    if identifier.get("handle"):
        return collection_by_handle(ctx, identifier["handle"])
    if identifier.get("customId"):
        return by_custom_id(ctx, identifier["customId"], "Collection")
    return None


@resolves("Collection.products")
def products(c: Record, ctx: Context, sortKey: str | None = None, **args: Any) -> dict[str, Any]:
    rows = members(ctx.store, c)
    default = sortKey in (None, "COLLECTION_DEFAULT")
    order = PRODUCT_ORDERS.get(c["sortOrder"]) if default else PRODUCT_ORDERS.get(sortKey or "")
    if order is not None:
        read, descending = order
        rows = sorted(rows, key=lambda p: (read(p), p["_n"]), reverse=descending)
    keys = [(position, p["_n"]) for position, p in enumerate(rows)]  # cursors carry the place in this order
    return paginate(keys, rows, args)


@resolves("Collection.productsCount")
def products_count(c: Record, ctx: Context) -> dict[str, Any]:
    return count(len(members(ctx.store, c)))


@resolves("Collection.hasProduct")
def has_product(c: Record, ctx: Context, id: str) -> bool:
    product = find(ctx, id, "Product")
    return product is not None and contains(ctx, c, product)


@resolves("Collection.description")
def description(c: Record, _ctx: Context, truncateAt: int | None = None) -> str:
    text = re.sub(r"<[^>]*>", "", c.get("descriptionHtml") or "")
    return text[:truncateAt] if truncateAt else text


def contains(ctx: Context, c: Record, product: Record) -> bool:
    return product["_n"] in member_numbers(ctx.store, c)


@resolves("Product.collections")
def product_collections(p: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return COLLECTIONS.connection(ctx, "collections", args, only=lambda c: contains(ctx, c, p))


@resolves("Product.inCollection")
def in_collection(p: Record, ctx: Context, id: str) -> bool:
    found = find(ctx, id, "Collection")
    return found is not None and contains(ctx, found, p)


@resolves("QueryRoot.job")
def job(_root: Any, _ctx: Context, id: str) -> dict[str, Any] | None:
    """The emulator does a job's work before it answers the mutation, so any job asked about is done."""
    return {"id": id, "done": True, "query": {}} if id.startswith("gid://shopify/Job/") else None
