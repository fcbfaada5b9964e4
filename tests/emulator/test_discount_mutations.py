"""Discount mutations beyond the captures: an update adds entitled items to those a discount names and
removes those it is told to, as the Admin API's `…ToAdd` / `…ToRemove` inputs say."""

from __future__ import annotations

from typing import Any

from ..conftest import Running

UPDATE = """mutation($id: ID!, $input: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: $input) {
    automaticDiscountNode { automaticDiscount { ... on DiscountAutomaticBasic {
      customerGets { items { ... on DiscountProducts { products(first: 10) { nodes { id } } } } } } } }
    userErrors { message }
  }
}"""


def entitle(shop: Running, discount_id: str, products: dict[str, Any]) -> list[str]:
    given = {"customerGets": {"items": {"products": products}}}
    payload = shop.graphql(UPDATE, {"id": discount_id, "input": given})["data"]["discountAutomaticBasicUpdate"]
    assert payload["userErrors"] == []
    items = payload["automaticDiscountNode"]["automaticDiscount"]["customerGets"]["items"]
    return [p["id"] for p in items["products"]["nodes"]]


def test_an_update_adds_to_and_removes_from_the_entitled_products(shop: Running) -> None:
    a, b, c = (p["id"] for p in shop.graphql("{ products(first: 3) { nodes { id } } }")["data"]["products"]["nodes"])
    discount = shop.graphql("{ automaticDiscountNodes(first: 1) { nodes { id } } }")["data"]
    discount_id = discount["automaticDiscountNodes"]["nodes"][0]["id"]  # the seeded "Five off", on the first product
    assert entitle(shop, discount_id, {"productsToAdd": [b]}) == [a, b]
    assert entitle(shop, discount_id, {"productsToAdd": [c], "productsToRemove": [a]}) == [b, c]
