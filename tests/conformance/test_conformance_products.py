"""Captured product mutations replayed against the emulator: the same userErrors (field, message,
and code where Shopify returned one), handles and async operation shapes as the real shop."""

from __future__ import annotations

from typing import Any

import pytest

from ..captures import Replay, assert_same_answer, load, needs_captures
from ..conftest import Running

pytestmark = needs_captures

# Most product captures hold variables and responses only; these documents select what they show.
CREATE = """
mutation Create($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id title handle vendor productType } userErrors { field message } }
}"""
UPDATE = """
mutation Update($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id title handle } userErrors { field message } }
}"""
SET = """
mutation Set($input: ProductSetInput!, $synchronous: Boolean!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, synchronous: $synchronous, identifier: $identifier) {
    product { id title handle }
    productSetOperation { id status product { id } userErrors { field message code } }
    userErrors { field message code }
  }
}"""
DELETE = """
mutation Delete($input: ProductDeleteInput!, $synchronous: Boolean) {
  productDelete(input: $input, synchronous: $synchronous) {
    deletedProductId
    productDeleteOperation { id status deletedProductId userErrors { field message } }
    userErrors { field message }
  }
}"""
OPERATION = """
query Operation($id: ID!) {
  productOperation(id: $id) {
    __typename status product { id title handle }
    ... on ProductSetOperation { id userErrors { field message } }
  }
}"""


