"""The emulator answers reads over HTTP, checks the token, and pages consistently."""

from __future__ import annotations

import requests

from ..conftest import TOKEN, Running, start


def test_bad_token_gets_shopify_401(shop: Running) -> None:
    response = requests.post(
        f"{shop.url}/admin/api/2026-07/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": "wrong"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def test_paging_by_updated_at_visits_every_customer_once(shop: Running) -> None:
    query = """query Page($after: String) {
      customers(first: 7, after: $after, sortKey: UPDATED_AT) {
        nodes { id updatedAt }
        pageInfo { hasNextPage endCursor }
      }
    }"""
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = shop.graphql(query, {"after": after})["data"]["customers"]
        seen += [(n["updatedAt"], n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    total = shop.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen, key=lambda pair: pair[0])


def test_the_shop_answers_the_time_zone_it_was_given() -> None:
    toronto = start(customers=1, products=1, orders=1, timezone="America/Toronto")
    try:
        shop = toronto.graphql("{ shop { ianaTimezone timezoneAbbreviation } }")["data"]["shop"]
        rest = toronto.session.get(
            f"{toronto.url}/admin/api/2026-07/shop.json", headers={"X-Shopify-Access-Token": TOKEN}, timeout=10
        )
    finally:
        toronto.server.shutdown()
        toronto.server.server_close()
    assert shop["ianaTimezone"] == "America/Toronto"
    assert shop["timezoneAbbreviation"] in ("EST", "EDT")
    assert rest.json()["shop"]["iana_timezone"] == "America/Toronto"
