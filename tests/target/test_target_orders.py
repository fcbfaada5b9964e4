"""target-shopify-admin writing orders and fulfillments against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import parse, validate

from shopify_admin.search import quoted

from ..conftest import Running
from ..helpers import (
    dead_letters,
    messages,
    new_order,
    requests_of,
    run_target,
    summary,
    target_config,
    variant_id,
)

DELETED = {"_sdc_deleted_at": "2026-01-01T00:00:00Z"}


def orders_with(shop: Running, source: str) -> list[dict[str, Any]]:
    query = """query($q: String!) { orders(first: 10, query: $q) { nodes { id sourceIdentifier email note tags
      closed cancelledAt displayFulfillmentStatus lineItems(first: 10) { nodes { id quantity title variant { id } } }
      fulfillments { id status trackingInfo { company number url } } } } }"""
    nodes = shop.graphql(query, {"q": f"source_identifier:{quoted(source)}"})["data"]["orders"]["nodes"]
    return [o for o in nodes if o["sourceIdentifier"] == source]


STREAMS = {"o": {"object": "order", "match_on": "source_identifier"}}


def test_order_created_once_then_unchanged_then_updated(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    first = run_target(tmp_path, cfg, messages("o", [new_order(shop)]))
    assert first.returncode == 0, first.stderr
    assert "o: 1 created" in summary(first, "o")
    [order] = orders_with(shop, "erp-1")
    assert order["email"] == "buyer@example.com" and order["note"] == "first" and order["tags"] == ["erp"]
    assert [li["quantity"] for li in order["lineItems"]["nodes"]] == [2, 1]
    assert order["lineItems"]["nodes"][1]["title"] == "Gift wrap"

    # the same input again (a re-run, or a retry after a lost STATE): looked up, not created again
    again = run_target(tmp_path, cfg, messages("o", [new_order(shop)]))
    assert again.returncode == 0 and "o: 1 unchanged" in summary(again, "o")
    assert requests_of(shop, "TargetOrderCreate") == 1 and requests_of(shop, "TargetOrderUpdate") == 0
    assert len(orders_with(shop, "erp-1")) == 1

    changed = run_target(tmp_path, cfg, messages("o", [new_order(shop, note="second", tags=["erp", "rush"])]))
    assert "o: 1 updated" in summary(changed, "o")
    [updated] = orders_with(shop, "erp-1")
    assert updated["id"] == order["id"] and updated["note"] == "second" and updated["tags"] == ["erp", "rush"]
    assert updated["email"] == "buyer@example.com" and requests_of(shop, "TargetOrderCreate") == 1


def test_a_crash_before_the_state_then_a_rerun_makes_no_duplicate(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    rows = [new_order(shop, "erp-a"), new_order(shop, "erp-b")]
    crashed = messages("o", rows)[:-1]  # the run died after writing, before its STATE was emitted
    result = run_target(tmp_path, cfg, crashed)
    assert result.returncode == 0 and result.stdout.strip() == ""
    rerun = run_target(tmp_path, cfg, messages("o", [*rows, new_order(shop, "erp-c")]))
    assert rerun.returncode == 0, rerun.stderr
    assert "o: 1 created, 2 unchanged" in summary(rerun, "o")
    assert [len(orders_with(shop, s)) for s in ("erp-a", "erp-b", "erp-c")] == [1, 1, 1]


AWKWARD_SOURCES = [
    'po-"7"',
    "po-7",  # what the quotes of the one above would leave
    "back\\slash",
    "ends with \\",
    '\\"',
    "two words",
    "a:b",
    "(x) OR y",
    "it's 'quoted'",
    "ünïcødé ✓ 注文",
]


def test_a_quoted_search_value_finds_exactly_its_order(shop: Running) -> None:
    """Round trip: value, escaped by the connectors' `quoted`, through the emulator's search, to the one order."""
    create = "mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } } }"
    ids = {}
    for source in AWKWARD_SOURCES:
        order = {"sourceIdentifier": source, "lineItems": [{"variantId": variant_id(shop), "quantity": 1}]}
        ids[source] = shop.graphql(create, {"order": order})["data"]["orderCreate"]["order"]["id"]
    search = "query($q: String!) { orders(first: 10, query: $q) { nodes { id } } }"
    for source in AWKWARD_SOURCES:
        found = shop.graphql(search, {"q": f"source_identifier:{quoted(source)}"})["data"]["orders"]["nodes"]
        assert [o["id"] for o in found] == [ids[source]], source


def test_a_quote_in_the_source_identifier_makes_no_new_order_on_a_rerun(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    rows = messages("o", [new_order(shop, 'erp-"8"')])
    assert "o: 1 created" in summary(run_target(tmp_path, cfg, rows), "o")
    assert "o: 1 unchanged" in summary(run_target(tmp_path, cfg, rows), "o")
    assert len(orders_with(shop, 'erp-"8"')) == 1


def test_order_match_on_id_updates_and_each_delete_mode(shop: Running, tmp_path: Path) -> None:
    query = '{ orders(first: 3, query: "fulfillment_status:unfulfilled") { nodes { id note } } }'
    seeded = shop.graphql(query)["data"]["orders"]["nodes"]
    streams = {
        "by_id": {"object": "order", "match_on": "id"},
        "gone": {"object": "order", "match_on": "id", "allow_deletes": True},
        "cancel": {"object": "order", "match_on": "id", "allow_deletes": True, "delete_mode": "cancel"},
        "close": {"object": "order", "match_on": "id", "allow_deletes": True, "delete_mode": "close"},
    }
    cfg = target_config(shop, tmp_path, streams=streams)
    lines = messages("by_id", [{"id": seeded[0]["id"], "note": "by id"}, {"id": "gid://shopify/Order/999999"}])
    lines += messages("gone", [{"id": seeded[0]["id"], **DELETED}])
    lines += messages("cancel", [{"id": seeded[1]["id"], **DELETED}])
    lines += messages("close", [{"id": seeded[2]["id"], **DELETED}])
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 1
    assert "by_id: 1 failed, 1 updated" in summary(result, "by_id")
    assert [d["error"] for d in dead_letters(tmp_path)] == [
        "no order with id 'gid://shopify/Order/999999', and matching on id cannot create one"
    ]
    for stream in ("gone", "cancel", "close"):
        assert f"{stream}: 1 deleted" in summary(result, stream)
    read = "query($id: ID!) { order(id: $id) { closed cancelledAt } }"
    assert shop.graphql(read, {"id": seeded[0]["id"]})["data"]["order"] is None
    assert shop.graphql(read, {"id": seeded[1]["id"]})["data"]["order"]["cancelledAt"]
    assert shop.graphql(read, {"id": seeded[2]["id"]})["data"]["order"]["closed"] is True

    (tmp_path / "dead.jsonl").unlink()
    lines = messages("gone", [{"id": seeded[0]["id"], **DELETED}])
    lines += messages("cancel", [{"id": seeded[1]["id"], **DELETED}])
    lines += messages("close", [{"id": seeded[2]["id"], **DELETED}])
    again = run_target(tmp_path, cfg, lines)
    assert again.returncode == 0, again.stderr
    assert all(f"{s}: 1 unchanged" in summary(again, s) for s in ("gone", "cancel", "close"))


def test_fulfil_remaining_lines_once_then_retrack_then_cancel(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    assert run_target(tmp_path, cfg, messages("o", [new_order(shop, "erp-f")])).returncode == 0
    [order] = orders_with(shop, "erp-f")
    tracking = [{"company": "UPS", "number": "1Z999", "url": "https://ups.example/1Z999"}]
    streams = {
        "fulfillments": {"object": "fulfillment", "match_on": "order"},
        "by_id": {"object": "fulfillment", "match_on": "id", "allow_deletes": True},
    }
    cfg = target_config(shop, tmp_path, streams=streams)
    row = {"orderId": order["id"], "trackingInfo": tracking}
    first = run_target(tmp_path, cfg, messages("fulfillments", [row]))
    assert first.returncode == 0, first.stderr
    assert "fulfillments: 1 created" in summary(first, "fulfillments")
    [done] = orders_with(shop, "erp-f")
    assert done["displayFulfillmentStatus"] == "FULFILLED"
    [fulfillment] = done["fulfillments"]
    assert fulfillment["trackingInfo"] == tracking

    again = run_target(tmp_path, cfg, messages("fulfillments", [row]))
    assert again.returncode == 0 and "fulfillments: 1 unchanged" in summary(again, "fulfillments")
    assert requests_of(shop, "TargetFulfillmentCreate") == 1

    retracked = [{"company": "UPS", "number": "1Z000", "url": "https://ups.example/1Z000"}]
    lines = messages("by_id", [{"id": fulfillment["id"], "orderId": order["id"], "trackingInfo": retracked}])
    result = run_target(tmp_path, cfg, lines)
    assert result.returncode == 0 and "by_id: 1 updated" in summary(result, "by_id")
    assert orders_with(shop, "erp-f")[0]["fulfillments"][0]["trackingInfo"] == retracked
    same = run_target(tmp_path, cfg, lines)
    assert "by_id: 1 unchanged" in summary(same, "by_id")
    assert requests_of(shop, "TargetFulfillmentTracking") == 1

    cancelled = run_target(tmp_path, cfg, messages("by_id", [{"id": fulfillment["id"], **DELETED}]))
    assert cancelled.returncode == 0 and "by_id: 1 deleted" in summary(cancelled, "by_id")
    [after] = orders_with(shop, "erp-f")
    assert after["fulfillments"][0]["status"] == "CANCELLED" and after["displayFulfillmentStatus"] == "UNFULFILLED"


def test_fulfil_named_lines_by_their_line_item_ids(shop: Running, tmp_path: Path) -> None:
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    assert run_target(tmp_path, cfg, messages("o", [new_order(shop, "erp-p")])).returncode == 0
    [order] = orders_with(shop, "erp-p")
    first_line = order["lineItems"]["nodes"][0]
    row = {"orderId": order["id"], "fulfillmentLineItems": [{"lineItem": {"id": first_line["id"]}, "quantity": 1}]}
    cfg = target_config(shop, tmp_path, streams={"f": {"object": "fulfillment", "match_on": "order"}})
    result = run_target(tmp_path, cfg, messages("f", [row, row]))  # the second is the same fulfillment
    assert result.returncode == 0, result.stderr
    assert "f: 1 created, 1 unchanged" in summary(result, "f")
    [partial] = orders_with(shop, "erp-p")
    assert partial["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED" and len(partial["fulfillments"]) == 1


def test_bad_order_rows_fail_while_the_rest_is_applied(shop: Running, tmp_path: Path) -> None:
    rows = [
        {"email": "no-source@example.com", "lineItems": [{"variantId": variant_id(shop), "quantity": 1}]},
        new_order(shop, "erp-bad", lineItems=[{"variant": {"id": "gid://shopify/ProductVariant/9999"}, "quantity": 1}]),
        new_order(shop, "erp-nolines", lineItems=[]),
        new_order(shop, "erp-good"),
    ]  # fmt: skip
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=STREAMS), messages("o", rows))
    assert result.returncode == 1 and "o: 1 created, 3 failed" in summary(result, "o")
    by_key = {letter["key"]: letter for letter in dead_letters(tmp_path)}  # written concurrently: any order
    missing, unknown, empty = by_key[None], by_key["erp-bad"], by_key["erp-nolines"]
    assert missing["error"] == "the match key 'source_identifier' is missing or not a string"
    assert unknown["error"] == "Shopify refused the order"
    assert unknown["userErrors"] == [
        {"field": ["order", "lineItems", "0", "variantId"], "code": "INVALID", "message": "Variant does not exist"}
    ]
    assert empty["error"] == "lineItems is required to create an order"
    assert len(orders_with(shop, "erp-good")) == 1 and orders_with(shop, "erp-bad") == []


def test_every_order_document_validates_against_the_real_schema(
    shop: Running, tmp_path: Path, real_schema: Any
) -> None:
    streams = {
        "o": {"object": "order", "match_on": "source_identifier", "allow_deletes": True},
        "c": {"object": "order", "match_on": "source_identifier", "allow_deletes": True, "delete_mode": "cancel"},
        "x": {"object": "order", "match_on": "source_identifier", "allow_deletes": True, "delete_mode": "close"},
    }
    cfg = target_config(shop, tmp_path, streams=streams)
    lines = messages("o", [new_order(shop, "v-1"), new_order(shop, "v-1", note="changed")])
    lines += messages("c", [new_order(shop, "v-2"), {"sourceIdentifier": "v-2", **DELETED}])
    lines += messages("x", [new_order(shop, "v-3"), {"sourceIdentifier": "v-3", **DELETED}])
    assert run_target(tmp_path, cfg, lines).returncode == 0
    [order] = orders_with(shop, "v-1")
    streams = {"f": {"object": "fulfillment", "match_on": "id", "allow_deletes": True}}
    cfg = target_config(shop, tmp_path, streams=streams)
    tracking = [{"company": "UPS", "number": "1", "url": "https://ups.example/1"}]
    assert run_target(tmp_path, cfg, messages("f", [{"id": "x", "orderId": order["id"]}])).returncode == 0
    [fulfillment] = orders_with(shop, "v-1")[0]["fulfillments"]
    rows = [{"id": fulfillment["id"], "trackingInfo": tracking}, {"id": fulfillment["id"], **DELETED}]
    assert run_target(tmp_path, cfg, messages("f", rows)).returncode == 0
    lines = messages("o", [{"sourceIdentifier": "v-1", **DELETED}])
    assert run_target(tmp_path, target_config(shop, tmp_path, streams={"o": streams_o(True)}), lines).returncode == 0
    documents = shop.emulator.api.documents()
    sent = {d.split("(")[0].split()[-1] for d in documents if "mutation Target" in d}
    assert sent == {
        "TargetOrderCreate", "TargetOrderUpdate", "TargetOrderCancel", "TargetOrderClose", "TargetOrderDelete",
        "TargetFulfillmentCreate", "TargetFulfillmentTracking", "TargetFulfillmentCancel",
        "TargetOrderMarkerDefinition",
    }  # fmt: skip
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


def streams_o(allow_deletes: bool) -> dict[str, Any]:
    return {"object": "order", "match_on": "source_identifier", "allow_deletes": allow_deletes}


def test_an_order_waits_for_the_customer_it_names_in_the_same_run(
    shop: Running, tmp_path: Path, real_schema: Any
) -> None:
    """The order stream comes first, naming its customer by an email only the customer stream creates."""
    streams = {**STREAMS, "crm": {"object": "customer", "match_on": "email"}}
    order = new_order(shop, "erp-dep", customer={"email": "first.time@example.com"})
    lines = messages("o", [order]) + messages("crm", [{"email": "first.time@example.com", "firstName": "First"}])
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), lines)
    assert result.returncode == 0, result.stderr
    assert "crm: 1 created" in summary(result, "crm") and "o: 1 created" in summary(result, "o")
    query = """{ orders(first: 1, query: "source_identifier:erp-dep") { nodes { customer { firstName
      defaultEmailAddress { emailAddress } } } } }"""
    [created] = shop.graphql(query)["data"]["orders"]["nodes"]
    assert created["customer"] == {
        "firstName": "First",
        "defaultEmailAddress": {"emailAddress": "first.time@example.com"},
    }

    unknown = new_order(shop, "erp-nobody", customer={"email": "nobody@example.com"})
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=streams), messages("o", [unknown]))
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["error"] == "customer.email 'nobody@example.com': no such customer; write the customer first"
    assert orders_with(shop, "erp-nobody") == []
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_order_matched_on_a_custom_id_is_created_once(shop: Running, tmp_path: Path, real_schema: Any) -> None:
    streams = {"erp": {"object": "order", "match_on": "custom_id", "custom_id": "erp.order_ref"}}
    row = {**new_order(shop), "order_ref": "SO-77"}
    del row["sourceIdentifier"]
    cfg = target_config(shop, tmp_path, streams=streams)
    shop.define_custom_id("ORDER", "erp", "order_ref")
    first = run_target(tmp_path, cfg, messages("erp", [row]))
    assert first.returncode == 0, first.stderr
    assert "erp: 1 created" in summary(first, "erp")
    again = run_target(tmp_path, cfg, messages("erp", [{**row, "note": "second"}]))
    assert "erp: 1 updated" in summary(again, "erp")
    query = """query($i: OrderIdentifierInput!) { orderByIdentifier(identifier: $i) { note
      metafield(namespace: "erp", key: "order_ref") { value } } }"""
    found = shop.graphql(query, {"i": {"customId": {"namespace": "erp", "key": "order_ref", "value": "SO-77"}}})
    assert found["data"]["orderByIdentifier"] == {"note": "second", "metafield": {"value": "SO-77"}}
    assert shop.graphql('{ ordersCount(query: "tag:erp") { count } }')["data"]["ordersCount"]["count"] == 1


def test_processed_at_goes_back_in_shopifys_format_and_a_bad_one_fails_its_record(
    shop: Running, tmp_path: Path
) -> None:
    schema = {"type": "object", "properties": {"processedAt": {"type": ["string", "null"], "format": "date-time"}}}
    rows = [
        new_order(shop, "when-1", processedAt="2025-03-01T10:00:00-05:00"),
        new_order(shop, "when-2", processedAt="yesterday"),
    ]
    lines = [{"type": "SCHEMA", "stream": "o", "schema": schema, "key_properties": []}]
    lines += [{"type": "RECORD", "stream": "o", "record": row} for row in rows]
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=STREAMS), lines)
    assert result.returncode == 1 and "o: 1 created, 1 failed" in summary(result, "o")
    [letter] = dead_letters(tmp_path)
    assert letter["key"] == "when-2" and letter["error"] == 'processedAt must be an ISO 8601 date-time, not "yesterday"'
    query = '{ orders(first: 1, query: "source_identifier:when-1") { nodes { processedAt } } }'
    assert shop.graphql(query)["data"]["orders"]["nodes"] == [{"processedAt": "2025-03-01T15:00:00Z"}]


def test_an_order_past_the_first_page_of_search_hits_is_found_not_created_again(
    shop: Running, tmp_path: Path, real_schema: Any
) -> None:
    """Search matches a source identifier without regard to case: twelve orders answer the search for the
    record's; the one that is exactly its own comes last, past a first page of ten, and is still found."""
    create = "mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } } }"
    spellings = ["".join(c.upper() if n >> i & 1 else c for i, c in enumerate("abcd-pg")) for n in range(12)]
    for source in spellings:
        order = {"sourceIdentifier": source, "lineItems": [{"variantId": variant_id(shop), "quantity": 1}]}
        shop.graphql(create, {"order": order})
    cfg = target_config(shop, tmp_path, streams=STREAMS)
    result = run_target(tmp_path, cfg, messages("o", [new_order(shop, spellings[-1], note="paged")]))
    assert "o: 1 updated" in summary(result, "o"), result.stderr
    search = "query($q: String!) { orders(first: 50, query: $q) { nodes { sourceIdentifier note } } }"
    found = shop.graphql(search, {"q": f"source_identifier:{quoted(spellings[-1])}"})["data"]["orders"]["nodes"]
    assert len(found) == 12 and [o["note"] for o in found if o["sourceIdentifier"] == spellings[-1]] == ["paged"]
    assert requests_of(shop, "TargetOrderBySource") == 2
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_an_order_of_thirty_lines_is_fulfilled_whole(shop: Running, tmp_path: Path, real_schema: Any) -> None:
    """A fulfillment order lists its lines 25 to a page: the lines past the first page are fulfilled too."""
    price = {"shopMoney": {"amount": "1.00", "currencyCode": "USD"}}
    lines = [{"title": f"Part {n}", "quantity": 1, "priceSet": price} for n in range(30)]
    order = {"sourceIdentifier": "erp-30", "lineItems": lines}
    create = "mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) { order { id } } }"
    order_id = shop.graphql(create, {"order": order})["data"]["orderCreate"]["order"]["id"]
    cfg = target_config(shop, tmp_path, streams={"f": {"object": "fulfillment", "match_on": "order"}})
    result = run_target(tmp_path, cfg, messages("f", [{"orderId": order_id}]))
    assert "f: 1 created" in summary(result, "f"), result.stderr
    [done] = orders_with(shop, "erp-30")
    assert done["displayFulfillmentStatus"] == "FULFILLED"
    assert requests_of(shop, "TargetFulfillmentNextLineItems") == 1
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document
