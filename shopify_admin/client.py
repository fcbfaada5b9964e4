"""GraphQL transport for the Shopify Admin API: auth, the shared cost throttle, and retries (retry.py).

Retried within a bounded budget: THROTTLED and INTERNAL_SERVER_ERROR answers, HTTP 429 (after
Retry-After), 5xx, timeouts, connection resets and truncated bodies. Not retried: a refused token,
missing access scopes, documents Shopify rejects. A request sent with `resend=False` (a mutation that
would apply twice) is retried only where Shopify certainly did not run it (THROTTLED, 429, no
connection); where it may have (a lost or cut answer, a timeout, a 5xx, an internal error)
AnswerLostError tells the caller to look before writing again. Errors name the operation, and for an
internal error where it struck and Shopify's request id. The access token is never logged or put in an
exception.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec
import requests
from graphql import FieldNode, GraphQLError, get_operation_ast

from .auth import TokenSource
from .cost import parsed, requested_cost
from .errors import AccessDeniedError, AuthenticationError, ConfigurationError, ShopifyError
from .retry import RetryableError, RetryPolicy
from .throttle import CostThrottle

DEFAULT_API_VERSION = "2026-07"
SHOP_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

log = logging.getLogger("shopify_admin")

__all__ = ["ShopifyAdminClient", "normalize_shop"]


class _UnauthorizedError(Exception):
    pass


def normalize_shop(shop: str) -> str:
    """`my-shop`, `my-shop.myshopify.com` or `https://my-shop.myshopify.com/` → `my-shop`."""
    handle = re.sub(r"^https?://", "", shop.strip().lower()).rstrip("/")
    handle = handle.removesuffix(".myshopify.com")
    if not SHOP_HANDLE.match(handle):
        raise ConfigurationError(f"shop must be a shop handle or its myshopify.com domain, not {shop!r}")
    return handle


def _errors_summary(errors: list[dict[str, Any]]) -> str:
    return "; ".join(str(e.get("message")) for e in errors)


def operation_name(query: str) -> str:
    """The document's operation name, else its kind and first root field: what messages say was sent."""
    try:
        operation = get_operation_ast(parsed(query))
    except GraphQLError:
        return "a document that does not parse"
    if operation is None:
        return "a document of several operations"
    if operation.name is not None:
        return operation.name.value
    fields = [s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    return " ".join([operation.operation.value, *fields[:1]])


def internal_error_summary(error: dict[str, Any]) -> str:
    """Shopify's INTERNAL_SERVER_ERROR in a few words: where it struck, when the error says, and the
    request id Shopify's support asks for."""
    path = ".".join(str(step) for step in error.get("path") or ())
    request_id = (error.get("extensions") or {}).get("requestId") or "not given"
    return f"INTERNAL_SERVER_ERROR{f' at {path}' if path else ''} (Shopify request ID {request_id})"


class ShopifyAdminClient:
    def __init__(
        self,
        shop: str,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str | None = None,
        user_tier: str = "standard",
        request_timeout: float = 300,
        max_attempts: int = 12,
        max_wait: float = 60,
        throttle: CostThrottle | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.shop = normalize_shop(shop)
        self.base_url = (base_url or f"https://{self.shop}.myshopify.com").rstrip("/")
        self.endpoint = f"{self.base_url}/admin/api/{api_version}/graphql.json"
        self.session = requests.Session()
        self.tokens = TokenSource(
            self.base_url,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            session=self.session,
            timeout=request_timeout,
        )
        self.throttle = throttle or CostThrottle(user_tier)
        self.timeout = request_timeout
        self.retry = RetryPolicy(max_attempts, max_wait, sleep or time.sleep)
        self.requests_sent = 0
        self.points_used = 0
        self._count_lock = threading.Lock()  # sinks write from several threads

    def execute(self, query: str, variables: dict[str, Any] | None = None, *, resend: bool = True) -> dict[str, Any]:
        """The `data` of a successful answer; raises ShopifyError when Shopify reports errors. With
        `resend=False`, an answer lost after the request may have run raises AnswerLostError."""
        body = self.request(query, variables, resend=resend)
        if body.get("errors"):
            raise ShopifyError(f"Shopify returned errors: {_errors_summary(body['errors'])}", body)
        return body["data"]

    def request(self, query: str, variables: dict[str, Any] | None = None, *, resend: bool = True) -> dict[str, Any]:
        """The whole answer, after waiting until the budget holds the document's requested cost (Shopify's
        rule, see cost.py) and retrying what can be retried."""
        try:
            cost = requested_cost(query, variables)
        except GraphQLError:  # variables that do not fit the document: Shopify refuses it unpriced
            cost = 1
        renewed = False

        def attempt() -> dict[str, Any]:
            nonlocal renewed
            try:
                return self._check(self._send(query, variables, cost), cost)
            except _UnauthorizedError:
                if renewed or not self.tokens.renewable:
                    raise AuthenticationError(
                        "Shopify rejected the access token (HTTP 401): check the credentials and the shop"
                    ) from None
                self.tokens.renew()  # once: a token just issued and refused will not do better
                renewed = True
                raise RetryableError("the access token had expired; renewed", wait=0, unsent=True) from None

        return self.retry.call(f"run {operation_name(query)}", attempt, resend=resend)

    @property
    def max_attempts(self) -> int:
        """Attempts at one request, for callers that retry a write of their own (see RetryPolicy)."""
        return self.retry.max_attempts

    def _send(self, query: str, variables: dict[str, Any] | None, cost: int) -> dict[str, Any]:
        """The answer's body, once the budget allows `cost` points; transport failures raise."""
        spent = self.throttle.acquire(cost)
        body: dict[str, Any] | None = None
        try:
            body = self._post(query, variables)
            return body
        finally:
            self.throttle.observe(_cost(body).get("throttleStatus"), spent)

    def _post(self, query: str, variables: dict[str, Any] | None) -> dict[str, Any]:
        with self._count_lock:
            self.requests_sent += 1
        response = self.session.post(
            self.endpoint,
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": self.tokens.token()},
            timeout=self.timeout,
        )
        if response.status_code == 401:
            raise _UnauthorizedError
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After")
            raise RetryableError("HTTP 429", float(retry_after) if retry_after else None, unsent=True)
        if response.status_code >= 500:
            raise RetryableError(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise ShopifyError(f"Shopify answered HTTP {response.status_code}: {response.text[:500]}")
        try:  # msgspec: a page of hundreds of orders decodes several times faster than with the json module
            body: dict[str, Any] = msgspec.json.decode(response.content)
        except msgspec.DecodeError:
            raise RetryableError("incomplete or invalid JSON body") from None
        return body

    def _check(self, body: dict[str, Any], estimate: int) -> dict[str, Any]:
        cost = _cost(body)
        with self._count_lock:
            self.points_used += int(cost.get("actualQueryCost") or 0)
        errors = body.get("errors") or []
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        if "THROTTLED" in codes:
            wait = self.throttle.seconds_until(cost.get("requestedQueryCost") or estimate)
            raise RetryableError("THROTTLED", wait, unsent=True)
        internal = [e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"]
        if internal:  # Shopify failed on its side, maybe after running the request: not unsent
            raise RetryableError(internal_error_summary(internal[0]))
        if "ACCESS_DENIED" in codes:
            raise AccessDeniedError(_errors_summary(errors), body)
        if "MAX_COST_EXCEEDED" in codes:
            raise ShopifyError(_errors_summary(errors), body)
        return body


def _cost(body: dict[str, Any] | None) -> dict[str, Any]:
    """An answer's `extensions.cost` ({} when it has none)."""
    return ((body or {}).get("extensions") or {}).get("cost") or {}
