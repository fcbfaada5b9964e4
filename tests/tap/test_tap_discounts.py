"""The discounts and discount_codes streams against the emulator: every class in one flat record, read
incrementally, and every redeem code of a discount that has more than a page of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Running, start
from ..helpers import last_state, records, run_tap, tap_config

ADD = """mutation Add($id: ID!, $codes: [DiscountRedeemCodeInput!]!) {
  discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) { bulkCreation { id } userErrors { message } } }"""
DONE = "query Done($id: ID!) { discountRedeemCodeBulkCreation(id: $id) { done importedCount } }"
STREAMS = ("discounts", "discount_codes")


@pytest.fixture(scope="module")
def discount_shop() -> Iterator[Running]:
    running = start(plan="unlimited", customers=5, products=60, orders=5)
    yield running
    running.server.shutdown()
    running.server.server_close()


def only(*streams: str) -> dict:
    """A catalog selecting `streams`, all their properties."""
    from tap_shopify_admin.tap import TapShopifyAdmin

    catalog = TapShopifyAdmin(config={"shop": "x", "access_token": "y"}, validate_config=False).catalog_dict
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
    return catalog


def code_discount(shop: Running, title: str) -> str:
    nodes = shop.graphql(
        "{ codeDiscountNodes(first: 10) { nodes { id codeDiscount { ... on DiscountCodeBasic { title } } } } }"
    )
    return next(n["id"] for n in nodes["data"]["codeDiscountNodes"]["nodes"] if n["codeDiscount"].get("title") == title)


def add_codes(shop: Running, discount_id: str, codes: list[str]) -> None:
    for start_at in range(0, len(codes), 250):
        chunk = [{"code": c} for c in codes[start_at : start_at + 250]]
        job = shop.graphql(ADD, {"id": discount_id, "codes": chunk})["data"]["discountRedeemCodeBulkAdd"]
        assert job["userErrors"] == []
        shop.end_redeem_code_job(len(chunk))
        done = shop.graphql(DONE, {"id": job["bulkCreation"]["id"]})["data"]["discountRedeemCodeBulkCreation"]
        assert done == {"done": True, "importedCount": len(chunk)}


def test_discounts_of_every_seeded_class_arrive_flat(discount_shop: Running, tmp_path: Path) -> None:
    messages = run_tap(
        tmp_path, tap_config(discount_shop), started=discount_shop.next_second(), catalog=only("discounts")
    )
    by_title = {r["title"]: r for r in records(messages, "discounts")}
    assert set(by_title) == {"Ten percent", "Five off", "Free shipping"}
    ten, five, shipping = by_title["Ten percent"], by_title["Five off"], by_title["Free shipping"]
    assert ten["discountType"] == "DiscountCodeBasic" and ten["codesCount"] == {"count": 3}
    assert ten["customerGets"]["value"] == {"__typename": "DiscountPercentage", "percentage": 0.1}
    assert five["discountType"] == "DiscountAutomaticBasic" and five["status"] == "ACTIVE"
    assert five["customerGets"]["value"]["amount"]["amount"] == "5.0"
    assert five["customerGets"]["items"]["products"] == [{"id": p} for p in five_products(discount_shop)]
    assert shipping["discountClasses"] == ["SHIPPING"] and shipping["destinationSelection"]["allCountries"] is True
    schema = next(m for m in messages if m["type"] == "SCHEMA" and m["stream"] == "discounts")["schema"]
    assert set(ten) | set(five) | set(shipping) <= set(schema["properties"])


def five_products(shop: Running) -> list[str]:
    answer = shop.graphql(
        "{ automaticDiscountNodes(first: 5) { nodes { automaticDiscount { ... on DiscountAutomaticBasic"
        " { customerGets { items { ... on DiscountProducts { products(first: 5) { nodes { id } } } } } } } } } }"
    )
    node = answer["data"]["automaticDiscountNodes"]["nodes"][0]
    return [p["id"] for p in node["automaticDiscount"]["customerGets"]["items"]["products"]["nodes"]]


def test_an_incremental_run_reads_only_the_discounts_changed(discount_shop: Running, tmp_path: Path) -> None:
    first = run_tap(tmp_path, tap_config(discount_shop), started=discount_shop.next_second(), catalog=only("discounts"))

    def read_since_first() -> list[dict[str, Any]]:
        config, started = tap_config(discount_shop), discount_shop.next_second()
        return records(
            run_tap(tmp_path, config, started=started, state=last_state(first), catalog=only("discounts")), "discounts"
        )

    assert read_since_first() == []
    changed = code_discount(discount_shop, "Ten percent")
    answer = discount_shop.graphql(
        "mutation($id: ID!) { discountCodeDeactivate(id: $id) { userErrors { message } } }", {"id": changed}
    )
    assert answer["data"]["discountCodeDeactivate"]["userErrors"] == []
    assert [(r["id"], r["status"]) for r in read_since_first()] == [(changed, "EXPIRED")]


def test_every_code_of_a_discount_with_more_than_250_arrives(discount_shop: Running, tmp_path: Path) -> None:
    """Codes are paged per discount, so none is cut as a bulk export's nested list would be."""
    discount_id = code_discount(discount_shop, "Ten percent")
    add_codes(discount_shop, discount_id, [f"MANY{i:04}" for i in range(300)])
    codes = records(
        run_tap(
            tmp_path, tap_config(discount_shop), started=discount_shop.next_second(), catalog=only("discount_codes")
        ),
        "discount_codes",
    )
    mine = [c for c in codes if c["discountId"] == discount_id]
    assert len(mine) == len({c["id"] for c in mine}) == 303
    assert {c["code"] for c in mine} >= {"WELCOME10", "MANY0000", "MANY0299"}
    assert all(c["asyncUsageCount"] == 0 for c in mine)
    assert {c["code"] for c in codes if c["discountId"] != discount_id} == {"SHIPFREE"}


