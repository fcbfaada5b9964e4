"""Product mutations through HTTP: create, update, productSet (sync and async), delete."""

from __future__ import annotations

from typing import Any

from ..conftest import Running

PRODUCT_FIELDS = """
  id title handle status vendor productType tags descriptionHtml updatedAt
  seo { title description }
  options { name position values optionValues { name hasVariants } }
  variants(first: 10) { nodes { id title sku price inventoryQuantity selectedOptions { name value } } }
"""
CREATE = f"""
mutation Create($product: ProductCreateInput!) {{
  productCreate(product: $product) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message }} }}
}}"""
UPDATE = f"""
mutation Update($product: ProductUpdateInput!) {{
  productUpdate(product: $product) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message }} }}
}}"""
SET = f"""
mutation Set($input: ProductSetInput!, $identifier: ProductSetIdentifiers, $synchronous: Boolean!) {{
  productSet(input: $input, identifier: $identifier, synchronous: $synchronous) {{
    product {{ {PRODUCT_FIELDS} }}
    productSetOperation {{ id status product {{ id }} userErrors {{ field message code }} }}
    userErrors {{ field message code }}
  }}
}}"""
DELETE = """
mutation Delete($input: ProductDeleteInput!, $synchronous: Boolean) {
  productDelete(input: $input, synchronous: $synchronous) {
    deletedProductId
    productDeleteOperation { id status deletedProductId }
    userErrors { field message }
  }
}"""
READ = f"query Read($id: ID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}"
BY_HANDLE = "query ByHandle($handle: String!) { productByIdentifier(identifier: {handle: $handle}) { id handle } }"
OPERATION = """
query Operation($id: ID!) {
  productOperation(id: $id) {
    __typename status product { id title handle }
    ... on ProductSetOperation { id }
    ... on ProductDeleteOperation { id deletedProductId }
  }
}"""


def create(shop: Running, **product: Any) -> dict[str, Any]:
    payload = shop.graphql(CREATE, {"product": product})["data"]["productCreate"]
    assert payload["userErrors"] == []
    return payload["product"]


def product_set(shop: Running, input: dict[str, Any], **variables: Any) -> dict[str, Any]:
    return shop.graphql(SET, {"input": input, "synchronous": True, **variables})["data"]["productSet"]


def variant_skus(product: dict[str, Any]) -> list[str | None]:
    return [v["sku"] for v in product["variants"]["nodes"]]


def test_create_reads_back_by_id_and_handle_with_default_variant(shop: Running) -> None:
    product = create(shop, title="Emulator Mug", tags=[" Red ", "red", "big   sale"], status="DRAFT")
    assert product["handle"] == "emulator-mug"
    assert product["tags"] == ["big   sale", "Red"]
    assert product["vendor"] == shop.emulator.store.shop_name
    assert product["options"] == [
        {
            "name": "Title",
            "position": 1,
            "values": ["Default Title"],
            "optionValues": [{"name": "Default Title", "hasVariants": True}],
        }
    ]
    [variant] = product["variants"]["nodes"]
    assert (variant["title"], variant["price"], variant["inventoryQuantity"]) == ("Default Title", "0.00", 0)
    assert shop.graphql(READ, {"id": product["id"]})["data"]["product"] == product
    found = shop.graphql(BY_HANDLE, {"handle": "emulator-mug"})["data"]["productByIdentifier"]
    assert found == {"id": product["id"], "handle": "emulator-mug"}
    variant_read = shop.graphql("query($id: ID!) { productVariant(id: $id) { product { id } } }", {"id": variant["id"]})
    assert variant_read["data"]["productVariant"]["product"]["id"] == product["id"]


def test_generated_handles_are_made_unique_like_shopify(shop: Running) -> None:
    assert create(shop, title="Lamp")["handle"] == "lamp"
    assert create(shop, title="Lamp")["handle"] == "lamp-1"
    assert create(shop, title="Lamp")["handle"] == "lamp-2"
    assert create(shop, title="Batch 41")["handle"] == "batch-41"
    assert create(shop, title="Batch 41")["handle"] == "batch-42"
    assert create(shop, title="Odd", handle="%%%")["handle"] == "product"


def test_create_with_options_makes_one_variant_of_first_values(shop: Running) -> None:
    product = create(
        shop,
        title="Shirt",
        productOptions=[
            {"name": "Color", "values": [{"name": "Red"}, {"name": "Blue"}]},
            {"name": "Size", "values": [{"name": "S"}, {"name": "M"}]},
        ],
    )
    assert [v["title"] for v in product["variants"]["nodes"]] == ["Red / S"]
    color = product["options"][0]
    assert color["values"] == ["Red"]
    assert color["optionValues"] == [{"name": "Red", "hasVariants": True}, {"name": "Blue", "hasVariants": False}]


def test_update_changes_fields_moves_updated_at_and_keeps_handle(shop: Running) -> None:
    product = create(shop, title="Kettle")
    shop.emulator.store.clock.offset += 5
    payload = shop.graphql(
        UPDATE, {"product": {"id": product["id"], "title": "Kettle II", "vendor": "Acme", "seo": {"title": "K"}}}
    )["data"]["productUpdate"]
    assert payload["userErrors"] == []
    updated = payload["product"]
    assert (updated["title"], updated["vendor"], updated["handle"]) == ("Kettle II", "Acme", "kettle")
    assert updated["seo"] == {"title": "K", "description": None}
    assert updated["updatedAt"] > product["updatedAt"]


def test_update_with_errors_returns_the_unchanged_product(shop: Running) -> None:
    product = create(shop, title="Stool")
    payload = shop.graphql(UPDATE, {"product": {"id": product["id"], "title": ""}})["data"]["productUpdate"]
    assert payload["userErrors"] == [{"field": ["title"], "message": "Title can't be blank"}]
    assert payload["product"]["title"] == "Stool"
    assert shop.graphql(READ, {"id": product["id"]})["data"]["product"]["title"] == "Stool"


