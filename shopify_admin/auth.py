"""Access tokens: a fixed Admin API token, or one from the client-credentials grant that is
renewed before it expires and after a 401. Tokens live in memory only."""

from __future__ import annotations

import threading
import time

import requests

RENEW_BEFORE = 300  # seconds before expiry at which a client-credentials token is renewed


class AuthenticationError(Exception):
    """Shopify refused the credentials; retrying cannot help."""


def credential(name: str, value: object) -> str | None:
    """The credential without the whitespace around it (a token copied with its line end works).
    A value that cannot be one is refused by name: the message never quotes it."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AuthenticationError(f"{name} must be a string, not a {type(value).__name__}")
    value = value.strip()
    if not value.isascii() or not value.isprintable() or " " in value:
        raise AuthenticationError(f"{name} holds spaces, line breaks or other characters no credential has")
    return value


class TokenSource:
    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        session: requests.Session,
        timeout: float = 60,
    ) -> None:
        access_token = credential("access_token", access_token)
        client_id, client_secret = credential("client_id", client_id), credential("client_secret", client_secret)
        if not access_token and not (client_id and client_secret):
            raise AuthenticationError("set access_token, or client_id and client_secret")
        self.base_url = base_url
        self._fixed = access_token
        self._client = (client_id, client_secret)
        self._session = session
        self._timeout = timeout
        self._token: str | None = access_token
        self._expires_at = float("inf")
        self._lock = threading.Lock()

    @property
    def renewable(self) -> bool:
        return self._fixed is None

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.time() > self._expires_at - RENEW_BEFORE:
                self._grant()
            assert self._token is not None
            return self._token

    def renew(self) -> None:
        """After a 401: get a new client-credentials token (a fixed token cannot be renewed)."""
        if not self.renewable:
            raise AuthenticationError("Shopify rejected the access token (HTTP 401): check access_token and the shop")
        with self._lock:
            self._grant()

    def _grant(self) -> None:
        client_id, client_secret = self._client
        response = self._session.post(
            f"{self.base_url}/admin/oauth/access_token",
            data={"client_id": client_id, "client_secret": client_secret, "grant_type": "client_credentials"},
            timeout=self._timeout,
        )
        if response.status_code != 200:
            raise AuthenticationError(
                f"the client-credentials grant was refused (HTTP {response.status_code}): "
                "check client_id and client_secret"
            )
        body = response.json()
        self._token = credential("the granted access token", body.get("access_token"))
        self._expires_at = time.time() + float(body.get("expires_in") or 86399)
