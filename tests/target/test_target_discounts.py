"""The target's discount and discount_code objects against the emulator: create, update, upsert, delete
and status by each match key, nothing written on a re-run, bad input failing its own record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from graphql import parse, validate

from ..conftest import Running, start
from ..helpers import dead_letters, described, messages, run_target, summary, target_config

WRITE_WORDS = ("Create", "Update", "Activate", "Deactivate", "Delete", "Add")
NEW_CODE = {
    "discountType": "DiscountCodeBasic",
    "code": "SUMMER10",
    "title": "Summer ten",
    "startsAt": "2026-01-01T00:00:00.000Z",
    "combinesWith": {"orderDiscounts": True},
    "customerGets": {"value": {"percentage": 0.1}, "items": {"allItems": True}},
    "status": "ACTIVE",
}
NEW_SHIPPING = {
    "discountType": "DiscountAutomaticFreeShipping",
    "title": "Ships free over 50",
    "startsAt": "2026-01-01T00:00:00Z",
    "minimumRequirement": {"greaterThanOrEqualToSubtotal": {"amount": "50.00"}},
    "destinationSelection": {"allCountries": True},
}
READ = """query($id: ID!) { discountNode(id: $id) { id discount { __typename
  ... on DiscountCodeBasic { title status endsAt codesCount { count }
    customerGets { value { ... on DiscountPercentage { percentage } ... on DiscountAmount { amount { amount } } }
      items { ... on DiscountProducts { products(first: 5) { nodes { id } } } } } }
  ... on DiscountAutomaticFreeShipping { title status maximumShippingPrice { amount } } } } }"""


def operations(shop: Running) -> dict[str, Any]:
    return dict(requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"])


def operation_requests(shop: Running, name: str) -> int:
    return int(operations(shop).get(name, {}).get("requests", 0))


def discount_writes(shop: Running) -> int:
    return sum(
        stats["requests"]
        for name, stats in operations(shop).items()
        if name.startswith("TargetDiscount") and name.endswith(WRITE_WORDS)
    )


def by_code(shop: Running, code: str) -> dict[str, Any] | None:
    node = shop.graphql("query($c: String!) { codeDiscountNodeByCode(code: $c) { id } }", {"c": code})
    found = node["data"]["codeDiscountNodeByCode"]
    return read(shop, found["id"]) if found else None


def read(shop: Running, discount_id: str) -> dict[str, Any]:
    node = shop.graphql(READ, {"id": discount_id})["data"]["discountNode"]
    return {"id": node["id"], **node["discount"]}


def products(shop: Running, count: int) -> list[str]:
    nodes = shop.graphql(f"{{ products(first: {count}) {{ nodes {{ id }} }} }}")["data"]["products"]["nodes"]
    return [n["id"] for n in nodes]


def test_code_discount_by_code_created_updated_deactivated_and_unchanged(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams={"promos": {"object": "discount", "match_on": "code"}})
    first = run_target(tmp_path, cfg, messages("promos", [NEW_CODE]))
    assert first.returncode == 0, first.stderr
    assert "promos: 1 created" in summary(first, "promos")
    created = by_code(shop, "summer10")
    assert created and created["status"] == "ACTIVE" and created["customerGets"]["value"] == {"percentage": 0.1}

    before = discount_writes(shop)
    again = run_target(tmp_path, cfg, messages("promos", [NEW_CODE]))
    assert "promos: 1 unchanged" in summary(again, "promos") and discount_writes(shop) == before

    wanted = products(shop, 2)
    changed = {
        **NEW_CODE,
        "customerGets": {"value": {"amount": {"amount": 5}}, "items": {"products": [{"id": p} for p in wanted]}},
        "status": "EXPIRED",
    }
    second = run_target(tmp_path, cfg, messages("promos", [changed]))
    assert "promos: 1 updated" in summary(second, "promos"), second.stderr
    updated = by_code(shop, "SUMMER10")
    assert updated and updated["id"] == created["id"] and updated["status"] == "EXPIRED"
    assert updated["customerGets"]["value"] == {"amount": {"amount": "5.0"}}
    assert sorted(p["id"] for p in updated["customerGets"]["items"]["products"]["nodes"]) == sorted(wanted)

    before = discount_writes(shop)
    third = run_target(tmp_path, cfg, messages("promos", [changed]))
    assert "promos: 1 unchanged" in summary(third, "promos") and discount_writes(shop) == before
    updates = operation_requests(shop, "TargetDiscountCodeBasicUpdate")
    fourth = run_target(tmp_path, cfg, messages("promos", [{"code": "SUMMER10", "status": "ACTIVE"}]))
    assert "promos: 1 updated" in summary(fourth, "promos")
    assert operation_requests(shop, "TargetDiscountCodeBasicUpdate") == updates  # the status alone: activated
    assert read(shop, created["id"])["status"] == "ACTIVE" and read(shop, created["id"])["endsAt"] is None


def test_automatic_discount_by_title_upserted_then_deleted(shop: Running, tmp_path: Path) -> None:
    """Titles are matched without search, which sees a new discount only after a while (here a minute)."""
    shop.emulator.store.search_lag = 60
    streams = {"auto": {"object": "discount", "match_on": "title", "allow_deletes": True}}
    cfg = target_config(shop, tmp_path, streams=streams)
    assert "auto: 1 created" in summary(run_target(tmp_path, cfg, messages("auto", [NEW_SHIPPING])), "auto")
    capped = {**NEW_SHIPPING, "maximumShippingPrice": {"amount": "20"}}
    assert "auto: 1 updated" in summary(run_target(tmp_path, cfg, messages("auto", [capped])), "auto")
    before = discount_writes(shop)
    assert "auto: 1 unchanged" in summary(run_target(tmp_path, cfg, messages("auto", [capped])), "auto")
    assert discount_writes(shop) == before
    nodes = shop.graphql("{ automaticDiscountNodes(first: 5) { nodes { id automaticDiscount { __typename } } } }")
    [node] = [
        {"id": n["id"]}
        for n in nodes["data"]["automaticDiscountNodes"]["nodes"]
        if n["automaticDiscount"]["__typename"] == "DiscountAutomaticFreeShipping"
    ]  # one, however many runs
    assert read(shop, node["id"])["maximumShippingPrice"] == {"amount": "20.0"}

    gone = {"title": NEW_SHIPPING["title"], "_sdc_deleted_at": "2026-11-01T00:00:00Z"}
    assert "auto: 1 deleted" in summary(run_target(tmp_path, cfg, messages("auto", [gone])), "auto")
    assert shop.graphql("query($id: ID!) { discountNode(id: $id) { id } }", node)["data"]["discountNode"] is None
    assert "auto: 1 unchanged" in summary(run_target(tmp_path, cfg, messages("auto", [gone])), "auto")


def test_match_on_id_updates_and_actions_resolve_by_lookup(shop: Running, tmp_path: Path) -> None:
    seeded = shop.graphql("{ codeDiscountNodes(first: 1, query: \"title:'Ten percent'\") { nodes { id } } }")
    discount_id = seeded["data"]["codeDiscountNodes"]["nodes"][0]["id"]
    streams = {
        "by_id": {"object": "discount"},
        "make": {"object": "discount", "action": "create", "match_on": "code"},
        "edit": {"object": "discount", "action": "update", "match_on": "code"},
    }
    lines = messages("by_id", [{"id": discount_id, "title": "Ten percent off"}])
    lines += messages("by_id", [{"id": "gid://shopify/DiscountCodeNode/1", "title": "Nothing"}])
    lines += messages("make", [{**NEW_CODE, "code": "WELCOME10"}])
    lines += messages("edit", [{**NEW_CODE, "code": "NOSUCHCODE"}])
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    assert "by_id: 1 failed, 1 updated" in summary(result, "by_id")
    assert read(shop, discount_id)["title"] == "Ten percent off"
    errors = {letter["stream"]: letter["error"] for letter in dead_letters(tmp_path)}
    assert "matching on id cannot create one" in errors["by_id"]
    assert errors["make"] == f"a discount with code 'WELCOME10' already exists ({discount_id})"
    assert errors["edit"] == "no discount with code 'NOSUCHCODE' to update"


def test_bad_discounts_fail_per_record_naming_key_and_field(shop: Running, tmp_path: Path) -> None:
    rows = [
        (
            {**NEW_CODE, "code": "BAD1", "customerGets": {"value": {"percentage": "ten"}}},
            "customerGets.value.percentage",
        ),
        ({**NEW_CODE, "code": "BAD2", "discountType": "DiscountCodeBxgy"}, "discountType must be one of"),
        ({k: v for k, v in NEW_CODE.items() if k != "startsAt"} | {"code": "BAD3"}, "startsAt is required"),
        ({**NEW_CODE, "code": "BAD4", "customerGets": {"value": {"percentage": 1.5}}}, "Value must be between 0.0"),
        ({**NEW_CODE, "code": "BAD5", "endsAt": "2025-01-01T00:00:00Z"}, "Ends at needs to be after starts_at"),
        ({**NEW_CODE, "code": "BAD6", "startsAt": "soon"}, "startsAt must be an ISO 8601 date-time"),
    ]
    cfg = target_config(shop, tmp_path, streams={"promos": {"object": "discount", "match_on": "code"}})
    good = {**NEW_CODE, "code": "GOOD1"}
    result = run_target(tmp_path, cfg, messages("promos", [row for row, _ in rows] + [good]))
    assert result.returncode == 1
    assert "promos: 1 created, 6 failed" in summary(result, "promos")
    letters = {letter["key"]: described(letter) for letter in dead_letters(tmp_path)}
    for row, expected in rows:
        assert expected in letters[row["code"]], letters[row["code"]]
    assert by_code(shop, "GOOD1") is not None and by_code(shop, "BAD4") is None


def test_redeem_codes_added_in_bulk_then_unchanged_then_deleted(shop: Running, tmp_path: Path) -> None:
    """Two jobs of codes, polled to their end; refused codes fail their own records with Shopify's reason."""
    seeded = shop.graphql("{ codeDiscountNodes(first: 1, query: \"title:'Free shipping'\") { nodes { id } } }")
    discount_id = seeded["data"]["codeDiscountNodes"]["nodes"][0]["id"]
    rows = [{"code": f"BULK{i:04}", "discountId": discount_id} for i in range(300)]
    rows += [{"code": "BAD\nCODE", "discountId": discount_id}, {"code": "WELCOME10", "discountId": discount_id}]
    rows += [{"code": "ORPHAN", "discountId": "not-an-id"}]
    streams = {"codes": {"object": "discount_code", "allow_deletes": True}}
    cfg = target_config(shop, tmp_path, streams=streams)
    result = run_target(tmp_path, cfg, messages("codes", rows))
    assert "codes: 300 created, 3 failed" in summary(result, "codes"), result.stderr
    letters = {letter["key"]: described(letter) for letter in dead_letters(tmp_path)}
    assert "cannot contain newline characters." in letters["BAD\nCODE"]
    assert "must be unique. Please try a different code." in letters["WELCOME10"]
    assert "discountId must be the id of a code discount" in letters["ORPHAN"]
    assert read(shop, discount_id) and count_codes(shop, discount_id) == 301

    before = discount_writes(shop)
    again = run_target(tmp_path, cfg, messages("codes", rows[:300]))
    assert "codes: 300 unchanged" in summary(again, "codes") and discount_writes(shop) == before
    gone = [{**row, "_sdc_deleted_at": "2026-11-01T00:00:00Z"} for row in rows[:10]]
    assert "codes: 10 deleted" in summary(run_target(tmp_path, cfg, messages("codes", gone)), "codes")
    assert count_codes(shop, discount_id) == 291


