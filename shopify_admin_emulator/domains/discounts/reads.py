"""Discounts: reads. The three node connections (every discount, code ones, automatic ones) searched and
sorted alike; a discount's status, classes and summary derived when read, as Shopify derives them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...connections import count, paginate, paginate_list
from ...graphql_api import Context, resolves
from ...search import Filter, Search
from ...store import Record, Store
from .models import AUTOMATIC, CODE, discount_classes, inner, node_by_code, status

DISCOUNT_TYPES = [
    f"Discount{kind}{cls}" for kind in ("Code", "Automatic") for cls in ("Basic", "FreeShipping", "Bxgy", "App")
]
CODE_TYPES = [t for t in DISCOUNT_TYPES if t.startswith("DiscountCode")]
COUNTRY_NAMES = {"US": "United States", "CA": "Canada"}  # the countries the seeded shop knows
SORTS: dict[str, Callable[[Record], Any]] = {
    "ID": lambda n: n["_n"],
    "CREATED_AT": lambda n: inner(n)["createdAt"],
    "UPDATED_AT": lambda n: inner(n)["updatedAt"],
    "STARTS_AT": lambda n: inner(n)["startsAt"],
    "ENDS_AT": lambda n: inner(n)["endsAt"] or "",
    "TITLE": lambda n: inner(n)["title"].lower(),
}


def search_filters(store: Store) -> dict[str, Filter]:
    def field(name: str) -> Callable[[Record], Any]:
        return lambda n: inner(n).get(name)

    return {
        "id": Filter("id", lambda n: n["_n"]),
        "updated_at": Filter("date", field("updatedAt")),
        "created_at": Filter("date", field("createdAt")),
        "starts_at": Filter("date", field("startsAt")),
        "ends_at": Filter("date", field("endsAt")),
        "title": Filter("text", field("title")),
        "status": Filter("text", lambda n: status(inner(n), store.clock.now_iso())),
        "discount_type": Filter("text", lambda n: "code" if n["__typename"] == CODE else "automatic"),
    }


def _searched(ctx: Context, kinds: Iterable[str], path: str, query: str | None) -> list[Record]:
    search = Search(query, search_filters(ctx.store), [], ctx.store.timezone)
    if search.warnings:
        ctx.search_warnings.append({"path": [path], "query": query, "warnings": search.warnings})
    nodes = [n for kind in kinds for n in ctx.store.all(kind)]
    return [n for n in nodes if not search.groups or (ctx.store.searchable(n, inner(n)) and search.matches(n))]


def discount_connection(ctx: Context, kinds: Iterable[str], path: str, args: dict[str, Any]) -> dict[str, Any]:
    sort = SORTS.get(args.get("sortKey") or "CREATED_AT", SORTS["CREATED_AT"])
    nodes = sorted(_searched(ctx, kinds, path, args.get("query")), key=lambda n: (sort(n), n["_n"]))
    return paginate([(sort(n), n["_n"]) for n in nodes], nodes, args)


@resolves("QueryRoot.discountNodes")
def discount_nodes(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return discount_connection(ctx, (CODE, AUTOMATIC), "discountNodes", args)


@resolves("QueryRoot.codeDiscountNodes")
def code_discount_nodes(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return discount_connection(ctx, (CODE,), "codeDiscountNodes", args)


@resolves("QueryRoot.automaticDiscountNodes")
def automatic_discount_nodes(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return discount_connection(ctx, (AUTOMATIC,), "automaticDiscountNodes", args)


@resolves("QueryRoot.discountNodesCount")
def discount_nodes_count(
    _root: Any, ctx: Context, query: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    return count(len(_searched(ctx, (CODE, AUTOMATIC), "discountNodesCount", query)), limit)


@resolves("QueryRoot.discountNode")
def discount_node(_root: Any, ctx: Context, id: str) -> Record | None:
    return ctx.store.node(id, CODE) or ctx.store.node(id, AUTOMATIC)


@resolves("QueryRoot.codeDiscountNode")
def code_discount_node(_root: Any, ctx: Context, id: str) -> Record | None:
    return ctx.store.node(id, CODE)


@resolves("QueryRoot.automaticDiscountNode")
def automatic_discount_node(_root: Any, ctx: Context, id: str) -> Record | None:
    return ctx.store.node(id, AUTOMATIC)


@resolves("QueryRoot.codeDiscountNodeByCode")
def code_discount_node_by_code(_root: Any, ctx: Context, code: str) -> Record | None:
    return node_by_code(ctx.store, code)


@resolves("QueryRoot.discountRedeemCodeBulkCreation")
def bulk_creation(_root: Any, ctx: Context, id: str) -> Record | None:
    """A job as it stands: `done` once its time has passed (see mutations.bulk_add)."""
    return ctx.store.node(id, "DiscountRedeemCodeBulkCreation")


def purchases(discount: Record, automatic: bool) -> str:
    """What a summary says the discount applies to: automatic ones say all products; code ones name
    the purchase type, one-time unless only subscriptions."""
    if automatic:
        return "all products"
    flags = discount.get("customerGets", discount)
    only_subscriptions = flags["appliesOnSubscription"] and not flags["appliesOnOneTimePurchase"]
    return "subscription products" if only_subscriptions else "one-time purchase products"


def summary(discount: Record, ctx: Context) -> str:
    """Shopify's one-line description, for the shapes the captures show."""
    applies = purchases(
        discount, discount["__typename"].startswith("DiscountAutomatic") and "destinationSelection" in discount
    )
    if "destinationSelection" in discount:
        parts = [f"Free shipping on {applies}"]
    else:
        value = discount["customerGets"]["value"]
        off = f"{value['percentage'] * 100:g}%" if "percentage" in value else dollars(value["amount"])
        parts = [f"{off} off {applies}"]
    minimum = discount.get("minimumRequirement") or {}
    if "greaterThanOrEqualToSubtotal" in minimum:
        parts.append(f"Minimum purchase of {dollars(minimum['greaterThanOrEqualToSubtotal'])}")
    if "greaterThanOrEqualToQuantity" in minimum:
        parts.append(f"Minimum quantity of {minimum['greaterThanOrEqualToQuantity']} items")
    destination = discount.get("destinationSelection") or {}
    if destination.get("allCountries"):
        parts.append("For all countries")
    elif len(destination.get("_countries", ())) == 1:
        parts.append(f"For {COUNTRY_NAMES.get(destination['_countries'][0], destination['_countries'][0])}")
    elif destination:
        parts.append(f"For {len(destination['_countries'])} countries")
    if discount.get("maximumShippingPrice"):
        parts.append(f"Applies to shipping rates under {dollars(discount['maximumShippingPrice'])}")
    if discount.get("appliesOncePerCustomer"):
        parts.append("One use per customer")
    return " • ".join(parts)


