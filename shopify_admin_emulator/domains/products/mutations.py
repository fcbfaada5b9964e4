"""productCreate / productUpdate / productSet / productDelete, worded and validated as Shopify does,
and the asynchronous ProductSetOperation / ProductDeleteOperation they may hand back.

Validation happens before anything changes, so a mutation with userErrors leaves the shop as it was.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record, Store, price
from ..inventory.models import place_available, unit_cost, unstock
from ..metafields.models import canonical_namespace, set_metafields
from ..metafields.mutations import nested_metafield_errors
from ..shop.reads import shop
from .models import new_product, new_variant
from .reads import product_by

Errors = list[dict[str, Any]]

MAX_LENGTH = 255
MAX_COST = Decimal(10**18)
ASYNC_SECONDS = 0.5  # an async operation nobody polls completes on its own after this long
DEFAULT_OPTION, DEFAULT_VALUE = "Title", "Default Title"
INVALID_METAFIELD = "INVALID_METAFIELD"  # productSet's code for a metafield's userError (inferred: none is captured)
BUSY = "Another operation already in progress. Please wait until current one is finished."


@dataclass(frozen=True)
class Wording:
    """productCreate/productUpdate name the model attribute; productSet nests under `input` and
    keeps only the title's own path."""

    nested: bool

    def attribute(self, attribute: str, label: str, detail: str) -> dict[str, Any]:
        if not self.nested:
            return user_error([attribute], f"{label} {detail}")
        if attribute == "title":
            return user_error(["input", "title"], detail)
        return user_error(["input"], f"{label} {detail}")


MODEL = Wording(nested=False)
PRODUCT_SET = Wording(nested=True)


# handles and tags ---------------------------------------------------------------------------------
def handleize(text: str) -> str:
    """`  Mixed CASE / 東京 100 % ` → `mixed-case-東京-100`: letters of any script and digits survive."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")


def unique_handle(store: Store, wanted: str, own: Record | None, type_name: str = "Product") -> str:
    """Shopify bumps a trailing number (`x-41` → `x-42`) or appends one (`x` → `x-1`)."""
    taken = {p["handle"] for p in store.all(type_name) if p is not own}
    handle = wanted
    while handle in taken:
        numbered = re.fullmatch(r"(.*)-(\d+)", handle)
        handle = f"{numbered[1]}-{int(numbered[2]) + 1}" if numbered else f"{handle}-1"
    return handle


def normalized_tags(tags: list[str]) -> list[str]:
    """Trimmed, without blanks, case-insensitively unique (first spelling wins), sorted ignoring case."""
    unique: dict[str, str] = {}
    for tag in (t.strip() for t in tags):
        if tag:
            unique.setdefault(tag.lower(), tag)
    return sorted(unique.values(), key=str.lower)


# product attributes -------------------------------------------------------------------------------
@dataclass
class AttributeChange:
    values: dict[str, Any]
    errors: Errors


def attribute_change(
    store: Store, own: Record | None, data: dict[str, Any], wording: Wording, truncate_generated_handle: bool
) -> AttributeChange:
    """The product-level values the input sets, or the userErrors that stop the mutation."""
    errors: Errors = []
    values: dict[str, Any] = {}
    title: str = data.get("title", own["title"] if own else None) or ""
    if "title" in data or own is None:
        if not title.strip():
            errors.append(wording.attribute("title", "Title", "can't be blank"))
        elif len(title) > MAX_LENGTH:
            errors.append(wording.attribute("title", "Title", f"is too long (maximum is {MAX_LENGTH} characters)"))
        values["title"] = title
    raw_handle = data.get("handle")
    if raw_handle is not None and raw_handle.strip():
        handle = handleize(raw_handle)
        if handle and handle in {p["handle"] for p in store.all("Product") if p is not own}:
            errors.append(
                user_error(["input", "handle"], f"Handle '{raw_handle}' already in use. Please provide a new handle.")
            )
        values["handle"] = unique_handle(store, handle or "product", own)
    elif own is None or raw_handle is not None:  # a blank handle is generated again from the title
        generated = handleize(title) or "product"
        values["handle"] = unique_handle(store, generated[:MAX_LENGTH] if truncate_generated_handle else generated, own)
    if len(values.get("handle", "")) > MAX_LENGTH:
        errors.append(wording.attribute("handle", "Handle", f"is too long (maximum is {MAX_LENGTH} characters)"))
    for key, label in (("vendor", "Vendor"), ("productType", "Product type")):
        if len(data.get(key) or "") > MAX_LENGTH:
            errors.append(wording.attribute(key, label, f"is too long (maximum is {MAX_LENGTH} characters)"))
            if key == "productType":  # Shopify also reports the legacy custom product type it mirrors
                errors.append(
                    wording.attribute(
                        "customProductType", "Custom product type", f"is too long (maximum is {MAX_LENGTH} characters)"
                    )
                )
    if data.get("tags") is not None:
        if any(len(t.strip()) > MAX_LENGTH for t in data["tags"]):
            errors.append(wording.attribute("tags", "Product tags", "is invalid"))
        values["tags"] = normalized_tags(data["tags"])
    for key in ("descriptionHtml", "productType", "status"):
        if data.get(key) is not None:
            values[key] = data[key]
    if "vendor" in data:
        values["vendor"] = (data["vendor"] or "").strip() or store.shop_name
    if "templateSuffix" in data:
        values["templateSuffix"] = data["templateSuffix"] or None
    if data.get("seo") is not None:
        current = own.get("seo") if own else None
        values["seo"] = {**(current or {"title": None, "description": None}), **data["seo"]}
    return AttributeChange(values, errors)


def product_from_input(store: Store, values: dict[str, Any]) -> Record:
    """A product made now from attribute_change's values; unlike a seeded one it has an seo and a template suffix."""
    return new_product(
        store, **{"templateSuffix": None, "seo": {"title": None, "description": None}, "_metafields": [], **values}
    )


