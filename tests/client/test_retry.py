"""The one retry policy, on its own: waits, bounds, and what is never sent twice."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

import pytest
import requests

from shopify_admin import AnswerLostError, ShopifyError
from shopify_admin.retry import POLL_LATENESS, RetryableError, RetryPolicy, poll_pauses


def failing(*failures: Exception) -> tuple[Callable[[], str], list[int]]:
    """An attempt that raises `failures` in turn, then answers "done"; and the count of its calls."""
    calls = [0]

    def attempt() -> str:
        calls[0] += 1
        if calls[0] <= len(failures):
            raise failures[calls[0] - 1]
        return "done"

    return attempt, calls


def test_waits_follow_the_jittered_curve_unless_the_failure_names_its_wait() -> None:
    pauses: list[float] = []
    policy = RetryPolicy(max_attempts=5, max_wait=60, sleep=pauses.append)
    attempt, calls = failing(RetryableError("HTTP 503"), RetryableError("HTTP 429", wait=7), RetryableError("reset"))
    assert policy.call("read", attempt) == "done"
    assert calls[0] == 4
    assert 0 <= pauses[0] <= 0.5 and pauses[1] == 7 and 0 <= pauses[2] <= 1.0


def test_the_curve_never_exceeds_max_wait() -> None:
    delays = list(islice(RetryPolicy(max_wait=3).delays(), 20))
    assert all(0 <= delay <= 3 for delay in delays)


def test_attempts_are_bounded_and_the_last_reason_is_given() -> None:
    attempt, calls = failing(*[RetryableError("HTTP 503")] * 5)
    with pytest.raises(ShopifyError, match=r"could not read: HTTP 503 \(gave up after 3 attempts\)"):
        RetryPolicy(max_attempts=3, sleep=lambda _s: None).call("read", attempt)
    assert calls[0] == 3


@pytest.mark.parametrize("failure", [RetryableError("HTTP 502"), requests.ReadTimeout(), requests.ConnectionError()])
def test_what_shopify_may_have_run_is_not_sent_again(failure: Exception) -> None:
    attempt, calls = failing(failure)
    with pytest.raises(AnswerLostError, match="may have applied it"):
        RetryPolicy(sleep=lambda _s: None).call("write", attempt, resend=False)
    assert calls[0] == 1


@pytest.mark.parametrize("failure", [RetryableError("THROTTLED", wait=0, unsent=True), requests.ConnectTimeout()])
def test_what_shopify_certainly_did_not_run_is_sent_again(failure: Exception) -> None:
    attempt, calls = failing(failure)
    assert RetryPolicy(sleep=lambda _s: None).call("write", attempt, resend=False) == "done"
    assert calls[0] == 2


def test_other_errors_are_not_retried() -> None:
    attempt, calls = failing(ShopifyError("refused"))
    with pytest.raises(ShopifyError, match="refused"):
        RetryPolicy(sleep=lambda _s: None).call("read", attempt)
    assert calls[0] == 1


def test_poll_pauses_are_bounded_by_the_time_already_waited() -> None:
    pauses = list(islice(poll_pauses(1.0, 30.0), 40))
    assert pauses[0] == 1.0 and max(pauses) == 30.0
    for at, pause in enumerate(pauses[1:], start=1):
        assert pause <= max(1.0, sum(pauses[:at]) * POLL_LATENESS)