def test_product_set_creates_then_updates_by_handle(shop: Running) -> None:
    created = product_set(
        shop,
        {
            "title": "Board",
            "productOptions": [{"name": "Color", "values": [{"name": "Blue"}, {"name": "Black"}]}],
            "variants": [
                {"optionValues": [{"optionName": "Color", "name": "Blue"}], "sku": "B-1", "price": "79.99"},
                {
                    "optionValues": [{"optionName": "Color", "name": "Black"}],
                    "sku": "B-2",
                    "inventoryQuantities": [
                        {"locationId": "gid://shopify/Location/1", "name": "available", "quantity": 3}
                    ],
                },
            ],
        },
    )
    assert created["userErrors"] == []
    product = created["product"]
    assert variant_skus(product) == ["B-1", "B-2"]
    assert [v["price"] for v in product["variants"]["nodes"]] == ["79.99", "0.00"]
    assert product["variants"]["nodes"][1]["inventoryQuantity"] == 3
    updated = product_set(shop, {"title": "Board 2"}, identifier={"handle": "board"})
    assert updated["userErrors"] == []
    assert updated["product"]["id"] == product["id"]
    assert updated["product"]["title"] == "Board 2"
    assert updated["product"]["variants"] == product["variants"], "variants must stay when the input omits them"


def test_product_set_replaces_variants_only_when_given(shop: Running) -> None:
    product = product_set(
        shop,
        {
            "title": "Cap",
            "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}],
            "variants": [
                {"optionValues": [{"optionName": "Size", "name": "S"}], "sku": "CAP-S"},
                {"optionValues": [{"optionName": "Size", "name": "M"}], "sku": "CAP-M"},
            ],
        },
    )["product"]
    small, medium = product["variants"]["nodes"]
    replaced = product_set(
        shop,
        {
            "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "L"}]}],
            "variants": [
                {"id": small["id"], "optionValues": [{"optionName": "Size", "name": "S"}], "sku": "CAP-S2"},
                {"optionValues": [{"optionName": "Size", "name": "L"}], "sku": "CAP-L"},
            ],
        },
        identifier={"id": product["id"]},
    )
    assert replaced["userErrors"] == []
    nodes = replaced["product"]["variants"]["nodes"]
    assert [v["sku"] for v in nodes] == ["CAP-S2", "CAP-L"]
    assert nodes[0]["id"] == small["id"]
    assert replaced["product"]["options"][0]["values"] == ["S", "L"]
    gone = shop.graphql("query($id: ID!) { productVariant(id: $id) { id } }", {"id": medium["id"]})
    assert gone["data"]["productVariant"] is None


def test_product_set_async_completes_on_the_next_read(shop: Running) -> None:
    payload = shop.graphql(SET, {"input": {"title": "Async Thing"}, "synchronous": False})["data"]["productSet"]
    assert payload["product"] is None and payload["userErrors"] == []
    operation = payload["productSetOperation"]
    assert (operation["status"], operation["product"]) == ("CREATED", None)
    read = shop.graphql(OPERATION, {"id": operation["id"]})["data"]["productOperation"]
    assert read["__typename"] == "ProductSetOperation"
    assert read["status"] == "COMPLETE"
    assert (read["product"]["title"], read["product"]["handle"]) == ("Async Thing", "async-thing")


def test_delete_removes_product_and_variants_and_writes_destroy_event(shop: Running) -> None:
    product = create(shop, title="Doomed Vase")
    [variant] = product["variants"]["nodes"]
    payload = shop.graphql(DELETE, {"input": {"id": product["id"]}})["data"]["productDelete"]
    assert payload == {"deletedProductId": product["id"], "productDeleteOperation": None, "userErrors": []}
    assert shop.graphql(READ, {"id": product["id"]})["data"]["product"] is None
    assert (
        shop.graphql("query($id: ID!) { productVariant(id: $id) { id } }", {"id": variant["id"]})["data"][
            "productVariant"
        ]
        is None
    )
    events = shop.graphql(
        'query { events(first: 50, reverse: true, query: "subject_type:PRODUCT") { nodes { ... on BasicEvent {'
        " subjectId action message } } } }"
    )["data"]["events"]["nodes"]
    assert {"subjectId": product["id"], "action": "destroy", "message": "Product Doomed Vase was deleted."} in events
    again = shop.graphql(DELETE, {"input": {"id": product["id"]}})["data"]["productDelete"]
    assert again["userErrors"] == [{"field": ["id"], "message": "Product does not exist"}]


def test_async_delete_blocks_a_second_delete_until_complete(shop: Running) -> None:
    product = create(shop, title="Async Vase")
    first = shop.graphql(DELETE, {"input": {"id": product["id"]}, "synchronous": False})["data"]["productDelete"]
    operation = first["productDeleteOperation"]
    assert (first["deletedProductId"], operation["status"], operation["deletedProductId"]) == (None, "CREATED", None)
    assert shop.graphql(READ, {"id": product["id"]})["data"]["product"] is not None
    second = shop.graphql(DELETE, {"input": {"id": product["id"]}, "synchronous": False})["data"]["productDelete"]
    assert second["productDeleteOperation"] is None
    assert second["userErrors"] == [
        {"field": None, "message": "Another operation already in progress. Please wait until current one is finished."}
    ]
    read = shop.graphql(OPERATION, {"id": operation["id"]})["data"]["productOperation"]
    assert (read["status"], read["deletedProductId"]) == ("COMPLETE", product["id"])
    assert shop.graphql(READ, {"id": product["id"]})["data"]["product"] is None
