"""The shared client against the emulator: throttling, retries, auth, and what is not retried."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from shopify_admin import (
    AccessDeniedError,
    AnswerLostError,
    AuthenticationError,
    ConfigurationError,
    CostThrottle,
    ShopifyAdminClient,
    ShopifyError,
)
from shopify_admin.client import internal_error_summary, normalize_shop

from ..conftest import TOKEN, Running, start

QUERY = "query Few { customers(first: 5) { nodes { id } } }"


@pytest.fixture
def standard_shop() -> Iterator[Running]:
    running = start(plan="standard", client_id="cid", client_secret="csecret")
    yield running
    running.server.shutdown()
    running.server.server_close()


def client_for(shop: Running, **options) -> ShopifyAdminClient:
    options.setdefault("access_token", TOKEN)
    return ShopifyAdminClient("emulator", base_url=shop.url, sleep=lambda _s: None, **options)


def inject(shop: Running, *rules: dict) -> None:
    requests.post(f"{shop.url}/__emulator/faults", json=list(rules), timeout=5).raise_for_status()


@pytest.mark.parametrize(
    "raw, handle",
    [("my-shop", "my-shop"), ("My-Shop.myshopify.com", "my-shop"), ("https://my-shop.myshopify.com/", "my-shop")],
)
def test_shop_is_normalised(raw: str, handle: str) -> None:
    assert normalize_shop(raw) == handle


def test_shop_that_is_not_a_handle_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="shop must be"):
        normalize_shop("my shop!")


def test_throttle_waits_for_the_restore_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = CostThrottle("standard", clock=lambda: now[0], sleep=sleep)
    first = throttle.acquire(1500)
    throttle.observe(None, first)  # an answer without a throttle status: the prediction stands
    second = throttle.acquire(1000)  # 500 left: 500 points short at 100 points/s
    assert slept == [pytest.approx(5.0)]
    throttle.observe({"maximumAvailable": 4000, "currentlyAvailable": 4000, "restoreRate": 200}, second)
    throttle.acquire(3000)
    assert len(slept) == 1


def test_throttle_wait_is_wall_time_however_many_writers_wait() -> None:
    """Writers waiting at the same time wait once: the progress lines' throttle_wait_s is wall time."""
    throttle = CostThrottle("standard")
    throttle.acquire(2000)  # the bucket is empty: each of them waits 0.1 s for its 10 points, in turn
    writers = [threading.Thread(target=throttle.acquire, args=(10,)) for _ in range(4)]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert 0.3 < throttle.waited <= time.monotonic() - started


def test_throttle_wait_counts_the_wait_going_on() -> None:
    """Writers that take turns waiting may never all be done waiting: a report must see the present wait."""
    now, seen = [0.0], []

    def sleep(seconds: float) -> None:
        now[0] += seconds
        seen.append(throttle.waited)

    throttle = CostThrottle("standard", clock=lambda: now[0], sleep=sleep)
    throttle.acquire(2000)
    throttle.acquire(300)
    assert seen == [pytest.approx(3.0)] and throttle.waited == pytest.approx(3.0)


def test_throttle_takes_requests_in_flight_off_what_an_answer_reports() -> None:
    """Shopify's answer to one request does not count the others still on their way."""
    throttle = CostThrottle("standard", clock=lambda: 0.0, sleep=lambda _s: pytest.fail("should not wait"))
    first, second = throttle.acquire(300), throttle.acquire(200)
    throttle.observe({"maximumAvailable": 2000, "currentlyAvailable": 1700, "restoreRate": 100}, first)
    assert throttle.seconds_until(1500) == pytest.approx(0.0)
    assert throttle.seconds_until(1501) == pytest.approx(0.01)  # 1700 reported, 200 still in flight
    throttle.observe({"maximumAvailable": 2000, "currentlyAvailable": 1500, "restoreRate": 100}, second)
    assert throttle.seconds_until(1500) == pytest.approx(0.0) and throttle.seconds_until(1501) > 0


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "throttled", "nth": [1, 2]},
        {"kind": "internal_error", "nth": [1, 2]},
        {"kind": "http_429", "nth": [1], "seconds": 0.01},
        {"kind": "http_503", "nth": [1, 2]},
        {"kind": "http_500", "nth": [1]},
        {"kind": "reset", "nth": [1]},
        {"kind": "truncated", "nth": [1]},
    ],
)
def test_transient_failures_are_retried(standard_shop: Running, rule: dict) -> None:
    inject(standard_shop, rule)
    client = client_for(standard_shop)
    data = client.execute(QUERY)
    assert len(data["customers"]["nodes"]) == 5
    assert client.requests_sent == 1 + len(rule["nth"])


