"""A discount record as the `discount…Create/Update` input, and a discount node as that input's shape:
pure, without a request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from target_shopify_admin.objects.fields import RecordError, flag, money, object_list, text, without_nulls, wrong


def flat(node: dict[str, Any], field: str) -> dict[str, Any]:
    """The node's id beside its discount's fields; a code discount's first code as `code`."""
    discount = dict(node[field])
    codes = discount.pop("codes", None)
    if codes is not None:
        discount["code"] = codes["nodes"][0]["code"] if codes["nodes"] else None
    return {"id": node["id"], **discount}


def seconds(stamp: str | None) -> str | None:
    """Shopify keeps discount times to the second."""
    return None if stamp is None else stamp[:19] + "Z"


def combines_with(record: dict[str, Any]) -> dict[str, Any] | None:
    given = record.get("combinesWith")
    if given is None:
        return None
    if not isinstance(given, dict):
        raise wrong("combinesWith", "an object", given)
    names = ("productDiscounts", "orderDiscounts", "shippingDiscounts")
    return without_nulls({name: flag(given, name, "combinesWith.") for name in names})


def minimum_requirement(record: dict[str, Any]) -> dict[str, Any] | None:
    given = record.get("minimumRequirement")
    if not isinstance(given, dict):
        return None
    where = "minimumRequirement."
    if given.get("greaterThanOrEqualToSubtotal") is not None:
        subtotal = money(given["greaterThanOrEqualToSubtotal"], "amount", f"{where}greaterThanOrEqualToSubtotal.")
        return {"subtotal": {"greaterThanOrEqualToSubtotal": subtotal}}
    if given.get("greaterThanOrEqualToQuantity") is not None:
        quantity = str(given["greaterThanOrEqualToQuantity"])
        if not quantity.isdigit():
            raise wrong(f"{where}greaterThanOrEqualToQuantity", "a whole number", given["greaterThanOrEqualToQuantity"])
        return {"quantity": {"greaterThanOrEqualToQuantity": quantity}}
    return None


def code_fields(record: dict[str, Any]) -> dict[str, Any]:
    usage = record.get("usageLimit")
    if usage is not None and (not isinstance(usage, int) or isinstance(usage, bool)):
        raise wrong("usageLimit", "a whole number", usage)
    return without_nulls(
        {
            "code": text(record, "code"),
            "usageLimit": usage,
            "appliesOncePerCustomer": flag(record, "appliesOncePerCustomer"),
        }
    )


def customer_gets(record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any] | None:
    """DiscountCustomerGetsInput from the tap's customerGets: the value, and the items (entitled products
    and collections not named any more are removed)."""
    given = record.get("customerGets")
    if given is None:
        return None
    if not isinstance(given, dict):
        raise wrong("customerGets", "an object", given)
    gets = without_nulls({"value": discount_value(given.get("value")), "items": items(given.get("items"), current)})
    if current is None and "value" not in gets:
        raise RecordError("customerGets.value (percentage or amount) is required to create a basic discount")
    return gets or None


def discount_value(value: Any) -> dict[str, Any] | None:
    where = "customerGets.value."
    if value is None:
        return None
    if not isinstance(value, dict):
        raise wrong("customerGets.value", "an object", value)
    if value.get("percentage") is not None:
        percentage = value["percentage"]
        if not isinstance(percentage, int | float | Decimal) or isinstance(percentage, bool):
            raise wrong(f"{where}percentage", "a number from 0 to 1", percentage)
        return {"percentage": float(percentage)}
    amount = value.get("amount")
    if isinstance(amount, dict):
        off = money(amount, "amount", f"{where}amount.")
        each = bool(flag(value, "appliesOnEachItem", where))
        return {"discountAmount": {"amount": off, "appliesOnEachItem": each}}
    raise RecordError(f"{where}percentage or {where}amount.amount is required")


def items(given: Any, current: dict[str, Any] | None) -> dict[str, Any] | None:
    if given is None:
        return None
    if not isinstance(given, dict):
        raise wrong("customerGets.items", "an object", given)
    held = ((current or {}).get("customerGets") or {}).get("items") or {}
    if given.get("allItems"):
        return {"all": True}
    if given.get("collections") is not None:
        wanted = ids(given, "collections")
        return {"collections": {"add": wanted, "remove": sorted(set(ids(held, "collections")) - set(wanted))}}
    products, variants = ids(given, "products"), ids(given, "productVariants")
    if not products and not variants:
        raise RecordError("customerGets.items needs allItems, products, productVariants or collections")
    return {
        "products": {
            "productsToAdd": products,
            "productsToRemove": sorted(set(ids(held, "products")) - set(products)),
            "productVariantsToAdd": variants,
            "productVariantsToRemove": sorted(set(ids(held, "productVariants")) - set(variants)),
        }
    }


def ids(holder: dict[str, Any], name: str) -> list[str]:
    """The ids of a list of `{id}` (the tap's shape) or of a connection's nodes (the shop's)."""
    value = holder.get(name)
    rows = value.get("nodes") if isinstance(value, dict) else object_list(holder, name)
    return sorted(text(row, "id", f"customerGets.items.{name}[].") or "" for row in rows or [])


def shipping_fields(record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    price = record.get("maximumShippingPrice")
    if isinstance(price, dict):
        fields["maximumShippingPrice"] = money(price, "amount", "maximumShippingPrice.")
    destination = record.get("destinationSelection")
    if isinstance(destination, dict):
        held = ((current or {}).get("destinationSelection") or {}).get("allCountries")
        if destination.get("allCountries"):
            fields["destination"] = {"all": True}
        elif current is None or held:
            countries = [str(c) for c in destination.get("countries") or []]
            if not countries:
                raise RecordError("destinationSelection needs allCountries or a list of countries")
            include = bool(flag(destination, "includeRestOfWorld", "destinationSelection."))
            fields["destination"] = {"countries": {"add": countries, "includeRestOfWorld": include}}
    return fields
