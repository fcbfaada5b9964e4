"""Discounts of every class, code and automatic, and the redeem codes of code discounts.

A discount is a `DiscountNode` holding one member of the `Discount` union; its record is the node's id
with the member's fields beside it (`discountType` names the member), so that it carries the
`updatedAt` the stream is incremental on. Redeem codes are read per code discount by pages: a bulk
export cuts a discount's nested list of codes (100 of 190,000), and adding codes does not move the
discount's updatedAt, so `discount_codes` reads every code discount's codes on each run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from typing_extensions import override

from shopify_admin import AccessDeniedError
from shopify_admin.cost import MAX_PAGE
from shopify_admin.paging import PAGE_INFO, pages

from ..documents import page_size
from ..windows import Page
from .base import ConnectionStream, ShopifyStream, naming_the_stream

ENTITLED = 50  # products, variants or collections read with the discount; the rest by pages after it
ENTITLED_IN = {
    "products": "DiscountProducts",
    "productVariants": "DiscountProducts",
    "collections": "DiscountCollections",
}
ITEMS = f"""
    __typename ... on AllDiscountItems {{ allItems }}
    ... on DiscountProducts {{
        products(first: {ENTITLED}) {{ nodes {{ id }} }} productVariants(first: {ENTITLED}) {{ nodes {{ id }} }}
    }}
    ... on DiscountCollections {{ collections(first: {ENTITLED}) {{ nodes {{ id }} }} }}
"""
AMOUNT = "amount { amount currencyCode }"
GETS = f"""customerGets {{
    value {{
        __typename ... on DiscountPercentage {{ percentage }} ... on DiscountAmount {{ {AMOUNT} appliesOnEachItem }}
        ... on DiscountOnQuantity {{
            quantity {{ quantity }}
            effect {{ __typename ... on DiscountPercentage {{ percentage }} ... on DiscountAmount {{ {AMOUNT} }} }}
        }}
    }}
    items {{ {ITEMS} }} appliesOnOneTimePurchase appliesOnSubscription
}}"""
BUYS = f"""customerBuys {{
    value {{ __typename ... on DiscountQuantity {{ quantity }} ... on DiscountPurchaseAmount {{ amount }} }}
    items {{ {ITEMS} }}
}}"""
MINIMUM = """minimumRequirement {
    __typename ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount currencyCode } }
    ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity }
}"""
SHIPPING = """
    destinationSelection {
        __typename ... on DiscountCountryAll { allCountries } ... on DiscountCountries { countries includeRestOfWorld }
    }
    maximumShippingPrice { amount currencyCode } appliesOnOneTimePurchase appliesOnSubscription
"""
COMMON = """
    title status startsAt endsAt createdAt updatedAt asyncUsageCount discountClasses tags
    combinesWith { productDiscounts orderDiscounts shippingDiscounts }
    context {
        __typename ... on DiscountBuyerSelectionAll { all }
        ... on DiscountCustomers { customers { id } } ... on DiscountCustomerSegments { segments { id name } }
    }
"""
# Code and automatic members disagree on whether recurringCycleLimit may be null: aliased apart.
CODE = "codesCount { count } usageLimit appliesOncePerCustomer codeRecurringCycleLimit: recurringCycleLimit"
AUTOMATIC = "recurringCycleLimit"
APP = "appDiscountType { functionId title }"
MEMBERS = {
    "DiscountCodeBasic": f"{CODE} {GETS} {MINIMUM}",
    "DiscountCodeBxgy": f"codesCount {{ count }} usageLimit appliesOncePerCustomer usesPerOrderLimit {GETS} {BUYS}",
    "DiscountCodeFreeShipping": f"{CODE} {MINIMUM} {SHIPPING}",
    "DiscountCodeApp": f"{CODE} {APP}",
    "DiscountAutomaticBasic": f"{AUTOMATIC} {GETS} {MINIMUM}",
    "DiscountAutomaticBxgy": f"usesPerOrderLimit {GETS} {BUYS}",
    "DiscountAutomaticFreeShipping": f"{AUTOMATIC} {MINIMUM} {SHIPPING}",
    "DiscountAutomaticApp": f"{AUTOMATIC} {APP}",
}
DISCOUNT = " ".join(f"... on {member} {{ {COMMON} {fields} }}" for member, fields in MEMBERS.items())


def as_lists(value: Any) -> Any:
    """`value` with each connection turned into the list of its nodes."""
    if isinstance(value, list):
        return [as_lists(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "nodes" in value and "pageInfo" in value:
        return [as_lists(v) for v in value["nodes"]]
    return {k: as_lists(v) for k, v in value.items()}


def entitled_page_query(member: str, holder: str, name: str) -> str:
    """A later page of the items `name` that the discount's `holder` (customerGets, customerBuys) names."""
    return (
        "query DiscountsEntitled($id: ID!, $first: Int!, $after: String) { discountNode(id: $id) { discount {"
        f" ... on {member} {{ {holder} {{ items {{ ... on {ENTITLED_IN[name]} {{"
        f" {name}(first: $first, after: $after) {{ nodes {{ id }} {PAGE_INFO} }} }} }} }} }} }} }} }}"
    )