def errors_as_captured(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our userErrors reduced to the keys Shopify's answer shows (it selected `code` or not)."""
    keys = list(theirs[0]) if theirs else ["field", "message"]
    return [{key: error.get(key) for key in keys} for error in ours]


def assert_same_errors(response: dict[str, Any], captured: dict[str, Any], mutation: str) -> dict[str, Any]:
    theirs = captured["data"][mutation]["userErrors"]
    payload = response["data"][mutation]
    assert errors_as_captured(payload["userErrors"], theirs) == theirs
    return payload


def create_product(shop: Running, **product: Any) -> str:
    payload = shop.graphql(CREATE, {"product": product})["data"]["productCreate"]
    assert payload["userErrors"] == []
    return str(payload["product"]["id"])


@pytest.mark.parametrize("scenario", ["blankTitle", "tooLongVendor", "tooLongProductType", "tooLongTitle"])
def test_product_create_input_validation(shop: Running, scenario: str) -> None:
    captured = load("2025-01/products/product-create-input-validation.json")["scenarios"][scenario]
    payload = assert_same_errors(shop.graphql(CREATE, captured["variables"]), captured["response"], "productCreate")
    assert payload["product"] is None


def test_product_create_defaults_vendor_to_the_shop_name(shop: Running) -> None:
    captured = load("2025-01/products/product-create-input-validation.json")["scenarios"]["missingVendor"]
    payload = assert_same_errors(shop.graphql(CREATE, captured["variables"]), captured["response"], "productCreate")
    assert payload["product"]["vendor"] == shop.emulator.store.shop_name
    assert payload["product"]["productType"] == captured["response"]["data"]["productCreate"]["product"]["productType"]


@pytest.mark.parametrize("scenario", ["inputId", "inputIdBeforeBlankTitle"])
def test_product_create_rejects_an_id_in_the_legacy_input(shop: Running, scenario: str) -> None:
    captured = load("2026-04/products/product-create-no-key-on-create.json")["scenarios"][scenario]
    ours = shop.graphql(captured["document"], captured["variables"])
    assert_same_answer(ours, captured["response"])


@pytest.mark.parametrize("scenario", ["tooLongTitle", "tooLongVendor", "tooLongProductType"])
def test_product_update_input_length_validation(shop: Running, scenario: str) -> None:
    capture = load("2025-01/products/product-update-input-length-validation.json")
    product_id = create_product(shop, **capture["setup"]["variables"]["product"])
    captured = capture["scenarios"][scenario]
    variables = {"product": {**captured["variables"]["product"], "id": product_id}}
    payload = assert_same_errors(shop.graphql(UPDATE, variables), captured["response"], "productUpdate")
    assert payload["product"]["title"] == capture["setup"]["variables"]["product"]["title"], "nothing may change"


@pytest.mark.parametrize("scenario", ["unknownId", "missingId", "blankTitle"])
def test_product_update_validation(shop: Running, scenario: str) -> None:
    captured = load("2025-01/products/product-update-parity.json")["validation"][scenario]
    variables = captured["variables"]
    if scenario == "blankTitle":
        variables = {"product": {**variables["product"], "id": create_product(shop, title="Hermes Seed")}}
    payload = assert_same_errors(shop.graphql(UPDATE, variables), captured["response"], "productUpdate")
    assert (payload["product"] is None) == (captured["response"]["data"]["productUpdate"]["product"] is None)


@pytest.mark.parametrize("scenario", ["mixedCaseWhitespace", "tooLongTag"])
def test_product_update_tag_normalization(shop: Running, scenario: str) -> None:
    capture = load("2025-01/products/product-update-tag-normalization.json")
    setup = capture["setup"]["create"]
    created = shop.graphql(setup["document"], setup["variables"])
    assert_same_answer(created, setup["response"])
    product_id = created["data"]["productCreate"]["product"]["id"]
    mixed = capture["updates"]["mixedCaseWhitespace"]
    steps = ["mixedCaseWhitespace"] if scenario == "mixedCaseWhitespace" else ["mixedCaseWhitespace", scenario]
    for step in steps:  # the too-long tag is rejected against the tags the first update left behind
        captured = capture["updates"][step]
        variables = {"product": {**captured["variables"]["product"], "id": product_id}}
        ours = shop.graphql(mixed["document"], variables)
        assert_same_answer(ours, captured["response"])


def test_product_handle_validation(shop: Running) -> None:
    capture = load("2025-01/products/product-handle-validation-parity.json")
    for case in [*capture["reservedLikeCreates"], capture["unicodeCreate"]]:
        payload = assert_same_errors(shop.graphql(CREATE, case["variables"]), case["response"], "productCreate")
        assert payload["product"]["handle"] == case["response"]["data"]["productCreate"]["product"]["handle"]
    too_long = capture["tooLongCreate"]
    assert_same_errors(shop.graphql(CREATE, too_long["variables"]), too_long["response"], "productCreate")
    seed = capture["seedProduct"]
    product_id = create_product(shop, title=seed["title"], status=seed["status"])
    update = capture["tooLongUpdate"]
    variables = {"product": {**update["variables"]["product"], "id": product_id}}
    payload = assert_same_errors(shop.graphql(UPDATE, variables), update["response"], "productUpdate")
    assert payload["product"]["handle"] == seed["handle"]


def test_product_create_handle_normalization_and_collision(shop: Running) -> None:
    capture = load("2026-04/products/product-create-parity.json")
    assert_same_errors(
        shop.graphql(CREATE, capture["mutation"]["variables"]), capture["mutation"]["response"], "productCreate"
    )
    for step in (
        "createNormalization",
        "createWhitespaceNormalization",
        "createPunctuationNormalization",
        "createCollision",
    ):
        captured = capture["handleValidation"][step]
        payload = assert_same_errors(shop.graphql(CREATE, captured["variables"]), captured["response"], "productCreate")
        theirs = captured["response"]["data"]["productCreate"]["product"]
        assert (payload["product"] and payload["product"]["handle"]) == (theirs and theirs["handle"])


def test_product_handle_lifecycle_replay(shop: Running) -> None:
    """Create / update / productSet with generated, normalized, punctuation-only and colliding handles."""
    replay = Replay(shop, "2025-01/products/product-handle-dedup-parity.json")
    for name, call in replay.capture["operations"].items():
        if "productDuplicate" in call["request"]["query"]:
            continue  # productDuplicate is not served
        ours = replay.answer(call["request"]["query"], call["request"]["variables"], call["response"])
        assert_same_answer(ours, call["response"], name)


@pytest.mark.parametrize(
    ("relative", "path"),
    [
        ("2025-01/products/product-set-duplicate-variants-parity.json", ["mutation"]),
        ("2025-01/products/product-set-options-only-requires-variants.json", ["mutation"]),
        ("2025-01/products/product-set-shape-validator-parity.json", ["inventoryItemCost"]),
        ("2025-01/products/product-set-shape-validator-parity.json", ["unknownProduct"]),
        ("2026-04/products/product-set-id-not-allowed.json", ["idNotAllowed"]),
        ("2025-01/products/product-set-input-length-validation.json", ["scenarios", "tooLongTitle"]),
        ("2025-01/products/product-set-input-length-validation.json", ["scenarios", "tooLongHandle"]),
        ("2025-01/products/product-set-input-length-validation.json", ["scenarios", "tooLongVendor"]),
        ("2025-01/products/product-set-input-length-validation.json", ["scenarios", "tooLongProductType"]),
    ],
)
def test_product_set_validation(shop: Running, relative: str, path: list[str]) -> None:
    captured: Any = load(relative)
    for step in path:
        captured = captured[step]
    payload = assert_same_errors(shop.graphql(SET, captured["variables"]), captured["response"], "productSet")
    assert payload["product"] is None and payload["productSetOperation"] is None


def test_product_set_without_identifier_creates(shop: Running) -> None:
    captured = load("2026-04/products/product-set-id-not-allowed.json")["missingIdentifier"]
    payload = assert_same_errors(shop.graphql(SET, captured["variables"]), captured["response"], "productSet")
    theirs = captured["response"]["data"]["productSet"]["product"]
    assert (payload["product"]["title"], payload["product"]["handle"]) == (theirs["title"], theirs["handle"])


def test_product_set_async_operation(shop: Running) -> None:
    capture = load("2025-01/products/product-set-async-operation-parity.json")
    started = shop.graphql(SET, capture["mutation"]["variables"])
    assert_same_answer(started, capture["mutation"]["response"])
    operation_id = started["data"]["productSet"]["productSetOperation"]["id"]
    read = shop.graphql(OPERATION, {"id": operation_id})
    assert_same_answer(read, capture["operationRead"]["response"])


def test_product_delete_parity(shop: Running) -> None:
    capture = load("2026-04/products/product-delete-parity.json")
    product_id = create_product(shop, title="Hermes Delete Me")
    deleted = shop.graphql(DELETE, {"input": {"id": product_id}})["data"]["productDelete"]
    theirs = capture["mutation"]["response"]["data"]["productDelete"]
    assert (deleted["deletedProductId"], deleted["userErrors"]) == (product_id, theirs["userErrors"])
    unknown = shop.graphql(DELETE, capture["validation"]["variables"])
    payload = assert_same_errors(unknown, capture["validation"]["response"], "productDelete")
    assert payload["deletedProductId"] is None


def test_product_delete_async_operation(shop: Running) -> None:
    capture = load("2026-04/products/product-delete-async-operation.json")
    product_id = create_product(shop, **capture["setup"]["sourceCreate"]["variables"]["input"])
    variables = {**capture["mutation"]["variables"], "input": {"id": product_id}}
    started = shop.graphql(DELETE, variables)["data"]["productDelete"]
    theirs = capture["mutation"]["response"]["data"]["productDelete"]
    assert started["deletedProductId"] == theirs["deletedProductId"]
    assert started["productDeleteOperation"]["status"] == theirs["productDeleteOperation"]["status"]
    duplicate = shop.graphql(DELETE, variables)
    payload = assert_same_errors(duplicate, capture["duplicateMutation"]["response"], "productDelete")
    assert payload["productDeleteOperation"] is None
