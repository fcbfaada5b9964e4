"""One retry policy for whatever is sent to Shopify: GraphQL requests, bulk result downloads and staged
uploads; and the pacing of bulk operation polls.

A failed attempt worth another raises RetryableError (or a transport error, which counts as one). It
waits what the failure says it needs (Retry-After, the budget's refill) or else the next step of
python-backoff's exponential curve with full jitter, at most `max_wait` seconds, for at most
`max_attempts` attempts. An attempt that Shopify may have run is not sent again when the caller says
so (`resend=False`): AnswerLostError tells it to look before writing again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import backoff
import requests

from .errors import AnswerLostError, ShopifyError

log = logging.getLogger("shopify_admin")

T = TypeVar("T")

TRANSPORT_ERRORS = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError)
POLL_LATENESS = 0.25  # a pause between polls is at most this share of the time already waited


class RetryableError(Exception):
    """An attempt failed in a way worth another."""

    def __init__(self, reason: str, wait: float | None = None, unsent: bool = False) -> None:
        super().__init__(reason)
        self.wait = wait  # seconds the failure asks for; None to follow the curve
        self.unsent = unsent  # Shopify certainly did not run the request


def _retryable(error: Exception) -> RetryableError:
    if isinstance(error, RetryableError):
        return error
    # a connection that timed out before it was made carried nothing to Shopify
    return RetryableError(type(error).__name__, unsent=isinstance(error, requests.ConnectTimeout))


@dataclass(frozen=True)
class RetryPolicy:
    # 0.3^12 ≈ 5e-7: at 30% of answers failing (5xx, resets, internal errors), 8 attempts gave up on about
    # one read in 15,000, a record or two of a soak's runs
    max_attempts: int = 12
    max_wait: float = 60
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delays(self) -> Iterator[float]:
        """Pauses between attempts: drawn below 0.5 s, 1 s, 2 s… (full jitter), never above `max_wait`."""
        curve = backoff.expo(base=2, factor=0.5, max_value=self.max_wait)
        next(curve)  # python-backoff's generators start by yielding None
        return (backoff.full_jitter(delay) for delay in curve)

    def call(self, what: str, attempt: Callable[[], T], *, resend: bool = True) -> T:
        """`attempt()`'s result, retrying it while it fails in a way worth another."""
        delays = self.delays()
        for number in range(1, self.max_attempts + 1):
            try:
                return attempt()
            except (RetryableError, *TRANSPORT_ERRORS) as error:
                retry = _retryable(error)
            if not (resend or retry.unsent):
                raise AnswerLostError(f"could not {what}: the answer was lost ({retry}); Shopify may have applied it")
            if number == self.max_attempts:
                raise ShopifyError(f"could not {what}: {retry} (gave up after {number} attempts)")
            wait = next(delays) if retry.wait is None else retry.wait
            log.warning("Could not %s (%s); retry %d in %.1fs", what, retry, number, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")


def poll_pauses(first: float, most: float) -> Iterator[float]:
    """Pauses before each poll of something that will end: `first`, then a share of the time waited so
    far, at most `most`, so that an end is never seen much later than it came."""
    waited = 0.0
    while True:
        pause = min(most, max(first, waited * POLL_LATENESS))
        yield pause
        waited += pause
