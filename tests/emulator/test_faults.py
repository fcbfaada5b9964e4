"""Fault injection through the test API and the command-line rule syntax, and request statistics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from shopify_admin_emulator.emulator import INVALID_TOKEN_BODY
from shopify_admin_emulator.faults import Rule

from ..conftest import TOKEN, Running, start

QUERY = "query Shop { shop { name } }"


@pytest.fixture
def quiet() -> Iterator[Running]:
    running = start(customers=2, products=1, orders=1)
    yield running
    running.server.shutdown()
    running.server.server_close()


def faults(running: Running, *rules: dict[str, Any]) -> list[dict[str, Any]]:
    answer = requests.post(f"{running.url}/__emulator/faults", json=list(rules), timeout=10)
    assert answer.status_code == 200
    return list(answer.json())


def post(running: Running, query: str = QUERY, token: str = TOKEN, timeout: float = 10) -> requests.Response:
    return requests.post(
        f"{running.url}/admin/api/2026-07/graphql.json",
        json={"query": query},
        headers={"X-Shopify-Access-Token": token},
        timeout=timeout,
    )


def test_throttled(quiet: Running) -> None:
    faults(quiet, {"kind": "throttled", "nth": [1]})
    answer = post(quiet, "{ customers(first: 5) { nodes { id } } }")
    assert answer.status_code == 200
    body = answer.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "THROTTLED"
    # like a real one, it reports what the query requested: 2 + ⌊2·ln 5⌋ items
    assert body["extensions"]["cost"]["requestedQueryCost"] == 5
    assert set(body["extensions"]["cost"]["throttleStatus"]) == {
        "maximumAvailable",
        "currentlyAvailable",
        "restoreRate",
    }
    assert "data" in post(quiet).json()


def test_http_429_has_retry_after(quiet: Running) -> None:
    faults(quiet, {"kind": "http_429", "nth": 1, "seconds": 3})
    answer = post(quiet)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "3"
    assert "errors" in answer.json()


@pytest.mark.parametrize("code", [500, 502, 503])
def test_server_errors(quiet: Running, code: int) -> None:
    faults(quiet, {"kind": f"http_{code}", "nth": [2]})
    assert post(quiet).status_code == 200
    assert post(quiet).status_code == code
    assert post(quiet).status_code == 200


def test_reset_is_a_connection_error(quiet: Running) -> None:
    faults(quiet, {"kind": "reset", "nth": [1]})
    with pytest.raises(requests.ConnectionError):
        post(quiet)
    assert post(quiet).status_code == 200


def test_slow_answer_is_delayed(quiet: Running) -> None:
    faults(quiet, {"kind": "slow", "nth": [1], "seconds": 0.3})
    started = time.monotonic()
    answer = post(quiet)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200 and "data" in answer.json()


def test_truncated_body(quiet: Running) -> None:
    faults(quiet, {"kind": "truncated", "nth": [1]})
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        post(quiet).json()
    assert post(quiet).status_code == 200


def test_expire_token(quiet: Running) -> None:
    faults(quiet, {"kind": "expire_token", "nth": [2]})
    assert post(quiet).status_code == 200
    for _ in range(2):  # the fault fires once; the token stays dead
        answer = post(quiet)
        assert answer.status_code == 401
        assert answer.json() == INVALID_TOKEN_BODY


def test_every_and_count(quiet: Running) -> None:
    faults(quiet, {"kind": "http_503", "every": 2, "count": 2})
    codes = [post(quiet).status_code for _ in range(8)]
    assert codes == [200, 503, 200, 503, 200, 200, 200, 200]
    described = requests.get(f"{quiet.url}/__emulator/faults", timeout=10).json()
    assert described[0]["fired"] == 2


def test_rate_is_roughly_the_share_of_requests() -> None:
    rule = Rule.parse("http_500:rate=0.25")
    import random

    rng = random.Random(7)
    fired = sum(rule.fires(n, rng) for n in range(1, 2001))
    assert 350 < fired < 650
    assert Rule.parse("http_500:rate=0").fires(1, rng) is False


def test_nth_fires_on_those_requests_only(quiet: Running) -> None:
    faults(quiet, {"kind": "http_502", "nth": [1, 3]})
    assert [post(quiet).status_code for _ in range(4)] == [502, 200, 502, 200]


def test_bad_rule_is_refused(quiet: Running) -> None:
    answer = requests.post(f"{quiet.url}/__emulator/faults", json=[{"kind": "nope"}], timeout=10)
    assert answer.status_code == 400


def test_command_line_syntax() -> None:
    rule = Rule.parse("slow:every=10:seconds=2:count=3")
    assert (rule.kind, rule.every, rule.seconds, rule.count) == ("slow", 10, 2.0, 3)
    assert Rule.parse("http_503:nth=3/7").nth == (3, 7)
    assert Rule.parse("throttled:rate=0.1").rate == 0.1
    with pytest.raises(ValueError, match="unknown fault"):
        Rule.parse("explode")
    with pytest.raises(ValueError, match="unknown fault option"):
        Rule.parse("reset:often=1")


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("http_429:nth=1:seconds=2", 429),
        ("http_500:nth=1", 500),
        ("throttled:nth=1", 200),
        ("internal_error:nth=1:after", 200),
        ("expire_token:nth=1", 401),
    ],
)
def test_command_line_rules_take_effect(text: str, expect: int) -> None:
    running = start(customers=1, products=1, orders=1, faults=[text])
    try:
        assert post(running).status_code == expect
    finally:
        running.server.shutdown()
        running.server.server_close()


def test_stats_per_operation(quiet: Running) -> None:
    requests.post(f"{quiet.url}/__emulator/stats/reset", timeout=10)
    faults(quiet, {"kind": "throttled", "nth": [3]})
    post(quiet)
    spent = post(quiet, "query Customers { customers(first: 100) { nodes { id } } }").json()["extensions"]["cost"]
    post(quiet)
    stats = requests.get(f"{quiet.url}/__emulator/stats", timeout=10).json()
    shop, customers = stats["operations"]["Shop"], stats["operations"]["Customers"]
    # the injected THROTTLED answer is counted under its operation, with the cost it requested
    assert shop == {"requests": 2, "throttled": 1, "requested_cost": 2, "actual_cost": 1}
    assert customers["requests"] == 1 and customers["requested_cost"] == 2 + 9
    assert customers["actual_cost"] == spent["actualQueryCost"] < 11
    assert stats["graphql"]["requests"] == 3 and stats["graphql"]["throttled"] == 1
    assert stats["http_requests"] >= 3


CREATE_CUSTOMER = 'mutation { customerCreate(input: {email: "after@example.com"}) { customer { id } } }'
AFTER_CUSTOMERS = '{ customerByIdentifier(identifier: {emailAddress: "after@example.com"}) { id } }'


@pytest.mark.parametrize(
    ("rule", "lost"),
    [
        ({"kind": "reset"}, requests.ConnectionError),
        ({"kind": "http_503"}, None),
        ({"kind": "truncated"}, (requests.exceptions.ChunkedEncodingError, requests.ConnectionError)),
        ({"kind": "slow", "seconds": 1.5}, requests.Timeout),
    ],
)
def test_after_faults_commit_the_write_then_lose_its_answer(quiet: Running, rule: dict, lost: Any) -> None:
    faults(quiet, {**rule, "nth": [1], "after": True})
    if lost is None:
        assert post(quiet, CREATE_CUSTOMER).status_code == 503
    else:
        with pytest.raises(lost):
            post(quiet, CREATE_CUSTOMER, timeout=0.5).json()
    assert quiet.graphql(AFTER_CUSTOMERS)["data"]["customerByIdentifier"] is not None


@pytest.mark.parametrize("after", [False, True], ids=["before", "after"])
def test_internal_error_answers_as_shopify_does_before_or_after_the_write(quiet: Running, after: bool) -> None:
    faults(quiet, {"kind": "internal_error", "nth": [1, 2], "after": after})
    answers = [post(quiet, CREATE_CUSTOMER) for _ in range(2)]
    bodies = [a.json() for a in answers]
    assert [a.status_code for a in answers] == [200, 200]
    for body in bodies:
        [error] = body["errors"]
        assert body["data"] is None and error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
        assert f"Request ID: {error['extensions']['requestId']} (include this" in error["message"]
    assert len({b["errors"][0]["extensions"]["requestId"] for b in bodies}) == 2  # a fresh id each time
    assert (quiet.graphql(AFTER_CUSTOMERS)["data"]["customerByIdentifier"] is not None) is after


def test_before_faults_leave_the_shop_unchanged(quiet: Running) -> None:
    faults(quiet, {"kind": "reset", "nth": [1]}, {"kind": "http_503", "nth": [2]})
    with pytest.raises(requests.ConnectionError):
        post(quiet, CREATE_CUSTOMER)
    assert post(quiet, CREATE_CUSTOMER).status_code == 503
    assert quiet.graphql(AFTER_CUSTOMERS)["data"]["customerByIdentifier"] is None


def test_after_option_in_the_command_line_syntax() -> None:
    assert Rule.parse("http_502:rate=0.1:after").after is True
    assert Rule.parse("http_502:rate=0.1").after is False
    with pytest.raises(ValueError, match="no after-execution form"):
        Rule.parse("throttled:after")
    with pytest.raises(ValueError, match="no after-execution form"):
        Rule.from_json({"kind": "http_429", "after": True})
