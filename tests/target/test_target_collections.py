"""target-shopify-admin's collections against the emulator: `collection` records upsert custom and smart
collections by handle, `collection_product` rows add, remove and order a custom collection's products
(jobs waited for); plus the pure record → input mapping and the reorder moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import parse, validate

from target_shopify_admin.objects.collections import membership
from target_shopify_admin.objects.collections.collection import collection_handle, collection_input
from target_shopify_admin.objects.collections.members import MemberRow, final_order, member_row, reorder_moves
from target_shopify_admin.objects.collections.membership import JOB_WAIT, MembershipWriter, changes
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext, WriteOptions
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.settings import StreamSettings

from ..conftest import Running
from ..helpers import AFTER_COMMIT, dead_letters, faults_fired, inject, messages, run_target, summary, target_config
from .test_target_lost_answers import DELETED

WRITES = (
    "TargetCollectionCreate",
    "TargetCollectionUpdate",
    "TargetCollectionDelete",
    "TargetCollectionAddProducts",
    "TargetCollectionRemoveProducts",
    "TargetCollectionReorderProducts",
)
STREAMS = {
    "c": {"object": "collection", "allow_deletes": True},
    "m": {"object": "collection_product", "allow_deletes": True},
}
AUTUMN: dict[str, Any] = {
    "handle": "Autumn Picks",
    "title": "Autumn picks",
    "description": "<p>Warm things</p>",
    "sortOrder": "MANUAL",
    "seo": {"title": "Autumn", "description": "Warm things for autumn"},
    "image": {"url": "https://cdn.example.com/autumn.png", "altText": "Leaves"},
}


# the pure mapping ---------------------------------------------------------------------------------
def test_a_record_becomes_a_collection_input() -> None:
    wanted = collection_input({**AUTUMN, "ruleSet": None}, creating=True)
    assert wanted == {
        "handle": "autumn-picks",
        "title": "Autumn picks",
        "descriptionHtml": "<p>Warm things</p>",
        "sortOrder": "MANUAL",
        "seo": {"title": "Autumn", "description": "Warm things for autumn"},
        "image": {"src": "https://cdn.example.com/autumn.png", "altText": "Leaves"},
    }
    rules = {"appliedDisjunctively": False, "rules": [{"column": "TAG", "relation": "EQUALS", "condition": "sale"}]}
    assert collection_input({"ruleSet": rules, "image": None}, creating=False) == {"ruleSet": rules, "image": None}
    assert collection_handle("Best_Selling  items!") == "best_selling-items"


@pytest.mark.parametrize(
    ("record", "creating", "message"),
    [
        ({"handle": "x"}, True, "title is required to create a collection"),
        ({"title": 3}, False, "title must be a string"),
        ({"image": {"altText": "a"}}, False, "image.url is required"),
        ({"ruleSet": {"rules": []}}, False, "ruleSet.rules must name at least one rule"),
        ({"ruleSet": {"rules": [{"column": "TAG", "condition": "x"}]}}, False, "ruleSet.rules[0].relation is required"),
        ({"seo": {"title": 1}}, False, "seo.title must be a string"),
        ({"handle": "!!"}, False, "handle '!!' has no letter"),
    ],
)
def test_a_bad_collection_record_fails_naming_its_field(record: dict, creating: bool, message: str) -> None:
    with pytest.raises(RecordError, match=message.replace("[", r"\[").replace("]", r"\]")):
        collection_input(record, creating)


def test_a_member_row_names_its_collection_product_and_position() -> None:
    row = member_row({"collection_handle": "summer", "sku": "A-1", "position": 0}, "sku", "handle")
    assert (row.key, row.position) == ("summer/A-1", 0)
    with pytest.raises(RecordError, match="collection_id is required"):
        member_row({"id": "gid://shopify/Product/1"}, "id", "id")
    with pytest.raises(RecordError, match="'handle' is missing"):
        member_row({"collection_handle": "summer"}, "handle", "handle")
    with pytest.raises(RecordError, match=r"collection_id must be an id \(gid://shopify/Collection/…\), not '7'"):
        member_row({"collection_id": "7", "id": "gid://shopify/Product/1"}, "id", "id")
    with pytest.raises(RecordError, match=r"id must be an id \(gid://shopify/Product/…\), not 'shirt'"):
        member_row({"collection_handle": "summer", "id": "shirt"}, "id", "handle")
    with pytest.raises(RecordError, match="position must be a whole number from 0, not -1"):
        member_row({"collection_handle": "summer", "handle": "h", "position": -1}, "handle", "handle")


def applied(members: list[str], moves: list[tuple[str, int]]) -> list[str]:
    """Moves applied one after another, as Shopify (and the emulator) apply them."""
    order = list(members)
    for product, position in moves:
        order.remove(product)
        order.insert(min(position, len(order)), product)
    return order


@pytest.mark.parametrize(
    ("members", "positions", "final"),
    [
        (list("abcde"), {"e": 0, "a": 4}, list("ebcda")),
        (list("abcde"), {"b": 1, "d": 3}, list("abcde")),
        (list("abcde"), {"a": 9}, list("bcdea")),
        (list("abcde"), {"c": 0, "b": 1, "a": 2}, list("cbade")),
    ],
)
def test_moves_bring_each_product_to_its_position_and_none_are_sent_in_order(
    members: list[str], positions: dict[str, int], final: list[str]
) -> None:
    assert final_order(members, positions) == final
    moves = reorder_moves(members, final)
    assert applied(members, moves) == final
    assert reorder_moves(final, final) == []


def pending(record: dict[str, Any], deleting: bool = False) -> PendingRecord:
    return PendingRecord(record, record, "delete" if deleting else "upsert", deleting, None)


def test_rows_applied_in_order_give_each_its_outcome() -> None:
    rows = [
        (pending({}), MemberRow("c", "a", None), "a"),  # held
        (pending({}), MemberRow("c", "x", None), "x"),  # new
        (pending({}, deleting=True), MemberRow("c", "b", None), "b"),  # held: removed
        (pending({}, deleting=True), MemberRow("c", "y", None), "y"),  # not held
        (pending({}), MemberRow("c", "c", 0), "c"),  # moved to the front
    ]
    planned = changes(["a", "b", "c"], rows)
    assert planned.outcomes == [
        Outcome.UNCHANGED,
        Outcome.CREATED,
        Outcome.DELETED,
        Outcome.UNCHANGED,
        Outcome.UPDATED,
    ]
    assert (planned.remove, planned.add, planned.moves) == (["b"], ["x"], [("c", 0)])
    assert not changes(["c", "a", "x"], rows).any


class JobClient:
    """Answers job polls: not done `pending_polls` times, then done."""

    max_attempts = 3

    def __init__(self, pending_polls: int) -> None:
        self.pending_polls = pending_polls
        self.polls = 0

    def execute(self, document: str, variables: dict, resend: bool = True) -> dict:
        assert "TargetCollectionJob" in document
        self.polls += 1
        return {"job": {"done": self.polls > self.pending_polls}}


def job_writer(client: JobClient, slept: list[float]) -> MembershipWriter:
    settings = StreamSettings.of("m", {"streams": {"m": {"object": "collection_product"}}})
    options = WriteOptions(client, None, None, dry_run=False, concurrent_writes=1, bulk_threshold=None)  # type: ignore[arg-type]
    return MembershipWriter(WriteContext("m", settings, options, None), sleep=slept.append)  # type: ignore[arg-type]


def test_a_job_is_polled_until_done_and_no_longer_than_its_bound() -> None:
    slept: list[float] = []
    client = JobClient(pending_polls=2)
    job_writer(client, slept).finished({"id": "gid://shopify/Job/1", "done": False})
    assert client.polls == 3 and len(slept) == 3
    slept.clear()
    never = JobClient(pending_polls=10**6)
    with pytest.raises(RecordFailedError, match="was not done after 600 seconds"):
        job_writer(never, slept).finished({"id": "gid://shopify/Job/2", "done": False})
    assert JOB_WAIT <= sum(slept) < JOB_WAIT + 5.0


# against the emulator -------------------------------------------------------------------------------
def writes_sent(shop: Running) -> int:
    operations = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return sum(stats["requests"] for name, stats in operations.items() if name in WRITES)


def collection(shop: Running, handle: str) -> dict | None:
    query = """query($h: String!) { collectionByIdentifier(identifier: {handle: $h}) {
      id title handle descriptionHtml sortOrder seo { title description } image { url altText }
      ruleSet { rules { column relation condition } } products(first: 250) { nodes { id handle } } } }"""
    found: dict | None = shop.graphql(query, {"h": handle})["data"]["collectionByIdentifier"]
    return found


def product_handles(shop: Running, count: int) -> list[str]:
    query = "query($n: Int!) { products(first: $n, sortKey: ID) { nodes { handle } } }"
    return [p["handle"] for p in shop.graphql(query, {"n": count})["data"]["products"]["nodes"]]


def members(shop: Running, handle: str) -> list[str]:
    found = collection(shop, handle)
    assert found is not None
    return [p["handle"] for p in found["products"]["nodes"]]


def both(collections: list[dict], rows: list[dict]) -> list[dict]:
    return messages("c", collections) + messages("m", rows)


def test_collections_upsert_by_handle_and_a_re_run_writes_nothing(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    sale = {"handle": "sale", "ruleSet": {"rules": [{"column": "TAG", "relation": "EQUALS", "condition": "clearance"}]}}
    records: list[dict[str, Any]] = [AUTUMN, {"handle": "summer-picks", "title": "Summer favourites"}, sale]
    result = run_target(tmp_path, cfg, messages("c", records))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "c: 1 created, 2 updated" in summary(result, "c")
    autumn = collection(shop, "autumn-picks")
    assert autumn is not None
    assert (autumn["title"], autumn["descriptionHtml"], autumn["sortOrder"]) == (
        "Autumn picks",
        "<p>Warm things</p>",
        "MANUAL",
    )
    assert autumn["seo"] == AUTUMN["seo"]
    assert autumn["image"] == AUTUMN["image"]
    assert collection(shop, "summer-picks")["title"] == "Summer favourites"  # type: ignore[index]
    assert collection(shop, "sale")["ruleSet"]["rules"][0]["condition"] == "clearance"  # type: ignore[index]
    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, messages("c", records))
    assert "c: 3 unchanged" in summary(again, "c")
    assert writes_sent(shop) == before
    assert dead_letters(tmp_path) == []


def test_membership_adds_removes_orders_and_a_re_run_sends_nothing(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    handles = product_handles(shop, 4)
    rows: list[dict[str, Any]] = [
        {"collection_handle": "autumn-picks", "handle": handles[0]},
        {"collection_handle": "autumn-picks", "handle": handles[1]},
        {"collection_handle": "autumn-picks", "handle": handles[2], "position": 0},
    ]
    result = run_target(tmp_path, cfg, both([AUTUMN], rows))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "m: 3 created" in summary(result, "m")
    assert members(shop, "autumn-picks") == [handles[2], handles[0], handles[1]]
    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, both([AUTUMN], rows))
    assert "m: 3 unchanged" in summary(again, "m")
    assert writes_sent(shop) == before
    changed: list[dict[str, Any]] = [
        {"collection_handle": "autumn-picks", "handle": handles[0], **DELETED},
        {"collection_handle": "autumn-picks", "handle": handles[1], "position": 0},
        {"collection_handle": "autumn-picks", "handle": handles[3], "position": 1},
    ]
    result = run_target(tmp_path, cfg, messages("m", changed))
    assert "m: 1 created, 1 deleted, 1 updated" in summary(result, "m")
    assert members(shop, "autumn-picks") == [handles[1], handles[3], handles[2]]
    assert dead_letters(tmp_path) == []


def test_rows_name_collections_and_products_by_handle_as_their_records_gave_them(shop: Running, tmp_path: Path) -> None:
    """One warehouse column of handles feeds both streams: a row names its collection as the collection's
    record did ("Winter Picks", kept as winter-picks) and its product in any case, as the product's record
    may have ("Big Box", kept as big-box)."""
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    handles = product_handles(shop, 2)
    winter = {**AUTUMN, "handle": "Winter Picks", "title": "Winter picks"}
    rows: list[dict[str, Any]] = [
        {"collection_handle": "Winter Picks", "handle": handles[0].upper().replace("-", " ")},
        {"collection_handle": " WINTER picks", "handle": handles[1], "position": 0},
    ]
    result = run_target(tmp_path, cfg, both([winter], rows))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "m: 2 created" in summary(result, "m")
    assert members(shop, "winter-picks") == [handles[1], handles[0]]
    again = run_target(tmp_path, cfg, both([winter], rows))
    assert "m: 2 unchanged" in summary(again, "m")
    assert dead_letters(tmp_path) == []


def test_a_bad_row_fails_alone_naming_its_key_and_field(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    [handle] = product_handles(shop, 1)
    rows: list[dict[str, Any]] = [
        {"collection_handle": "sale", "handle": handle},
        {"collection_handle": "no-such-collection", "handle": handle},
        {"collection_handle": "autumn-picks", "handle": "no-such-product"},
        {"collection_handle": "frontpage", "handle": handle, "position": 0},
        {"collection_handle": "autumn-picks", "handle": handle},
    ]
    result = run_target(tmp_path, cfg, both([{**AUTUMN, "sortOrder": None}], rows))
    assert result.returncode == 1, result.stderr[-3000:]  # failed records make the run fail, after the rest
    assert "m: 1 created, 4 failed" in summary(result, "m")
    errors = {letter["key"]: letter["error"] for letter in dead_letters(tmp_path)}
    assert errors == {
        f"sale/{handle}": "collection_handle: 'sale' is a smart collection: its rules choose its products, rows cannot",
        f"no-such-collection/{handle}": "collection_handle: no collection with handle 'no-such-collection'",
        "autumn-picks/no-such-product": "handle: no product with handle 'no-such-product'",
        f"frontpage/{handle}": (
            "position: the collection 'frontpage' sorts BEST_SELLING, not MANUAL,"
            " so its products have no position to set"
        ),
    }
    assert members(shop, "autumn-picks") == [handle]


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    handles = product_handles(shop, 2)
    rows = [{"collection_handle": "summer-picks", "handle": h} for h in handles]
    run_target(tmp_path, cfg, messages("c", [AUTUMN]))
    before = (writes_sent(shop), members(shop, "summer-picks"))
    dry = target_config(shop, tmp_path, streams=STREAMS, dry_run=True)
    result = run_target(tmp_path, dry, both([{**AUTUMN, "title": "Autumn"}, {**AUTUMN, "handle": "new"}], rows))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "c: 1 would-create, 1 would-update" in summary(result, "c")
    held = sum(h in before[1] for h in handles)
    assert f"m: {held} unchanged, {2 - held} would-create".replace("0 unchanged, ", "") in summary(result, "m")
    assert (writes_sent(shop), members(shop, "summer-picks")) == before


def test_through_lost_answers_every_member_is_as_asked_and_nothing_doubled(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    handles = product_handles(shop, 12)
    titles = [f"Lost {n}" for n in range(10)]
    made = [{"handle": f"lost-{n}", "title": title, "sortOrder": "MANUAL"} for n, title in enumerate(titles)]
    rows: list[dict[str, Any]] = [
        {"collection_handle": f"lost-{n}", "handle": h, "position": (k * 7 + n) % 12}
        for n in range(10)
        for k, h in enumerate(handles)
    ]
    run_target(tmp_path, cfg, both(made, rows[:50]))  # half of the members there before
    removed = [{**row, **DELETED} for row in rows[:50:5]]
    inject(shop, [{**rule, "rate": 0.1 / len(AFTER_COMMIT)} for rule in AFTER_COMMIT])
    result = run_target(tmp_path, cfg, both([{**m, "title": m["title"] + "!"} for m in made], rows + removed))
    fired = faults_fired(shop)
    inject(shop, [])
    assert fired >= 1
    assert result.returncode == 0, result.stderr[-3000:]
    assert dead_letters(tmp_path) == []
    all_titles = shop.graphql("{ collections(first: 250) { nodes { title } } }")["data"]["collections"]["nodes"]
    assert sorted(c["title"] for c in all_titles if c["title"].startswith("Lost")) == sorted(t + "!" for t in titles)
    gone = {(row["collection_handle"], row["handle"]) for row in removed}
    for n in range(10):
        wanted = [
            row for row in rows if row["collection_handle"] == f"lost-{n}" and (f"lost-{n}", row["handle"]) not in gone
        ]
        expected = final_order([r["handle"] for r in wanted], {r["handle"]: r["position"] for r in wanted})
        assert members(shop, f"lost-{n}") == expected
    kept = [row for row in rows if (row["collection_handle"], row["handle"]) not in gone]
    before = writes_sent(shop)
    again = run_target(tmp_path, cfg, both([{**m, "title": m["title"] + "!"} for m in made], kept + removed))
    assert f"m: {len(kept) + len(removed)} unchanged" in summary(again, "m")
    assert writes_sent(shop) == before


def test_every_collection_document_validates_against_the_real_schema(
    shop: Running, tmp_path: Path, real_schema: Any
) -> None:
    cfg = target_config(shop, tmp_path, streams={**STREAMS, "s": {**STREAMS["m"], "match_on": "sku"}})
    handles = product_handles(shop, 2)
    sku = shop.graphql("{ productVariants(first: 1) { nodes { sku } } }")["data"]["productVariants"]["nodes"][0]["sku"]
    rows = [{"collection_handle": "autumn-picks", "handle": h, "position": 0} for h in handles]
    doomed = [{"handle": "doomed", "title": "Doomed"}, {"handle": "doomed", **DELETED}]
    lines = both([AUTUMN, {"handle": "summer-picks", "title": "Summer"}, *doomed], rows)
    assert run_target(tmp_path, cfg, lines).returncode == 0
    summer = members(shop, "summer-picks")[0]
    moved: list[dict[str, Any]] = [
        {**rows[0], "position": 0},
        {"collection_handle": "summer-picks", "handle": summer, **DELETED},
    ]
    result = run_target(
        tmp_path, cfg, messages("m", moved) + messages("s", [{"collection_handle": "summer-picks", "sku": sku}])
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "m: 1 deleted, 1 updated" in summary(result, "m")
    documents = shop.emulator.api.documents()
    sent = {name for name in WRITES if any(name in d for d in documents)}
    assert sent == set(WRITES)
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document
    lookups = [*membership.PRODUCT_LOOKUPS.values(), ("CollectionIdentifierInput!", membership.COLLECTION_LOOKUP)]
    for variable, lookup in lookups:  # every match key's lookup, not only those sent here
        document = membership.lookup_document(lookup, variable, 2)
        assert validate(real_schema, parse(document)) == [], document
