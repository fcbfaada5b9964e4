"""Captured fulfillment-order actions and fulfillment events replayed against the emulator, call by call
(../shared/shopify-captures/2026-04/fulfillments).

The captures' orders were created at their shop's own locations, whose names ours do not share, and their
line items carry what their catalogue held; so an answer is compared on what the actions change: userErrors
(field, code, message), request errors (message, path), each fulfillment order's status, request status,
fulfillAt, supported actions, holds and line quantities, and each fulfillment's events and shipment times.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shopify_admin_emulator.domains.locations.models import new_location

from ..captures import load, mask, needs_captures
from ..conftest import Running
from ..target.test_target_fulfillment_actions import fulfillment_order
from .test_conformance_orders import Replay, answer, query_of

pytestmark = needs_captures

FOLDER = "2026-04/fulfillments/"
CAPTURE_VARIANT = "gid://shopify/ProductVariant/48540157378793"  # the variant the captures' orders sell
UNCOMPARED = {"assignedLocation", "lineItem", "updatedAt", "createdAt", "service", "location", "originAddress"}
UNCOMPARED |= {"trackingInfo", "fulfillmentLineItems", "pageInfo"}


def compared(value: Any) -> Any:
    """What the module docstring says is compared, masked."""
    if isinstance(value, dict):
        return {k: compared(v) for k, v in value.items() if k not in UNCOMPARED}
    if isinstance(value, list):
        return [compared(v) for v in value]
    return mask(value)


def request_errors(response: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    return [(error["message"], error.get("path")) for error in response.get("errors", [])]


class ActionReplay(Replay):
    def __init__(self, shop: Running) -> None:
        super().__init__(shop)
        self.same_as(CAPTURE_VARIANT, next(iter(shop.emulator.store.all("ProductVariant")))["id"])

    def location(self, theirs: str) -> None:
        """A location of ours standing for one of the capture's."""
        store = self.shop.emulator.store
        with store.lock:
            ours = new_location(store, "Replay destination", {"city": "Toronto", "countryCode": "CA"})
        self.same_as(theirs, ours["id"])

    def setup(self, call: dict[str, Any]) -> None:
        """Send a setup call, learning the ids our answer gives where Shopify's gave theirs."""
        ours = self.send(query_of(call), call.get("variables"), answer(call))
        assert "errors" not in ours, ours["errors"]

    def check(self, call: dict[str, Any], query: str | None = None, variables: dict[str, Any] | None = None) -> None:
        theirs = answer(call)
        ours = self.send(query or query_of(call), variables or call.get("variables"), theirs)
        assert request_errors(ours) == request_errors(self.adapt(theirs))
        mine, shopify = compared(ours.get("data")), compared(self.adapt(theirs).get("data"))
        assert mine == shopify, f"emulator: {json.dumps(mine)}\nshopify:  {json.dumps(shopify)}"


@pytest.fixture
def replay(shop: Running) -> ActionReplay:
    return ActionReplay(shop)


@pytest.mark.parametrize(
    "step",
    ["hold", "releaseHold", "move", "open", "close", "cancel", "reschedule", "reportProgress"],
)
def test_unknown_fulfillment_order(replay: ActionReplay, step: str) -> None:
    replay.check(load(FOLDER + "fulfillment-order-lifecycle.json")["validation"][f"{step}UnknownId"])


@pytest.mark.parametrize(
    ("workflow", "steps"),
    [
        ("holdRelease", ["hold", "afterHold", "releaseHold", "afterReleaseHold"]),
        ("move", ["move", "afterMove"]),
        (
            "scheduleProgressOpenClose",
            ["reschedule", "reportProgress", "cancelAfterReportProgress", "open", "afterOpen", "openAgain", "close"],
        ),
        ("reroute", ["cancelAfterReroute", "cancelAgainAfterCancel"]),  # fulfillmentOrdersReroute is not served
    ],
)
def test_lifecycle(replay: ActionReplay, workflow: str, steps: list[str]) -> None:
    """Hold part and release (the split-off part rejoins), move part, report progress then open, cancel twice."""
    capture = load(FOLDER + "fulfillment-order-lifecycle.json")
    replay.location("gid://shopify/Location/112829759794")
    calls = capture["workflows"][workflow]
    replay.setup(calls["create"])
    for step in steps:
        call = calls[step]
        replay.check(call.get("orderRead", call))


def test_hold_validation(replay: ActionReplay) -> None:
    """Partial hold, duplicate handle, a second partial hold on a held order, ten holds at most, bad lines."""
    capture = load(FOLDER + "fulfillment-order-hold-validation.json")
    replay.setup(capture["setup"]["create"])
    steps = capture["workflows"]["validation"]
    for name in ("firstHold", "duplicateHandle", "notSplittable", "secondHold"):
        replay.check(steps[name])
    for call in steps["additionalHolds"]:
        replay.check(call)
    for name in ("limitReached", "zeroQuantity", "duplicateLineItems"):
        replay.check(steps[name])
    replay.check(capture["cleanup"]["releaseHold"])


