"""Collections as the store keeps them. A custom collection lists its products in `_product_ids`
(product numbers, in manual position order); a smart collection has a `ruleSet` and its members are
whichever products match it when it is read."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ...store import Record, Store

DEFAULT_SORT_ORDER = "BEST_SELLING"  # what the captures' collections get when created without one


def new_collection(
    store: Store, updated: str | None = None, *, title: str, handle: str, rule_set: dict[str, Any] | None = None
) -> Record:
    """A Collection, not yet stored: custom without `rule_set`, smart with one."""
    return store.new_record(
        "Collection",
        title=title,
        handle=handle,
        descriptionHtml="",
        sortOrder=DEFAULT_SORT_ORDER,
        ruleSet=rule_set,
        seo={"title": None, "description": None},
        image=None,
        templateSuffix=None,
        updatedAt=updated or store.clock.now_iso(),
        _product_ids=[],
        _metafields=[],
    )


def handleize(text: str) -> str:
    """Unlike a product's, a collection's generated handle keeps underscores (`best_selling`), as captured."""
    return re.sub(r"\W+", "-", text.lower()).strip("-")


def is_smart(collection: Record) -> bool:
    return collection["ruleSet"] is not None


def _variant_values(read: Callable[[Record], Any]) -> Callable[[Record], list[Any]]:
    return lambda product: [read(v) for v in product.get("_variants", [])]


def _price_reduced(variant: Record) -> bool:
    return variant.get("compareAtPrice") is not None and Decimal(variant["compareAtPrice"]) > Decimal(variant["price"])


# column → what a product holds for it (a list: a product matches when any of its values does)
COLUMNS: dict[str, Callable[[Record], list[Any]]] = {
    "TITLE": lambda p: [p["title"]],
    "TYPE": lambda p: [p.get("productType")],
    "VENDOR": lambda p: [p.get("vendor")],
    "TAG": lambda p: list(p.get("tags", [])),
    "VARIANT_TITLE": _variant_values(lambda v: v["title"]),
    "VARIANT_PRICE": _variant_values(lambda v: v["price"]),
    "VARIANT_COMPARE_AT_PRICE": _variant_values(lambda v: v.get("compareAtPrice")),
    "VARIANT_INVENTORY": _variant_values(lambda v: v.get("inventoryQuantity")),
    "IS_PRICE_REDUCED": _variant_values(lambda v: str(_price_reduced(v)).lower()),
}


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _holds(relation: str, have: Any, condition: str) -> bool:
    if relation == "IS_SET":
        return have not in (None, "")
    if relation == "IS_NOT_SET":
        return have in (None, "")
    if have is None:
        return False
    if relation in ("GREATER_THAN", "LESS_THAN"):
        left, right = _number(have), _number(condition)
        if left is None or right is None:
            return False
        return left > right if relation == "GREATER_THAN" else left < right
    text, wanted = str(have).lower(), condition.lower()
    numbers = _number(have), _number(condition)
    equal = numbers[0] == numbers[1] if None not in numbers else text == wanted
    return {
        "EQUALS": equal,
        "NOT_EQUALS": not equal,
        "CONTAINS": wanted in text,
        "NOT_CONTAINS": wanted not in text,
        "STARTS_WITH": text.startswith(wanted),
        "ENDS_WITH": text.endswith(wanted),
    }[relation]


def rule_matches(rule: dict[str, Any], product: Record) -> bool:
    """Columns the emulator does not model (categories, metafield definitions, weight) match nothing."""
    read = COLUMNS.get(rule["column"])
    if read is None:
        return False
    values = read(product)
    if rule["relation"] in ("NOT_CONTAINS", "NOT_EQUALS", "IS_NOT_SET"):  # no value may break a negative rule
        return all(_holds(rule["relation"], v, rule["condition"]) for v in values)
    return any(_holds(rule["relation"], v, rule["condition"]) for v in values)


def members(store: Store, collection: Record) -> list[Record]:
    """The collection's products: a custom one's in position order, a smart one's by id."""
    if not is_smart(collection):
        table = store.table("Product")
        return [p for p in (table.get(n) for n in collection["_product_ids"]) if p is not None]
    return _smart_members(store, collection)[1]


def member_numbers(store: Store, collection: Record) -> set[int]:
    if not is_smart(collection):
        return {p["_n"] for p in members(store, collection)}
    return _smart_members(store, collection)[2]


def _smart_members(store: Store, collection: Record) -> tuple[Any, list[Record], set[int]]:
    """(cache key, members, their numbers), evaluated again only after a product, a variant, stock or the rules
    change: a page of products that each name their collections would otherwise test every product
    against every rule once per product."""
    rule_set = collection["ruleSet"]
    versions = tuple(store.table(t).version for t in ("Product", "ProductVariant", "InventoryLevel"))
    key = (versions, repr(rule_set))
    cached = collection.get("_members")
    if cached is not None and cached[0] == key:
        return cached  # type: ignore[no-any-return]
    combine = any if rule_set["appliedDisjunctively"] else all
    found = sorted(
        (p for p in store.all("Product") if combine(rule_matches(r, p) for r in rule_set["rules"])),
        key=lambda p: p["_n"],
    )
    collection["_members"] = (key, found, {p["_n"] for p in found})
    return collection["_members"]  # type: ignore[no-any-return]


def add_members(collection: Record, products: list[Record]) -> None:
    """Append products not yet in the custom collection, in the order given."""
    for product in products:
        if product["_n"] not in collection["_product_ids"]:
            collection["_product_ids"].append(product["_n"])