def count_codes(shop: Running, discount_id: str) -> int:
    query = (
        "query($id: ID!) { codeDiscountNode(id: $id) {"
        " codeDiscount { ... on DiscountCodeFreeShipping { codesCount { count } } } } }"
    )
    return int(
        shop.graphql(query, {"id": discount_id})["data"]["codeDiscountNode"]["codeDiscount"]["codesCount"]["count"]
    )


def test_every_discount_document_validates_against_the_real_schema(shop: Running, tmp_path: Path, real_schema) -> None:
    streams = {"promos": {"object": "discount", "match_on": "code", "allow_deletes": True}}
    streams |= {
        "auto": {"object": "discount", "match_on": "title"},
        "codes": {"object": "discount_code", "allow_deletes": True},
    }
    discount_id = by_code_id(shop, "WELCOME10")
    lines = messages(
        "promos", [NEW_CODE, {**NEW_CODE, "status": "EXPIRED"}, {"code": "SUMMER10", "_sdc_deleted_at": "x"}]
    )
    lines += messages("auto", [NEW_SHIPPING])
    lines += messages(
        "codes",
        [
            {"code": "DOC1", "discountId": discount_id},
            {"code": "DOC1", "discountId": discount_id, "_sdc_deleted_at": "x"},
        ],
    )
    run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    documents = [d for d in shop.emulator.api.documents() if "TargetDiscount" in d]
    assert len(documents) >= 10
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


