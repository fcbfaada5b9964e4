"""Discounts as the store keeps them: a node (DiscountCodeNode or DiscountAutomaticNode) holding its
discount (DiscountCodeBasic, DiscountAutomaticFreeShipping, …) under the node's field for it and under
`discount`, which DiscountNode serves; a code discount's redeem codes in the order they were added."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...store import Record, Store, money

CODE, AUTOMATIC = "DiscountCodeNode", "DiscountAutomaticNode"
NODE_FIELD = {CODE: "codeDiscount", AUTOMATIC: "automaticDiscount"}
ALL_ITEMS = {"__typename": "AllDiscountItems", "allItems": True}
ALL_BUYERS = {"__typename": "DiscountBuyerSelectionAll", "all": "ALL"}
NO_COMBINING = {"productDiscounts": False, "orderDiscounts": False, "shippingDiscounts": False}


def inner(node: Record) -> Record:
    """The discount a node holds."""
    return node["discount"]  # type: ignore[no-any-return]


def status(discount: Record, now: str) -> str:
    """Shopify derives a discount's status from its window: not started, running, or ended."""
    if discount["startsAt"] > now:
        return "SCHEDULED"
    if discount["endsAt"] is not None and discount["endsAt"] <= now:
        return "EXPIRED"
    return "ACTIVE"


def new_discount(store: Store, kind: str, type_name: str, created: str | None = None) -> Record:
    """A node of `kind` holding an empty discount of `type_name`, not yet stored; `apply_input` fills it."""
    created = created or store.clock.now_iso()
    discount: Record = {
        "__typename": type_name,
        "title": "",
        "startsAt": created,
        "endsAt": None,
        "createdAt": created,
        "updatedAt": created,
        "asyncUsageCount": 0,
        "combinesWith": dict(NO_COMBINING),
        "context": dict(ALL_BUYERS),
        "minimumRequirement": None,
        "tags": [],
        "recurringCycleLimit": 1 if kind == AUTOMATIC else None,
        "usageLimit": None,
        "appliesOncePerCustomer": False,
        "_codes": [],
    }
    if type_name.endswith("FreeShipping"):
        discount.update(
            destinationSelection={"__typename": "DiscountCountryAll", "allCountries": True},
            maximumShippingPrice=None,
            appliesOnOneTimePurchase=True,
            appliesOnSubscription=False,
        )
    else:
        discount["customerGets"] = {
            "value": {"__typename": "DiscountPercentage", "percentage": 0.0},
            "items": dict(ALL_ITEMS),
            "appliesOnOneTimePurchase": True,
            "appliesOnSubscription": False,
        }
    node = store.new_record(kind, discount=discount)
    node[NODE_FIELD[kind]] = discount
    return node


def apply_input(store: Store, discount: Record, given: dict[str, Any]) -> None:
    """Set what a Discount…Input gives (validated before), as Shopify stores it: times to the second,
    amounts as money in the shop's currency."""
    for name in ("title", "usageLimit", "appliesOncePerCustomer", "recurringCycleLimit", "tags"):
        if name in given:
            discount[name] = given[name]
    for name in ("appliesOnOneTimePurchase", "appliesOnSubscription"):
        if given.get(name) is not None:
            discount[name] = given[name]
    for name in ("startsAt", "endsAt"):
        if name in given:
            discount[name] = to_second(given[name])
    if given.get("context") or given.get("customerSelection"):
        discount["context"] = buyers(given.get("context") or given["customerSelection"])
    if "combinesWith" in given:
        discount["combinesWith"] = {**NO_COMBINING, **(given["combinesWith"] or {})}
    if "minimumRequirement" in given:
        discount["minimumRequirement"] = minimum_requirement(store, given["minimumRequirement"])
    if "maximumShippingPrice" in given:
        price = given["maximumShippingPrice"]
        discount["maximumShippingPrice"] = None if price is None else money_v2(store, price)
    if given.get("destination"):
        discount["destinationSelection"] = destination(given["destination"])
    if given.get("customerGets"):
        discount["customerGets"] = customer_gets(store, discount["customerGets"], given["customerGets"])


def to_second(value: str | None) -> str | None:
    """A DateTime as Shopify answers it: UTC, to the second (`…:38.621Z` → `…:38Z`)."""
    return None if value is None else value[:19] + "Z"


