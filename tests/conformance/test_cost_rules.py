"""The cost rules case by case, each with what Shopify charged for it in a capture (file named per case)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from shopify_admin.cost import QueryCost

METAFIELD = (
    "metafield(namespace: $namespace, key: $key) { id namespace key type value jsonValue compareDigest"
    " createdAt updatedAt ownerType definition { id name namespace key ownerType type { name category }"
    " description validations { name value } pinnedPosition validationStatus } }"
)
OWNER_METAFIELD = (
    "query OwnerMetafieldsHydrateNodes($ids: [ID!]!, $namespace: String!, $key: String!) { nodes(ids: $ids) {"
    f" __typename id ... on HasMetafields {{ metafield0: {METAFIELD} }}"
    " ... on Product { id title handle status totalInventory tracksInventory createdAt updatedAt }"
    " ... on ProductVariant { id title sku selectedOptions { name value } inventoryItem { id tracked }"
    " product { id title } } ... on Customer { id displayName email } } }"
)
PRODUCT = {"__typename": "Product", "id": "gid://shopify/Product/1", "title": "t", "handle": "t", "status": "DRAFT"}


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> QueryCost:
    return QueryCost(schema, parse(query), variables)


@pytest.mark.parametrize(
    ("query", "charged"),
    [
        # 2025-01/gift-cards/gift-card-lifecycle.json GiftCardFilteredEmptyRead: a `…Count` root with a
        # search beside a connection costs 10, the connection of `first: 2` 2 + 1 item of 2 points
        (
            'query { giftCards(first: 2, query: "id:1", sortKey: ID) { nodes { id lastCharacters }'
            " edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }"
            ' giftCardsCount(query: "id:1") { count precision } }',
            14,
        ),
        # 2025-01/customers/customers-count.json CustomersCountRead: three counts, with and without a search
        (
            'query { total: customersCount { count precision } matching: customersCount(query: "email:a@b.c")'
            ' { count precision } disabled: customersCount(query: "state:DISABLED") { count precision } }',
            30,
        ),
        # 2025-01/customers/customer-create-parity.json CustomerDuplicateHydrate: `first: 1` is one item
        ('query { customers(first: 1, query: "email:a@b.c") { nodes { id } } }', 3),
        # 2025-01/orders/fulfillment-cancel-parity.json OrderFulfillmentLifecycleRead: a connection in a
        # list of objects (`fulfillments`, with a `first` of its own) is charged once, not per listed object
        (
            "query { order(id: 1) { id name fulfillments(first: 5) { id status trackingInfo { number url company }"
            " fulfillmentLineItems(first: 5) { nodes { id quantity lineItem { id title } } } }"
            " fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 5) { nodes { id totalQuantity"
            " lineItem { id title } } } } } } }",
            40,
        ),
        # 2026-04/products/publication-mutation-contract.json PublicationProductsConnectionRead: the
        # publication's product count is priced like the `…Count` roots (the nested counts of a product cost 1)
        (
            "query { publication(id: 1) { id includedProductsCount { count precision } products(first: 1) {"
            " nodes { id title } edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }"
            " publishedProductsCount(publicationId: 1) { count precision } }",
            25,
        ),
        # 2025-01/customers/store-credit-account-parity.json StoreCreditAccountReadbackParity: a store
        # credit account's balance costs 5 (in the connection's items and on the account read alone)
        (
            "query { customer(id: 1) { id email storeCreditAccounts(first: 5) { nodes { id balance { amount"
            " currencyCode } } pageInfo { hasNextPage hasPreviousPage } } } storeCreditAccount(id: 1) { id"
            " balance { amount currencyCode } owner { ... on Customer { id email } } } }",
            28,
        ),
        (
            "query { product(id: 1) { id resourcePublicationsCount { count precision }"
            " availablePublicationsCount { count precision } } }",
            3,
        ),
    ],
)
def test_requested_cost(real_schema: GraphQLSchema, query: str, charged: int) -> None:
    assert cost(real_schema, query).requested() == charged


@pytest.mark.parametrize(
    ("query", "first", "returned", "charged"),
    [
        # 2026-04/metafields/metafield-definition-resource-type-limit.json: 54 of 250 returned
        (
            "query ($first: Int!) { metafieldDefinitions(ownerType: PRODUCT, first: $first) {"
            " nodes { id namespace key ownerType } pageInfo { hasNextPage endCursor } } }",
            250,
            54,
            5,
        ),
        # 2026-04/bulk-operations/bulk-operations-live-hybrid-base-overlay.json: a full page
        ("query ($first: Int!) { products(first: $first) { nodes { id } pageInfo { hasNextPage } } }", 250, 250, 13),
        # 2026-04/fulfillments/fulfillment-service-delete-*.json, fulfillment-order-hold-multi-line.json
        ("query ($first: Int!) { locations(first: $first) { nodes { id name isActive } } }", 20, 3, 3),
        ("query ($first: Int!) { locations(first: $first) { nodes { id name isActive } } }", 20, 7, 4),
        ("query ($first: Int!) { locations(first: $first) { nodes { id name isActive } } }", 20, 9, 5),
        # 2025-01/customers/customer-create-parity.json: nothing returned is charged as `first` items
        ("query ($first: Int!) { customers(first: $first) { nodes { id } } }", 1, 0, 3),
    ],
)
def test_actual_cost_of_a_connection_is_the_share_returned(
    real_schema: GraphQLSchema, query: str, first: int, returned: int, charged: int
) -> None:
    root = parse(query).definitions[0].selection_set.selections[0].name.value  # type: ignore[attr-defined]
    data = {root: {"nodes": [{"id": f"gid://x/{n}"} for n in range(returned)], "pageInfo": {"hasNextPage": True}}}
    assert cost(real_schema, query, {"first": first}).actual(data) == charged


def test_actual_cost_of_an_empty_connection_depends_on_nodes_or_edges(real_schema: GraphQLSchema) -> None:
    """Nothing returned: `nodes` is charged as `first` items of a point (customer-create-parity.json above,
    metafield-definition-resource-type-limit.json: 13 for `first: 250`), `edges` alone only the 2
    (2025-01/metafields/metafield-definition-catalog-connection.json: 2 for `first: 4` and `first: 13`)."""
    selection = "{ %s { cursor node { id name type { name } validations { name } } } pageInfo { hasNextPage } }"
    query = "query ($first: Int!) { metafieldDefinitions(ownerType: PRODUCT, first: $first) %s }"
    empty = {"metafieldDefinitions": {"edges": [], "nodes": [], "pageInfo": {"hasNextPage": False}}}
    by_edges = cost(real_schema, query % (selection % "edges"), {"first": 13})
    assert by_edges.requested() == 2 + 5 * 3
    assert by_edges.actual(empty) == 2
    by_nodes = cost(real_schema, query % "{ nodes { id namespace key ownerType } }", {"first": 250})
    assert by_nodes.actual(empty) == 13


def test_actual_cost_charges_objects_that_answered_null(real_schema: GraphQLSchema) -> None:
    """2025-01/metafields/metafields-set-input-validation.json: a product without the metafield asked for
    is charged 3 of 8 requested (the list, the product it returned, the null metafield)."""
    model = cost(real_schema, OWNER_METAFIELD, {"ids": ["gid://shopify/Product/1"], "namespace": "ab", "key": "k"})
    assert model.requested() == 8
    assert model.actual({"nodes": [{**PRODUCT, "metafield0": None}]}) == 3
    # the variant's fragment was not in the answer: nothing of it is charged
    assert model.actual({"nodes": [None]}) == 1
