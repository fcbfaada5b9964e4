"""Calculated query cost and the per-token leaky bucket, against Shopify's numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from graphql import parse

from shopify_admin.cost import QueryCost
from shopify_admin_emulator.graphql_api import load_schema

from ..conftest import Running, start
from ..helpers import advance_clock

# 58 × (2 + ⌊2·ln 250⌋ × 1) = 754 points requested, all of them spent when the shop has 250+ customers
HEAVY = " ".join(f"c{i}: customers(first: 250) {{ nodes {{ id }} }}" for i in range(58))
HEAVY_QUERY = "{ " + HEAVY + " }"


@pytest.fixture
def standard() -> Iterator[Running]:
    running = start(plan="standard", customers=260, products=2, orders=2)
    yield running
    running.server.shutdown()
    running.server.server_close()


def new_token(running: Running) -> str:
    grant = requests.post(
        f"{running.url}/admin/oauth/access_token",
        data={"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret"},
        timeout=10,
    )
    return str(grant.json()["access_token"])


def test_burst_beyond_the_bucket_is_throttled_then_refills(standard: Running) -> None:
    answers = [standard.graphql(HEAVY_QUERY) for _ in range(2)]
    started = time.monotonic()  # before the third answer's status was taken
    answers.append(standard.graphql(HEAVY_QUERY))
    assert [a["extensions"]["cost"]["actualQueryCost"] for a in answers[:2]] == [754, 754]
    throttled = answers[2]
    assert "data" not in throttled
    assert throttled["errors"][0]["message"] == "Throttled"
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    cost = throttled["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 754
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 2000 and status["restoreRate"] == 100
    assert status["currentlyAvailable"] < 754

    before = status["currentlyAvailable"]
    advance_clock(standard.url, 1.0)
    after = standard.graphql("{ shop { id } }")["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
    elapsed = time.monotonic() - started + 1.0  # the shop's second, and the time the requests took
    # 100 points a second, less the 1 point this query cost
    assert 100 - 1 <= after - before <= 100 * elapsed + 1


def test_single_query_over_1000_points_is_refused(standard: Running) -> None:
    query = "{ " + HEAVY + " " + " ".join(f"d{i}: customers(first: 250) {{ nodes {{ id }} }}" for i in range(19)) + " }"
    answer = standard.graphql(query)
    assert "data" not in answer
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 1001 and error["extensions"]["maxCost"] == 1000
    assert error["message"].startswith("Query cost is 1001, which exceeds the single query max cost limit (1000).")
    # nothing was charged for it
    cost = standard.graphql("{ shop { id } }")["extensions"]["cost"]
    assert cost["throttleStatus"]["currentlyAvailable"] >= 1998


def test_unused_points_are_refunded(standard: Running) -> None:
    answer = standard.graphql("{ products(first: 100) { nodes { id } } }")
    cost = answer["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 9  # ⌊2·ln 100⌋ items
    assert 1 <= len(answer["data"]["products"]["nodes"]) <= 2
    assert cost["actualQueryCost"] == 2 + 1 < 11  # the share of the 9 items' points that n of 100 make, rounded up
    # the bucket started full: only the actual cost is gone (a point or two may have refilled)
    assert 2000 - cost["actualQueryCost"] <= cost["throttleStatus"]["currentlyAvailable"] <= 2000


def test_buckets_are_per_access_token(standard: Running) -> None:
    for _ in range(3):
        standard.graphql(HEAVY_QUERY)
    assert standard.graphql(HEAVY_QUERY)["errors"][0]["extensions"]["code"] == "THROTTLED"
    other = standard.graphql(HEAVY_QUERY, token=new_token(standard))
    assert "errors" not in other
    assert other["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= 2000 - 754


def test_unlimited_plan_never_throttles() -> None:
    running = start(plan="unlimited", customers=260, products=2, orders=2)
    try:
        answers = [running.graphql(HEAVY_QUERY) for _ in range(20)]
    finally:
        running.server.shutdown()
        running.server.server_close()
    assert all("errors" not in a for a in answers)
    assert sum(a["extensions"]["cost"]["actualQueryCost"] for a in answers) == 20 * 754


def test_throttled_requests_are_counted(standard: Running) -> None:
    for _ in range(4):
        standard.graphql(HEAVY_QUERY)
    stats = requests.get(f"{standard.url}/__emulator/stats", timeout=10).json()
    assert stats["graphql"]["requests"] == 4
    assert stats["graphql"]["throttled"] == 2
    assert stats["graphql"]["requested_cost"] == 4 * 754


def test_cost_rules_for_simple_shapes() -> None:
    schema = load_schema()

    def cost(query: str) -> int:
        return QueryCost(schema, parse(query)).requested()

    assert cost('{ order(id: "gid://shopify/Order/1") { id name displayFinancialStatus } }') == 1
    assert cost("{ products(first: 1) { nodes { id } } }") == 3
    assert cost("{ products(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }") == 2 + 4
    assert cost("{ customers(first: 250) { nodes { id } edges { node { id } } } }") == 2 + 11 * 2
    assert cost("{ customersCount { count } }") == 10
    # fields inside a fragment are priced against its type, as the same selection is elsewhere
    variants = "variants(first: 250) { nodes { id selectedOptions { name } } }"
    assert cost(f'{{ node(id: "x") {{ ... on Product {{ {variants} }} }} }}') == 1 + 2 + 11 * 2
    assert cost(f'{{ product(id: "x") {{ {variants} }} }}') == 1 + 2 + 11 * 2
    # a mutation costs 10 with its payload, the resource in it and userErrors; what lies deeper is charged
    assert (
        cost('mutation { tagsAdd(id: "gid://shopify/Order/1", tags: ["a"]) { node { id } userErrors { field } } }')
        == 10
    )
    customer = "customer { id amountSpent { amount } orders(first: 1) { nodes { id } } }"
    assert cost("mutation { customerCreate(input: {}) { " + customer + " userErrors { field } } }") == 13
