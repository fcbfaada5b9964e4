"""target-shopify-admin's `metafield` object: one record a metafield of an owner found by one of its keys,
set by metafieldsSet (25 a request, compare-and-set, only where the shop differs, or one bulk mutation)
and deleted by metafieldsDelete; plus the pure record → MetafieldsSetInput mapping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import parse, validate

from shopify_admin import ConfigurationError
from shopify_admin.cost import requested_cost
from target_shopify_admin.objects.customer import CustomerGateway
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.metafields.owner_exports import JOINED, OwnerFinder
from target_shopify_admin.objects.metafields.owners import OWNER_KEYS, OwnerReader, lookup_document
from target_shopify_admin.objects.metafields.rows import MetafieldRow, is_current, metafield_row, set_input
from target_shopify_admin.objects.metafields.sends import DELETE, SET, STALE_READS, row_index
from target_shopify_admin.objects.metafields.values import same_value
from target_shopify_admin.objects.metafields.writes import owner_type_of
from target_shopify_admin.pipeline.settings import StreamSettings

from ..captures import load, needs_captures
from ..conftest import Running, start
from ..helpers import dead_letters, faults_fired, inject, run_target, summary, target_config

TIER = {"namespace": "crm", "key": "tier", "type": "single_line_text_field"}
HELD = """query($id: ID!) { node(id: $id) { ... on HasMetafields {
  metafields(first: 50) { nodes { namespace key value type } } } } }"""


def settings(**entry: Any) -> StreamSettings:
    return StreamSettings.of("mf", {"streams": {"mf": {"object": "metafield", **entry}}})


# the pure mapping ---------------------------------------------------------------------------------
def test_a_record_becomes_a_compare_and_set_input() -> None:
    row = metafield_row({"email": " a@example.com ", **TIER, "value": "gold"}, settings(match_on="email"), False)
    assert row == MetafieldRow("a@example.com", "crm", "tier", "gold", "single_line_text_field")
    assert row.name == "a@example.com/crm.tier"
    held = {"value": "silver", "type": "single_line_text_field", "compareDigest": "d1"}
    assert set_input(row, "gid://shopify/Customer/1", held) == {
        "ownerId": "gid://shopify/Customer/1",
        "namespace": "crm",
        "key": "tier",
        "value": "gold",
        "type": "single_line_text_field",
        "compareDigest": "d1",
    }
    # a metafield not there yet is set only while it is still not there
    assert set_input(row, "gid://shopify/Customer/1", None)["compareDigest"] is None


def test_values_that_are_not_text_go_as_json_and_compare_as_json() -> None:
    record = {"handle": "cap", "namespace": "spec", "key": "size", "type": "json", "value": {"w": 2, "h": 3}}
    row = metafield_row(record, settings(match_on="handle", owner_type="product"), False)
    assert row.value == '{"w":2,"h":3}'
    # singer-sdk reads a record's JSON numbers as Decimal: sent as the numbers they were
    measured = {**record, "type": "list.weight", "value": [{"value": Decimal("2.50"), "unit": "kg"}]}
    assert metafield_row(measured, settings(match_on="handle", owner_type="product"), False).value == (
        '[{"value":2.50,"unit":"kg"}]'
    )
    assert is_current(row, {"value": '{"h":3,"w":2}', "type": "json"})
    assert not is_current(row, {"value": '{"h":3,"w":2}', "type": "single_line_text_field"})
    untyped = metafield_row(
        {"handle": "cap", "namespace": "spec", "key": "n", "value": 7},
        settings(match_on="handle", owner_type="product"),
        False,
    )
    assert untyped.type is None and untyped.value == "7"
    assert is_current(untyped, {"value": "7", "type": "number_integer"}), "no type: the shop's is kept"


def captured_sets() -> list[tuple[str, str, str]]:
    """(type, value sent, value Shopify answered) of every metafield the captures set on a product."""
    fidelity = load("2025-01/metafields/metafieldsSet-value-type-fidelity.json")["acceptedSet"]
    calls = [
        fidelity,
        load("2025-01/metafields/metafields-set-validation-gaps.json")["definitionRules"]["validDateTimeSet"],
    ]
    calls += [
        batch["mutation"] for batch in load("2025-01/metafields/custom-data-field-type-matrix.json")["metafieldBatches"]
    ]
    return [
        (sent["type"], sent["value"], answered["value"])
        for call in calls
        for sent, answered in zip(
            call["request"]["variables"]["metafields"],
            call["response"]["data"]["metafieldsSet"]["metafields"],
            strict=True,
        )
    ]


@needs_captures
def test_a_value_is_the_value_shopify_stored_from_it() -> None:
    """Every captured metafield: what was sent and what Shopify answered are the same value for the type
    (`t` and `true`, `5.0` and `5`, a date-time with fractions and without, `{"value":25,"unit":"centimeters"}`
    and `{"value":25.0,"unit":"CENTIMETERS"}`, a rating's keys in another order, each list likewise)."""
    pairs = captured_sets()
    normalised = {type_ for type_, sent, answered in pairs if sent.strip() != answered}
    assert {"boolean", "number_integer", "number_decimal", "date_time", "dimension", "rating"} <= normalised
    assert {"list.weight", "list.date_time", "list.number_decimal", "list.rating"} <= normalised
    for type_, sent, answered in pairs:
        assert same_value(type_, sent, answered), (type_, sent, answered)


@pytest.mark.parametrize(
    ("type_", "wanted", "held"),
    [
        ("boolean", "t", "false"),
        ("boolean", "0", "true"),
        ("number_integer", "5.0", "6"),
        ("number_decimal", "1.1234567891", "1.123456788"),
        ("date_time", "2024-01-01T12:30:00.9", "2024-01-01T12:30:01+00:00"),
        ("date_time", "2026-06-25T04:41:12Z", "2026-06-25T10:11:12+05:30"),  # Shopify keeps the offset given
        ("dimension", '{"value":25,"unit":"centimeters"}', '{"value":25.0,"unit":"MILLIMETERS"}'),
        ("weight", '{"value":2.5,"unit":"kg"}', '{"value":2.0,"unit":"KILOGRAMS"}'),
        ("rating", '{"value":"4","scale_min":"1","scale_max":"5"}', '{"scale_min":"1","scale_max":"5","value":"3"}'),
        ("list.number_integer", "[1, 2]", '["2","1"]'),
        (
            "list.dimension",
            '[{"value":1,"unit":"cm"}]',
            '[{"value":1.0,"unit":"CENTIMETERS"},{"value":1.0,"unit":"CENTIMETERS"}]',
        ),
        ("single_line_text_field", "Gold", "gold"),
        ("number_integer", "+5", "5"),  # no value to Shopify: written, and refused there
    ],
)
def test_a_different_value_of_the_type_is_not_the_same(type_: str, wanted: str, held: str) -> None:
    assert not same_value(type_, wanted, held)


def test_short_units_and_number_forms_are_the_same_value() -> None:
    """shopify.dev's short units (`cm`, `kg`) read back by their long names; 25 and 25.0 are one number."""
    assert same_value("dimension", '{"unit": "cm", "value": 25}', '{"value":25.0,"unit":"CENTIMETERS"}')
    assert same_value("list.weight", '[{"value":2.50,"unit":"kg"}]', '[{"value":2.5,"unit":"KILOGRAMS"}]')
    assert same_value("date_time", "2024-01-01T12:30:00Z", "2024-01-01T12:30:00+00:00")


def test_values_shopify_takes_are_not_refused_before_they_are_sent() -> None:
    """Shopify's own spellings pass the record check (`t`, ` TRUE `, `5.0`), and every measurement type;
    `+5` is refused as Shopify does."""
    for type_, value in (
        ("boolean", "t"),
        ("boolean", " TRUE "),
        ("number_integer", "5.0"),
        ("date_time", "2024-01-01T12:30:00.5"),
        ("temperature", '{"value": 22.5, "unit": "celsius"}'),
        ("list.antenna_gain", '[{"value": 5, "unit": "decibels_isotropic"}]'),
    ):
        record = {"email": "a@example.com", **TIER, "type": type_, "value": value}
        assert metafield_row(record, settings(match_on="email"), False).value == value
    with pytest.raises(RecordError, match=re.escape("value '+5' is not a valid number_integer: it is not an integer")):
        metafield_row(
            {"email": "a@example.com", **TIER, "type": "number_integer", "value": "+5"},
            settings(match_on="email"),
            False,
        )


def test_a_handle_names_its_owner_as_shopify_keeps_it() -> None:
    """As the product and collection objects match their handles, so that a warehouse's handle column names
    the owner its record wrote ("Best_Selling Caps": a product's best-selling-caps, a collection's
    best_selling-caps)."""
    record = {"handle": " Best_Selling Caps ", **TIER, "value": "gold"}
    for owner_type, kept in (("product", "best-selling-caps"), ("collection", "best_selling-caps")):
        entry = settings(match_on="handle", owner_type=owner_type)
        assert metafield_row(record, entry, False).owner_key == kept
        assert metafield_row(record, entry, True).owner_key == kept


def test_the_shop_and_a_delete_need_only_namespace_and_key() -> None:
    shop = metafield_row({"namespace": "brand", "key": "motto"}, settings(match_on="shop"), True)
    assert shop == MetafieldRow("shop", "brand", "motto", None, None)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"namespace": "crm", "value": "x"}, "key is missing: a metafield is named by namespace and key"),
        ({"key": "tier", "value": "x"}, "namespace is missing"),
        ({**TIER, "key": 5, "value": "x"}, "key must be a string, not 5"),
        ({**TIER, "type": "text", "value": "x"}, "type 'text' is not a Shopify metafield type"),
        ({**TIER}, "value is missing"),
        ({**TIER, "type": "number_integer", "value": "12.5"}, "value '12.5' is not a valid number_integer"),
        ({**TIER, "type": "boolean", "value": "yes"}, "value 'yes' is not a valid boolean"),
        ({**TIER, "type": "date", "value": "2026-13-01"}, "value '2026-13-01' is not a valid date"),
        (
            {**TIER, "type": "list.single_line_text_field", "value": '"a"'},
            "value '\"a\"' is not a valid list.single_line_text_field: it is not a JSON array",
        ),
        ({**TIER, "type": "json", "value": "{"}, "value '{' is not a valid json: it is not JSON"),
        ({**TIER, "value": "two\nlines"}, "is not a valid single_line_text_field"),
    ],
)
def test_a_bad_row_fails_naming_its_field(record: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=re.escape(message)):
        metafield_row({"email": "a@example.com", **record}, settings(match_on="email"), False)


