"""Access tokens: the fixed one, the client-credentials grant, expiry, and Shopify's 401 body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from shopify_admin_emulator.emulator import INVALID_TOKEN_BODY

from ..conftest import TOKEN, Running, start

SHOP_QUERY = {"query": "{ shop { name } }"}


@pytest.fixture
def short_lived() -> Iterator[Running]:
    running = start(customers=1, products=1, orders=1, token_ttl=1)
    yield running
    running.server.shutdown()
    running.server.server_close()


def grant(running: Running, secret: str = "emulator-secret") -> requests.Response:
    return requests.post(
        f"{running.url}/admin/oauth/access_token",
        data={"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": secret},
        timeout=10,
    )


def graphql(running: Running, headers: dict[str, str], version: str = "2026-07") -> requests.Response:
    return requests.post(
        f"{running.url}/admin/api/{version}/graphql.json", json=SHOP_QUERY, headers=headers, timeout=10
    )


@pytest.mark.parametrize("headers", [{}, {"X-Shopify-Access-Token": "shpat_wrong"}, {"X-Shopify-Access-Token": ""}])
def test_missing_or_wrong_token_is_refused(shop: Running, headers: dict[str, str]) -> None:
    answer = graphql(shop, headers)
    assert answer.status_code == 401
    assert answer.json() == INVALID_TOKEN_BODY
    rest = requests.get(f"{shop.url}/admin/api/2026-07/shop.json", headers=headers, timeout=10)
    assert rest.status_code == 401
    assert rest.json() == INVALID_TOKEN_BODY


def test_client_credentials_grant(shop: Running) -> None:
    answer = grant(shop)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "scope", "expires_in"}
    assert body["access_token"].startswith("shpat_") and body["expires_in"] == 86399
    assert "read_customers" in body["scope"].split(",")
    used = graphql(shop, {"X-Shopify-Access-Token": body["access_token"]})
    assert used.status_code == 200 and used.json()["data"]["shop"]["name"]


def test_wrong_secret_is_refused(shop: Running) -> None:
    answer = grant(shop, secret="guess")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_granted_token_expires(short_lived: Running) -> None:
    body = grant(short_lived).json()
    assert body["expires_in"] == 1
    headers = {"X-Shopify-Access-Token": body["access_token"]}
    assert graphql(short_lived, headers).status_code == 200
    requests.post(f"{short_lived.url}/__emulator/clock", json={"advance": 1.2}, timeout=10).raise_for_status()
    expired = graphql(short_lived, headers)
    assert expired.status_code == 401
    assert expired.json() == INVALID_TOKEN_BODY
    assert graphql(short_lived, {"X-Shopify-Access-Token": TOKEN}).status_code == 200  # the fixed token lives on


@pytest.mark.parametrize("version", ["2024-10", "2025-01", "2026-04", "2026-07", "2031-12"])
def test_any_version_path_works(shop: Running, version: str) -> None:
    answer = graphql(shop, {"X-Shopify-Access-Token": TOKEN}, version)
    assert answer.status_code == 200 and "data" in answer.json()


def test_shop_json(shop: Running) -> None:
    answer = requests.get(
        f"{shop.url}/admin/api/2026-07/shop.json", headers={"X-Shopify-Access-Token": TOKEN}, timeout=10
    )
    assert answer.status_code == 200
    record = answer.json()["shop"]
    assert record["myshopify_domain"].endswith(".myshopify.com")
    assert {"id", "name", "currency", "iana_timezone", "plan_name"} <= set(record)
