"""Products: productSet upserts by id, handle or a custom id, with options and variants;
productDelete deletes, or productSet archives (delete_mode: archive)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from typing_extensions import override

from target_shopify_admin.objects.fields import RecordError, flag, money, object_list, strings, text, texts_and_tags
from target_shopify_admin.objects.gateway import USER_ERRORS, IdentifiedGateway, WriteAnswer, changed_metafields
from target_shopify_admin.objects.kind import ObjectKind

PRODUCT_TEXT = ("title", "handle", "descriptionHtml", "vendor", "productType", "status")
VARIANT_TEXT = ("sku", "barcode", "inventoryPolicy")
VARIANT_SELECTION = """
    id sku barcode price compareAtPrice taxable inventoryPolicy selectedOptions { name value }
    inventoryItem { tracked requiresShipping }
"""
BATCHED_VARIANTS = 25  # variants per product in a batched lookup; a product with more is looked up again
PRODUCT_FIELDS = f"id {' '.join(PRODUCT_TEXT)} tags options {{ name values }}"
ALL_VARIANTS = f"""query TargetProductVariants($id: ID!) {{
  product(id: $id) {{ {PRODUCT_FIELDS} variants(first: 250) {{ nodes {{ {VARIANT_SELECTION} }} }} }}
}}"""
DELETE = f"""mutation TargetProductDelete($input: ProductDeleteInput!) {{
  productDelete(input: $input) {{ deletedProductId {USER_ERRORS} }}
}}"""


class ProductGateway(IdentifiedGateway):
    kind = "product"
    typename = "Product"
    selection = f"""{PRODUCT_FIELDS}
      variants(first: {BATCHED_VARIANTS}) {{ nodes {{ {VARIANT_SELECTION} }} pageInfo {{ hasNextPage }} }}"""
    export_selection = f"{PRODUCT_FIELDS} variants {{ edges {{ node {{ position {VARIANT_SELECTION} }} }} }}"
    export_connections: ClassVar = {"Product": {"ProductVariant": "variants"}}
    count_roots = ("productsCount", "productVariantsCount")  # a variant is a line of its own
    set_root = "productSet"
    set_mutation = """mutation TargetProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
      productSet(input: $input, identifier: $identifier, synchronous: true) {
        product { id } userErrors { field code message }
      }
    }"""
    lookup_keys: ClassVar = {"id": "id", "handle": "handle"}
    set_keys: ClassVar = lookup_keys

    @override
    def find_many(self, identifiers: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Batched with their first variants; a product with more is read again with all of them, since
        unchanged detection and keeping variant ids need every one."""
        return [product and self.completed(product) for product in super().find_many(identifiers)]

    @override
    def completed(self, current: dict[str, Any]) -> dict[str, Any]:
        if current["variants"]["pageInfo"]["hasNextPage"]:
            return dict(self.client.execute(ALL_VARIANTS, {"id": current["id"]})["product"])
        return current

    @override
    def exported(self, node: dict[str, Any]) -> dict[str, Any]:
        """Every variant, in the product's order: an export writes them in any order."""
        return {**node, "variants": {"nodes": sorted(node["variants"], key=lambda variant: variant["position"])}}

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        value = record.get(match_on)
        return shopify_handle(value) if match_on == "handle" and isinstance(value, str) else value

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = texts_and_tags(record, PRODUCT_TEXT)
        if "handle" in wanted:
            handle = shopify_handle(wanted.pop("handle"))
            wanted.update({"handle": handle} if handle else {})
        variants = object_list(record, "variants")
        options = object_list(record, "options")
        if variants is not None:
            existing = {combination(v["selectedOptions"]): v["id"] for v in variants_of(current)}
            wanted["variants"] = [variant_input(v, f"variants[{i}].", existing) for i, v in enumerate(variants)]
            if options is None:  # productSet needs the options its variants use
                options = derived_options(wanted["variants"])
        if options is not None:
            wanted["productOptions"] = [option_input(o, f"options[{i}].") for i, o in enumerate(options)]
        metafields = changed_metafields(record, current, related)
        if metafields:
            wanted["metafields"] = metafields
        return wanted

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        return {
            **{k: current.get(k) for k in (*PRODUCT_TEXT, "tags")},
            "productOptions": [
                {"name": o["name"], "values": [{"name": v} for v in o["values"]]} for o in current["options"]
            ],
            "variants": [
                {
                    "id": v["id"],
                    "optionValues": [{"optionName": s["name"], "name": s["value"]} for s in v["selectedOptions"]],
                    **{k: v.get(k) for k in (*VARIANT_TEXT, "taxable", "inventoryItem")},
                    # as to_input renders money: a shop may show 12.3 where the record says 12.30
                    **{k: money(v, k) for k in ("price", "compareAtPrice")},
                }
                for v in variants_of(current)
            ],
        }

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        if mode == "archive":
            return self.write({"status": "ARCHIVED"}, {"id": current["id"]})
        payload = self.mutate(DELETE, {"input": {"id": current["id"]}})["productDelete"]
        return WriteAnswer(payload["deletedProductId"], payload["userErrors"])