def dollars(amount: Record) -> str:
    return f"${float(amount['amount']):.2f}"


for _type in DISCOUNT_TYPES:
    resolves(f"{_type}.status")(lambda d, ctx: status(d, ctx.store.clock.now_iso()))
    resolves(f"{_type}.discountClasses")(lambda d, _ctx: discount_classes(d))
    if not _type.endswith("App"):
        resolves(f"{_type}.summary")(summary)
for _type in CODE_TYPES:
    resolves(f"{_type}.codes")(lambda d, _ctx, **args: paginate_list(d["_codes"], args))
    resolves(f"{_type}.codesCount")(lambda d, _ctx: count(len(d["_codes"])))


@resolves("DiscountProducts.products")
def discount_products(items: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list([p for i in items["_product_ids"] if (p := ctx.store.node(i, "Product"))], args)


@resolves("DiscountProducts.productVariants")
def discount_variants(items: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list([v for i in items["_variant_ids"] if (v := ctx.store.node(i, "ProductVariant"))], args)


@resolves("DiscountCustomers.customers")
def discount_customers(context: Record, ctx: Context) -> list[Record]:
    return [c for i in context["_customer_ids"] if (c := ctx.store.node(i, "Customer"))]


@resolves("DiscountCollections.collections")
def discount_collections(items: Record, ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list([c for i in items["_collection_ids"] if (c := ctx.store.node(i, "Collection"))], args)