def by_code_id(shop: Running, code: str) -> str:
    node = shop.graphql("query($c: String!) { codeDiscountNodeByCode(code: $c) { id } }", {"c": code})
    return str(node["data"]["codeDiscountNodeByCode"]["id"])


def test_codes_whose_add_answer_was_lost_end_created_while_the_lost_job_still_runs(tmp_path: Path) -> None:
    """The bulk add is applied and its answer lost (the emulator's `reset` after its second request, the
    first being the codes' lookup) while its job runs on (2 codes a second): the look again finds none,
    the codes go again, and the second job's refusals of them as taken count as created."""
    shop = start(redeem_codes_per_second=2.0)
    try:
        discount_id = by_code_id(shop, "SHIPFREE")
        before = count_codes(shop, discount_id)
        rows = [{"code": f"LOST{i}", "discountId": discount_id} for i in range(3)]
        faults = f"{shop.url}/__emulator/faults"
        requests.post(faults, json=[{"kind": "reset", "nth": [2], "after": True}], timeout=10).raise_for_status()
        cfg = target_config(shop, tmp_path, streams={"codes": {"object": "discount_code"}})
        result = run_target(tmp_path, cfg, messages("codes", rows))
        requests.post(faults, json=[], timeout=10).raise_for_status()
        assert "looking the codes up again" in result.stderr
        assert "codes: 3 created" in summary(result, "codes") and dead_letters(tmp_path) == [], result.stderr
        assert result.returncode == 0 and count_codes(shop, discount_id) == before + 3
        assert operation_requests(shop, "TargetDiscountCodesAdd") == 2
    finally:
        shop.server.shutdown()
        shop.server.server_close()


def test_a_code_given_twice_in_a_batch_is_one_code_on_the_first_run_and_on_a_re_run(
    shop: Running, tmp_path: Path
) -> None:
    """The first row adds it and the repeat is unchanged, as both are on a re-run: both runs succeed."""
    discount_id = by_code_id(shop, "SHIPFREE")
    rows = [{"code": "TWICE", "discountId": discount_id}, {"code": "twice", "discountId": discount_id}]
    cfg = target_config(shop, tmp_path, streams={"codes": {"object": "discount_code"}})
    first = run_target(tmp_path, cfg, messages("codes", rows))
    assert "codes: 1 created, 1 unchanged" in summary(first, "codes") and first.returncode == 0, first.stderr
    again = run_target(tmp_path, cfg, messages("codes", rows))
    assert "codes: 2 unchanged" in summary(again, "codes") and again.returncode == 0, again.stderr
    assert dead_letters(tmp_path) == [] and operation_requests(shop, "TargetDiscountCodesAdd") == 1
