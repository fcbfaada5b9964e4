"""Metafields on every owner the connectors read: captured metafieldsSet / metafieldsDelete calls replayed
(../shared/shopify-captures), and the owner's updatedAt, which both move (see docs/emulator.md)."""

from __future__ import annotations

from typing import Any

import pytest

from ..captures import Replay, assert_same_answer, needs_captures
from ..conftest import Running

pytestmark = needs_captures

SET = """mutation S($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) {
  metafields { id namespace key type value jsonValue ownerType owner { ... on Node { id } } }
  userErrors { field message code } } }"""
DELETE = """mutation D($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) {
  deletedMetafields { ownerId namespace key } userErrors { field message } } }"""
OWNER = """query O($id: ID!) { node(id: $id) { ... on %s { updatedAt metafields(first: 10, namespace: "custom") {
  nodes { key value } } } } }"""


def check_steps(replay: Replay, steps: tuple[str, ...]) -> None:
    for step in steps:
        call = replay.capture[step]
        request = call.get("request", call)
        ours = replay.answer(request["query"], request.get("variables"), call["response"])
        assert_same_answer(ours, call["response"], step)


def test_delete_answers_null_for_what_is_not_there(shop: Running) -> None:
    """Deleting answers the identifier; deleting it again, or one never set, answers null in its place."""
    replay = Replay(shop, "2026-04/metafield-definitions/metafield-delete-not-found.json")
    replay.ids[replay.capture["seed"]["productId"]] = next(shop.emulator.store.all("Product"))["id"]
    check_steps(replay, ("setup", "deleteExisting", "repeatDelete", "neverCreatedDelete"))


def test_shop_metafields_read_after_write_and_delete(shop: Running) -> None:
    replay = Replay(shop, "2025-01/metafields/shop-owner-metafields-read-after-write.json")
    theirs = replay.capture["shop"]["response"]["data"]["shop"]["id"]
    replay.ids[theirs] = shop.graphql("{ shop { id } }")["data"]["shop"]["id"]
    check_steps(replay, ("set", "readAfterSet", "delete", "readAfterDelete"))


def owner_ids(shop: Running) -> dict[str, str]:
    store = shop.emulator.store
    return {type_name: next(store.all(type_name))["id"] for type_name in ("Collection", "Location", "Product", "Order")}


@pytest.mark.parametrize("type_name", ["Collection", "Location", "Product", "Order"])
def test_set_and_delete_move_the_owners_updated_at(shop: Running, type_name: str) -> None:
    """Shopify moves the owner's updatedAt when one of its metafields is set (the captures show it a second
    or two after the metafield's own stamp); an incremental read by updated_at then finds the owner."""
    owner = owner_ids(shop)[type_name]
    before = shop.graphql(OWNER % type_name, {"id": owner})["data"]["node"]
    shop.emulator.store.clock.offset += 5
    entry = {"ownerId": owner, "namespace": "custom", "key": "note", "type": "single_line_text_field", "value": "x"}
    written = shop.graphql(SET, {"metafields": [entry]})["data"]["metafieldsSet"]
    assert written["userErrors"] == []
    assert written["metafields"][0]["owner"] == {"id": owner}
    after_set = shop.graphql(OWNER % type_name, {"id": owner})["data"]["node"]
    assert after_set["updatedAt"] > before["updatedAt"]
    assert {"key": "note", "value": "x"} in after_set["metafields"]["nodes"]
    shop.emulator.store.clock.offset += 5
    identifier = {k: entry[k] for k in ("ownerId", "namespace", "key")}
    assert shop.graphql(DELETE, {"metafields": [identifier]})["data"]["metafieldsDelete"] == {
        "deletedMetafields": [identifier],
        "userErrors": [],
    }
    after_delete = shop.graphql(OWNER % type_name, {"id": owner})["data"]["node"]
    assert after_delete["updatedAt"] > after_set["updatedAt"]
    assert {"key": "note", "value": "x"} not in after_delete["metafields"]["nodes"]


def test_a_collection_created_with_metafields_serves_them(shop: Running) -> None:
    created = shop.graphql(
        """mutation C($input: CollectionInput!) { collectionCreate(input: $input) { collection {
          metafield(namespace: "custom", key: "banner") { value type ownerType } } userErrors { field message } } }""",
        {"input": {"title": "With banner", "metafields": [{"namespace": "custom", "key": "banner", "value": "Hi"}]}},
    )["data"]["collectionCreate"]
    assert created == {
        "collection": {"metafield": {"value": "Hi", "type": "single_line_text_field", "ownerType": "COLLECTION"}},
        "userErrors": [],
    }


def test_metafield_definitions_by_owner_type(shop: Running) -> None:
    """The seeded shop defines metafields for products, collections, locations and customers."""
    query = """query D($ownerType: MetafieldOwnerType!) { metafieldDefinitions(ownerType: $ownerType, first: 10) {
      nodes { namespace key ownerType type { name } } } }"""
    answer: dict[str, Any] = shop.graphql(query, {"ownerType": "COLLECTION"})["data"]
    assert answer["metafieldDefinitions"]["nodes"] == [
        {
            "namespace": "custom",
            "key": "banner_text",
            "ownerType": "COLLECTION",
            "type": {"name": "single_line_text_field"},
        }
    ]
