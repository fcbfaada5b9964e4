"""target-shopify-admin against the emulator, run on Singer messages (tests/helpers.py: in this process)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
import requests
from graphql import parse, validate

from shopify_admin.cost import requested_cost
from target_shopify_admin.objects.customer import CustomerGateway

from ..conftest import TOKEN, Running
from ..helpers import (
    NEW_CUSTOMER,
    NEW_PRODUCT,
    customer,
    dead_letters,
    described,
    messages,
    product,
    requests_of,
    run_target,
    summary,
    target_config,
    writes_sent,
)


def seeded_customers(shop: Running) -> list[dict]:
    query = "{ customers(first: 50) { nodes { id email phone firstName numberOfOrders } } }"
    return shop.graphql(query)["data"]["customers"]["nodes"]


def test_customer_upsert_by_email_creates_then_updates_then_changes_nothing(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams={"crm": {"object": "customer", "match_on": "email"}})
    first = run_target(tmp_path, cfg, messages("crm", [NEW_CUSTOMER], {"bookmark": 1}))
    assert first.returncode == 0, first.stderr
    assert "crm: 1 created" in summary(first, "crm")
    assert json.loads(first.stdout.splitlines()[-1]) == {"bookmark": 1}
    created = customer(shop, emailAddress="ada@example.com")
    assert created and created["firstName"] == "Ada" and sorted(created["tags"]) == ["crm", "vip"]

    changed = {**NEW_CUSTOMER, "note": "met at the conference"}
    second = run_target(tmp_path, cfg, messages("crm", [changed]))
    assert "crm: 1 updated" in summary(second, "crm")
    updated = customer(shop, emailAddress="ada@example.com")
    assert updated and updated["id"] == created["id"] and updated["note"] == "met at the conference"

    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, messages("crm", [changed]))
    assert again.returncode == 0 and "crm: 1 unchanged" in summary(again, "crm")
    assert writes_sent(shop) == before


def test_tap_shaped_customers_round_trip_unchanged(shop: Running, tmp_path: Path) -> None:
    """Records as tap-shopify-admin emits them (defaultEmailAddress, addresses) match the shop they came from."""
    query = """{ customers(first: 20) { nodes { id firstName lastName note tags taxExempt locale
      defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
      addresses { id address1 address2 city company country countryCodeV2 province provinceCode zip phone
      firstName lastName } } } }"""
    rows = shop.graphql(query)["data"]["customers"]["nodes"]
    result = run_target(tmp_path, target_config(shop, tmp_path), messages("customers", rows))
    assert result.returncode == 0, result.stderr
    assert f"customers: {len(rows)} unchanged" in summary(result, "customers")
    assert writes_sent(shop) == 0


def test_customer_create_and_update_actions_resolve_by_lookup(shop: Running, tmp_path: Path) -> None:
    existing = seeded_customers(shop)[0]
    creating = target_config(
        shop, tmp_path, streams={"c": {"object": "customer", "action": "create", "match_on": "email"}}
    )
    result = run_target(tmp_path, creating, messages("c", [{"email": existing["email"]}, NEW_CUSTOMER]))
    assert result.returncode == 1
    assert [d["error"] for d in dead_letters(tmp_path)] == [
        f"a customer with email {existing['email']!r} already exists ({existing['id']})"
    ]
    assert customer(shop, emailAddress=NEW_CUSTOMER["email"])

    (tmp_path / "dead.jsonl").unlink()
    updating = target_config(
        shop, tmp_path, streams={"c": {"object": "customer", "action": "update", "match_on": "id"}}
    )
    rows = [{"id": existing["id"], "note": "updated"}, {"id": "gid://shopify/Customer/999999999", "note": "x"}]
    result = run_target(tmp_path, updating, messages("c", rows))
    assert result.returncode == 1 and "c: 1 failed, 1 updated" in summary(result, "c")
    assert dead_letters(tmp_path)[0]["error"] == "no customer with id 'gid://shopify/Customer/999999999' to update"
    assert customer(shop, id=existing["id"])["note"] == "updated"  # type: ignore[index]


def test_customer_match_on_phone_and_custom_id(shop: Running, tmp_path: Path) -> None:
    with_phone = next(c for c in seeded_customers(shop) if c["phone"])
    streams = {
        "by_phone": {"object": "customer", "match_on": "phone"},
        "by_crm_id": {"object": "customer", "match_on": "custom_id", "custom_id": "custom.crm_id"},
    }
    cfg = target_config(shop, tmp_path, streams=streams)
    lines = messages("by_phone", [{"phone": with_phone["phone"], "note": "by phone"}])
    lines += messages("by_crm_id", [{"crm_id": "CRM-1", "email": "crm1@example.com", "firstName": "Crm"}])
    shop.define_custom_id("CUSTOMER", "custom", "crm_id")
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 0, result.stderr
    assert customer(shop, id=with_phone["id"])["note"] == "by phone"  # type: ignore[index]
    created = customer(shop, customId={"namespace": "custom", "key": "crm_id", "value": "CRM-1"})
    assert created and created["firstName"] == "Crm"

    again = run_target(tmp_path, cfg, messages("by_crm_id", [{"crm_id": "CRM-1", "firstName": "Renamed"}]))
    assert "by_crm_id: 1 updated" in summary(again, "by_crm_id")
    assert customer(shop, id=created["id"])["firstName"] == "Renamed"  # type: ignore[index]


def test_customer_marketing_consent_applied_after_the_set_then_unchanged(shop: Running, tmp_path: Path) -> None:
    row = {
        **NEW_CUSTOMER,
        "phone": "+14155550123",
        "defaultEmailAddress": {"emailAddress": NEW_CUSTOMER["email"], "marketingState": "SUBSCRIBED"},
        "smsMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN"},
    }
    del row["email"]
    cfg = target_config(shop, tmp_path, streams={"crm": {"object": "customer", "match_on": "email"}})
    first = run_target(tmp_path, cfg, messages("crm", [row]))
    assert first.returncode == 0, first.stderr
    assert "crm: 1 created" in summary(first, "crm")
    query = """query($i: CustomerIdentifierInput!) { customerByIdentifier(identifier: $i) {
      emailMarketingConsent { marketingState marketingOptInLevel }
      smsMarketingConsent { marketingState marketingOptInLevel } } }"""
    consent = shop.graphql(query, {"i": {"emailAddress": NEW_CUSTOMER["email"]}})["data"]["customerByIdentifier"]
    assert consent == {
        "emailMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"},
        "smsMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN"},
    }
    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, messages("crm", [row]))
    assert again.returncode == 0 and "crm: 1 unchanged" in summary(again, "crm")
    assert writes_sent(shop) == before

    unsubscribed = {**row, "smsMarketingConsent": {"marketingState": "UNSUBSCRIBED"}}
    third = run_target(tmp_path, cfg, messages("crm", [unsubscribed]))
    assert "crm: 1 updated" in summary(third, "crm")
    consent = shop.graphql(query, {"i": {"emailAddress": NEW_CUSTOMER["email"]}})["data"]["customerByIdentifier"]
    assert consent["smsMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    assert consent["emailMarketingConsent"]["marketingState"] == "SUBSCRIBED"
    assert writes_sent(shop) == before + 2  # the customerSet and the SMS consent only


def test_customer_deletes(shop: Running, tmp_path: Path) -> None:
    customers = seeded_customers(shop)
    with_orders = next(c for c in customers if c["numberOfOrders"] != "0")
    without_orders = next(c for c in customers if c["numberOfOrders"] == "0")
    rows = [{"id": without_orders["id"], "_sdc_deleted_at": "2026-01-01T00:00:00Z"}, {"id": with_orders["id"]}]
    refused = run_target(
        tmp_path,
        target_config(shop, tmp_path, streams={"gone": {"object": "customer", "action": "delete"}}),
        messages("gone", rows),
    )
    assert refused.returncode == 1
    assert {d["error"] for d in dead_letters(tmp_path)} == {"delete refused: set streams.gone.allow_deletes to true"}
    assert customer(shop, id=without_orders["id"])

    (tmp_path / "dead.jsonl").unlink()
    allowed = target_config(
        shop, tmp_path, streams={"gone": {"object": "customer", "action": "delete", "allow_deletes": True}}
    )
    result = run_target(tmp_path, allowed, messages("gone", rows))
    assert result.returncode == 1 and "gone: 1 deleted, 1 failed" in summary(result, "gone")
    assert customer(shop, id=without_orders["id"]) is None
    [letter] = dead_letters(tmp_path)
    assert letter["operation"] == "delete" and letter["key"] == with_orders["id"]
    assert letter["userErrors"] == [
        {"field": ["id"], "message": "Customer can\u2019t be deleted because they have associated orders"}
    ]


def test_products_upsert_by_handle_id_and_custom_id_and_archive(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(
        shop,
        tmp_path,
        streams={
            "catalog": {"object": "product", "match_on": "handle"},
            "by_id": {"object": "product", "match_on": "id"},
            "by_erp": {"object": "product", "match_on": "custom_id", "custom_id": "erp.code"},
            "retired": {"object": "product", "match_on": "handle", "allow_deletes": True, "delete_mode": "archive"},
        },
    )
    result = run_target(tmp_path, cfg, messages("catalog", [NEW_PRODUCT]))
    assert result.returncode == 0, result.stderr
    created = product(shop, handle="analytical-engine")
    assert created and [v["sku"] for v in created["variants"]["nodes"]] == ["AE-S", "AE-L"]
    assert [v["price"] for v in created["variants"]["nodes"]] == ["10.00", "12.50"]

    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, messages("catalog", [NEW_PRODUCT]))
    assert "catalog: 1 unchanged" in summary(again, "catalog") and writes_sent(shop) == before

    lines = messages("by_id", [{"id": created["id"], "vendor": "Ada"}])
    lines += messages("by_erp", [{"code": "ERP-7", "title": "Difference Engine"}])
    shop.define_custom_id("PRODUCT", "erp", "code")
    lines += messages("retired", [{"handle": "analytical-engine", "_sdc_deleted_at": "2026-01-01T00:00:00Z"}])
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 0, result.stderr
    archived = product(shop, id=created["id"])
    assert archived and archived["vendor"] == "Ada" and archived["status"] == "ARCHIVED"
    assert archived["variants"]["nodes"] == created["variants"]["nodes"]  # variants kept their ids
    by_erp = product(shop, customId={"namespace": "erp", "key": "code", "value": "ERP-7"})
    assert by_erp and by_erp["title"] == "Difference Engine"


def test_product_update_and_delete(shop: Running, tmp_path: Path) -> None:
    handle = shop.graphql("{ products(first: 1) { nodes { handle } } }")["data"]["products"]["nodes"][0]["handle"]
    cfg = target_config(
        shop,
        tmp_path,
        streams={
            "edit": {"object": "product", "action": "update", "match_on": "handle"},
            "drop": {"object": "product", "action": "delete", "match_on": "handle", "allow_deletes": True},
        },
    )
    lines = messages("edit", [{"handle": handle, "title": "Renamed"}, {"handle": "no-such-handle", "title": "x"}])
    lines += messages("drop", [{"handle": handle}])
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 1
    assert "edit: 1 failed, 1 updated" in summary(result, "edit") and "drop: 1 deleted" in summary(result, "drop")
    assert dead_letters(tmp_path)[0]["error"] == "no product with handle 'no-such-handle' to update"
    assert product(shop, handle=handle) is None


def test_dry_run_resolves_but_writes_nothing(shop: Running, tmp_path: Path) -> None:
    existing = seeded_customers(shop)[0]
    streams = {"c": {"object": "customer", "match_on": "email", "allow_deletes": True}}
    rows = [
        NEW_CUSTOMER,
        {"email": existing["email"], "note": "changed"},
        {"email": existing["email"], "_sdc_deleted_at": "2026-01-01T00:00:00Z"},
    ]
    result = run_target(tmp_path, target_config(shop, tmp_path, dry_run=True, streams=streams), messages("c", rows))
    assert result.returncode == 0, result.stderr
    assert "c: 1 would-create, 1 would-delete, 1 would-update" in summary(result, "c")
    assert writes_sent(shop) == 0
    assert customer(shop, emailAddress=NEW_CUSTOMER["email"]) is None


BAD_ROWS: list[tuple[str, dict, str]] = [
    ("customers", {"firstName": "No key"}, "the match key 'id' is missing or not a string"),
    ("crm", {"firstName": "No email"}, "the match key 'email' is missing or not a string"),
    ("crm", {"email": "not-an-email", "firstName": "X"}, "Shopify refused the customer"),
    ("crm", {"email": "typed@example.com", "taxExempt": "yes"}, 'taxExempt must be a boolean, not "yes"'),
    ("crm", {"email": "tags@example.com", "tags": [1, 2]}, "tags item must be a string, not 1"),
    ("edit", {"handle": "unknown-handle", "title": "x"}, "no product with handle 'unknown-handle' to update"),
    ("nowhere", {"id": "x"}, "stream 'nowhere' maps to no Shopify object: set streams.nowhere.object"),
    ("orders", {"id": "gid://shopify/Order/1"}, "and matching on id cannot create one"),
    ("catalog", {"handle": "bad-price", "title": "P", "variants": [{"price": "abc", "selectedOptions": [
        {"name": "Size", "value": "S"}]}]}, 'variants[0].price must be a finite decimal amount, not "abc"'),
    ("catalog", {"handle": "bad-status", "title": "P", "status": "BOGUS"}, "Shopify returned errors"),
    ("crm", {"email": "phone@example.com", "phone": "12"}, "Phone is invalid"),
    ("crm", {"email": "note@example.com", "note": "n" * 5001}, "Note is too long (maximum is 5000 characters)"),
    ("crm", {"email": "tag@example.com", "tags": ["t" * 256]}, "Tags is too long (maximum is 255 characters)"),
    ("crm", {"email": "e" * 250 + "@example.com"}, "Email is too long (maximum is 255 characters)"),
    ("crm", {"email": "xx@example.com", "addresses": [{"countryCode": "XX", "city": "Nowhere"}]},
     "Shopify returned errors: Variable $input of type CustomerSetInput! was provided invalid value for "
     'addresses.0.countryCode (Expected "XX" to be one of: AF, AX,'),
    ("crm", {"email": "addr@example.com", "addresses": ["1 Main St"]},
     'addresses must be a list of objects, not a list holding "1 Main St"'),
    ("crm", {"email": "land@example.com", "addresses": [{"country": "Atlantis"}]},
     "addresses[0].countryCodeV2 is required: Shopify takes a country code, not 'Atlantis'"),
    ("crm", {"email": "sms@example.com", "smsMarketingConsent": {"marketingState": "SUBSCRIBED"}},
     "A phone number is required to set the SMS consent state."),
    ("crm", {"email": "pending@example.com", "defaultEmailAddress": {"emailAddress": "pending@example.com",
     "marketingState": "PENDING", "marketingOptInLevel": "SINGLE_OPT_IN"}},
     "Marketing opt in level must be confirmed opt-in for pending consent state"),
    ("crm", {"email": "name@example.com", "firstName": 7}, "firstName must be a string, not 7"),
    ("crm", {"_sdc_deleted_at": "2026-01-01T00:00:00Z"}, "delete refused: set streams.crm.allow_deletes to true"),
    ("upd", {"id": "gid://shopify/Customer/999999", "note": "x"},
     "no customer with id 'gid://shopify/Customer/999999' to update"),
    ("catalog", {"handle": "dup-options", "title": "P", "options": [{"name": "Size", "values": ["S"]}],
     "variants": [{"selectedOptions": [{"name": "Size", "value": "S"}]},
                  {"selectedOptions": [{"name": "Size", "value": "S"}]}]},
     "The variant 'S' already exists. Please change at least one option value."),
]  # fmt: skip


def test_bad_input_fails_per_record_while_the_rest_is_applied(shop: Running, tmp_path: Path) -> None:
    streams = {
        "crm": {"object": "customer", "match_on": "email"},
        "edit": {"object": "product", "action": "update", "match_on": "handle"},
        "catalog": {"object": "product", "match_on": "handle"},
        "upd": {"object": "customer", "action": "update"},
    }
    lines = [line for stream, row, _ in BAD_ROWS for line in messages(stream, [row])]
    lines += messages("crm", [{**NEW_CUSTOMER, "email": "good@example.com"}]) + messages("catalog", [NEW_PRODUCT])
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    assert result.returncode == 1
    letters = dead_letters(tmp_path)

    def named(stream: str, record: dict) -> str:  # sinks drain stream by stream, so letters come in that order
        return json.dumps([stream, {k: v for k, v in record.items() if k != "_sdc_deleted_at"}], sort_keys=True)

    by_row = {named(letter["stream"], letter["record"]): letter for letter in letters}
    assert len(letters) == len(by_row) == len(BAD_ROWS)
    for stream, row, message in BAD_ROWS:
        letter = by_row[named(stream, row)]
        assert letter["record"].keys() == row.keys()
        assert message in described(letter), letter
    invalid_email = by_row[named(*BAD_ROWS[2][:2])]
    assert invalid_email["userErrors"] == [
        {"field": ["input", "email"], "code": "INVALID", "message": "Email is invalid"}
    ]
    assert customer(shop, emailAddress="good@example.com") and product(shop, handle=NEW_PRODUCT["handle"])
    assert TOKEN not in (tmp_path / "dead.jsonl").read_text() and TOKEN not in result.stderr


def test_max_failures_stops_the_run(shop: Running, tmp_path: Path) -> None:
    rows = [{"firstName": "no key"}] * 3 + [NEW_CUSTOMER]
    cfg = target_config(shop, tmp_path, max_failures=2, streams={"crm": {"object": "customer", "match_on": "email"}})
    result = run_target(tmp_path, cfg, messages("crm", rows, {"never": "emitted"}))
    assert result.returncode == 1 and "stopping after 2 failed records" in result.stderr
    assert len(dead_letters(tmp_path)) == 2 and "never" not in result.stdout
    assert customer(shop, emailAddress=NEW_CUSTOMER["email"]) is None


def test_every_document_sent_validates_against_the_real_schema(shop: Running, tmp_path: Path, real_schema) -> None:
    streams = {
        "c": {"object": "customer", "match_on": "email", "allow_deletes": True},
        "p": {"object": "product", "match_on": "handle", "allow_deletes": True},
        "a": {"object": "product", "match_on": "handle", "allow_deletes": True, "delete_mode": "archive"},
    }
    deleted = {"_sdc_deleted_at": "2026-01-01T00:00:00Z"}
    subscribed = {**NEW_CUSTOMER, "defaultEmailAddress": {"marketingState": "SUBSCRIBED"}}
    lines = messages("c", [subscribed, {"email": NEW_CUSTOMER["email"], **deleted}])
    lines += messages("p", [NEW_PRODUCT, {"handle": NEW_PRODUCT["handle"], **deleted}])
    lines += messages("a", [{**NEW_PRODUCT, "handle": "x"}, {"handle": "x", **deleted}])
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    assert result.returncode == 0, result.stderr
    documents = shop.emulator.api.documents()
    assert sum("mutation Target" in d for d in documents) == 5  # with the email consent update
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


def test_records_are_written_concurrently_and_each_object_sees_its_records_in_order(
    shop: Running, tmp_path: Path
) -> None:
    """Every request takes 0.2 s (the emulator's `slow` fault): writes overlap, up to concurrent_writes,
    while three records for one customer still apply in their order."""
    crm = {"crm": {"object": "customer", "match_on": "email"}}
    rows = [{"email": f"parallel-{n}@example.com", "firstName": f"P{n}"} for n in range(8)]
    rows += [{"email": "Parallel-0@example.com", "note": f"step {n}"} for n in range(1, 4)]
    peaks = []
    requests.post(f"{shop.url}/__emulator/faults", json=[{"kind": "slow", "every": 1, "seconds": 0.2}], timeout=10)
    try:
        for workers, lines in ((4, messages("crm", rows)), (1, messages("crm", [{**rows[1], "note": "x"}, rows[2]]))):
            requests.post(f"{shop.url}/__emulator/stats/reset", timeout=10).raise_for_status()
            result = run_target(tmp_path, target_config(shop, tmp_path, streams=crm, concurrent_writes=workers), lines)
            assert result.returncode == 0, result.stderr
            peaks.append(requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["peak_concurrent_graphql"])
    finally:
        requests.post(f"{shop.url}/__emulator/faults", json=[], timeout=10).raise_for_status()
    assert "crm: 1 unchanged, 1 updated" in summary(result, "crm")
    assert 2 <= peaks[0] <= 4 and peaks[1] == 1, peaks
    assert customer(shop, emailAddress="parallel-0@example.com")["note"] == "step 3"  # type: ignore[index]


def test_custom_id_without_its_definition_fails_every_record_saying_what_to_do(
    shop: Running, tmp_path: Path, real_schema
) -> None:
    """Shopify answers every lookup by a custom id with an error until the owner type has a metafield
    definition of type id for it: checked once per stream, the records fail without a request each."""
    shop.graphql(
        'mutation { metafieldDefinitionCreate(definition: {ownerType: PRODUCT, namespace: "pim", key: "label",'
        ' name: "Label", type: "single_line_text_field"}) { userErrors { message } } }'
    )
    streams = {
        "by_ref": {"object": "product", "match_on": "custom_id", "custom_id": "pim.ref"},
        "by_label": {"object": "product", "match_on": "custom_id", "custom_id": "pim.label", "allow_deletes": True},
    }
    lines = messages("by_ref", [{"ref": f"R-{n}", "title": f"Thing {n}"} for n in range(3)])
    lines += messages("by_label", [{"label": "L-1", "title": "Labelled"}, {"label": "L-2", "_sdc_deleted_at": "x"}])
    cfg = target_config(shop, tmp_path, streams=streams)  # small batches: written concurrent_writes at a time
    requests.post(f"{shop.url}/__emulator/stats/reset", timeout=10).raise_for_status()
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 1
    assert "by_ref: 3 failed" in summary(result, "by_ref") and "by_label: 2 failed" in summary(result, "by_label")
    how = "matching on a custom id needs one of type id (Shopify admin: Settings > Custom data"
    errors = {(letter["stream"], letter["key"]): letter["error"] for letter in dead_letters(tmp_path)}
    assert set(errors) == {*(("by_ref", f"R-{n}") for n in range(3)), ("by_label", "L-1"), ("by_label", "L-2")}
    for (stream, _key), error in errors.items():
        what = "does not exist" if stream == "by_ref" else "is of type single_line_text_field"
        field = stream.removeprefix("by_")
        assert error.startswith(f"streams.{stream}.custom_id: the product metafield definition pim.{field} {what}; ")
        assert how in error
    operations = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    assert {name: op["requests"] for name, op in operations.items()} == {"TargetCustomIdDefinition": 2}
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


@pytest.mark.parametrize("secret", ["access_token"])
def test_refused_token_is_one_line_and_exit_1(shop: Running, tmp_path: Path, secret: str) -> None:
    cfg = {**target_config(shop, tmp_path), secret: "shpat_wrong"}
    result = run_target(tmp_path, cfg, messages("customers", [{"id": "gid://shopify/Customer/1"}]))
    assert result.returncode == 1 and "rejected the access token" in result.stderr
    assert "shpat_wrong" not in result.stderr


def test_a_config_mistake_stops_before_any_write(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams={"crm": {"object": "customer", "match_on": "handle"}})
    result = run_target(tmp_path, cfg, messages("crm", [NEW_CUSTOMER]))
    assert result.returncode == 1
    assert (
        "streams.crm.match_on for a customer must be one of id, email, phone, custom_id, not 'handle'" in result.stderr
    )
    assert writes_sent(shop) == 0


def test_metafields_written_by_metafields_set_leaving_the_others_alone(
    shop: Running, tmp_path: Path, real_schema
) -> None:
    streams = {
        "crm": {"object": "customer", "match_on": "email"},
        "catalog": {"object": "product", "match_on": "handle"},
    }
    loyalty = {"namespace": "crm", "key": "tier", "value": "gold", "type": "single_line_text_field"}
    points = {"namespace": "crm", "key": "points", "value": 120, "type": "number_integer"}
    cfg = target_config(shop, tmp_path, streams=streams)
    rows = [{**NEW_CUSTOMER, "metafields": [loyalty, points]}]
    lines = messages("crm", rows) + messages("catalog", [{**NEW_PRODUCT, "metafields": [loyalty]}])
    first = run_target(tmp_path, cfg, lines)
    assert first.returncode == 0, first.stderr
    assert "crm: 1 created" in summary(first, "crm") and "catalog: 1 created" in summary(first, "catalog")
    read = """query($i: CustomerIdentifierInput!) { customerByIdentifier(identifier: $i) { id
      metafields(first: 10) { nodes { namespace key value type } } } }"""
    created = shop.graphql(read, {"i": {"emailAddress": NEW_CUSTOMER["email"]}})["data"]["customerByIdentifier"]
    assert created["metafields"]["nodes"] == [
        {"namespace": "crm", "key": "tier", "value": "gold", "type": "single_line_text_field"},
        {"namespace": "crm", "key": "points", "value": "120", "type": "number_integer"},
    ]
    held = product(shop, handle=NEW_PRODUCT["handle"])
    assert held
    set_elsewhere = (
        """mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }"""
    )
    other = {
        "ownerId": created["id"],
        "namespace": "shop",
        "key": "note",
        "value": "kept",
        "type": "single_line_text_field",
    }
    assert shop.graphql(set_elsewhere, {"m": [other]})["data"]["metafieldsSet"]["userErrors"] == []

    again = run_target(tmp_path, cfg, lines)
    assert "crm: 1 unchanged" in summary(again, "crm") and "catalog: 1 unchanged" in summary(again, "catalog")

    silver = {**loyalty, "value": "silver"}
    bad = {"namespace": "crm", "key": "points", "value": "many", "type": "number_integer"}
    lines = messages(
        "crm",
        [{"email": NEW_CUSTOMER["email"], "metafields": [silver]}, {"email": "x@example.com", "metafields": [bad]}],
    )
    changed = run_target(tmp_path, cfg, lines)
    assert changed.returncode == 1
    assert "crm: 1 failed, 1 updated" in summary(changed, "crm")
    [letter] = dead_letters(tmp_path)
    assert letter["key"] == "x@example.com" and letter["userErrors"][0]["field"][-1] == "value", letter
    after = shop.graphql(read, {"i": {"emailAddress": NEW_CUSTOMER["email"]}})["data"]["customerByIdentifier"]
    assert [(m["key"], m["value"]) for m in after["metafields"]["nodes"]] == [
        ("tier", "silver"),
        ("points", "120"),
        ("note", "kept"),
    ]
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_a_customer_s_metafields_take_one_lookup_and_no_customer_set_where_nothing_else_changed(
    shop: Running, tmp_path: Path, real_schema
) -> None:
    """A customer the shop holds, only its metafield changed: one query finds it with the metafield the
    record names, and only metafieldsSet is sent; a changed note adds the customerSet; a re-run sends
    nothing."""
    seeded = shop.graphql("{ customers(first: 1) { nodes { defaultEmailAddress { emailAddress } } } }")
    email = seeded["data"]["customers"]["nodes"][0]["defaultEmailAddress"]["emailAddress"]
    tier = {"namespace": "crm", "key": "tier", "type": "single_line_text_field"}
    cfg = target_config(shop, tmp_path, streams={"crm": {"object": "customer", "match_on": "email"}})
    sent = ("TargetCustomerLookupWithMetafields", "TargetCustomerSet", "TargetMetafieldsSet", "TargetMetafields")

    def run(record: dict) -> tuple[str, list[int]]:
        before = [requests_of(shop, name) for name in sent]
        result = run_target(tmp_path, cfg, messages("crm", [record]))
        assert result.returncode == 0, result.stderr[-3000:]
        return summary(result, "crm").split("| ")[-1], [
            requests_of(shop, name) - n for name, n in zip(sent, before, strict=True)
        ]

    gold = {"email": email, "metafields": [{**tier, "value": "gold"}]}
    assert run(gold) == ("crm: 1 updated", [1, 0, 1, 0])
    silver = {"email": email, "note": "moved up", "metafields": [{**tier, "value": "silver"}]}
    assert run(silver) == ("crm: 1 updated", [1, 1, 1, 0])
    assert run(silver) == ("crm: 1 unchanged", [1, 0, 0, 0])
    held = customer(shop, emailAddress=email)
    assert held and held["note"] == "moved up"
    lookups = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"][sent[0]]
    # the metafields connection asks for as many nodes as the record names (one), not Shopify's 250 at most
    cost = partial(requested_cost, CustomerGateway.metafields_lookup_document())
    assert lookups["requested_cost"] == 3 * cost({"first": 1}) < 3 * cost({"first": 250})
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_a_null_field_leaves_the_shops_value_and_an_empty_string_clears_it(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams={"crm": {"object": "customer", "match_on": "email"}})
    email = NEW_CUSTOMER["email"]
    assert run_target(tmp_path, cfg, messages("crm", [{**NEW_CUSTOMER, "note": "keep me"}])).returncode == 0
    nulls = {"email": email, "firstName": None, "note": None, "tags": None, "phone": None}
    result = run_target(tmp_path, cfg, messages("crm", [nulls]))
    assert "crm: 1 unchanged" in summary(result, "crm")
    held = customer(shop, emailAddress=email)
    assert held and (held["firstName"], held["note"], sorted(held["tags"])) == ("Ada", "keep me", ["crm", "vip"])
    result = run_target(tmp_path, cfg, messages("crm", [{"email": email, "note": "", "tags": []}]))
    assert "crm: 1 updated" in summary(result, "crm")
    held = customer(shop, emailAddress=email)
    assert held and not held["note"] and held["tags"] == [] and held["firstName"] == "Ada"
