"""Access scopes: which root fields need which scope, and Shopify's ACCESS_DENIED error."""

from __future__ import annotations

from graphql import GraphQLError

ALL_SCOPES = (
    "read_customers",
    "write_customers",
    "read_products",
    "write_products",
    "read_orders",
    "write_orders",
    "read_all_orders",
    "read_fulfillments",
    "write_fulfillments",
    "read_assigned_fulfillment_orders",
    "write_assigned_fulfillment_orders",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_discounts",
    "write_discounts",
    "read_draft_orders",
    "read_gift_cards",
    "write_gift_cards",
)

DISCOUNT_READS = (
    "discountNodes",
    "discountNodesCount",
    "codeDiscountNodes",
    "automaticDiscountNodes",
    "discountNode",
    "codeDiscountNode",
    "automaticDiscountNode",
    "codeDiscountNodeByCode",
    "discountRedeemCodeBulkCreation",
)
_READS = {
    "read_customers": ("customer", "customers", "customersCount", "customerByIdentifier"),
    "read_products": (
        "product",
        "products",
        "productsCount",
        "productByIdentifier",
        "productVariant",
        "productVariants",
        "productVariantsCount",
        "productOperation",
        "collection",
        "collections",
        "collectionsCount",
        "collectionByHandle",
        "collectionByIdentifier",
    ),
    "read_orders": ("order", "orders", "ordersCount", "fulfillment", "abandonedCheckouts", "abandonedCheckoutsCount"),
    "read_merchant_managed_fulfillment_orders": ("fulfillmentOrder", "fulfillmentOrders"),
    "read_discounts": DISCOUNT_READS,
    "read_draft_orders": ("draftOrder", "draftOrders", "draftOrdersCount"),
    "read_gift_cards": ("giftCard", "giftCards", "giftCardsCount"),
}
_WRITES = {
    "customer": "write_customers",
    "product": "write_products",
    "collection": "write_products",
    "order": "write_orders",
    "fulfillment": "write_fulfillments",
    "discount": "write_discounts",
    "giftCard": "write_gift_cards",
}
ROOT_SCOPES: dict[str, str] = {field: scope for scope, fields in _READS.items() for field in fields}


def required_scope(root: str, field: str) -> str | None:
    """The scope a root field needs (None: any app may call it); the fields of other types (a collection's
    `products`) need none of their own."""
    if root == "QueryRoot":
        return ROOT_SCOPES.get(field)
    if root == "Mutation":
        return next((scope for prefix, scope in _WRITES.items() if field.startswith(prefix)), None)
    return None


def access_denied(field: str, scope: str) -> GraphQLError:
    return GraphQLError(
        f"Access denied for {field} field. Required access: `{scope}` access scope.",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": f"`{scope}` access scope.",
        },
    )
