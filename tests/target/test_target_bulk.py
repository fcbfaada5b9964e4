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

from target_shopify_admin.objects.customer import CustomerGateway
from target_shopify_admin.objects.product import ProductGateway
from target_shopify_admin.pipeline.exports import export_is_sooner

from ..conftest import Running, start
from ..helpers import (
    NEW_PRODUCT,
    customer,
    dead_letters,
    messages,
    product,
    requests_of,
    run_target,
    summary,
    target_config,
)

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


def run(
    shop: Running, tmp_path: Path, threshold: int, bulk_lookup: str = "lookups"
) -> tuple[str, list[str], subprocess.CompletedProcess]:
    lines = messages("crm", customer_rows(shop)) + messages("catalog", product_rows(shop))
    tmp_path.mkdir(exist_ok=True)
    cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=threshold, bulk_lookup=bulk_lookup)
    result = run_target(tmp_path, cfg, lines)
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


@pytest.mark.parametrize("bulk_lookup", ["lookups", "export"])
def test_bulk_and_per_record_paths_give_the_same_outcomes(
    shops: tuple[Running, Running], tmp_path: Path, real_schema, bulk_lookup: str
) -> None:
    """Whether a bulk run finds its objects by lookups or in an export of the shop, created, updated,
    unchanged and failed come out as record by record, and the shop ends the same."""
    one_by_one, in_bulk = shops
    outcomes, letters, result = run(one_by_one, tmp_path / "per-record", threshold=0)
    bulk_outcomes, bulk_letters, bulk_result = run(in_bulk, tmp_path / "bulk", threshold=3, bulk_lookup=bulk_lookup)

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
    exports = requests_of(in_bulk, "BulkOperationRunQuery")
    assert exports == (2 if bulk_lookup == "export" else 0)  # customers' one serves both their bulk runs
    for document in [*in_bulk.emulator.api.documents(), CustomerGateway.set_mutation, ProductGateway.set_mutation]:
        assert validate(real_schema, parse(document)) == [], document

    # The same input again: only what the input itself undoes is written again (new3 is created and then
    # deleted, new70's note set to its first and then its second value); everything else is unchanged.
    before = requests_of(in_bulk, "TargetCustomerSet")
    again, _, rerun = run(in_bulk, tmp_path / "again", threshold=3, bulk_lookup=bulk_lookup)
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
        cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=10)
        result = run_target(tmp_path, cfg, messages("crm", rows))
        assert result.returncode == 0, result.stderr
        assert "crm: 300 created" in summary(result, "crm")
        assert "no bulk answer (FAILED INTERNAL_SERVER_ERROR); writing it alone" in result.stderr
        assert all((customer(shop, emailAddress=r["email"]) or {}).get("note") == r["note"] for r in rows)
    finally:
        shop.server.shutdown()
        shop.server.server_close()


def test_a_bulk_write_through_internal_errors_writes_each_customer_once(tmp_path: Path) -> None:
    """As first seen: with Shopify's INTERNAL_SERVER_ERROR on 10% of answers the target gave up a running
    bulk write after one poll got it, wrote its lines alone and reported some failed, all in the shop.
    The requests: the lookup, stagedUploadsCreate, currentBulkOperation, the start, then the polls; here
    the lookup, the start (after it started the operation) and a poll get one."""
    shop = start(faults=["internal_error:nth=1/7", "internal_error:nth=5:after"])
    try:
        rows = [{"email": f"ise{n}@example.com", "note": f"n{n}"} for n in range(200)]
        cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=10)
        result = run_target(tmp_path, cfg, messages("crm", rows))
        fired = sum(rule["fired"] for rule in shop.emulator.faults.describe())
        shop.emulator.faults.replace([])
        assert fired == 3
        assert result.returncode == 0, result.stderr[-3000:]
        assert "crm: 200 created" in summary(result, "crm")
        assert "writing it alone" not in result.stderr and dead_letters(tmp_path) == []
        assert all((customer(shop, emailAddress=r["email"]) or {}).get("note") == r["note"] for r in rows)
        assert [op["type"] for op in shop.emulator.store.all("BulkOperation")] == ["MUTATION"]
    finally:
        shop.server.shutdown()
        shop.server.server_close()


