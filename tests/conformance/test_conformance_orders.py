"""Captured Shopify order and fulfillment scenarios replayed against the emulator, call by call.

Each call's query and variables are sent as captured; ids the capture got from Shopify are swapped for
the ids our answers gave at the same place, and the answer is compared with Shopify's (ids, timestamps
and cursors masked), so userErrors must match in field, code and message.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ..captures import assert_same_answer, load, needs_captures
from ..conftest import Running

pytestmark = needs_captures

GID = re.compile(r"^gid://shopify/\w+/\d+$")
NUMBER = re.compile(r"\d{6,}")
ORDER_NAME = re.compile(r"^(#\d+)(-F\d+)?$")  # order names, and fulfillment names made from them
NAME_PART = re.compile(r"#\d+")
JOB = "gid://shopify/Job/"  # job ids are UUIDs, which no mask can line up


def answer(call: dict[str, Any]) -> dict[str, Any]:
    """A captured call's response body, wherever the capture format put it."""
    response = call["response"]
    return response.get("payload") or response.get("body") or response


def query_of(call: dict[str, Any]) -> str:
    return call.get("query") or call.get("document") or call["request"]["query"]


class Replay:
    """Sends captured calls with Shopify's ids translated into the ones the emulator handed out."""

    def __init__(self, shop: Running) -> None:
        self.shop = shop
        self.numbers: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.jobs: dict[str, str] = {}

    def same_as(self, theirs: str, ours: str) -> None:
        self.numbers[theirs.rsplit("/", 1)[-1]] = ours.rsplit("/", 1)[-1]

    def learn(self, theirs: Any, ours: Any) -> None:
        """Pair the ids found at the same places of Shopify's answer and ours."""
        if isinstance(theirs, dict) and isinstance(ours, dict):
            for key in theirs.keys() & ours.keys():
                self.learn(theirs[key], ours[key])
        elif isinstance(theirs, list) and isinstance(ours, list):
            for a, b in zip(theirs, ours, strict=False):
                self.learn(a, b)
        elif isinstance(theirs, str) and isinstance(ours, str):
            self.learn_string(theirs, ours)

    def learn_string(self, theirs: str, ours: str) -> None:
        if GID.match(theirs) and GID.match(ours):
            self.same_as(theirs, ours)
        elif theirs.startswith(JOB) and ours.startswith(JOB):
            self.jobs[theirs] = ours
        elif (their_name := ORDER_NAME.match(theirs)) and (our_name := ORDER_NAME.match(ours)):
            self.names[their_name[1]] = our_name[1]

    def adapt(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self.adapt(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.adapt(v) for v in value]
        if isinstance(value, str):
            if value in self.jobs:
                return self.jobs[value]
            value = NAME_PART.sub(lambda m: self.names.get(m.group(), m.group()), value)
            return NUMBER.sub(lambda m: self.numbers.get(m.group(), m.group()), value)
        return value

    def send(self, query: str, variables: dict[str, Any] | None, captured: dict[str, Any]) -> dict[str, Any]:
        ours = self.shop.graphql(self.adapt(query), self.adapt(variables or {}))
        self.learn(captured.get("data"), ours.get("data"))
        return ours

    def check(self, call: dict[str, Any], query: str | None = None, variables: dict[str, Any] | None = None) -> None:
        """Replay one call and require Shopify's answer, with our ids in place of theirs."""
        theirs = answer(call)
        ours = self.send(query or query_of(call), variables or call.get("variables"), theirs)
        assert_same_answer(ours, self.adapt(theirs))


def test_order_create_without_line_items(shop: Running) -> None:
    capture = load("2025-01/orders/order-create-validation-matrix.json")
    Replay(shop).check(capture["mutation"], capture["query"], capture["variables"])


def test_order_create_validation_codes(shop: Running) -> None:
    capture = load("2025-01/orders/order-create-validation-matrix-extended.json")
    replay = Replay(shop)
    variant = next(iter(shop.emulator.store.all("ProductVariant")))
    replay.same_as("gid://shopify/ProductVariant/48540157378793", variant["id"])
    ours = replay.send(capture["query"], capture["variables"], {})["data"]
    theirs = answer(capture["mutation"])["data"]
    for alias in ("futureProcessedAt", "redundantCustomer"):
        assert ours[alias] == theirs[alias]
    # Shopify puts integer indexes in these paths; graphql-core's String scalar renders them as "0".
    for alias in ("lineItemTaxLineMissingRate", "shippingLineTaxLineMissingRate"):
        expected = [{**e, "field": [str(part) for part in e["field"]]} for e in theirs[alias]["userErrors"]]
        assert ours[alias] == {"order": None, "userErrors": expected}


def test_order_update_input_validation(shop: Running) -> None:
    capture = load("2026-04/orders/orderUpdate-input-validation.json")
    replay = Replay(shop)
    replay.check(capture["setup"]["orderCreate"])
    replay.check(capture["setup"]["beforeRead"])
    replay.check(capture["mutation"], capture["document"], capture["variables"])
    replay.check(capture["downstreamRead"], query_of(capture["setup"]["beforeRead"]))


def test_order_delete_lifecycle(shop: Running) -> None:
    capture = load("2026-04/orders/order-delete-snapshot-staging.json")
    replay = Replay(shop)
    for call in capture["operations"].values():
        replay.check(call)


def test_order_cancel_error_messages(shop: Running) -> None:
    capture = load("2026-04/orders/orderCancel-error-messages.json")
    replay = Replay(shop)
    for name, call in capture["setup"].items():
        if call is not None and name in {
            "freshOrderCreate",
            "cancelledOrderCreate",
            "setupCancel",
            "cancelledOrderRead",
        }:
            replay.check(call)
    for call in capture["expected"].values():
        replay.check(call)


def test_fulfillment_unknown_ids(shop: Running) -> None:
    capture = load("2025-01/orders/fulfillment-unknown-not-found.json")
    replay = Replay(shop)
    for name in ("fulfillmentCancel", "fulfillmentTrackingInfoUpdate"):
        call = capture[name]
        replay.check(call, call["request"]["query"], call["request"]["variables"])


PRECONDITION_CASES = [
    "cancelled",
    "nonPositiveQuantity",
    "overFulfill",
    "missingFulfillmentOrder",
    "closed",
    "happyPath",
]


@pytest.mark.parametrize("case", PRECONDITION_CASES)
def test_fulfillment_create_preconditions(shop: Running, case: str) -> None:
    capture = load("2026-04/orders/fulfillment-create-preconditions.json")
    fulfillment_create = query_of(capture["cases"]["closed"]["setup"]["firstFulfillmentCreate"])
    replay = Replay(shop)
    scenario = capture["cases"][case]
    for name, call in scenario.get("setup", {}).items():
        if name != "hydrate":  # selects fulfillment holds and merchant requests, which are not served
            replay.check(call)
    replay.check(scenario, fulfillment_create)


def test_fulfillment_tracking_update_then_cancel(shop: Running) -> None:
    capture = load("2025-01/orders/fulfillment-cancel-parity.json")
    replay = Replay(shop)
    for call in capture["setup"].values():
        replay.check(call)
    replay.check(capture["mutation"], capture["query"], capture["variables"])
    replay.check(capture["downstreamRead"])


def test_fulfillment_multiple_tracking_numbers(shop: Running) -> None:
    capture = load("2025-01/orders/fulfillment-multi-tracking-info.json")
    replay = Replay(shop)
    for name in ("orderCreate",):
        replay.check(capture["setup"][name])
    for name in ("fulfillmentCreate", "fulfillmentTrackingInfoUpdate", "downstreamRead"):
        replay.check(capture[name])


@pytest.mark.parametrize(
    ("path", "mutation", "input_type"),
    [
        ("2025-01/orders/orderClose-noop-on-already-closed.json", "orderClose", "OrderCloseInput"),
        ("2025-01/orders/orderOpen-noop-on-already-open.json", "orderOpen", "OrderOpenInput"),
    ],
)
def test_close_and_open_noops(shop: Running, path: str, mutation: str, input_type: str) -> None:
    """The order is already in the asked state (the first call below puts it there); the second answers it
    unchanged. These captures keep only the answer; the selection is the one it shows."""
    capture = load(path)
    own = next(o for o in shop.emulator.store.all("Order") if not o["closed"])
    replay = Replay(shop)
    replay.same_as(capture["variables"]["input"]["id"], own["id"])
    query = (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
        "{ order { id closed closedAt updatedAt } userErrors { field message } } }"
    )
    before = shop.graphql(query, {"input": {"id": own["id"]}})["data"][mutation]["order"]
    replay.check(capture["mutation"], query, capture["variables"])
    assert shop.graphql(query, {"input": {"id": own["id"]}})["data"][mutation]["order"] == before
