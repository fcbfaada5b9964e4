"""Metafields on every owner the connectors read: captured metafieldsSet / metafieldsDelete calls replayed
(../shared/shopify-captures), and the owner's updatedAt, which both move (see docs/emulator.md)."""

from __future__ import annotations

from typing import Any

import pytest

from shopify_admin_emulator.domains.metafields.mutations import DATE_TIME_FORMAT

from ..captures import Replay, assert_same_answer, load, needs_captures, with_ids
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


FIDELITY = "2025-01/metafields/metafieldsSet-value-type-fidelity.json"
MATRIX = "2025-01/metafields/custom-data-field-type-matrix.json"
VALUES = "namespace key type value jsonValue"
SET_VALUES = f"""mutation S($metafields: [MetafieldsSetInput!]!) {{ metafieldsSet(metafields: $metafields) {{
  metafields {{ {VALUES} }} userErrors {{ field message code elementIndex }} }} }}"""
READ_VALUES = f"""query R($id: ID!, $namespace: String!) {{ product(id: $id) {{
  metafields(first: 100, namespace: $namespace) {{ nodes {{ {VALUES} }} }} }} }}"""


def test_values_are_normalised_as_captured(shop: Running) -> None:
    """Booleans given as `t`, `1`, ` TRUE `, `f`, `0` answer `true`/`false` (jsonValue `true`, but the
    text "false"), integers `5.0` answer 5, a decimal of ten places is cut to nine and its jsonValue is
    text; the set's answer and a later read agree."""
    capture = load(FIDELITY)
    product = next(shop.emulator.store.all("Product"))["id"]
    ids = {capture["setup"]["createProduct"]["response"]["data"]["productCreate"]["product"]["id"]: product}
    written = shop.graphql(SET_VALUES, with_ids(capture["acceptedSet"]["request"]["variables"], ids))
    assert_same_answer(written, capture["acceptedSet"]["response"], "acceptedSet")
    read = shop.graphql(READ_VALUES, with_ids(capture["downstreamRead"]["request"]["variables"], ids))
    assert_same_answer(read, capture["downstreamRead"]["response"], "downstreamRead")
    for case in ("integerPlus", "dateTime", "jsonBlank"):  # `+5` is no integer to Shopify
        refused = capture["invalidCases"][case]
        ours = shop.graphql(SET_VALUES, with_ids(refused["request"]["variables"], ids))
        assert_same_answer(ours, refused["response"], case)


def test_every_type_of_the_matrix_answers_its_value_and_json_value(shop: Running) -> None:
    """Every metafield type the captured matrix sets on a product: measurements answer a float value and
    the unit's upper-case name, their jsonValue a number and that unit (lower case in a list, and short
    for dimensions, volumes and weights), a list of decimals answers them as text, a date-time without an
    offset answers UTC's, a rating its keys in Shopify's order; each batch's answer and the read after it."""
    capture = load(MATRIX)
    store = shop.emulator.store
    product = next(store.all("Product"))
    seed = capture["seed"]
    ids = {
        seed["productId"]: product["id"],
        seed["variantId"]: product["_variants"][0]["id"],
        seed["collectionId"]: next(store.all("Collection"))["id"],
    }
    for batch in capture["metafieldBatches"]:
        for step in (batch["mutation"], batch["downstreamRead"]):
            request = step["request"]
            ours = shop.graphql(request["query"], with_ids(request["variables"], ids))
            assert_same_answer(ours, step["response"], step["name"])
            assert date_times(ours) == date_times(step["response"])  # masked as timestamps above


def date_times(answer: dict[str, Any]) -> list[tuple[str, str]]:
    """The date-time metafields' keys and values, unmasked, in a metafieldsSet answer or a product's read."""
    data = answer["data"]
    found = data["metafieldsSet"]["metafields"] if "metafieldsSet" in data else data["product"]["metafields"]["nodes"]
    return [(m["key"], m["value"]) for m in found if m["type"].endswith("date_time")]


def test_a_date_time_keeps_its_offset_and_drops_fractions(shop: Running) -> None:
    """`2026-06-25T10:11:12.123+05:30` reads `2026-06-25T10:11:12+05:30` (metafields-set-validation-gaps)."""
    capture = load("2025-01/metafields/metafields-set-validation-gaps.json")["definitionRules"]
    theirs = capture["productCreate"]["response"]["data"]["productCreate"]["product"]["id"]
    call = capture["validDateTimeSet"]
    ids = {theirs: next(shop.emulator.store.all("Product"))["id"]}
    ours = shop.graphql(call["request"]["query"], with_ids(call["request"]["variables"], ids))
    assert_same_answer(ours, call["response"], "validDateTimeSet")
    assert date_times(ours) == date_times(call["response"]) == [("starts_at", "2026-06-25T10:11:12+05:30")]


def test_a_list_answers_its_first_bad_items_message(shop: Running) -> None:
    """Each item of a list is checked as a value of its type (inferred: no capture sets a bad list item)."""
    owner = next(shop.emulator.store.all("Product"))["id"]
    lists = {"list.number_integer": '[1, "x"]', "list.date_time": '["nope"]', "list.boolean": '["yes"]'}
    answers = [
        shop.graphql(
            SET_VALUES,
            {"metafields": [{"ownerId": owner, "namespace": "custom", "key": "l", "type": t, "value": v}]},
        )["data"]["metafieldsSet"]["userErrors"][0]["message"]
        for t, v in lists.items()
    ]
    assert answers == ["Value must be an integer.", DATE_TIME_FORMAT, "Value must be true or false."]


@pytest.mark.parametrize(
    "case",
    ["invalidValueBoolean", "invalidValueDimensionNegative", "invalidValueWeightUnit", "invalidValueVolumeNumeric"],
)
def test_values_a_type_refuses(shop: Running, case: str) -> None:
    """A boolean that is none of Shopify's spellings, a negative or non-numeric measurement and an unknown
    weight unit are refused with the captured messages (`cm` and `ml` are units Shopify takes)."""
    capture = load("2025-01/metafields/metafields-set-input-validation.json")
    ids = {capture["setup"]["productId"]: next(shop.emulator.store.all("Product"))["id"]}
    call = capture["cases"][case]
    ours = shop.graphql(SET_VALUES, with_ids(call["request"]["variables"], ids))
    assert ours["data"]["metafieldsSet"] == call["response"]["data"]["metafieldsSet"]
