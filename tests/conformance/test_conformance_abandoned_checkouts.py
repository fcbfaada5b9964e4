"""Abandoned checkouts as the captures read them (../shared/shopify-captures/2025-01/orders/abandoned-*.json):
the captured empty read's shape and what the seeded shop's checkouts answer to search and sort."""

from __future__ import annotations

from ..captures import load, needs_captures
from ..conftest import Running

pytestmark = needs_captures

READ = """query A($first: Int!, $query: String) {
  abandonedCheckouts(first: $first, query: $query, sortKey: CREATED_AT) {
    nodes { id name abandonedCheckoutUrl createdAt updatedAt completedAt discountCodes customer { id email }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 5) { nodes { title sku quantity variant { id } } } }
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
  abandonedCheckoutsCount(query: $query) { count precision }
}"""


def test_an_empty_shop_answers_as_the_captured_one(shop: Running) -> None:
    theirs = load("2025-01/orders/abandoned-checkout-empty-read.json")["response"]["data"]
    table = shop.emulator.store.table("AbandonedCheckout")
    table.rows.clear()
    table.changed()
    ours = shop.graphql(READ, {"first": 2})["data"]
    assert ours["abandonedCheckouts"] == {k: theirs["abandonedCheckouts"][k] for k in ours["abandonedCheckouts"]}
    assert ours["abandonedCheckoutsCount"] == theirs["abandonedCheckoutsCount"]


def test_seeded_checkouts_search_by_status_and_dates(shop: Running) -> None:
    every = shop.graphql(READ, {"first": 50})["data"]
    nodes = every["abandonedCheckouts"]["nodes"]
    assert every["abandonedCheckoutsCount"] == {"count": len(nodes), "precision": "EXACT"}
    assert [n["createdAt"] for n in nodes] == sorted(n["createdAt"] for n in nodes)
    assert all(n["lineItems"]["nodes"] and n["abandonedCheckoutUrl"].startswith("https://") for n in nodes)
    closed = shop.graphql(READ, {"first": 50, "query": "status:closed"})["data"]["abandonedCheckouts"]["nodes"]
    assert closed and all(n["completedAt"] for n in closed)
    middle = sorted(n["updatedAt"] for n in nodes)[len(nodes) // 2]
    later = shop.graphql(READ, {"first": 50, "query": f"updated_at:>='{middle}'"})["data"]["abandonedCheckouts"]
    assert {n["id"] for n in later["nodes"]} == {n["id"] for n in nodes if n["updatedAt"] >= middle}