def money_v2(store: Store, amount: Any) -> dict[str, Any]:
    return {"amount": money(Decimal(str(amount))), "currencyCode": store.currency}


def minimum_requirement(store: Store, given: dict[str, Any] | None) -> Record | None:
    given = given or {}
    if given.get("subtotal"):
        subtotal = given["subtotal"]["greaterThanOrEqualToSubtotal"]
        return {"__typename": "DiscountMinimumSubtotal", "greaterThanOrEqualToSubtotal": money_v2(store, subtotal)}
    if given.get("quantity"):
        quantity = given["quantity"]["greaterThanOrEqualToQuantity"]
        return {"__typename": "DiscountMinimumQuantity", "greaterThanOrEqualToQuantity": str(quantity)}
    return None


def buyers(given: dict[str, Any]) -> Record:
    """Who may use the discount: everyone, or the customers named (segments and markets are not modelled)."""
    customers = (given.get("customers") or {}).get("add")
    if customers:
        return {"__typename": "DiscountCustomers", "_customer_ids": list(customers)}
    return dict(ALL_BUYERS)


def destination(given: dict[str, Any]) -> Record:
    """The countries a free shipping discount ships to. Shopify answers `countries` empty, in the
    mutation's payload and every read after, while its summary names or counts them: so here."""
    countries = given.get("countries")
    if countries:
        return {
            "__typename": "DiscountCountries",
            "countries": [],
            "_countries": list(countries.get("add") or []),
            "includeRestOfWorld": bool(countries.get("includeRestOfWorld")),
        }
    return {"__typename": "DiscountCountryAll", "allCountries": True}


def customer_gets(store: Store, current: Record, given: dict[str, Any]) -> Record:
    gets = dict(current)
    value = given.get("value") or {}
    if value.get("percentage") is not None:
        gets["value"] = {"__typename": "DiscountPercentage", "percentage": value["percentage"]}
    elif value.get("discountAmount"):
        amount = value["discountAmount"]
        gets["value"] = {
            "__typename": "DiscountAmount",
            "amount": money_v2(store, amount["amount"]),
            "appliesOnEachItem": bool(amount.get("appliesOnEachItem")),
        }
    if given.get("items"):
        gets["items"] = items(given["items"], current["items"])
    for name in ("appliesOnOneTimePurchase", "appliesOnSubscription"):
        if given.get(name) is not None:
            gets[name] = given[name]
    return gets


def items(given: dict[str, Any], current: Record) -> Record:
    """DiscountItemsInput → DiscountItems (the ids were checked before): what is added joins what the
    discount names already, of the same kind, and what is removed leaves it."""
    products = given.get("products")
    if products:
        return {
            "__typename": "DiscountProducts",
            "_product_ids": changed(current.get("_product_ids"), products, "productsToAdd", "productsToRemove"),
            "_variant_ids": changed(
                current.get("_variant_ids"), products, "productVariantsToAdd", "productVariantsToRemove"
            ),
        }
    collections = given.get("collections")
    if collections:
        return {
            "__typename": "DiscountCollections",
            "_collection_ids": changed(current.get("_collection_ids"), collections, "add", "remove"),
        }
    return dict(ALL_ITEMS)


def changed(held: list[str] | None, given: dict[str, Any], add: str, remove: str) -> list[str]:
    removed = set(given.get(remove) or [])
    kept = [i for i in held or [] if i not in removed]
    return kept + [i for i in given.get(add) or [] if i not in kept and i not in removed]


def discount_classes(discount: Record) -> list[str]:
    """Free shipping is SHIPPING; a basic discount on all items is ORDER, on named ones PRODUCT."""
    if "destinationSelection" in discount:
        return ["SHIPPING"]
    return ["ORDER"] if discount["customerGets"]["items"]["__typename"] == "AllDiscountItems" else ["PRODUCT"]


def new_redeem_code(store: Store, discount: Record, code: str) -> Record:
    redeem = store.put(store.new_record("DiscountRedeemCode", code=code, asyncUsageCount=0))
    discount["_codes"].append(redeem)
    return redeem


def node_by_code(store: Store, code: str) -> Record | None:
    """The code discount that has `code`, matched without regard to case as Shopify matches codes."""
    wanted = code.lower()
    for node in store.all(CODE):
        if any(c["code"].lower() == wanted for c in inner(node)["_codes"]):
            return node
    return None