def test_release_one_hold_of_two(replay: ActionReplay) -> None:
    capture = load(FOLDER + "fulfillment-order-release-hold-selective.json")
    replay.setup(capture["setup"]["create"])
    for call in capture["workflows"]["selectiveRelease"].values():
        replay.check(call)
    replay.check(capture["cleanup"]["releaseRemainingHold"])


def test_open_and_report_progress_preconditions(replay: ActionReplay) -> None:
    """A held order can be neither opened nor reported on; a closed one (cancelled here) cannot be opened."""
    capture = load(FOLDER + "fulfillment-order-open-report-progress-preconditions.json")
    held = capture["onHold"]
    replay.setup(held["create"])
    for name in ("setup", "open", "afterOpenRead", "reportProgress", "afterReportProgressRead"):
        replay.check(held[name])
    closed = capture["closed"]["open"]
    fulfillment_order = capture["onHold"]["setup"]["variables"]["id"]
    cancel = "mutation($id: ID!) { fulfillmentOrderCancel(id: $id) { userErrors { message } } }"
    released = "mutation($id: ID!) { fulfillmentOrderReleaseHold(id: $id) { userErrors { message } } }"
    for document in (released, cancel):
        assert replay.send(document, {"id": fulfillment_order}, {})["data"]
    replay.check(closed, variables={"id": fulfillment_order})


@pytest.mark.parametrize("case", ["closed", "progress", "happyPath", "unknownLocation"])
def test_move_validation(replay: ActionReplay, case: str) -> None:
    """Moving a closed order, one with progress reported, to an unknown location, and all of one."""
    capture = load(FOLDER + "fulfillment-order-move-validation.json")
    replay.location(capture["metadata"]["destinationLocationId"])
    calls = capture[case]
    replay.setup(calls["create"])
    for name, call in calls.items():
        if name not in ("create", "serviceFulfillmentOrder"):
            replay.check(call)


def test_move_to_a_deactivated_location_is_refused(shop: Running) -> None:
    """No capture moves to a deactivated location (one that stocks none of the items): Shopify's refusal of an
    unknown location stands for it (see order_actions._move_error), and the order stays where it was."""
    refusal = answer(load(FOLDER + "fulfillment-order-move-validation.json")["unknownLocation"]["move"])
    fo = fulfillment_order(shop)
    where = "query($id: ID!) { fulfillmentOrder(id: $id) { assignedLocation { location { id } } } }"
    before = shop.graphql(where, {"id": fo})["data"]
    with shop.emulator.store.lock:
        closed = new_location(shop.emulator.store, "Closed", {"city": "Oslo", "countryCode": "NO"}, isActive=False)
    move = """mutation($id: ID!, $to: ID!) { fulfillmentOrderMove(id: $id, newLocationId: $to) {
      movedFulfillmentOrder { id } originalFulfillmentOrder { id } remainingFulfillmentOrder { id }
      userErrors { field message code } } }"""
    moved = shop.graphql(move, {"id": fo, "to": closed["id"]})["data"]
    assert moved == refusal["data"]  # userErrors: [{field: ["id"], message: "Location not found.", code: null}]
    assert shop.graphql(where, {"id": fo})["data"] == before


def test_event_create_validation(replay: ActionReplay) -> None:
    """An unknown fulfillment, an event, a status outside the enum, and an event after cancelling."""
    capture = load(FOLDER + "fulfillment-event-create-validation.json")
    for name in ("orderCreate", "fulfillmentCreate"):
        replay.setup(capture["setup"][name])
    for name in ("unknownFulfillmentEventCreate", "fulfillmentEventCreate"):
        replay.check(capture[name])
    # refused before it runs, in Shopify's words
    call = capture["invalidStatusVariable"]
    refused = replay.send(query_of(call), call["variables"], answer(call))
    assert mask(refused) == mask({"errors": answer(call)["errors"]})
    for name in ("fulfillmentCancel", "cancelledFulfillmentEventCreateProbe"):
        replay.check(capture[name])


def test_event_shows_on_the_fulfillment(replay: ActionReplay) -> None:
    """The event in the fulfillment's events, its status as the display status, its times as the shipment's."""
    capture = load(FOLDER + "fulfillment-detail-events-lifecycle.json")
    for name in ("orderCreate", "fulfillmentCreate"):
        replay.setup(capture["setup"][name])
    replay.check(capture["fulfillmentEventCreate"])
    replay.check(capture["detailRead"])
