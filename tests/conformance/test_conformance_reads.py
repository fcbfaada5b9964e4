"""Captured reads from a real shop replayed against the emulator: same errors, same data shapes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_admin_emulator.store import parse_gid

from ..captures import load, needs_captures
from ..conftest import Running

pytestmark = needs_captures

MISSING = re.compile(r"/9{9,}\d*$")  # the captures' deliberately unknown ids


def call(relative: str, *path: str | int) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(query, variables, Shopify's response) of one call in a capture file."""
    capture = load(relative)
    node: Any = capture
    for step in path:
        node = node[step]
    return node["query"], node.get("variables", capture.get("variables") or {}), node["response"]


def ours_for(shop: Running, variables: dict[str, Any]) -> dict[str, Any]:
    """The variables with each real shop id swapped for a record of the same type in our shop."""

    def swap(value: Any) -> Any:
        parsed = parse_gid(value) if isinstance(value, str) else None
        if parsed is None or MISSING.search(value):
            return value
        records = list(shop.emulator.store.all(parsed[0]))
        # prefer a record that has something to show under it (an order with fulfillments)
        records.sort(key=lambda r: not r.get("_fulfillments"))
        return records[0]["id"]

    return {k: swap(v) for k, v in variables.items()}


def shape_mismatches(ours: Any, theirs: Any, path: str = "data") -> Iterator[str]:
    """Where the two answers differ in shape: keys and their order, scalar types, list item shapes.
    A null or empty list on either side says nothing about shape and matches anything."""
    if ours is None or theirs is None or ours == [] or theirs == []:
        return
    if isinstance(theirs, dict):
        if not isinstance(ours, dict) or list(ours) != list(theirs):
            yield f"{path}: {ours!r:.200} vs {theirs!r:.200}"
            return
        for key in theirs:
            yield from shape_mismatches(ours[key], theirs[key], f"{path}.{key}")
    elif isinstance(theirs, list):
        if not isinstance(ours, list):
            yield f"{path}: not a list"
            return
        for item in ours:
            yield from shape_mismatches(item, theirs[0], f"{path}[]")
    elif type(ours) is not type(theirs):
        yield f"{path}: {type(ours).__name__} vs {type(theirs).__name__}"


DATA_SCENARIOS = [
    (
        "2025-01/customers/customer-account-page-data-erasure.json",
        ("mutations", "customerRequestDataErasure", "downstreamRead"),
    ),
    ("2025-01/customers/customers-keyed-search-filters.json", ("searchRead",)),
    ("2025-01/products/products-common-search-filters.json", ("preconditionRead",)),
    ("2025-01/orders/draft-order-variant-custom-only-fields.json", ("setup", "variantHydrate")),
    ("2025-01/orders/fulfillment-cancel-parity.json", ("setup", "hydrateBeforeCancel")),
    ("2025-01/orders/fulfillment-multi-tracking-info.json", ("downstreamRead",)),
    ("2026-04/fulfillments/fulfillment-top-level-reads.json", ("detailRead",)),
    ("2026-04/orders/orderInvoiceSend-email-validation.json", ("cases", 0, "setup", "orderRead")),
]


@pytest.mark.parametrize(("relative", "path"), DATA_SCENARIOS, ids=[s[0].rsplit("/", 1)[1] for s in DATA_SCENARIOS])
def test_captured_read_has_the_same_shape(shop: Running, relative: str, path: tuple[str | int, ...]) -> None:
    query, variables, theirs = call(relative, *path)
    ours = shop.graphql(query, ours_for(shop, variables))
    assert "errors" not in ours and "errors" not in theirs
    assert list(ours["data"]) == list(theirs["data"])
    assert list(shape_mismatches(ours["data"], theirs["data"])) == []
    assert set(ours["extensions"]["cost"]) == set(theirs["extensions"]["cost"])


def test_missing_records_are_null(shop: Running) -> None:
    query, variables, theirs = call("2026-04/fulfillments/fulfillment-top-level-reads.json", "detailRead")
    ours = shop.graphql(query, ours_for(shop, variables))["data"]
    for key in ("missingFulfillment", "missingFulfillmentOrder"):
        assert theirs["data"][key] is None
        assert ours[key] is None


ERROR_SCENARIOS = [
    ("2025-01/orders/draft-order-complete-invalid-payment-gateway.json", ("codeSelection",)),
    (
        "2026-04/bulk-operations/bulk-operation-run-mutation-allowed-roots.json",
        ("cases", "customerCreate", "cleanup", "primary"),
    ),
]


@pytest.mark.parametrize(("relative", "path"), ERROR_SCENARIOS, ids=[s[0].rsplit("/", 1)[1] for s in ERROR_SCENARIOS])
def test_undefined_field_error_is_shopifys(shop: Running, relative: str, path: tuple[str | int, ...]) -> None:
    query, variables, theirs = call(relative, *path)
    if "draftOrderComplete" in query:  # not served: ask the same wrong question of a served mutation
        query = query.replace(
            "draftOrderComplete(id: $id, paymentGatewayId: $paymentGatewayId)", "customerDelete(input: {id: $id})"
        )
        query = query.replace(", $paymentGatewayId: ID", "")
        theirs = {
            "errors": [
                {
                    **theirs["errors"][0],
                    "path": [p.replace("draftOrderComplete", "customerDelete") for p in theirs["errors"][0]["path"]],
                }
            ]
        }
    ours = shop.graphql(query, variables)
    assert ours == {"errors": theirs["errors"]}


def test_undefined_field_inside_fragments_and_aliases(shop: Running) -> None:
    ours = shop.graphql(
        """query Q { c: customers(first: 1) { ... on CustomerConnection { nodes { ...F } } } }
        fragment F on Customer { id nope }"""
    )
    assert [e["path"] for e in ours["errors"]] == [["fragment F", "nope"]]
    ours = shop.graphql("{ c: customers(first: 1) { ... on CustomerConnection { nodes { nope } } } }")
    assert ours["errors"][0]["path"] == ["query", "c", "... on CustomerConnection", "nodes", "nope"]
    assert ours["errors"][0]["extensions"] == {"code": "undefinedField", "typeName": "Customer", "fieldName": "nope"}


@pytest.mark.parametrize("root", ["customers", "products", "orders", "fulfillmentOrders", "productVariants"])
def test_missing_page_size_is_shopifys_bad_request(shop: Running, root: str) -> None:
    query, _, theirs = call(
        "2026-04/bulk-operations/bulk-operations-read-arg-validation.json", "cases", "missingWindow"
    )
    ours = shop.graphql(query.replace("bulkOperations", root))
    expected = theirs["errors"][0]
    assert ours["data"] is None
    assert ours["errors"] == [{**expected, "path": [root]}]
    assert set(ours["extensions"]["cost"]) == set(theirs["extensions"]["cost"])


@pytest.mark.parametrize("root", ["customersCount", "productsCount", "productVariantsCount", "ordersCount"])
def test_a_count_above_its_limit_is_the_limit_at_least(shop: Running, root: str) -> None:
    theirs = load("2026-04/orders/order-catalog-count-read.json")["response"]["data"]
    assert theirs["limitedTaggedCount"] == {"count": 1, "precision": "AT_LEAST"}  # 2 tagged orders, limit 1
    assert theirs["exactTaggedCount"] == {"count": 2, "precision": "EXACT"}  # limit: null
    answer = shop.graphql(f"{{ limited: {root}(limit: 1) {{ count precision }} all: {root}(limit: null) {{ count }} }}")
    assert answer["data"]["limited"] == {"count": 1, "precision": "AT_LEAST"}
    assert answer["data"]["all"]["count"] > 1
