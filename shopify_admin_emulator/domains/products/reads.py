"""Products and variants: reads. Mutations live in product_mutations."""

from __future__ import annotations

import re
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, SortKey, common_filters, constants, empty_connections, find
from ...search import Filter
from ...store import Record
from ..metafields.definitions import by_custom_id

PRODUCTS = Resource(
    "Product",
    filters={
        **common_filters(),
        "handle": Filter("text", lambda r: r.get("handle")),
        "title": Filter("text", lambda r: r.get("title")),
        "status": Filter("text", lambda r: r.get("status")),
        "vendor": Filter("text", lambda r: r.get("vendor")),
        "product_type": Filter("text", lambda r: r.get("productType")),
        "tag": Filter("text", lambda r: r.get("tags")),
        "sku": Filter("text", lambda r: [v.get("sku") for v in r.get("_variants", [])]),
        "published_at": Filter("date", lambda r: r.get("publishedAt")),
    },
    sorts={**COMMON_SORTS, "TITLE": SortKey(lambda r: r["title"].lower()), "VENDOR": SortKey(lambda r: r["vendor"])},
    text_fields=("title", "handle", "vendor"),
)

VARIANTS = Resource(
    "ProductVariant",
    filters={
        **common_filters(),
        "sku": Filter("text", lambda r: r.get("sku")),
        "barcode": Filter("text", lambda r: r.get("barcode")),
        "product_id": Filter("number", lambda r: r["_product"]["_n"]),
        "title": Filter("text", lambda r: r.get("title")),
    },
    sorts={
        **COMMON_SORTS,
        "SKU": SortKey(lambda r: r.get("sku") or ""),
        "POSITION": SortKey(lambda r: (r["_product"]["_n"], r["position"])),
    },
    text_fields=("sku", "title"),
)


@resolves("QueryRoot.products")
def products(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return PRODUCTS.connection(ctx, "products", args)


@resolves("QueryRoot.productsCount")
def products_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = None) -> dict[str, Any]:
    return PRODUCTS.count(ctx, "productsCount", query, limit)


@resolves("QueryRoot.product")
def product(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Product")


def product_by_handle(ctx: Context, handle: str) -> Record | None:
    return next((p for p in ctx.store.all("Product") if p["handle"] == handle), None)


def product_by(ctx: Context, identifier: dict[str, Any]) -> Record | None:
    """The product an identifier names: ProductIdentifierInput, ProductSetIdentifiers, …"""
    if identifier.get("id"):
        return find(ctx, identifier["id"], "Product")
    if identifier.get("handle"):
        return product_by_handle(ctx, identifier["handle"])
    if identifier.get("customId"):
        return by_custom_id(ctx, identifier["customId"], "Product")
    return None


@resolves("QueryRoot.productByIdentifier")
def product_by_identifier(_root: Any, ctx: Context, identifier: dict[str, Any]) -> Record | None:
    return product_by(ctx, identifier)


@resolves("QueryRoot.productVariants")
def product_variants(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return VARIANTS.connection(ctx, "productVariants", args)


@resolves("QueryRoot.productVariantsCount")
def product_variants_count(
    _root: Any, ctx: Context, query: str | None = None, limit: int | None = 10000
) -> dict[str, Any]:
    return VARIANTS.count(ctx, "productVariantsCount", query, limit)


@resolves("QueryRoot.productVariant")
def product_variant(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "ProductVariant")


@resolves("Product.variants")
def variants(p: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(p.get("_variants", []), args)


@resolves("Product.options")
def options(p: Record, _ctx: Context, first: int | None = None) -> list[Record]:
    rows = p.get("options", [])
    return rows[:first] if first is not None else rows


@resolves("ProductOption.values")
def option_values(o: Record, _ctx: Context) -> list[str]:
    """Only the values some variant uses: a created product lists just its options' first values."""
    return [v["name"] for v in o.get("optionValues", []) if v.get("hasVariants", True)]


@resolves("ProductVariant.product")
def variant_product(v: Record, _ctx: Context) -> Record:
    return v["_product"]


@resolves("ProductVariant.displayName")
def variant_display_name(v: Record, _ctx: Context) -> str:
    return f"{v['_product']['title']} - {v['title']}"


@resolves("ProductVariant.availableForSale")
def available_for_sale(v: Record, _ctx: Context) -> bool:
    return v["_product"]["status"] == "ACTIVE" and (
        v["inventoryPolicy"] == "CONTINUE" or (v.get("inventoryQuantity") or 0) > 0
    )


constants(
    "Product",
    {
        "hasVariantsThatRequiresComponents": False,
        "isGiftCard": False,
        "requiresSellingPlan": False,
        "tracksInventory": True,
    },
)
constants("ProductVariant", {"requiresComponents": False})
constants("InventoryItem", {"measurement": {"weight": {"unit": "KILOGRAMS", "value": 0.0}}})
empty_connections("Product", "media")


@resolves("Product.description")
def description(p: Record, _ctx: Context) -> str:
    return re.sub(r"<[^>]*>", "", p.get("descriptionHtml") or "")


@resolves("Product.hasOnlyDefaultVariant")
def has_only_default_variant(p: Record, _ctx: Context) -> bool:
    rows = p.get("_variants", [])
    return len(rows) == 1 and rows[0]["title"] == "Default Title"


@resolves("Product.hasOutOfStockVariants")
def has_out_of_stock_variants(p: Record, _ctx: Context) -> bool:
    return any((v.get("inventoryQuantity") or 0) <= 0 for v in p.get("_variants", []))


@resolves("Product.totalInventory")
def total_inventory(p: Record, _ctx: Context) -> int:
    return sum(v.get("inventoryQuantity") or 0 for v in p.get("_variants", []))


@resolves("ProductVariant.sellableOnlineQuantity")
def sellable_online_quantity(v: Record, _ctx: Context) -> int:
    return max(v.get("inventoryQuantity") or 0, 0)