@pytest.mark.parametrize(
    ("entry", "record", "message"),
    [
        ({"match_on": "email"}, {}, "email (the owner's email) is missing or not a string"),
        ({"match_on": "owner_id"}, {"owner_id": "Customer/1"}, "owner_id 'Customer/1' is not a Shopify global id"),
    ],
)
def test_a_row_without_its_owner_s_key_fails(entry: dict[str, Any], record: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=re.escape(message)):
        metafield_row({**record, **TIER, "value": "x"}, settings(**entry), False)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"match_on": "handle"}, "streams.mf.owner_type (product / collection) is needed to match on handle"),
        ({"match_on": "email", "owner_type": "product"}, "streams.mf.owner_type for match_on email must be customer"),
        ({"match_on": "shop", "owner_type": "customer"}, "must be none (the key says which), not 'customer'"),
    ],
)
def test_an_owner_type_that_does_not_fit_the_key_stops_the_run(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        owner_type_of(settings(**entry), "streams.mf")


def test_owner_types_follow_the_key() -> None:
    assert owner_type_of(settings(match_on="sku"), "w") == "product_variant"
    assert owner_type_of(settings(match_on="handle", owner_type="collection"), "w") == "collection"
    assert owner_type_of(settings(), "w") is None  # owner_id: the id says which


def test_userrors_name_their_row() -> None:
    assert row_index({"field": ["metafields", "3", "value"]}) == 3
    assert row_index({"field": ["metafields"]}) is None


def test_every_metafield_document_validates_against_the_real_schema(real_schema: Any) -> None:
    documents = [SET, DELETE]
    for match_on, owner_types in OWNER_KEYS.items():
        documents += [lookup_document(match_on, owner_type, 3) for owner_type in owner_types or (None,)]
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


@pytest.mark.parametrize(
    ("match_on", "owner_type"),
    [(m, t) for m, types in OWNER_KEYS.items() if m in JOINED for t in types],
)
def test_every_owner_export_is_a_valid_bulk_query(real_schema: Any, match_on: str, owner_type: str) -> None:
    reader = OwnerReader(None, match_on, owner_type, ("erp", "code"))  # type: ignore[arg-type]
    rows = [MetafieldRow("k", "crm", "tier", "gold", None), MetafieldRow("k", "spec", "size", "2", None)]
    finder = OwnerFinder(reader, rows)
    query = finder.export_query(("erp", "code") if match_on == "custom_id" else None)
    assert validate(real_schema, parse(query)) == [], query
    assert "query:" not in query


def test_an_exported_owner_is_what_a_lookup_answers() -> None:
    rows = [MetafieldRow("SKU-1", "crm", "tier", "gold", None), MetafieldRow("SKU-1", "spec", "size", "2", None)]
    finder = OwnerFinder(OwnerReader(None, "sku", "product_variant", None), rows)  # type: ignore[arg-type]
    held = {"value": "gold", "type": "single_line_text_field", "compareDigest": "d"}
    node = {"id": "gid://shopify/ProductVariant/1", "sku": "SKU-1", "m0": held, "m1": None}
    assert finder.exported_key(node, "sku") == "SKU-1"
    assert finder.from_export([node], rows[0]) == {"nodes": [{"id": node["id"], "sku": "SKU-1", "mf": held}]}
    by_email = OwnerFinder(OwnerReader(None, "email", "customer", None), rows[1:])  # type: ignore[arg-type]
    customer = {"id": "C", "defaultEmailAddress": {"emailAddress": "a@example.com"}, "m0": None}
    assert by_email.exported_key(customer, "email") == "a@example.com"
    assert by_email.from_export([customer], rows[1]) == {"id": "C", "mf": None}


def test_25_metafields_cost_what_one_customer_set_costs() -> None:
    """The README's projection: a metafieldsSet of 25 is priced like one customerSet, and a lookup
    of a customer's metafield 2 points, against a customer lookup's 3."""
    metafield = {"ownerId": "gid://shopify/Customer/1", **TIER, "value": "gold", "compareDigest": None}
    assert requested_cost(SET, {"metafields": [metafield] * 25}) == 10
    assert requested_cost(CustomerGateway.set_mutation, {"input": {"email": "a@example.com"}}) == 10
    assert requested_cost(lookup_document("email", "customer", 250)) == 500
    assert requested_cost(CustomerGateway.lookup_document(250)) == 750


# against the emulator -----------------------------------------------------------------------------
@pytest.fixture
def small_shop() -> Iterator[Running]:
    running = start(customers=40, products=3, orders=2)
    yield running
    running.server.shutdown()
    running.server.server_close()


def owners(shop: Running) -> dict[str, Any]:
    query = """{ customers(first: 50) { nodes { id email } } products(first: 3) { nodes { id handle
      variants(first: 1) { nodes { id sku } } } } collections(first: 3) { nodes { id handle } }
      orders(first: 1) { nodes { id name } } shop { id } }"""
    return shop.graphql(query)["data"]


def held(shop: Running, owner_id: str) -> list[dict[str, Any]]:
    return shop.graphql(HELD, {"id": owner_id})["data"]["node"]["metafields"]["nodes"]


def value_of(shop: Running, owner_id: str, namespace: str = "crm", key: str = "tier") -> list[str]:
    """Every value the owner holds under namespace.key (a metafield set twice would still be one)."""
    return [m["value"] for m in held(shop, owner_id) if (m["namespace"], m["key"]) == (namespace, key)]


def operations(shop: Running) -> dict[str, int]:
    stats = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return {name: op["requests"] for name, op in stats.items()}


def messages(stream: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    schema = {"type": "object", "properties": {}}
    return [
        {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []},
        *({"type": "RECORD", "stream": stream, "record": row} for row in rows),
        {"type": "STATE", "value": {"done": stream}},
    ]


def write(shop: Running, tmp_path: Path, entry: dict[str, Any], rows: list[dict[str, Any]], **extra: Any) -> Any:
    streams = {"mf": {"object": "metafield", **entry}}
    return run_target(tmp_path, target_config(shop, tmp_path, streams=streams, **extra), messages("mf", rows))


def test_every_owner_key_sets_then_a_rerun_writes_nothing(small_shop: Running, tmp_path: Path, real_schema) -> None:
    found = owners(small_shop)
    customer, product = found["customers"]["nodes"][0], found["products"]["nodes"][0]
    variant, collection = product["variants"]["nodes"][0], found["collections"]["nodes"][1]
    order, shop_id = found["orders"]["nodes"][0], found["shop"]["id"]
    by_key = [
        ({"match_on": "owner_id"}, {"owner_id": customer["id"]}, customer["id"]),
        ({"match_on": "email"}, {"email": customer["email"].upper()}, customer["id"]),
        ({"match_on": "handle", "owner_type": "product"}, {"handle": product["handle"]}, product["id"]),
        ({"match_on": "handle", "owner_type": "collection"}, {"handle": collection["handle"]}, collection["id"]),
        ({"match_on": "sku"}, {"sku": variant["sku"]}, variant["id"]),
        ({"match_on": "name"}, {"name": order["name"]}, order["id"]),
        ({"match_on": "shop"}, {}, shop_id),
    ]
    for n, (entry, key, owner_id) in enumerate(by_key):
        row = {**key, "namespace": "crm", "key": f"k{n}", "type": "number_integer", "value": n}
        result = write(small_shop, tmp_path, entry, [row])
        assert result.returncode == 0, result.stderr[-3000:]
        assert "mf: 1 created" in summary(result, "mf")
        assert value_of(small_shop, owner_id, key=f"k{n}") == [str(n)]
        again = write(small_shop, tmp_path, entry, [row])
        assert "mf: 1 unchanged" in summary(again, "mf")
    assert operations(small_shop)["TargetMetafieldsSet"] == len(by_key), "a re-run sends no write"
    assert dead_letters(tmp_path) == []
    for document in small_shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


# A warehouse's spellings of values that Shopify stores otherwise (metafieldsSet-value-type-fidelity and
# custom-data-field-type-matrix in the captures).
WAREHOUSE_SPELLINGS = [
    ("boolean", "t"),
    ("boolean", " TRUE "),
    ("number_integer", "5.0"),
    ("number_decimal", "1.1234567891"),
    ("date_time", "2024-01-01T12:30:00.250"),
    ("date_time", "2026-06-25T10:11:12.123+05:30"),
    ("dimension", {"value": 25, "unit": "centimeters"}),
    ("weight", '{"value": 2.5, "unit": "kg"}'),
    ("rating", {"value": "3.5", "scale_min": "1.0", "scale_max": "5.0"}),
    ("list.number_decimal", [10.4]),
    ("list.dimension", [{"value": 25, "unit": "centimeters"}]),
    ("list.date_time", ["2024-01-01T12:30:00"]),
]


def spelled(n: int, type_: str, value: Any) -> dict[str, Any]:
    return {"namespace": "norm", "key": f"k{n}", "type": type_, "value": value}


def test_values_shopify_normalises_are_written_once(small_shop: Running, tmp_path: Path) -> None:
    """The first run sets each value; Shopify stores another spelling of it, and the second run finds it
    there: no metafieldsSet, every record unchanged."""
    customer = owners(small_shop)["customers"]["nodes"][2]
    rows = [{"owner_id": customer["id"], **spelled(n, *pair)} for n, pair in enumerate(WAREHOUSE_SPELLINGS)]
    first = write(small_shop, tmp_path, {"match_on": "owner_id"}, rows)
    assert first.returncode == 0, first.stderr[-3000:]
    assert f"mf: {len(rows)} created" in summary(first, "mf")
    stored = {m["key"]: m["value"] for m in held(small_shop, customer["id"]) if m["namespace"] == "norm"}
    assert stored["k0"] == "true" and stored["k2"] == "5" and stored["k6"] == '{"value":25.0,"unit":"CENTIMETERS"}'
    sets = operations(small_shop)["TargetMetafieldsSet"]
    again = write(small_shop, tmp_path, {"match_on": "owner_id"}, rows)
    assert f"mf: {len(rows)} unchanged" in summary(again, "mf")
    assert operations(small_shop)["TargetMetafieldsSet"] == sets, "the re-run sends no metafieldsSet"


@pytest.mark.parametrize("object_", ["customer", "product"])
def test_an_owner_s_metafields_that_shopify_normalised_are_not_written_again(
    small_shop: Running, tmp_path: Path, object_: str
) -> None:
    """A customer's or product's `metafields` are compared as values of their types too."""
    metafields = [spelled(n, *pair) for n, pair in enumerate(WAREHOUSE_SPELLINGS)]
    record = (
        {"email": "normalised@example.com", "metafields": metafields}
        if object_ == "customer"
        else {"handle": "normalised", "title": "Normalised", "metafields": metafields}
    )
    streams = {"owners": {"object": object_, "match_on": "email" if object_ == "customer" else "handle"}}
    cfg = target_config(small_shop, tmp_path, streams=streams)
    first = run_target(tmp_path, cfg, messages("owners", [record]))
    assert first.returncode == 0, first.stderr[-3000:]
    sets = operations(small_shop)["TargetMetafieldsSet"]
    again = run_target(tmp_path, cfg, messages("owners", [record]))
    assert "owners: 1 unchanged" in summary(again, "owners")
    assert operations(small_shop)["TargetMetafieldsSet"] == sets, "the re-run sends no metafieldsSet"


@pytest.mark.parametrize(
    ("entry", "owner_of"),
    [
        ({"match_on": "email"}, lambda found: (found["customers"]["nodes"][0], "email")),
        (
            {"match_on": "handle", "owner_type": "collection"},
            lambda found: (found["collections"]["nodes"][2], "handle"),
        ),
        ({"match_on": "sku"}, lambda found: (found["products"]["nodes"][1]["variants"]["nodes"][0], "sku")),
        ({"match_on": "name"}, lambda found: (found["orders"]["nodes"][0], "name")),
    ],
)
def test_owners_found_in_an_export_as_by_lookups(
    small_shop: Running, tmp_path: Path, entry: dict[str, Any], owner_of: Any
) -> None:
    owner, field = owner_of(owners(small_shop))
    rows = [{field: owner[field], **TIER, "value": "gold"}, {field: owner[field], **TIER, "key": "n", "value": "1"}]
    result = write(small_shop, tmp_path, entry, rows, bulk_lookup="export")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mf: 2 created" in summary(result, "mf")
    assert value_of(small_shop, owner["id"]) == ["gold"] and value_of(small_shop, owner["id"], key="n") == ["1"]
    again = write(small_shop, tmp_path, entry, rows, bulk_lookup="export")
    assert "mf: 2 unchanged" in summary(again, "mf")
    assert operations(small_shop)["BulkOperationRunQuery"] == 2 and operations(small_shop)["TargetMetafieldsSet"] == 1


def test_custom_id_owners(small_shop: Running, tmp_path: Path) -> None:
    small_shop.define_custom_id("PRODUCT", "erp", "code")
    product = owners(small_shop)["products"]["nodes"][0]
    small_shop.graphql(
        "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }",
        {"m": [{"ownerId": product["id"], "namespace": "erp", "key": "code", "value": "P-1"}]},
    )
    entry = {"match_on": "custom_id", "custom_id": "erp.code", "owner_type": "product"}
    result = write(small_shop, tmp_path, entry, [{"code": "P-1", **TIER, "value": "gold"}])
    assert "mf: 1 created" in summary(result, "mf")
    assert value_of(small_shop, product["id"]) == ["gold"]


def test_only_what_differs_is_sent_25_a_request(small_shop: Running, tmp_path: Path) -> None:
    customers = owners(small_shop)["customers"]["nodes"][:30]
    first = [{"email": c["email"], **TIER, "value": "silver"} for c in customers[:10]]
    assert write(small_shop, tmp_path, {"match_on": "email"}, first).returncode == 0
    rows = [{"email": c["email"], **TIER, "value": "gold" if n < 5 else "silver"} for n, c in enumerate(customers)]
    result = write(small_shop, tmp_path, {"match_on": "email"}, rows)
    assert result.returncode == 0, result.stderr[-3000:]
    line = summary(result, "mf")
    assert all(part in line for part in ("20 created", "5 updated", "5 unchanged")), line
    # 25 rows to send: one request of 25 (the first run's took one)
    assert operations(small_shop)["TargetMetafieldsSet"] == 2
    assert [value_of(small_shop, c["id"]) for c in customers] == [["gold"]] * 5 + [["silver"]] * 25


def test_bad_rows_fail_alone_naming_their_key_and_field(small_shop: Running, tmp_path: Path) -> None:
    customers = owners(small_shop)["customers"]["nodes"]
    held_type = {"email": customers[0]["email"], "namespace": "crm", "key": "visits", "type": "number_integer"}
    assert write(small_shop, tmp_path, {"match_on": "email"}, [{**held_type, "value": "3"}]).returncode == 0
    rows = [
        {"email": "nobody@example.com", **TIER, "value": "gold"},
        {"email": customers[1]["email"], **TIER, "type": "colour", "value": "gold"},
        {"email": customers[2]["email"], "namespace": "crm", "value": "gold"},
        # no type in the row: the shop's (number_integer) refuses it, in Shopify's words
        {"email": customers[0]["email"], "namespace": "crm", "key": "visits", "value": "many"},
        {"email": customers[3]["email"], **TIER, "value": "gold"},
    ]
    result = write(small_shop, tmp_path, {"match_on": "email"}, rows)
    assert result.returncode == 1
    assert "mf: 1 created" in summary(result, "mf")
    letters = {letter["key"]: letter for letter in dead_letters(tmp_path)}
    assert letters["nobody@example.com/crm.tier"]["error"] == "no customer with email 'nobody@example.com'"
    assert "type 'colour' is not a Shopify metafield type" in letters[f"{customers[1]['email']}/crm.tier"]["error"]
    assert letters[f"{customers[2]['email']}/crm.None"]["error"].startswith("key is missing")
    refused = letters[f"{customers[0]['email']}/crm.visits"]
    assert refused["userErrors"][0]["field"][-1] == "value"
    assert value_of(small_shop, customers[3]["id"]) == ["gold"], "the good row in the same request is written"
    assert value_of(small_shop, customers[0]["id"], key="visits") == ["3"]


def concurrent_change(shop: Running, owner_id: str, times: int) -> None:
    """Before each of the target's metafieldsSet, someone else sets the metafield, as an app or a
    merchant would between the target's read and its write."""
    run = shop.emulator.api.run
    changed: list[int] = []

    def with_a_change(body: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if "TargetMetafieldsSet" in str(body.get("query")) and len(changed) < times:
            other = {"ownerId": owner_id, **TIER, "value": f"other-{len(changed)}"}
            query = "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { field } } }"
            run({"query": query, "variables": {"m": [other]}}, *args, **kwargs)
            changed.append(1)
        return run(body, *args, **kwargs)

    shop.emulator.api.run = with_a_change  # type: ignore[method-assign]


def test_a_change_between_read_and_write_is_read_again_not_overwritten_blindly(
    small_shop: Running, tmp_path: Path
) -> None:
    customer = owners(small_shop)["customers"]["nodes"][0]
    concurrent_change(small_shop, customer["id"], times=1)
    result = write(
        small_shop, tmp_path, {"match_on": "owner_id"}, [{"owner_id": customer["id"], **TIER, "value": "gold"}]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mf: 1 created" in summary(result, "mf")
    assert operations(small_shop)["TargetMetafieldsSet"] == 2, "stale once, then sent with the new digest"
    assert value_of(small_shop, customer["id"]) == ["gold"]


def test_a_metafield_that_keeps_changing_fails_after_bounded_reads(small_shop: Running, tmp_path: Path) -> None:
    customer, other = owners(small_shop)["customers"]["nodes"][:2]
    concurrent_change(small_shop, customer["id"], times=100)
    rows = [{"owner_id": c["id"], **TIER, "value": "gold"} for c in (customer, other)]
    result = write(small_shop, tmp_path, {"match_on": "owner_id"}, rows)
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["key"] == f"{customer['id']}/crm.tier"
    assert f"kept changing while it was written ({STALE_READS + 1} reads" in letter["error"]
    assert value_of(small_shop, other["id"]) == ["gold"], "the other row is applied"


def test_deletes_where_the_stream_allows_them(small_shop: Running, tmp_path: Path) -> None:
    customers = owners(small_shop)["customers"]["nodes"][:3]
    rows = [{"email": c["email"], **TIER, "value": "gold"} for c in customers]
    assert write(small_shop, tmp_path, {"match_on": "email"}, rows).returncode == 0
    gone = [{"email": c["email"], **TIER, "_sdc_deleted_at": "2026-01-01T00:00:00Z"} for c in customers[:2]]
    refused = write(small_shop, tmp_path, {"match_on": "email"}, gone)
    assert refused.returncode == 1
    assert all("set streams.mf.allow_deletes to true" in letter["error"] for letter in dead_letters(tmp_path))
    assert [value_of(small_shop, c["id"]) for c in customers] == [["gold"]] * 3
    allowed = {"match_on": "email", "allow_deletes": True}
    result = write(small_shop, tmp_path, allowed, gone)
    assert "mf: 2 deleted" in summary(result, "mf")
    assert [value_of(small_shop, c["id"]) for c in customers] == [[], [], ["gold"]]
    again = write(small_shop, tmp_path, allowed, gone)
    assert "mf: 2 unchanged" in summary(again, "mf") and operations(small_shop)["TargetMetafieldsDelete"] == 1


def test_a_dry_run_reports_and_writes_nothing(small_shop: Running, tmp_path: Path) -> None:
    customers = owners(small_shop)["customers"]["nodes"][:3]
    assert (
        write(
            small_shop, tmp_path, {"match_on": "email"}, [{"email": customers[0]["email"], **TIER, "value": "a"}]
        ).returncode
        == 0
    )
    rows = [{"email": c["email"], **TIER, "value": "b"} for c in customers[:2]]
    rows.append({"email": customers[2]["email"], **TIER, "_sdc_deleted_at": "2026-01-01T00:00:00Z"})
    rows.append({"email": customers[0]["email"], "namespace": "crm", "key": "gone", "_sdc_deleted_at": "2026"})
    entry = {"match_on": "email", "allow_deletes": True}
    result = write(small_shop, tmp_path, entry, rows, dry_run=True)
    assert result.returncode == 0, result.stderr[-3000:]
    line = summary(result, "mf")
    assert all(part in line for part in ("1 would-update", "1 would-create", "2 unchanged")), line
    assert operations(small_shop)["TargetMetafieldsSet"] == 1
    assert [value_of(small_shop, c["id"]) for c in customers] == [["a"], [], []]


def test_a_big_batch_goes_as_one_bulk_mutation(small_shop: Running, tmp_path: Path) -> None:
    customers = owners(small_shop)["customers"]["nodes"][:30]
    rows = [{"email": c["email"], **TIER, "value": f"v{n}"} for n, c in enumerate(customers)]
    result = write(small_shop, tmp_path, {"match_on": "email"}, rows, bulk_threshold=10)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mf: 30 created" in summary(result, "mf")
    assert operations(small_shop).get("TargetMetafieldsSet", 0) == 0
    assert operations(small_shop)["BulkOperationRunMutation"] == 1
    assert [value_of(small_shop, c["id"]) for c in customers] == [[f"v{n}"] for n in range(30)]


def test_one_export_serves_every_batch_and_what_it_cannot_say_is_looked_up(small_shop: Running, tmp_path: Path) -> None:
    """Three batches of ten owners, one export; a fourth batch names an owner written since (looked up and
    updated, not created again from what the export said) and an owner the export does not hold (looked
    up, then failed as missing)."""
    customers = [c for c in owners(small_shop)["customers"]["nodes"] if c["email"]][:30]
    rows = [{"email": c["email"], **TIER, "value": f"v{n}"} for n, c in enumerate(customers)]
    rows += [
        {"email": customers[0]["email"], **TIER, "value": "again"},
        {"email": "nobody@example.com", **TIER, "value": "x"},
    ]
    result = write(small_shop, tmp_path, {"match_on": "email"}, rows, bulk_lookup="export", batch_size_rows=10)
    assert result.returncode == 1  # nobody@
    assert "mf: 30 created, 1 failed, 1 updated" in summary(result, "mf")
    assert [letter["key"] for letter in dead_letters(tmp_path)] == ["nobody@example.com/crm.tier"]
    assert operations(small_shop)["BulkOperationRunQuery"] == 1
    assert operations(small_shop)["TargetMetafieldOwners"] == 1  # the fourth batch's two rows, in one query
    assert value_of(small_shop, customers[0]["id"]) == ["again"]
    assert [value_of(small_shop, c["id"]) for c in customers[1:]] == [[f"v{n}"] for n in range(1, 30)]


def test_another_stream_s_writes_drop_the_export(small_shop: Running, tmp_path: Path) -> None:
    """A customer the run's customer stream creates between two batches of metafields: the second batch
    exports again (that stream may have moved keys the first export joined on) and finds it there."""
    customers = [c for c in owners(small_shop)["customers"]["nodes"] if c["email"]][:19]
    rows = [{"email": c["email"], **TIER, "value": "gold"} for c in customers]
    late = {"email": "late@example.com", **TIER, "value": "new"}
    mf, crm = messages("mf", [*rows[:10], *rows[10:], late]), messages("crm", [{"email": "late@example.com"}])
    lines = [mf[0], crm[0], *mf[1:11], *crm[1:2], *mf[11:], crm[-1]]  # the customer between the batches
    streams = {"mf": {"object": "metafield", "match_on": "email"}, "crm": {"object": "customer", "match_on": "email"}}
    cfg = target_config(small_shop, tmp_path, streams=streams, bulk_lookup="export", batch_size_rows=10)
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mf: 20 created" in summary(result, "mf") and "crm: 1 created" in summary(result, "crm")
    assert operations(small_shop)["BulkOperationRunQuery"] == 2
    assert operations(small_shop).get("TargetMetafieldOwners", 0) == 0
    assert value_of(small_shop, customer_id(small_shop, "late@example.com")) == ["new"]


def customer_id(shop: Running, email: str) -> str:
    found = shop.graphql(
        "query($e: String!) { customerByIdentifier(identifier: {emailAddress: $e}) { id } }", {"e": email}
    )
    return str(found["data"]["customerByIdentifier"]["id"])


def test_lost_answers_after_commit_leave_every_value_as_asked_once(small_shop: Running, tmp_path: Path) -> None:
    customers = [c for c in owners(small_shop)["customers"]["nodes"] if c["email"]]
    seeded = [{"email": c["email"], **TIER, "value": "old"} for c in customers[:20]]
    assert write(small_shop, tmp_path, {"match_on": "email"}, seeded).returncode == 0
    rows = [{"email": c["email"], **TIER, "value": "new"} for c in customers] + [
        {"email": c["email"], "namespace": "crm", "key": f"extra{k}", "value": str(k), "type": "number_integer"}
        for c in customers
        for k in range(2)
    ]
    # every tenth answer lost after the shop applied the request; batches of 10 rows make many requests
    inject(small_shop, [{"kind": "truncated", "every": 10, "after": True}])
    result = write(small_shop, tmp_path, {"match_on": "email"}, rows, batch_size_rows=10)
    fired = faults_fired(small_shop)
    inject(small_shop, [])
    assert result.returncode == 0, result.stderr[-3000:]
    assert fired >= 2 and "looking the metafields up again" in result.stderr, result.stderr[-3000:]
    line = summary(result, "mf")
    assert all(part in line for part in (f"{len(customers) * 3 - 20} created", "20 updated")), line
    for customer in customers:
        values = sorted((m["key"], m["value"]) for m in held(small_shop, customer["id"]) if m["namespace"] == "crm")
        assert values == [("extra0", "0"), ("extra1", "1"), ("tier", "new")]
    assert dead_letters(tmp_path) == []