CREATE = 'mutation NewCustomer { customerCreate(input: {email: "once@example.com"}) { customer { id } } }'
CUSTOMERS = 'query Once { customers(first: 5, query: "email:once@example.com") { nodes { id } } }'


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "truncated", "after": True},
        {"kind": "reset", "after": True},
        {"kind": "http_502", "after": True},
        {"kind": "internal_error", "after": True},
        {"kind": "internal_error"},  # before execution, but the client cannot tell
        {"kind": "http_503"},  # likewise
    ],
)
def test_a_write_not_to_resend_is_not_resent_after_a_lost_answer(standard_shop: Running, rule: dict) -> None:
    inject(standard_shop, {**rule, "nth": [1]})
    client = client_for(standard_shop)
    with pytest.raises(AnswerLostError, match="may have applied it"):
        client.execute(CREATE, resend=False)
    assert client.requests_sent == 1
    assert len(client.execute(CUSTOMERS)["customers"]["nodes"]) == (1 if rule.get("after") else 0)


@pytest.mark.parametrize("rule", [{"kind": "throttled", "nth": [1]}, {"kind": "http_429", "nth": [1], "seconds": 0}])
def test_a_write_not_to_resend_is_resent_where_shopify_did_not_run_it(standard_shop: Running, rule: dict) -> None:
    inject(standard_shop, rule)
    client = client_for(standard_shop)
    assert client.execute(CREATE, resend=False)["customerCreate"]["customer"]["id"]
    assert client.requests_sent == 2
    assert len(client.execute(CUSTOMERS)["customers"]["nodes"]) == 1


def test_retries_are_bounded(standard_shop: Running) -> None:
    inject(standard_shop, {"kind": "http_503", "every": 1})
    client = client_for(standard_shop, max_attempts=3)
    with pytest.raises(ShopifyError, match="gave up after 3 attempts"):
        client.execute(QUERY)
    assert client.requests_sent == 3


def test_an_internal_error_that_persists_names_the_operation_and_shopify_request_id(standard_shop: Running) -> None:
    inject(standard_shop, {"kind": "internal_error", "every": 1})
    client = client_for(standard_shop, max_attempts=3)
    with pytest.raises(ShopifyError) as caught:
        client.execute(QUERY)
    assert client.requests_sent == 3
    assert re.fullmatch(
        r"could not run Few: INTERNAL_SERVER_ERROR \(Shopify request ID [0-9a-f-]{36}-\d+\)"
        r" \(gave up after 3 attempts\)",
        str(caught.value),
    )
    with pytest.raises(
        AnswerLostError, match=r"could not run NewCustomer: the answer was lost \(INTERNAL_SERVER_ERROR"
    ):
        client.execute(CREATE, resend=False)
    assert caught.value.at("stream customers") is caught.value
    assert str(caught.value.at("stream orders")).startswith("stream customers: could not run Few: ")


def test_an_internal_error_names_where_it_struck_when_shopify_says() -> None:
    error = {"message": "…", "path": ["orders", 3], "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    assert internal_error_summary(error) == "INTERNAL_SERVER_ERROR at orders.3 (Shopify request ID not given)"


def test_bad_token_is_one_clear_error_without_the_token(standard_shop: Running) -> None:
    client = client_for(standard_shop, access_token="shpat_wrong_secret_value")
    with pytest.raises(AuthenticationError) as caught:
        client.execute(QUERY)
    assert "shpat_wrong_secret_value" not in str(caught.value)
    assert client.requests_sent == 1


def test_client_credentials_token_is_renewed_after_it_expires(standard_shop: Running) -> None:
    client = client_for(standard_shop, access_token=None, client_id="cid", client_secret="csecret")
    client.execute(QUERY)
    inject(standard_shop, {"kind": "expire_token", "nth": [1]})
    assert len(client.execute(QUERY)["customers"]["nodes"]) == 5


def test_wrong_client_secret_is_refused(standard_shop: Running) -> None:
    client = client_for(standard_shop, access_token=None, client_id="cid", client_secret="nope")
    with pytest.raises(AuthenticationError, match="client-credentials grant was refused"):
        client.execute(QUERY)


def test_documents_shopify_rejects_are_not_retried(standard_shop: Running) -> None:
    client = client_for(standard_shop)
    with pytest.raises(ShopifyError, match="exceeds the single query max cost"):
        orders = "orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } }"
        client.execute(f"{{ customers(first: 250) {{ nodes {{ {orders} }} }} }}")  # 1,729 points
    assert client.requests_sent == 1


def test_client_learns_the_budget_and_cost_from_answers(standard_shop: Running) -> None:
    client = client_for(standard_shop, user_tier="plus")
    assert client.throttle.maximum == 20000
    client.execute(QUERY)
    assert client.throttle.maximum == 2000  # the emulator runs the standard plan
    assert client.points_used > 0


def test_access_denied_is_its_own_error() -> None:
    assert issubclass(AccessDeniedError, ShopifyError)
