"""target-shopify-admin writing fulfillment events and fulfillment-order actions against the emulator: each
applied once, a re-run writing nothing, Shopify's refusals failing their record alone, lost answers not
doubling anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import parse, validate

from shopify_admin_emulator.domains.locations.models import new_location

from ..conftest import Running
from ..helpers import (
    AFTER_COMMIT,
    dead_letters,
    faults_fired,
    inject,
    messages,
    requests_of,
    run_target,
    summary,
    target_config,
    variant_id,
)

ACTIONS = {"a": {"object": "fulfillment_order_action", "match_on": "fulfillment_order"}}
EVENTS = {"e": {"object": "fulfillment_event"}}  # match_on defaults to the object's one key, fulfillment
STATE = """query($id: ID!) { fulfillmentOrder(id: $id) {
  status fulfillAt assignedLocation { location { id } } fulfillmentHolds { handle reason reasonNotes } } }"""
EVENTS_OF = "query($id: ID!) { fulfillment(id: $id) { displayStatus events(first: 50) { nodes { status city } } } }"


def fulfillment_order(shop: Running) -> str:
    """The open fulfillment order of a new order for two of one variant."""
    create = """mutation($order: OrderCreateOrderInput!) { orderCreate(order: $order) {
      order { fulfillmentOrders(first: 1) { nodes { id } } } userErrors { message } } }"""
    order = {"email": "fo@example.com", "lineItems": [{"variantId": variant_id(shop), "quantity": 2}]}
    created = shop.graphql(create, {"order": order})["data"]["orderCreate"]["order"]
    return str(created["fulfillmentOrders"]["nodes"][0]["id"])


def act(shop: Running, mutation: str, fo: str, arguments: str = "") -> None:
    answer = shop.graphql(
        f"mutation($id: ID!) {{ {mutation}(id: $id{arguments}) {{ userErrors {{ message }} }} }}", {"id": fo}
    )
    assert answer["data"][mutation]["userErrors"] == []


def state(shop: Running, fo: str) -> dict[str, Any]:
    return dict(shop.graphql(STATE, {"id": fo})["data"]["fulfillmentOrder"])


def fulfillment(shop: Running) -> str:
    fo = fulfillment_order(shop)
    create = """mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id } } }"""
    made = shop.graphql(create, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo}]}})
    return str(made["data"]["fulfillmentCreate"]["fulfillment"]["id"])


def scheduled(shop: Running, fo: str) -> None:
    """Shopify schedules the fulfillment orders of prepaid subscriptions; no mutation makes one."""
    store = shop.emulator.store
    with store.lock:
        store.node(fo, "FulfillmentOrder")["status"] = "SCHEDULED"  # type: ignore[index]


def target_writes(shop: Running) -> int:
    return sum(
        requests_of(shop, f"TargetFulfillmentOrder{name}")
        for name in ("Hold", "ReleaseHold", "Move", "Cancel", "Open", "Reschedule", "ReportProgress", "Close")
    )


def test_each_action_applies_once_and_a_rerun_writes_nothing(shop: Running, tmp_path: Path, real_schema: Any) -> None:
    fos = {name: fulfillment_order(shop) for name in ("hold", "release", "move", "cancel", "progress", "open", "later")}
    act(shop, "fulfillmentOrderHold", fos["release"], ', fulfillmentHold: {reason: OTHER, handle: "x"}')
    act(shop, "fulfillmentOrderReportProgress", fos["open"])
    scheduled(shop, fos["later"])
    with shop.emulator.store.lock:
        warehouse = new_location(shop.emulator.store, "Warehouse", {"city": "Oslo", "countryCode": "NO"})["id"]
    rows = [
        {"fulfillmentOrderId": fos["hold"], "action": "hold", "handle": "fraud-1", "reason": "HIGH_RISK_OF_FRAUD",
         "reasonNotes": "check the card"},
        {"fulfillmentOrderId": fos["release"], "action": "release_hold"},
        {"fulfillmentOrderId": fos["move"], "action": "move", "newLocationId": warehouse},
        {"fulfillmentOrderId": fos["cancel"], "action": "cancel"},
        {"fulfillmentOrderId": fos["progress"], "action": "report_progress", "reasonNotes": "picking"},
        {"fulfillmentOrderId": fos["open"], "action": "open"},
        {"fulfillmentOrderId": fos["later"], "action": "reschedule", "fulfillAt": "2030-01-02T03:00:00+00:00"},
    ]  # fmt: skip
    cfg = target_config(shop, tmp_path, streams=ACTIONS)
    first = run_target(tmp_path, cfg, messages("a", rows))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "a: 7 updated" in summary(first, "a")
    held = state(shop, fos["hold"])
    assert held["status"] == "ON_HOLD"
    assert held["fulfillmentHolds"] == [
        {"handle": "fraud-1", "reason": "HIGH_RISK_OF_FRAUD", "reasonNotes": "check the card"}
    ]
    assert state(shop, fos["release"])["status"] == "OPEN"
    assert state(shop, fos["move"])["assignedLocation"]["location"]["id"] == warehouse
    assert state(shop, fos["cancel"])["status"] == "CLOSED"
    assert state(shop, fos["progress"])["status"] == "IN_PROGRESS"
    assert state(shop, fos["open"])["status"] == "OPEN"
    assert state(shop, fos["later"])["fulfillAt"] == "2030-01-02T03:00:00Z"

    writes = target_writes(shop)
    assert writes == 7
    again = run_target(tmp_path, cfg, messages("a", rows))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "a: 7 unchanged" in summary(again, "a")
    assert target_writes(shop) == writes
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_shopifys_refusals_and_bad_rows_fail_alone(shop: Running, tmp_path: Path) -> None:
    open_fo, held_fo, reported_fo = (fulfillment_order(shop) for _ in range(3))
    act(shop, "fulfillmentOrderHold", held_fo, ", fulfillmentHold: {reason: OTHER}")
    act(shop, "fulfillmentOrderReportProgress", reported_fo)
    with shop.emulator.store.lock:
        warehouse = new_location(shop.emulator.store, "Warehouse", {"city": "Oslo", "countryCode": "NO"})["id"]
    rows = [
        {"fulfillmentOrderId": open_fo, "action": "reschedule", "fulfillAt": "2030-01-01T00:00:00Z"},
        {"fulfillmentOrderId": open_fo, "action": "close", "message": "done"},
        {"fulfillmentOrderId": held_fo, "action": "report_progress"},
        {"fulfillmentOrderId": reported_fo, "action": "move", "newLocationId": warehouse},
        {"fulfillmentOrderId": open_fo, "action": "hold", "handle": "ok"},
        {"fulfillmentOrderId": open_fo, "action": "teleport"},
        {"fulfillmentOrderId": open_fo, "action": "hold"},
    ]
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=ACTIONS), messages("a", rows))
    assert "a: 6 failed, 1 updated" in summary(result, "a")
    letters = {
        (letter["record"]["action"], letter["record"].get("handle")): letter for letter in dead_letters(tmp_path)
    }
    assert [e["message"] for e in letters["reschedule", None]["userErrors"]] == ["Fulfillment order must be scheduled."]
    assert [e["message"] for e in letters["close", None]["userErrors"]] == [
        "The fulfillment order's assigned fulfillment service must be of api type"
    ]
    assert [e["message"] for e in letters["report_progress", None]["userErrors"]] == [
        "Cannot report progress on a fulfillment order in this state."
    ]
    assert letters["move", None]["userErrors"][0]["message"].startswith("Cannot move a fulfillment order that has had")
    assert letters["teleport", None]["error"].startswith("action must be one of hold, release_hold, move,")
    assert letters["hold", None]["error"].startswith("handle is required to hold")
    assert [h["handle"] for h in state(shop, open_fo)["fulfillmentHolds"]] == ["ok"]


def test_a_move_to_a_deactivated_location_fails_its_record(shop: Running, tmp_path: Path) -> None:
    """Shopify refuses it (the emulator once moved the order there and the target counted it updated)."""
    fo = fulfillment_order(shop)
    before = state(shop, fo)
    with shop.emulator.store.lock:
        closed = new_location(shop.emulator.store, "Closed", {"city": "Oslo", "countryCode": "NO"}, isActive=False)
    row = {"fulfillmentOrderId": fo, "action": "move", "newLocationId": closed["id"]}
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=ACTIONS), messages("a", [row]))
    assert "a: 1 failed" in summary(result, "a")
    [letter] = dead_letters(tmp_path)
    assert [(e["field"], e["message"]) for e in letter["userErrors"]] == [(["id"], "Location not found.")]
    assert state(shop, fo) == before


def test_events_are_added_once_and_bad_ones_fail_alone(shop: Running, tmp_path: Path, real_schema: Any) -> None:
    shipped = fulfillment(shop)
    scan = {
        "fulfillmentId": shipped,
        "status": "IN_TRANSIT",
        "happenedAt": "2026-03-01T10:00:00.250+01:00",
        "city": "Oslo",
        "latitude": 59.9,
        "longitude": 10.7,
    }
    delivered = {**scan, "status": "DELIVERED", "happenedAt": "2026-03-02T10:00:00Z"}
    rows = [scan, delivered, {**scan, "status": "TELEPORTED"}, {**scan, "happenedAt": None}]  # fmt: skip
    cfg = target_config(shop, tmp_path, streams=EVENTS)
    first = run_target(tmp_path, cfg, messages("e", rows))
    assert "e: 2 created, 2 failed" in summary(first, "e")
    errors = sorted(letter["error"] for letter in dead_letters(tmp_path))
    assert errors[0].startswith("happenedAt is required") and errors[1].startswith("status must be one of")
    found = shop.graphql(EVENTS_OF, {"id": shipped})["data"]["fulfillment"]
    assert found["events"]["nodes"] == [
        {"status": "IN_TRANSIT", "city": "Oslo"},
        {"status": "DELIVERED", "city": "Oslo"},
    ]
    assert found["displayStatus"] == "DELIVERED"

    again = run_target(tmp_path, cfg, messages("e", [scan, delivered]))
    assert again.returncode == 0 and "e: 2 unchanged" in summary(again, "e")
    assert len(shop.graphql(EVENTS_OF, {"id": shipped})["data"]["fulfillment"]["events"]["nodes"]) == 2
    for document in shop.emulator.api.documents():
        assert validate(real_schema, parse(document)) == [], document


def test_lost_answers_double_no_event_and_no_action(shop: Running, tmp_path: Path) -> None:
    """Events and cancels are what a resend would double or refuse: each applies once, and none fails."""
    shipments = [fulfillment(shop) for _ in range(15)]
    orders = [fulfillment_order(shop) for _ in range(15)]
    events = [{"fulfillmentId": f, "status": "IN_TRANSIT", "happenedAt": "2026-03-01T10:00:00Z"} for f in shipments]
    cancels = [{"fulfillmentOrderId": fo, "action": "cancel"} for fo in orders]
    inject(shop, [{**rule, "rate": 0.1} for rule in AFTER_COMMIT])
    result = run_target(
        tmp_path,
        target_config(shop, tmp_path, streams={**EVENTS, **ACTIONS}),
        messages("e", events) + messages("a", cancels),
    )
    fired = faults_fired(shop)
    inject(shop, [])
    assert fired >= 3, "too few answers lost to test anything"
    assert result.returncode == 0, result.stderr[-3000:]
    assert "e: 15 created" in summary(result, "e") and "a: 15 updated" in summary(result, "a")
    for shipped in shipments:
        assert len(shop.graphql(EVENTS_OF, {"id": shipped})["data"]["fulfillment"]["events"]["nodes"]) == 1
    siblings = (
        "query($id: ID!) { fulfillmentOrder(id: $id) { order { fulfillmentOrders(first: 5) { nodes { status } } } } }"
    )
    for fo in orders:  # the cancelled one and its one replacement
        found = shop.graphql(siblings, {"id": fo})["data"]["fulfillmentOrder"]["order"]["fulfillmentOrders"]["nodes"]
        assert sorted(node["status"] for node in found) == ["CLOSED", "OPEN"]
