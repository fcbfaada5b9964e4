"""collectionCreate / Update / Delete and the membership mutations, worded as the captures show.
Validation happens before anything changes. Shopify changes membership and re-evaluates smart rules in
background jobs; the emulator does the work before it answers, so a job it hands back reads as done."""

from __future__ import annotations

import uuid
from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record
from ..metafields.models import set_metafields
from ..metafields.mutations import nested_metafield_errors
from ..products.mutations import unique_handle
from ..shop.reads import shop
from .models import add_members, handleize, is_smart, new_collection

MAX_PRODUCT_IDS = 250
MISSING = "Collection does not exist"
EMPTY_RULES = "Rules cannot be an empty set"
SETTABLE = ("descriptionHtml", "sortOrder", "templateSuffix")


def new_job() -> dict[str, Any]:
    return {"id": f"gid://shopify/Job/{uuid.uuid4()}", "done": False, "query": None}


def too_many(mutation: str, product_ids: list[str]) -> None:
    if len(product_ids) > MAX_PRODUCT_IDS:
        raise GraphQLError(
            f"The input array size of {len(product_ids)} is greater than the maximum allowed of {MAX_PRODUCT_IDS}.",
            path=[mutation, "productIds"],
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
        )


def rule_set_of(given: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """(the stored ruleSet, errors): rules left out are refused; an empty list makes no rule set."""
    if given.get("rules") is None:
        return None, [user_error(["ruleSet", "rules"], EMPTY_RULES)]
    rules = [{k: r[k] for k in ("column", "relation", "condition")} for r in given["rules"]]
    return ({"appliedDisjunctively": given["appliedDisjunctively"], "rules": rules} if rules else None), []


def apply_input(ctx: Context, collection: Record, data: dict[str, Any]) -> None:
    for key in SETTABLE:
        if key in data:
            collection[key] = data[key]
    if data.get("title") is not None:
        collection["title"] = data["title"]
    if data.get("handle"):
        collection["handle"] = unique_handle(ctx.store, handleize(data["handle"]), collection, "Collection")
    if "image" in data:  # ImageInput (src, altText) → Image as served; null removes it
        given = data["image"]
        collection["image"] = given and {
            "id": None,
            "url": given.get("src"),
            "altText": given.get("altText"),
            "width": None,
            "height": None,
        }
    if data.get("seo") is not None:
        collection["seo"] = {"title": data["seo"].get("title"), "description": data["seo"].get("description")}
    if data.get("metafields"):
        set_metafields(ctx.store, collection, data["metafields"])


def products_named(ctx: Context, product_ids: list[str], field: str) -> tuple[list[Record], list[dict[str, Any]]]:
    found = [find(ctx, pid, "Product") for pid in product_ids]
    errors = [user_error([field, str(i)], "Product does not exist") for i, p in enumerate(found) if p is None]
    return [p for p in found if p is not None], errors


@resolves("Mutation.collectionCreate")
def collection_create(
    _root: Any, ctx: Context, input: dict[str, Any] | None = None, collection: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = input or collection or {}
    if data.get("id"):
        return {"collection": None, "userErrors": [user_error(["id"], "id cannot be specified on collection creation")]}
    if not (data.get("title") or "").strip():
        return {"collection": None, "userErrors": [user_error(["title"], "Title can't be blank")]}
    rule_set, errors = rule_set_of(data["ruleSet"]) if data.get("ruleSet") is not None else (None, [])
    products, missing = products_named(ctx, data.get("products") or [], "products")
    errors += nested_metafield_errors(ctx, "Collection", None, data.get("metafields") or [], [])
    if errors or missing:
        return {"collection": None, "userErrors": missing + errors}
    store = ctx.store
    handle = unique_handle(store, handleize(data.get("handle") or data["title"]), None, "Collection")
    record = new_collection(store, title=data["title"], handle=handle, rule_set=rule_set)
    apply_input(ctx, record, {k: v for k, v in data.items() if k != "handle"})
    if rule_set is None:
        add_members(record, products)
    return {"collection": store.put(record), "userErrors": []}


@resolves("Mutation.collectionUpdate")
def collection_update(
    _root: Any, ctx: Context, input: dict[str, Any] | None = None, collection: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = input or collection or {}
    if not data.get("id"):
        raise GraphQLError("id must be specified on collectionUpdate", extensions={"code": "BAD_REQUEST"})
    record = find(ctx, data["id"], "Collection")
    if record is None:
        return {"collection": None, "job": None, "userErrors": [user_error(None, MISSING)]}
    job = None
    if data.get("ruleSet") is not None:
        if not is_smart(record):
            error = user_error(["id"], "Cannot update rule set of a custom collection")
            return {"collection": None, "job": None, "userErrors": [error]}
        rule_set, errors = rule_set_of(data["ruleSet"])
        if errors or rule_set is None:
            return {
                "collection": None,
                "job": None,
                "userErrors": errors or [user_error(["ruleSet", "rules"], EMPTY_RULES)],
            }
        record["ruleSet"], job = rule_set, new_job()  # Shopify re-evaluates membership in a job
    products, missing = products_named(ctx, data.get("products") or [], "products")
    errors = missing + nested_metafield_errors(ctx, "Collection", record, data.get("metafields") or [], [])
    if errors:
        return {"collection": None, "job": None, "userErrors": errors}
    apply_input(ctx, record, data)
    if not is_smart(record):
        add_members(record, products)
    ctx.store.touch(record)
    return {"collection": record, "job": job, "userErrors": []}


def custom_collection(ctx: Context, global_id: str, refusal: str) -> tuple[Record | None, list[dict[str, Any]]]:
    record = find(ctx, global_id, "Collection")
    if record is None:
        return None, [user_error(["id"], MISSING)]
    if is_smart(record):
        return None, [user_error(["id"], refusal)]
    return record, []


@resolves("Mutation.collectionAddProducts")
def collection_add_products(_root: Any, ctx: Context, id: str, productIds: list[str]) -> dict[str, Any]:
    too_many("collectionAddProducts", productIds)
    record, errors = custom_collection(ctx, id, "Can't manually add products to a smart collection")
    products, missing = products_named(ctx, productIds, "productIds")
    if record is None or missing:
        return {"collection": None, "userErrors": errors or missing}
    add_members(record, products)
    ctx.store.touch(record)
    return {"collection": record, "userErrors": []}


@resolves("Mutation.collectionAddProductsV2")
def collection_add_products_v2(_root: Any, ctx: Context, id: str, productIds: list[str]) -> dict[str, Any]:
    """Asynchronous: ids of products that do not exist are skipped without a userError, as captured."""
    too_many("collectionAddProductsV2", productIds)
    record, errors = custom_collection(ctx, id, "Can't manually add products to a smart collection")
    if record is None:
        return {"job": None, "userErrors": errors}
    add_members(record, products_named(ctx, productIds, "productIds")[0])
    ctx.store.touch(record)
    return {"job": new_job(), "userErrors": []}


@resolves("Mutation.collectionRemoveProducts")
def collection_remove_products(_root: Any, ctx: Context, id: str, productIds: list[str]) -> dict[str, Any]:
    """Asynchronous like collectionAddProductsV2: unknown ids are skipped."""
    too_many("collectionRemoveProducts", productIds)
    record, errors = custom_collection(ctx, id, "Can't manually remove products from a smart collection")
    if record is None:
        return {"job": None, "userErrors": errors}
    removed = {p["_n"] for p in products_named(ctx, productIds, "productIds")[0]}
    record["_product_ids"] = [n for n in record["_product_ids"] if n not in removed]
    ctx.store.touch(record)
    return {"job": new_job(), "userErrors": []}


@resolves("Mutation.collectionReorderProducts")
def collection_reorder_products(_root: Any, ctx: Context, id: str, moves: list[dict[str, Any]]) -> dict[str, Any]:
    """Each move puts one member at its zero-based position, in the order the moves are given."""
    record = find(ctx, id, "Collection")
    if record is None:
        return {"job": None, "userErrors": [user_error(["id"], MISSING)]}
    if is_smart(record) or record["sortOrder"] != "MANUAL":
        return {
            "job": None,
            "userErrors": [user_error(["id"], "Can't reorder products unless collection is manually sorted")],
        }
    order = record["_product_ids"]
    for move in moves:
        found = find(ctx, move["id"], "Product")
        if found is None or found["_n"] not in order:
            continue
        order.remove(found["_n"])
        order.insert(min(int(move["newPosition"]), len(order)), found["_n"])
    ctx.store.touch(record)
    return {"job": new_job(), "userErrors": []}


@resolves("Mutation.collectionDelete")
def collection_delete(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    record = find(ctx, input["id"], "Collection")
    if record is None:
        return {"deletedCollectionId": None, "shop": shop(None, ctx), "userErrors": [user_error(["id"], MISSING)]}
    ctx.store.table("Collection").delete(record["_n"])
    ctx.store.record_destroy(record, record["title"])
    return {"deletedCollectionId": record["id"], "shop": shop(None, ctx), "userErrors": []}
