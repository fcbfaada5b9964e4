"""Metafields given inside the mutations of their owners (products and their variants, customers, orders,
collections): checked as metafieldsSet checks them, answered as the owner mutation's userErrors with nothing
written, and stored as metafieldsSet normalises them (see docs/emulator.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shopify_admin_emulator.domains.metafields.mutations import DATE_TIME_FORMAT

from ..conftest import Running

HELD = """query($id: ID!) { node(id: $id) { ... on HasMetafields {
  metafields(first: 10, namespace: "nested") { nodes { key type value } } } } }"""
ERRORS = "userErrors { field message }"
CODED = "userErrors { field message code }"
GOOD = [
    {"namespace": "nested", "key": "flag", "type": "boolean", "value": " t "},
    {"namespace": "nested", "key": "count", "type": "number_integer", "value": "5.0"},
    {"namespace": "nested", "key": "blank", "type": "single_line_text_field", "value": ""},  # sets nothing
]
BAD = [
    GOOD[0],
    {"namespace": "nested", "key": "count", "type": "number_integer", "value": "abc"},
    {"namespace": "nested", "key": "when", "type": "date_time", "value": "yesterday"},
    {"namespace": "nested", "key": "size", "type": "dimension", "value": '{"value": -1, "unit": "cm"}'},
    {"namespace": "nested", "key": "odd", "type": "not_a_type", "value": "x"},
]
BAD_ANSWERS = [
    (["1", "value"], "Value must be an integer."),
    (["2", "value"], DATE_TIME_FORMAT),
    (["3", "value"], "Value must be a non-negative number."),
    (["4", "type"], "Type must be one of the following: "),
]


@dataclass(frozen=True)
class Case:
    mutation: str
    document: str
    variables: Callable[[Running, list[dict[str, Any]]], dict[str, Any]]
    path: list[str]  # where the userErrors' paths start
    code: str | None  # the code of each userError, where the payload has codes
    owner: Callable[[dict[str, Any]], str]  # the owner of the metafields, in a successful payload


def first(shop: Running, type_name: str) -> str:
    return str(next(shop.emulator.store.all(type_name))["id"])


def order_input(metafields: list[dict[str, Any]]) -> dict[str, Any]:
    price = {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}}
    return {"lineItems": [{"title": "Nested", "quantity": 1, "priceSet": price}], "metafields": metafields}


def variant_set(metafields: list[dict[str, Any]]) -> dict[str, Any]:
    variant = {"optionValues": [{"optionName": "Size", "name": "S"}], "metafields": metafields}
    options = [{"name": "Size", "values": [{"name": "S"}]}]
    return {"title": "Nested variant", "productOptions": options, "variants": [variant]}


CASES = [
    Case(
        "productCreate",
        f"mutation($p: ProductCreateInput!) {{ productCreate(product: $p) {{ product {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"p": {"title": "Nested", "metafields": m}},
        [],
        None,
        lambda payload: payload["product"]["id"],
    ),
    Case(
        "productUpdate",
        f"mutation($p: ProductUpdateInput!) {{ productUpdate(product: $p) {{ product {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"p": {"id": first(shop, "Product"), "metafields": m}},
        [],
        None,
        lambda payload: payload["product"]["id"],
    ),
    Case(
        "productSet",
        f"mutation($p: ProductSetInput!) {{ productSet(input: $p) {{ product {{ id }} {CODED} }} }}",
        lambda shop, m: {"p": {"title": "Nested set", "metafields": m}},
        ["input"],
        "INVALID_METAFIELD",
        lambda payload: payload["product"]["id"],
    ),
    Case(
        "productSet",
        f"""mutation($p: ProductSetInput!) {{ productSet(input: $p) {{
          product {{ variants(first: 1) {{ nodes {{ id }} }} }} {CODED} }} }}""",
        lambda shop, m: {"p": variant_set(m)},
        ["input", "variants", "0"],
        "INVALID_METAFIELD",
        lambda payload: payload["product"]["variants"]["nodes"][0]["id"],
    ),
    Case(
        "customerCreate",
        f"mutation($c: CustomerInput!) {{ customerCreate(input: $c) {{ customer {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"c": {"email": "nested@example.com", "metafields": m}},
        [],
        None,
        lambda payload: payload["customer"]["id"],
    ),
    Case(
        "customerUpdate",
        f"mutation($c: CustomerInput!) {{ customerUpdate(input: $c) {{ customer {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"c": {"id": first(shop, "Customer"), "metafields": m}},
        [],
        None,
        lambda payload: payload["customer"]["id"],
    ),
    Case(
        "orderCreate",
        f"mutation($o: OrderCreateOrderInput!) {{ orderCreate(order: $o) {{ order {{ id }} {CODED} }} }}",
        lambda shop, m: {"o": order_input(m)},
        ["order"],
        "INVALID",
        lambda payload: payload["order"]["id"],
    ),
    Case(
        "collectionCreate",
        f"mutation($c: CollectionInput!) {{ collectionCreate(input: $c) {{ collection {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"c": {"title": "Nested", "metafields": m}},
        [],
        None,
        lambda payload: payload["collection"]["id"],
    ),
    Case(
        "collectionUpdate",
        f"mutation($c: CollectionInput!) {{ collectionUpdate(input: $c) {{ collection {{ id }} {ERRORS} }} }}",
        lambda shop, m: {"c": {"id": first(shop, "Collection"), "metafields": m}},
        [],
        None,
        lambda payload: payload["collection"]["id"],
    ),
]
IDS = ["productCreate", "productUpdate", "productSet", "productSet-variant", "customerCreate", "customerUpdate",
       "orderCreate", "collectionCreate", "collectionUpdate"]  # fmt: skip


def stored(shop: Running) -> int:
    return len(list(shop.emulator.store.all("Metafield")))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_values_are_the_mutations_user_errors_and_nothing_is_written(shop: Running, case: Case) -> None:
    """Each bad value answers metafieldsSet's message at its own path, the owner's mutation writes nothing."""
    before = stored(shop)
    payload = shop.graphql(case.document, case.variables(shop, BAD))["data"][case.mutation]
    answered = [(e["field"], e["message"][: len(message)], e.get("code")) for e, (_, message) in
                zip(payload["userErrors"], BAD_ANSWERS, strict=True)]  # fmt: skip
    assert answered == [([*case.path, "metafields", *where], message, case.code) for where, message in BAD_ANSWERS]
    assert stored(shop) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_good_values_are_stored_as_metafields_set_stores_them(shop: Running, case: Case) -> None:
    payload = shop.graphql(case.document, case.variables(shop, GOOD))["data"][case.mutation]
    assert payload["userErrors"] == []
    metafields = shop.graphql(HELD, {"id": case.owner(payload)})["data"]["node"]["metafields"]["nodes"]
    assert metafields == [
        {"key": "flag", "type": "boolean", "value": "true"},
        {"key": "count", "type": "number_integer", "value": "5"},
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_metafield_without_a_key_is_a_request_error(shop: Running, case: Case) -> None:
    """As locationAdd answers a blank key (`2026-04/locations/location-add-metafields.json`): no payload."""
    answer = shop.graphql(case.document, case.variables(shop, [{"namespace": "nested", "value": "x"}]))
    assert answer["data"] == {case.mutation: None}
    assert [(e["message"], e["extensions"]["code"], e["path"]) for e in answer["errors"]] == [
        ("key can't be blank", "INVALID_FIELD_ARGUMENTS", [case.mutation])
    ]