def shopify_handle(value: str) -> str | None:
    """The handle Shopify keeps for `value`: lower case, each run of characters other than letters and
    digits one hyphen, none at the ends (`../../X y` → `x-y`), so that the next run finds the product and
    sees it unchanged. None for a blank one, which Shopify ignores."""
    if not value.strip():
        return None
    handle = re.sub(r"[\W_]+", "-", value.lower()).strip("-")
    if not handle:
        raise RecordError(f"handle {value!r} has no letter or digit: Shopify would replace it with 'product'")
    return handle


def variants_of(product: dict[str, Any] | None) -> list[dict[str, Any]]:
    return ((product or {}).get("variants") or {}).get("nodes") or []


def combination(selected: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((s["name"], s["value"]) for s in selected))


def variant_input(variant: dict[str, Any], where: str, existing: dict[tuple, str]) -> dict[str, Any]:
    """A ProductVariantSetInput; a variant whose options the product already has keeps its id (and so its
    inventory and order history) instead of being replaced."""
    selected = object_list(variant, "selectedOptions")
    if not selected:
        raise RecordError(f"{where}selectedOptions is required: a variant is named by its option values")
    for option in selected:
        if not isinstance(option.get("name"), str) or not isinstance(option.get("value"), str):
            raise RecordError(f"{where}selectedOptions entries need a string name and value")
    wanted: dict[str, Any] = {"optionValues": [{"optionName": s["name"], "name": s["value"]} for s in selected]}
    if combination(selected) in existing:
        wanted["id"] = existing[combination(selected)]
    wanted.update({name: text(variant, name, where) for name in VARIANT_TEXT if name in variant})
    wanted.update({name: money(variant, name, where) for name in ("price", "compareAtPrice") if name in variant})
    if "taxable" in variant:
        wanted["taxable"] = flag(variant, "taxable", where)
    item = variant.get("inventoryItem")
    if isinstance(item, dict):
        inner = f"{where}inventoryItem."
        wanted["inventoryItem"] = {k: flag(item, k, inner) for k in ("tracked", "requiresShipping") if k in item}
    return wanted


def derived_options(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    values: dict[str, list[str]] = {}
    for variant in variants:
        for value in variant["optionValues"]:
            names = values.setdefault(value["optionName"], [])
            if value["name"] not in names:
                names.append(value["name"])
    return [{"name": name, "values": names} for name, names in values.items()]


def option_input(option: dict[str, Any], where: str) -> dict[str, Any]:
    """An OptionSetInput from the tap's `{name, values: [str]}`."""
    name = text(option, "name", where)
    if not name:
        raise RecordError(f"{where}name is required")
    values = strings(option, "values") or []
    return {"name": name, "values": [{"name": v} for v in values]}


KIND = ObjectKind(
    name="product",
    stream="products",
    match_keys=("id", "handle", "custom_id"),
    delete_modes=("delete", "archive"),
    gateway=ProductGateway,
    summary="productSet upserts with variants and options; deleted or archived",
)