@pytest.mark.parametrize(("threshold", "bulk_lookup"), [(0, "lookups"), (1, "lookups"), (1, "export")])
def test_a_product_with_more_variants_than_a_batched_lookup_reads(
    shops: tuple[Running, Running], tmp_path: Path, threshold: int, bulk_lookup: str, real_schema
) -> None:
    shop = shops[0]
    variants = [
        {"sku": f"V-{n}", "price": f"{n}.00", "selectedOptions": [{"name": "Size", "value": f"S{n}"}]}
        for n in range(40)
    ]
    row = {"handle": "many-sizes", "title": "Many sizes", "variants": variants}
    cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=threshold, bulk_lookup=bulk_lookup)
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
    documents = "".join(shop.emulator.api.documents())
    assert ("query TargetProductVariants" in documents) == (bulk_lookup == "lookups")  # an export has them all
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_the_cost_model_weighs_lookups_against_an_export_of_the_shop() -> None:
    """On the standard plan a customer's lookup costs 3 points at 100 points/s: a small batch in a big
    shop is looked up, a batch that is a large share of the shop is found in an export."""
    per_second = CustomerGateway.lookups_per_second(restore_rate=100, round_trip=0.2)
    assert 30 <= per_second <= 40  # by the budget: round trips would allow 500 a second
    assert not export_is_sooner(1_000, 200_000, per_second)
    assert export_is_sooner(10_000, 200_000, per_second)
    assert not export_is_sooner(300, 300, per_second)  # an export's start is not worth a few lookups
    far = CustomerGateway.lookups_per_second(restore_rate=1e6, round_trip=1.0)  # paced by the round trips
    assert far == CustomerGateway.lookups_per_query()
    assert not export_is_sooner(5_000, 40_000, far) and export_is_sooner(5_000, 10_000, far)
    products = ProductGateway.lookups_per_second(restore_rate=100, round_trip=0.2)
    assert products < per_second  # each looked-up product reads its first variants


@pytest.mark.parametrize("custom_id", [None, ("crm", "ref"), ("custom", 'an "odd" key')])
def test_export_queries_are_valid_bulk_queries(real_schema, custom_id: tuple[str, str] | None) -> None:
    for gateway in (CustomerGateway, ProductGateway):
        document = gateway.export_query(custom_id)
        assert validate(real_schema, parse(document)) == [], document
        assert "query:" not in document  # a search filter would lag behind the writes before it


def seeded_emails(shop: Running, count: int = 250) -> list[str]:
    emails: list[str | None] = []
    after = None
    while len(emails) < count:
        query = """query($after: String) { customers(first: 250, after: $after) {
          nodes { defaultEmailAddress { emailAddress } } pageInfo { hasNextPage endCursor } } }"""
        page = shop.graphql(query, {"after": after})["data"]["customers"]
        emails += [(c["defaultEmailAddress"] or {}).get("emailAddress") for c in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return [email for email in emails if email]


@pytest.mark.parametrize("fault", [None, "bulk_fail:count=1", "bulk_truncated:count=1"])
def test_an_export_finds_the_objects_the_shop_holds(tmp_path: Path, fault: str | None) -> None:
    """Customers the shop holds are found in the export, whatever the case of their email: none is
    looked up unless the export came back short (a failed operation's partial data: the rest is looked
    up; a download that ended early is downloaded again)."""
    shop = start(faults=[fault] if fault else [])
    try:
        emails = seeded_emails(shop)
        rows = [
            {"email": email.upper() if n % 2 else email, "note": f"note {n}"} if n % 5 else {"email": email}
            for n, email in enumerate(emails)
        ]
        cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=10, bulk_lookup="export")
        result = run_target(tmp_path, cfg, messages("crm", rows))
        assert result.returncode == 0, result.stderr
        unchanged = len(range(0, len(emails), 5))
        assert f"crm: {unchanged} unchanged, {len(emails) - unchanged} updated" in summary(result, "crm")
        lookups = requests_of(shop, "TargetCustomerLookup")
        assert (lookups > 0) if fault == "bulk_fail:count=1" else (lookups == 0)
        notes = {c["note"] for c in (customer(shop, emailAddress=e) for e in emails) if c}
        assert {f"note {n}" for n in range(len(emails)) if n % 5} <= notes
    finally:
        shop.server.shutdown()
        shop.server.server_close()


