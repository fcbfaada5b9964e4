"""Discounts: basic (a percentage or an amount off all items, or off named products, variants or
collections) and free shipping, by code or automatic. Found by id, by code (code discounts) or by title
(automatic discounts); created and updated by the `discount…Create/Update` mutation of the record's
`discountType`, their status set by activate / deactivate, deleted by `discount…Delete`.

Records take the tap's `discounts` shape (and a `code`, for code discounts); a null leaves the shop's
value. Shopify reads a free shipping discount's country list back empty, so a change of countries on an
existing discount is written only when the discount ships to all countries now."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.cost import MAX_PAGE
from shopify_admin.paging import PAGE_INFO, pages
from target_shopify_admin.objects.fields import RecordError, text, timestamp, without_nulls, wrong
from target_shopify_admin.objects.gateway import ObjectGateway, WriteAnswer, is_held
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.outcomes import Outcome

from .discount_input import (
    code_fields,
    combines_with,
    customer_gets,
    flat,
    minimum_requirement,
    seconds,
    shipping_fields,
)

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
            raise wrong("discountType", f"one of {', '.join(WRITABLE)}", discount_type)
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
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        if current is None:
            return Outcome.CREATED
        return Outcome.UNCHANGED if is_held(wanted, self.as_input(current)) else Outcome.UPDATED

    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        """The discount as the shop holds it, in the shape `to_input` gives, for comparing."""
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


KIND = ObjectKind(
    name="discount",
    stream="discounts",
    match_keys=("id", "code", "title"),  # code: code discounts; title: automatic discounts
    gateway=DiscountGateway,
    summary="basic and free shipping discounts, by code or automatic, created, updated and deleted",
)