def test_every_entitled_product_of_a_discount_arrives(discount_shop: Running, tmp_path: Path) -> None:
    """The first 50 come with the discount, the rest by pages of that discount's list."""
    ids = [
        p["id"] for p in discount_shop.graphql("{ products(first: 60) { nodes { id } } }")["data"]["products"]["nodes"]
    ]
    created = discount_shop.graphql(
        "mutation($input: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $input)"
        " { automaticDiscountNode { id } userErrors { message } } }",
        {
            "input": {
                "title": "Many products",
                "startsAt": "2026-01-01T00:00:00Z",
                "customerGets": {"value": {"percentage": 0.2}, "items": {"products": {"productsToAdd": ids}}},
            }
        },
    )["data"]["discountAutomaticBasicCreate"]
    assert created["userErrors"] == [] and len(ids) == 58  # two of the 60 seeded are deleted
    discounts = records(
        run_tap(tmp_path, tap_config(discount_shop), started=discount_shop.next_second(), catalog=only("discounts")),
        "discounts",
    )
    [many] = [d for d in discounts if d["title"] == "Many products"]
    assert [p["id"] for p in many["customerGets"]["items"]["products"]] == ids


def test_the_customers_a_discount_is_for_arrive(discount_shop: Running, tmp_path: Path) -> None:
    buyer = discount_shop.graphql("{ customers(first: 1) { nodes { id } } }")["data"]["customers"]["nodes"][0]["id"]
    answer = discount_shop.graphql(
        "mutation($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input)"
        " { userErrors { message } } }",
        {
            "input": {
                "title": "One buyer",
                "code": "JUSTYOU",
                "startsAt": "2026-01-01T00:00:00Z",
                "context": {"customers": {"add": [buyer]}},
                "customerGets": {"value": {"percentage": 0.3}, "items": {"all": True}},
            }
        },
    )
    assert answer["data"]["discountCodeBasicCreate"]["userErrors"] == []
    discounts = records(
        run_tap(tmp_path, tap_config(discount_shop), started=discount_shop.next_second(), catalog=only("discounts")),
        "discounts",
    )
    [mine] = [d for d in discounts if d["title"] == "One buyer"]
    assert mine["context"] == {"__typename": "DiscountCustomers", "customers": [{"id": buyer}]}


def test_every_discount_query_validates_against_the_real_schema(discount_shop: Running, real_schema) -> None:
    """Runs last in this module: the emulator kept every distinct document the tap sent."""
    from graphql import parse, validate

    documents = [d for d in discount_shop.emulator.api.documents() if "Discount" in d]
    assert any("DiscountsPage" in d for d in documents) and any("DiscountCodesPage" in d for d in documents)
    assert any("DiscountsEntitled" in d for d in documents)
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document