# options and variants -----------------------------------------------------------------------------
def build_options(store: Store, product: Record, specs: list[tuple[str, list[str]]]) -> None:
    """Replace the product's options, keeping the ids of options and values whose names survive."""
    old = {o["name"]: o for o in product.get("options", [])}
    options = []
    for position, (name, value_names) in enumerate(specs, 1):
        option = old.get(name) or store.new_record("ProductOption", name=name)
        old_values = {v["name"]: v for v in option.get("optionValues", [])}
        option["position"] = position
        option["optionValues"] = [
            old_values.get(v) or store.new_record("ProductOptionValue", name=v, hasVariants=False) for v in value_names
        ]
        options.append(option)
    product["options"] = options


def mark_used_values(product: Record) -> None:
    used = {(s["name"], s["value"]) for v in product["_variants"] for s in v["selectedOptions"]}
    for option in product["options"]:
        for value in option["optionValues"]:
            value["hasVariants"] = (option["name"], value["name"]) in used


def drop_variant(store: Store, variant: Record) -> None:
    store.table("ProductVariant").delete(variant["_n"])
    store.table("InventoryItem").delete(variant["inventoryItem"]["_n"])
    unstock(store, variant["inventoryItem"])


def create_options_and_default_variant(store: Store, product: Record, option_inputs: list[dict[str, Any]]) -> None:
    """productCreate: one variant made of each option's first value (the only values marked hasVariants)."""
    ordered = sorted(enumerate(option_inputs), key=lambda pair: (pair[1].get("position") or pair[0] + 1, pair[0]))
    specs = [(o["name"], [v["name"] for v in o.get("values") or []]) for _, o in ordered]
    build_options(store, product, specs or [(DEFAULT_OPTION, [DEFAULT_VALUE])])
    selected = [{"name": o["name"], "value": o["optionValues"][0]["name"]} for o in product["options"]]
    product["_variants"] = [store.put(new_variant(store, product, selected))]
    mark_used_values(product)


@dataclass
class VariantPlan:
    """productSet's variants after validation: per input, its option tuple and existing record."""

    option_specs: list[tuple[str, list[str]]]
    rows: list[tuple[dict[str, Any], list[dict[str, str]], Record | None]]