def test_an_export_matches_on_a_custom_id(shop: Running, tmp_path: Path) -> None:
    """Matching on a custom id, the export carries the metafield that holds it."""
    shop.define_custom_id("CUSTOMER", "crm", "ref")
    data = shop.graphql("{ customers(first: 20) { nodes { id firstName } } }")["data"]["customers"]["nodes"]
    metafields = [
        {"ownerId": c["id"], "namespace": "crm", "key": "ref", "value": f"R-{n}", "type": "id"}
        for n, c in enumerate(data)
    ]
    answer = shop.graphql(
        "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }",
        {"m": metafields},
    )
    assert answer["data"]["metafieldsSet"]["userErrors"] == []
    rows = [{"ref": f"R-{n}", "firstName": c["firstName"] if n % 2 else "Renamed"} for n, c in enumerate(data)]
    streams = {"crm": {"object": "customer", "match_on": "custom_id", "custom_id": "crm.ref"}}
    cfg = target_config(shop, tmp_path, streams=streams, bulk_threshold=5, bulk_lookup="export")
    result = run_target(tmp_path, cfg, messages("crm", rows))
    assert result.returncode == 0, result.stderr
    assert "crm: 10 unchanged, 10 updated" in summary(result, "crm")
    assert requests_of(shop, "TargetCustomerLookup") == 0
    assert customer(shop, id=data[0]["id"])["firstName"] == "Renamed"  # type: ignore[index]


def test_an_export_serves_the_stream_s_later_runs_but_not_what_it_deleted(shop: Running, tmp_path: Path) -> None:
    """One export for both bulk runs around a delete; the customer deleted in between is looked up when
    named again, and created, as record by record, not updated from what the export said of it."""
    existing = seeded_emails(shop, 2)[:2]
    gone = "gone@example.com"  # a customer without orders, which can be deleted
    (tmp_path / "seed").mkdir()
    assert (
        run_target(
            tmp_path / "seed", target_config(shop, tmp_path, streams=STREAMS), messages("crm", [{"email": gone}])
        ).returncode
        == 0
    )
    rows = [
        {"email": existing[0], "note": "first run"},
        {"email": "a@example.com", "firstName": "A"},
        {"email": "b@example.com", "firstName": "B"},
        {"email": gone, "_sdc_deleted_at": "2026-01-01T00:00:00Z"},  # ends the first run
        {"email": gone, "firstName": "Back"},
        {"email": existing[1], "note": "second run"},
        {"email": "c@example.com", "firstName": "C"},
    ]
    cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=3, bulk_lookup="export")
    result = run_target(tmp_path, cfg, messages("crm", rows))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "crm: 4 created, 1 deleted, 2 updated" in summary(result, "crm")
    assert requests_of(shop, "BulkOperationRunQuery") == 1
    assert requests_of(shop, "BulkOperationRunMutation") == 2
    assert customer(shop, emailAddress=gone)["firstName"] == "Back"  # type: ignore[index]
    assert customer(shop, emailAddress=existing[1])["note"] == "second run"  # type: ignore[index]


@pytest.mark.parametrize(("plan", "exports", "lookups"), [("standard", 1, 0), ("unlimited", 0, 3)])
def test_auto_exports_when_the_budget_makes_lookups_slower(
    tmp_path: Path, plan: str, exports: int, lookups: int
) -> None:
    """600 customers the shop holds: on the standard plan their lookups (3 points each at 100 points/s)
    would take longer than an export, decided without a lookup; with no budget to speak of, the first
    query's 250 lookups come back at once, so the rest are looked up too."""
    shop = start(plan=plan, customers=600)
    try:
        emails = seeded_emails(shop, 600)
        cfg = target_config(shop, tmp_path, streams=STREAMS, bulk_threshold=1)
        result = run_target(tmp_path, cfg, messages("crm", [{"email": e} for e in emails]))
        assert result.returncode == 0, result.stderr
        assert f"crm: {len(emails)} unchanged" in summary(result, "crm")
        assert requests_of(shop, "BulkOperationRunQuery") == exports
        assert requests_of(shop, "TargetCustomerLookup") == lookups
    finally:
        shop.server.shutdown()
        shop.server.server_close()