class DiscountsStream(ConnectionStream):
    """Code and automatic discounts of every class, incremental on updatedAt."""

    name = "discounts"
    graphql_type = "DiscountNode"
    root = "discountNodes"
    fields = f"id discount {{ discountType: __typename {DISCOUNT} }}"

    def __init__(self, tap: Any) -> None:
        super().__init__(tap)
        member = self.schema["properties"].pop("discount")
        self.schema["properties"].update(member["properties"])

    @override
    def use_bulk(self, search: str) -> bool:
        """Always by pages: a shop has few discounts next to its orders, and the entitled items and
        customers sit in lists that bulk queries leave out."""
        return False

    @override
    def _slice(self, query: str, first: int, start: str | None, end: str) -> Iterator[Page]:
        for page in super()._slice(query, first, start, end):
            yield Page([self.flattened(node) for node in page.records], page.more)

    def flattened(self, node: dict[str, Any]) -> dict[str, Any]:
        """The node's id beside its discount's fields, each list of entitled items read to its end."""
        discount = node["discount"]
        for holder in ("customerGets", "customerBuys"):
            items = (discount.get(holder) or {}).get("items") or {}
            for name in ENTITLED_IN:
                if name in items and items[name]["pageInfo"]["hasNextPage"]:
                    items[name]["nodes"] += self._later(node["id"], discount["discountType"], holder, name, items[name])
        return {"id": node["id"], **as_lists(discount)}

    def _later(
        self, discount_id: str, member: str, holder: str, name: str, first_page: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query = entitled_page_query(member, holder, name)
        variables = {"id": discount_id, "first": page_size(query), "after": first_page["pageInfo"]["endCursor"]}
        path = ("discountNode", "discount", holder, "items", name)
        return [item for page in pages(self.client, query, variables, path) for item in page["nodes"]]


CODE_DISCOUNTS = f"""query DiscountCodesOwners($first: Int!, $after: String) {{
    codeDiscountNodes(first: $first, after: $after, sortKey: ID) {{ nodes {{ id }} {PAGE_INFO} }} }}"""


class DiscountCodesStream(ShopifyStream):
    """Every code discount's redeem codes with their usage counts, read in full on every run."""

    name = "discount_codes"
    graphql_type = "DiscountRedeemCode"
    replication_key = None
    fields = "id code asyncUsageCount"

    def __init__(self, tap: Any) -> None:
        super().__init__(tap)
        self.schema["properties"]["discountId"] = {"type": "string"}

    def codes_query(self) -> str:
        codes = f"codes(first: $first, after: $after) {{ nodes {{ {self.selected_fields()} }} {PAGE_INFO} }}"
        members = " ".join(f"... on {member} {{ {codes} }}" for member in MEMBERS if member.startswith("DiscountCode"))
        return (
            "query DiscountCodesPage($id: ID!, $first: Int!, $after: String) {"
            f" codeDiscountNode(id: $id) {{ codeDiscount {{ {members} }} }} }}"
        )

    @override
    @naming_the_stream
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        try:
            yield from self._codes()
        except AccessDeniedError as exc:  # an app without read_discounts: the other streams go on
            self.logger.error("Skipping stream %s: %s", self.name, exc)

    def _codes(self) -> Iterator[dict[str, Any]]:
        query = self.codes_query()
        first = page_size(query)
        for owners in pages(self.client, CODE_DISCOUNTS, {"first": MAX_PAGE}, ("codeDiscountNodes",)):
            for owner in owners["nodes"]:
                path = ("codeDiscountNode", "codeDiscount", "codes")
                for page in pages(self.client, query, {"id": owner["id"], "first": first}, path):
                    yield from ({**code, "discountId": owner["id"]} for code in page["nodes"])