def plan_variants(store: Store, own: Record | None, data: dict[str, Any], errors: Errors) -> VariantPlan | None:
    """Check productSet's `productOptions` / `variants`; None when the input carries neither."""
    if "variants" not in data:
        if data.get("productOptions"):
            errors.append(
                user_error(
                    ["input", "variants"],
                    "Variants input is required when updating product options",
                    "VARIANTS_INPUT_MISSING",
                )
            )
        return None
    option_inputs = sorted(
        enumerate(data.get("productOptions") or []), key=lambda pair: (pair[1].get("position") or pair[0] + 1, pair[0])
    )
    existing_options = {o["id"]: o["name"] for o in own.get("options", [])} if own else {}
    specs: dict[str, list[str]] = {}
    for _, o in option_inputs:
        name = o.get("name") or existing_options.get(o.get("id") or "", "")
        specs[name] = [v.get("name") or "" for v in o.get("values") or []]
    rows: list[tuple[dict[str, Any], list[dict[str, str]], Record | None]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for index, variant_input in enumerate(data["variants"] or []):
        path = ["input", "variants", str(index)]
        selected = []
        for value in variant_input["optionValues"]:
            option_name = value.get("optionName") or existing_options.get(value.get("optionId") or "", "")
            value_name = value.get("name") or ""
            specs.setdefault(option_name, [])
            if value_name not in specs[option_name]:
                specs[option_name].append(value_name)
            selected.append({"name": option_name, "value": value_name})
        order = list(specs)
        selected.sort(key=lambda s: order.index(s["name"]))
        combination = tuple((s["name"], s["value"]) for s in selected)
        if combination in seen:
            title = " / ".join(s["value"] for s in selected)
            errors.append(
                user_error(path, f"The variant '{title}' already exists. Please change at least one option value.")
            )
        seen.add(combination)
        price = Decimal(str(variant_input.get("price") or 0))
        if price.is_finite() and price < 0:  # Shopify's words from productVariantsBulkUpdate
            errors.append(user_error([*path, "price"], "Price must be greater than or equal to 0", "INVALID_VARIANT"))
        cost = (variant_input.get("inventoryItem") or {}).get("cost")
        if cost is not None:
            cost_error = cost_problem(cost)
            if cost_error:
                errors.append(user_error([*path, "inventoryItem", "cost"], cost_error, "INVALID_VARIANT"))
        record = None
        if variant_input.get("id"):
            record = find_variant(store, variant_input["id"], own)
            if record is None:
                errors.append(
                    user_error([*path, "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
                )
        rows.append((variant_input, selected, record))
    return VariantPlan(list(specs.items()), rows)


def find_variant(store: Store, global_id: str, own: Record | None) -> Record | None:
    variant = store.node(global_id, "ProductVariant")
    return variant if variant is not None and own is not None and variant["_product"] is own else None


def cost_problem(cost: Any) -> str | None:
    try:
        amount = Decimal(str(cost))
    except InvalidOperation:
        return "Cost per item is not a number"
    if amount < 0:
        return "Cost per item must be greater than or equal to 0"
    if amount >= MAX_COST:
        return f"Cost per item must be less than {MAX_COST}"
    return None


def apply_variants(store: Store, product: Record, plan: VariantPlan) -> None:
    """Replace the variants with the input's: listed ids are updated, the rest are removed."""
    build_options(store, product, plan.option_specs)
    kept = []
    for position, (variant_input, selected, existing) in enumerate(plan.rows, 1):
        variant = existing or store.put(new_variant(store, product, selected))
        before = dict(variant)
        item_before = dict(variant["inventoryItem"])
        variant.update(title=" / ".join(s["value"] for s in selected), selectedOptions=selected, position=position)
        update_variant(store, variant, variant_input)
        if variant != before:
            store.touch(variant)
        if variant["inventoryItem"] != item_before:
            store.touch(variant["inventoryItem"])
        kept.append(variant)
    for variant in product["_variants"]:
        if all(variant is not k for k in kept):
            drop_variant(store, variant)
    product["_variants"] = kept
    mark_used_values(product)


def update_variant(store: Store, variant: Record, data: dict[str, Any]) -> None:
    for key in ("sku", "barcode", "taxable", "inventoryPolicy"):
        if key in data:
            variant[key] = data[key]
    for key in ("price", "compareAtPrice"):
        if key in data:
            variant[key] = price(data[key]) if data[key] is not None else None
    if data.get("inventoryQuantities") is not None:
        variant["inventoryQuantity"] = sum(
            q["quantity"] for q in data["inventoryQuantities"] if q["name"] == "available"
        )
        place_available(store, variant["inventoryItem"], data["inventoryQuantities"])
    item = variant["inventoryItem"]
    item_input = data.get("inventoryItem") or {}
    for key in ("sku", "tracked", "requiresShipping"):
        if key in item_input:
            item[key] = item_input[key]
    if item_input.get("cost") is not None:
        item["unitCost"] = unit_cost(store, str(item_input["cost"]))
    if "sku" in data:
        item["sku"] = data["sku"]
    elif "sku" in item_input:
        variant["sku"] = item_input["sku"]
    if data.get("metafields"):
        set_metafields(store, variant, data["metafields"])


# async operations ---------------------------------------------------------------------------------
def start_operation(store: Store, type_name: str, work: Callable[[Record], None], **fields: Any) -> Record:
    """An operation in CREATED state; its work runs when it is next read or after ASYNC_SECONDS."""
    operation = store.put(store.new_record(type_name, status="CREATED", product=None, userErrors=[], **fields))
    operation["_work"] = work
    timer = threading.Timer(ASYNC_SECONDS, finish_operation, (store, operation))
    timer.daemon = True
    timer.start()
    return operation


def finish_operation(store: Store, operation: Record) -> None:
    with store.lock:
        work = operation.pop("_work", None)
        if work is not None:
            work(operation)
            operation["status"] = "COMPLETE"


@resolves("QueryRoot.productOperation")
def product_operation(_root: Any, ctx: Context, id: str) -> Record | None:
    operation = ctx.store.node(id)
    if operation is None or operation["__typename"] not in {"ProductSetOperation", "ProductDeleteOperation"}:
        return None
    finish_operation(ctx.store, operation)
    return operation


# productCreate / productUpdate --------------------------------------------------------------------
@resolves("Mutation.productCreate")
def product_create(
    _root: Any, ctx: Context, product: dict[str, Any] | None = None, input: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = product if product is not None else input or {}
    payload: dict[str, Any] = {"product": None, "shop": shop(None, ctx), "userErrors": []}
    if data.get("id"):
        payload["userErrors"] = [user_error(["input"], "id cannot be specified during creation")]
        return payload
    change = attribute_change(ctx.store, None, data, MODEL, truncate_generated_handle=True)
    errors = change.errors + nested_metafield_errors(ctx, "Product", None, data.get("metafields") or [], [])
    if errors:
        payload["userErrors"] = errors
        return payload
    record = product_from_input(ctx.store, change.values)
    create_options_and_default_variant(ctx.store, record, data.get("productOptions") or [])
    if data.get("metafields"):
        set_metafields(ctx.store, record, data["metafields"])
    payload["product"] = ctx.store.put(record)
    return payload


@resolves("Mutation.productUpdate")
def product_update(
    _root: Any,
    ctx: Context,
    product: dict[str, Any] | None = None,
    input: dict[str, Any] | None = None,
    identifier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data = product if product is not None else input or {}
    record = product_by(ctx, identifier or {"id": data.get("id")})
    if record is None:
        return {"product": None, "userErrors": [user_error(["id"], "Product does not exist")]}
    change = attribute_change(ctx.store, record, data, MODEL, truncate_generated_handle=True)
    errors = change.errors + nested_metafield_errors(ctx, "Product", record, data.get("metafields") or [], [])
    if errors:
        return {"product": record, "userErrors": errors}
    record.update(change.values)
    if data.get("metafields"):
        set_metafields(ctx.store, record, data["metafields"])
    ctx.store.touch(record)
    return {"product": record, "userErrors": []}


# productSet ---------------------------------------------------------------------------------------
@resolves("Mutation.productSet")
def product_set(
    _root: Any,
    ctx: Context,
    input: dict[str, Any],
    synchronous: bool = True,
    identifier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    store = ctx.store
    failed: dict[str, Any] = {"product": None, "productSetOperation": None}
    if identifier and input.get("id"):
        error = user_error(["input"], "The id field is not allowed if identifier is provided.", "ID_NOT_ALLOWED")
        return {**failed, "userErrors": [error]}
    own = product_by(ctx, identifier) if identifier else None
    if input.get("id"):
        own = find(ctx, input["id"], "Product")
        if own is None:
            error = user_error(["input", "id"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
            return {**failed, "userErrors": [error]}
    elif identifier and identifier.get("id") and own is None:
        error = user_error(["identifier", "id"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")
        return {**failed, "userErrors": [error]}
    data = dict(input)
    if own is None and identifier and identifier.get("handle") and not (data.get("handle") or "").strip():
        data["handle"] = identifier["handle"]  # an upsert by handle creates the product under that handle
    change = attribute_change(store, own, data, PRODUCT_SET, truncate_generated_handle=False)
    errors = change.errors
    variants = plan_variants(store, own, data, errors)
    errors += nested_metafield_errors(ctx, "Product", own, data.get("metafields") or [], ["input"], INVALID_METAFIELD)
    for index, (variant_input, _, variant) in enumerate(variants.rows if variants else []):
        path = ["input", "variants", str(index)]
        metafields = variant_input.get("metafields") or []
        errors += nested_metafield_errors(ctx, "ProductVariant", variant, metafields, path, INVALID_METAFIELD)
    if errors:  # like productUpdate, a rejected change of an existing product answers with it unchanged
        return {**failed, "product": own if synchronous else None, "userErrors": errors}

    def apply() -> Record:
        record = own if own is not None else product_from_input(store, change.values)
        record.update(change.values)
        if variants is not None:
            apply_variants(store, record, variants)
        elif own is None:
            create_options_and_default_variant(store, record, [])
        metafields = list(data.get("metafields") or [])
        if own is None and identifier and identifier.get("customId"):
            custom_id = identifier["customId"]
            namespace = canonical_namespace(custom_id.get("namespace"))
            metafields.append({**custom_id, "namespace": namespace, "type": "id"})
        if metafields:
            set_metafields(store, record, metafields)
        store.put(record)
        store.touch(record)
        return record

    if synchronous:
        return {"product": apply(), "productSetOperation": None, "userErrors": []}

    def complete(operation: Record) -> None:
        operation["product"] = apply()

    operation = start_operation(store, "ProductSetOperation", complete)
    return {"product": None, "productSetOperation": operation, "userErrors": []}


# productDelete ------------------------------------------------------------------------------------
def delete_product(store: Store, product: Record) -> None:
    for variant in product["_variants"]:
        drop_variant(store, variant)
    store.table("Product").delete(product["_n"])
    store.record_destroy(product, product["title"])


@resolves("Mutation.productDelete")
def product_delete(_root: Any, ctx: Context, input: dict[str, Any], synchronous: bool = True) -> dict[str, Any]:
    store = ctx.store
    payload: dict[str, Any] = {
        "deletedProductId": None,
        "productDeleteOperation": None,
        "shop": shop(None, ctx),
        "userErrors": [],
    }
    product = find(ctx, input["id"], "Product")
    if product is None:
        payload["userErrors"] = [user_error(["id"], "Product does not exist")]
        return payload
    if product.get("_pending_operation") is not None:
        payload["userErrors"] = [user_error(None, BUSY)]
        return payload
    if synchronous:
        delete_product(store, product)
        payload["deletedProductId"] = product["id"]
        return payload

    def complete(operation: Record) -> None:
        delete_product(store, product)
        operation["deletedProductId"] = product["id"]

    product["_pending_operation"] = payload["productDeleteOperation"] = start_operation(
        store, "ProductDeleteOperation", complete, deletedProductId=None
    )
    return payload


@resolves("Product.seo")
def product_seo(p: Record, _ctx: Context) -> dict[str, Any]:
    return p.get("seo") or {"title": None, "description": None}
