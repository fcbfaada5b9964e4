"""Discounts: basic (a percentage or an amount off all items, or off named products, variants or
collections) and free shipping, by code or automatic. Found by id, by code (code discounts) or by title
(automatic discounts); created and updated by the `discount…Create/Update` mutation of the record's
`discountType`, their status set by activate / deactivate, deleted by `discount…Delete`.

Records take the tap's `discounts` shape (and a `code`, for code discounts); a null leaves the shop's
value. Shopify reads a free shipping discount's country list back empty, so a change of countries on an
existing discount is written only when the discount ships to all countries now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.cost import MAX_PAGE
from shopify_admin.paging import PAGE_INFO, pages

from .fields import RecordError, flag, money, object_list, text, timestamp, without_nulls
from .gateways import ObjectGateway, WriteAnswer, is_held

ERRORS = "userErrors { field code message }"
# discountType → (mutation prefix, input argument, input type)
WRITABLE = {
    "DiscountCodeBasic": ("discountCodeBasic", "basicCodeDiscount", "DiscountCodeBasicInput"),
    "DiscountCodeFreeShipping": (
        "discountCodeFreeShipping",
        "freeShippingCodeDiscount",
        "DiscountCodeFreeShippingInput",
    ),
    "DiscountAutomaticBasic": ("discountAutomaticBasic", "automaticBasicDiscount", "DiscountAutomaticBasicInput"),
    "DiscountAutomaticFreeShipping": (
        "discountAutomaticFreeShipping",
        "freeShippingAutomaticDiscount",
        "DiscountAutomaticFreeShippingInput",
    ),
}
SETTABLE_STATUS = ("ACTIVE", "EXPIRED")  # SCHEDULED follows from a startsAt to come
ITEMS = """__typename ... on AllDiscountItems { allItems }
  ... on DiscountProducts { products(first: 250) { nodes { id } } productVariants(first: 250) { nodes { id } } }
  ... on DiscountCollections { collections(first: 250) { nodes { id } } }"""
BASIC = f"""customerGets {{
  value {{ __typename ... on DiscountPercentage {{ percentage }}
    ... on DiscountAmount {{ amount {{ amount }} appliesOnEachItem }} }}
  items {{ {ITEMS} }}
}}
minimumRequirement {{ __typename ... on DiscountMinimumSubtotal {{ greaterThanOrEqualToSubtotal {{ amount }} }}
  ... on DiscountMinimumQuantity {{ greaterThanOrEqualToQuantity }} }}"""
SHIPPING = """destinationSelection { __typename ... on DiscountCountryAll { allCountries } }
maximumShippingPrice { amount }
minimumRequirement { __typename ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount } }
  ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity } }"""
COMMON = "title status startsAt endsAt combinesWith { productDiscounts orderDiscounts shippingDiscounts }"
CODE_ONLY = "codes(first: 1) { nodes { code } } usageLimit appliesOncePerCustomer"


def current(prefix: str = "Discount") -> str:
    """The selection of a discount as `as_input` compares it, over the writable members whose names
    start with `prefix` (each root's union holds only code or only automatic discounts)."""
    members = " ".join(
        f"... on {name} {{ {COMMON} {BASIC if name.endswith('Basic') else SHIPPING}"
        f" {CODE_ONLY if name.startswith('DiscountCode') else ''} }}"
        for name in WRITABLE
        if name.startswith(prefix)
    )
    return f"discountType: __typename {members}"


BY_ID = f"query TargetDiscount($id: ID!) {{ discountNode(id: $id) {{ id discount {{ {current()} }} }} }}"
BY_CODE = f"""query TargetDiscountByCode($code: String!) {{
  codeDiscountNodeByCode(code: $code) {{ id codeDiscount {{ {current("DiscountCode")} }} }}
}}"""
# Every automatic discount's title, without search (which sees a new discount only seconds later): a
# shop has few automatic discounts (Shopify allows 25 active at once).
TITLES = f"""query TargetDiscountTitles($first: Int!, $after: String) {{
  automaticDiscountNodes(first: $first, after: $after, sortKey: ID) {{
    nodes {{ id automaticDiscount {{ ... on DiscountAutomaticBasic {{ title }} ... on DiscountAutomaticBxgy {{ title }}
      ... on DiscountAutomaticFreeShipping {{ title }} ... on DiscountAutomaticApp {{ title }} }} }} {PAGE_INFO}
  }}
}}"""
WINDOW = """mutation TargetDiscount{Action}($id: ID!) {{
  discount{Kind}{Action}(id: $id) {{ {node} {{ id }} {errors} }}
}}"""
DELETE = """mutation TargetDiscount{Kind}Delete($id: ID!) {{
  discount{Kind}Delete(id: $id) {{ deleted{Kind}DiscountId {errors} }}
}}"""


def kind_of(discount_id: str) -> str:
    return "Code" if "/DiscountCodeNode/" in discount_id else "Automatic"


def node_field(discount_type: str) -> str:
    return "codeDiscountNode" if discount_type.startswith("DiscountCode") else "automaticDiscountNode"


def write_document(discount_type: str, creating: bool) -> str:
    prefix, argument, input_type = WRITABLE[discount_type]
    action, ident, pass_id = ("Create", "", "") if creating else ("Update", "$id: ID!, ", "id: $id, ")
    field = node_field(discount_type)
    inner = "codeDiscount" if field == "codeDiscountNode" else "automaticDiscount"
    return (
        f"mutation Target{prefix[0].upper()}{prefix[1:]}{action}({ident}$input: {input_type}!) {{"
        f" {prefix}{action}({pass_id}{argument}: $input) {{"
        f" {field} {{ id {inner} {{ ... on {discount_type} {{ status }} }} }} {ERRORS} }} }}"
    )


class DiscountGateway(ObjectGateway):
    """`current` is the discount flat, as the tap writes it: its node id beside its fields."""

    kind = "discount"
    set_root = set_mutation = ""  # no one upsert: `write` picks the create or update of the discountType
    lookup_keys: ClassVar = {"id": "id", "code": "code", "title": "title"}
    set_keys: ClassVar = {"code": "code", "title": "title"}

    @override
    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        """An id names a discount that exists: matching on it creates none."""
        return {match_on: value}, ({} if match_on == "id" else {match_on: value})

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        if "id" in identifier:
            node = self.client.execute(BY_ID, identifier)["discountNode"]
            if node and node["discount"]["discountType"] not in WRITABLE:
                raise RecordError(
                    f"{node['id']} is a {node['discount']['discountType']}, which the target does not write"
                )
            return flat(node, "discount") if node else None
        if "code" in identifier:
            node = self.client.execute(BY_CODE, identifier)["codeDiscountNodeByCode"]
            return flat(node, "codeDiscount") if node else None
        return self.by_title(identifier["title"])

    def by_title(self, title: str) -> dict[str, Any] | None:
        """The automatic discount titled exactly `title` (the first made, if several are)."""
        for page in pages(self.client, TITLES, {"first": MAX_PAGE}, ("automaticDiscountNodes",)):
            for node in page["nodes"]:
                if node["automaticDiscount"].get("title") == title:
                    return self.find({"id": node["id"]})
        return None

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return record.get(match_on)

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        discount_type = text(record, "discountType") or (current or {}).get("discountType")
        if discount_type not in WRITABLE:
            raise RecordError(f"discountType must be one of {', '.join(WRITABLE)}, not {discount_type!r}")
        given = without_nulls(
            {
                "title": text(record, "title"),
                "startsAt": seconds(timestamp(record, "startsAt")),
                "endsAt": seconds(timestamp(record, "endsAt")),
                "combinesWith": combines_with(record),
                "minimumRequirement": minimum_requirement(record),
            }
        )
        if current is None and "startsAt" not in given:
            raise RecordError("startsAt is required to create a discount")
        if discount_type.startswith("DiscountCode"):
            given.update(code_fields(record))
            if current is None and "code" not in given:
                raise RecordError("code is required to create a code discount")
        if discount_type.endswith("Basic"):
            given.update(without_nulls({"customerGets": customer_gets(record, current)}))
        else:
            given.update(shipping_fields(record, current))
        wanted: dict[str, Any] = {"discountType": discount_type}
        held = self.as_input(current) if current else None
        if held is None or held["discountType"] != discount_type or not is_held(given, held["input"]):
            wanted["input"] = given  # else only the status may need a write
        status = text(record, "status")
        if status in SETTABLE_STATUS:
            wanted["status"] = status
        return wanted

    @override
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> str:
        if current is None:
            return "created"
        return "unchanged" if is_held(wanted, self.as_input(current)) else "updated"

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        held = {
            "title": current["title"],
            "startsAt": current["startsAt"],
            "endsAt": current["endsAt"],
            "combinesWith": current["combinesWith"],
            "minimumRequirement": minimum_requirement(current),
            **code_fields(current),
        }
        if "customerGets" in current:
            held["customerGets"] = customer_gets(current, current)
        else:
            held.update(shipping_fields(current, current))
        return {"discountType": current["discountType"], "input": held, "status": current["status"]}

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        """The create or update, then activate or deactivate if the status it leaves is not the one wanted."""
        discount_type, status = wanted["discountType"], wanted.get("status")
        if "input" not in wanted:
            return self.set_status(identifier["id"], wanted["status"])
        creating = "id" not in identifier
        variables = {"input": wanted["input"]} if creating else {"id": identifier["id"], "input": wanted["input"]}
        root = f"{WRITABLE[discount_type][0]}{'Create' if creating else 'Update'}"
        payload = self.mutate(write_document(discount_type, creating), variables)[root]
        node = payload[node_field(discount_type)]
        if payload["userErrors"] or node is None:
            return WriteAnswer(None, payload["userErrors"])
        held = node["codeDiscount" if discount_type.startswith("DiscountCode") else "automaticDiscount"]
        if status is None or held.get("status") == status:
            return WriteAnswer(node["id"], [])
        return self.set_status(node["id"], status)

    def set_status(self, discount_id: str, status: str) -> WriteAnswer:
        kind, action = kind_of(discount_id), "Activate" if status == "ACTIVE" else "Deactivate"
        node = f"{kind.lower()}DiscountNode"
        document = WINDOW.format(Action=action, Kind=kind, node=node, errors=ERRORS)
        payload = self.mutate(document, {"id": discount_id})[f"discount{kind}{action}"]
        return WriteAnswer(discount_id, payload["userErrors"])

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        kind = kind_of(current["id"])
        payload = self.mutate(DELETE.format(Kind=kind, errors=ERRORS), {"id": current["id"]})[f"discount{kind}Delete"]
        return WriteAnswer(payload[f"deleted{kind}DiscountId"], payload["userErrors"])


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
        raise RecordError(f"combinesWith must be an object, not {type(given).__name__}")
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
            raise RecordError(f"{where}greaterThanOrEqualToQuantity must be a whole number, not {quantity!r}")
        return {"quantity": {"greaterThanOrEqualToQuantity": quantity}}
    return None


def code_fields(record: dict[str, Any]) -> dict[str, Any]:
    usage = record.get("usageLimit")
    if usage is not None and (not isinstance(usage, int) or isinstance(usage, bool)):
        raise RecordError(f"usageLimit must be an integer, not {usage!r}")
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
        raise RecordError(f"customerGets must be an object, not {type(given).__name__}")
    gets = without_nulls({"value": discount_value(given.get("value")), "items": items(given.get("items"), current)})
    if current is None and "value" not in gets:
        raise RecordError("customerGets.value (percentage or amount) is required to create a basic discount")
    return gets or None


def discount_value(value: Any) -> dict[str, Any] | None:
    where = "customerGets.value."
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"customerGets.value must be an object, not {type(value).__name__}")
    if value.get("percentage") is not None:
        percentage = value["percentage"]
        if not isinstance(percentage, int | float | Decimal) or isinstance(percentage, bool):
            raise RecordError(f"{where}percentage must be a number from 0 to 1, not {percentage!r}")
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
        raise RecordError(f"customerGets.items must be an object, not {type(given).__name__}")
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
