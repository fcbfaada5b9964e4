"""target-shopify-admin's bulk path (batches of `bulk_threshold` records or more: batched lookups, then one
bulkOperationRunMutation) against its per-record path, on two shops seeded alike."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate

from target_shopify_admin.customers import CustomerGateway
from target_shopify_admin.products import ProductGateway

from .conftest import Running, start
from .test_target import NEW_PRODUCT, config, customer, dead_letters, messages, product, run_target, summary
from .test_target_orders import requests_of

STREAMS = {
    "crm": {"object": "customer", "match_on": "email", "allow_deletes": True},
    "catalog": {"object": "product", "match_on": "handle"},
}
BAD_PHONES = {7, 55, 101}  # positions among the new customers: their userErrors must land on their own records


@pytest.fixture
def shops() -> Iterator[tuple[Running, Running]]:
    pair = (start(), start())
    yield pair
    for running in pair:
        running.server.shutdown()
        running.server.server_close()


def customer_rows(shop: Running) -> list[dict[str, Any]]:
    seeded = shop.graphql("{ customers(first: 5) { nodes { firstName defaultEmailAddress { emailAddress } } } }")
    existing = [c["defaultEmailAddress"]["emailAddress"] for c in seeded["data"]["customers"]["nodes"]]
    new = [
        {"email": f"new{n}@example.com", "firstName": f"New {n}", "note": f"row {n}", "tags": ["bulk"]}
        | ({"phone": "12"} if n in BAD_PHONES else {})
        for n in range(120)
    ]
    return [
        *new[:60],
        {"email": existing[0], "note": "changed in the warehouse"},
        {"email": existing[1], "firstName": seeded["data"]["customers"]["nodes"][1]["firstName"]},  # unchanged
        {"email": "not-an-email", "firstName": "Bad"},
        {"firstName": "No key"},
        {"email": "consent@example.com", "defaultEmailAddress": {"marketingState": "SUBSCRIBED"}},
        {"email": "new3@example.com", "_sdc_deleted_at": "2026-01-01T00:00:00Z"},  # ends a run
        *new[60:],
        {"email": "NEW70@example.com", "note": "second word on new70"},  # a key seen before in the run
        {"email": existing[2], "note": "also changed"},
    ]


def product_rows(shop: Running) -> list[dict[str, Any]]:
    handle = shop.graphql("{ products(first: 1) { nodes { handle } } }")["data"]["products"]["nodes"][0]["handle"]
    variants: list[dict[str, Any]] = NEW_PRODUCT["variants"]  # type: ignore[assignment]
    return [
        *({**NEW_PRODUCT, "handle": f"engine-{n}", "title": f"Engine {n}"} for n in range(4)),
        {"handle": handle, "title": "Renamed in the warehouse"},
        {"handle": "bad-status", "title": "P", "status": "BOGUS"},
        {"handle": "dup-options", "title": "P", "variants": [variants[0], {**variants[1], "selectedOptions": []}]},
    ]


def run(shop: Running, tmp_path: Path, threshold: int) -> tuple[str, list[str], subprocess.CompletedProcess]:
    lines = messages("crm", customer_rows(shop)) + messages("catalog", product_rows(shop))
    tmp_path.mkdir(exist_ok=True)
    result = run_target(tmp_path, config(shop, tmp_path, streams=STREAMS, bulk_threshold=threshold), lines)
    outcomes = " / ".join(summary(result, stream).split("| ")[-1] for stream in STREAMS)
    letters = sorted(
        json.dumps([letter[k] for k in ("stream", "key", "operation", "error", "userErrors")])
        for letter in dead_letters(tmp_path)
    )
    return outcomes, letters, result


def shop_state(shop: Running) -> list[Any]:
    emails = [row.get("email") for row in customer_rows(shop)]
    people = [customer(shop, emailAddress=e) for e in emails if e and "@" in e]
    handles = [row["handle"] for row in product_rows(shop)]
    goods = [product(shop, handle=h) for h in handles]
    return [
        *[p and (p["firstName"], p["note"], sorted(p["tags"])) for p in people],
        *[g and (g["title"], g["status"], [(v["sku"], v["price"]) for v in g["variants"]["nodes"]]) for g in goods],
    ]


def test_bulk_and_per_record_paths_give_the_same_outcomes(
    shops: tuple[Running, Running], tmp_path: Path, real_schema
) -> None:
    one_by_one, in_bulk = shops
    outcomes, letters, result = run(one_by_one, tmp_path / "per-record", threshold=0)
    bulk_outcomes, bulk_letters, bulk_result = run(in_bulk, tmp_path / "bulk", threshold=3)

    assert result.returncode == bulk_result.returncode == 1  # the bad rows failed
    # 117 new + consent@ created; existing[0], existing[2] and new70's second row updated; 3 bad phones,
    # not-an-email and the keyless row failed; new3 deleted after it was created
    expected = "crm: 118 created, 1 deleted, 5 failed, 1 unchanged, 3 updated"
    assert outcomes == f"{expected} / catalog: 4 created, 2 failed, 1 updated"
    assert bulk_outcomes == outcomes
    assert bulk_letters == letters
    failed_keys = {json.loads(letter)[1] for letter in letters}
    assert {f"new{n}@example.com" for n in BAD_PHONES} <= failed_keys
    assert shop_state(in_bulk) == shop_state(one_by_one)

    bulk_runs = requests_of(in_bulk, "BulkOperationRunMutation")
    assert bulk_runs == 3  # customers before and after the delete; products
    assert requests_of(one_by_one, "BulkOperationRunMutation") == 0
    assert requests_of(in_bulk, "TargetCustomerSet") < requests_of(one_by_one, "TargetCustomerSet") / 10
    for document in [*in_bulk.emulator.api.documents(), CustomerGateway.set_mutation, ProductGateway.set_mutation]:
        assert validate(real_schema, parse(document)) == [], document

    # The same input again: only what the input itself undoes is written again (new3 is created and then
    # deleted, new70's note set to its first and then its second value); everything else is unchanged.
    before = requests_of(in_bulk, "TargetCustomerSet")
    again, _, rerun = run(in_bulk, tmp_path / "again", threshold=3)
    assert again == "crm: 1 created, 1 deleted, 5 failed, 119 unchanged, 2 updated / catalog: 2 failed, 5 unchanged"
    # Bulk only where 3 writes (bulk_threshold) remain after the lookups: before the delete, new3 and the
    # 3 rows that fail again; after it, new70 and new101 (and then NEW70 alone) go one by one.
    assert requests_of(in_bulk, "BulkOperationRunMutation") == bulk_runs + 1
    assert requests_of(in_bulk, "TargetCustomerSet") - before == 3
    assert rerun.returncode == 1


def test_records_a_failed_bulk_operation_did_not_answer_are_written_alone(tmp_path: Path) -> None:
    shop = start(faults=["bulk_fail:count=1"])
    try:
        rows = [{"email": f"p{n}@example.com", "note": f"n{n}"} for n in range(300)]
        cfg = config(shop, tmp_path, streams=STREAMS, bulk_threshold=10)
        result = run_target(tmp_path, cfg, messages("crm", rows))
        assert result.returncode == 0, result.stderr
        assert "crm: 300 created" in summary(result, "crm")
        assert "no bulk answer (FAILED INTERNAL_SERVER_ERROR); writing it alone" in result.stderr
        assert all((customer(shop, emailAddress=r["email"]) or {}).get("note") == r["note"] for r in rows)
    finally:
        shop.server.shutdown()
        shop.server.server_close()


@pytest.mark.parametrize("threshold", [0, 1])
def test_a_product_with_more_variants_than_a_batched_lookup_reads(
    shops: tuple[Running, Running], tmp_path: Path, threshold: int, real_schema
) -> None:
    shop = shops[0]
    variants = [
        {"sku": f"V-{n}", "price": f"{n}.00", "selectedOptions": [{"name": "Size", "value": f"S{n}"}]}
        for n in range(40)
    ]
    row = {"handle": "many-sizes", "title": "Many sizes", "variants": variants}
    cfg = config(shop, tmp_path, streams=STREAMS, bulk_threshold=threshold)
    assert run_target(tmp_path, cfg, messages("catalog", [row])).returncode == 0
    query = """{ productByIdentifier(identifier: {handle: "many-sizes"}) {
      variants(first: 250) { nodes { id sku price } } } }"""
    before = shop.graphql(query)["data"]["productByIdentifier"]["variants"]["nodes"]
    assert len(before) == 40

    again = run_target(tmp_path, cfg, messages("catalog", [row]))
    assert "catalog: 1 unchanged" in summary(again, "catalog")  # the variants past the 25th were read too
    variants[33] = {**variants[33], "price": "99.00"}
    changed = run_target(tmp_path, cfg, messages("catalog", [{**row, "variants": variants}]))
    assert "catalog: 1 updated" in summary(changed, "catalog")
    after = shop.graphql(query)["data"]["productByIdentifier"]["variants"]["nodes"]
    assert [v["id"] for v in after] == [v["id"] for v in before]  # every variant kept its id
    assert [v["price"] for v in after] == [f"{n}.00" if n != 33 else "99.00" for n in range(40)]
    assert "query TargetProductVariants" in "".join(shop.emulator.api.documents())
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document
