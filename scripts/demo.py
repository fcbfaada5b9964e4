"""The demo: start a seeded `shopify-admin-emulator`, run a few real Admin GraphQL queries against it
and print what comes back."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from shopify_admin_emulator.launch import emulator_process

TOKEN = "shpat_demo"

SHOP = """{
  shop { name myshopifyDomain currencyCode plan { publicDisplayName } }
  customersCount { count }
  productsCount { count }
  ordersCount { count }
}"""

FIRST_ORDERS = """query FirstOrders {
  orders(first: 3, sortKey: UPDATED_AT) {
    nodes {
      name
      updatedAt
      customer { displayName }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 5) { nodes { title variantTitle quantity originalUnitPriceSet { shopMoney { amount } } } }
    }
  }
}"""

SEARCH = """query Recent($query: String!) {
  ordersCount(query: $query) { count }
  orders(first: 5, query: $query, sortKey: UPDATED_AT, reverse: true) {
    nodes { name updatedAt displayFinancialStatus }
  }
}"""


class Client:
    def __init__(self, url: str) -> None:
        self.endpoint = f"{url}/admin/api/2026-07/graphql.json"
        self.session = requests.Session()
        self.session.headers["X-Shopify-Access-Token"] = TOKEN

    def query(self, title: str, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.session.post(self.endpoint, json={"query": document, "variables": variables or {}}, timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"{title}: {json.dumps(body['errors'])}")
        cost = body["extensions"]["cost"]
        status = cost["throttleStatus"]
        print(f"\n== {title}")
        print(
            f"   cost: requested {cost['requestedQueryCost']}, actual {cost['actualQueryCost']}; bucket "
            f"{status['currentlyAvailable']}/{status['maximumAvailable']}, restores {status['restoreRate']}/s"
        )
        return body["data"]


def demo(url: str) -> None:
    client = Client(url)
    data = client.query("The shop and its counts", SHOP)
    shop = data["shop"]
    plan = shop["plan"]["publicDisplayName"]
    print(f"   {shop['name']} ({shop['myshopifyDomain']}), {shop['currencyCode']}, plan {plan}")
    print(
        f"   {data['customersCount']['count']} customers, {data['productsCount']['count']} products, "
        f"{data['ordersCount']['count']} orders"
    )

    data = client.query("The first 3 orders by UPDATED_AT", FIRST_ORDERS)
    for order in data["orders"]["nodes"]:
        total = order["totalPriceSet"]["shopMoney"]
        who = order["customer"]["displayName"] if order["customer"] else "no customer"
        print(f"   {order['name']}  updated {order['updatedAt']}  {who}  {total['amount']} {total['currencyCode']}")
        for item in order["lineItems"]["nodes"]:
            price = item["originalUnitPriceSet"]["shopMoney"]["amount"]
            print(f"      {item['quantity']} x {item['title']} ({item['variantTitle']}) at {price}")

    since = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    search = f"updated_at:>={since}"
    data = client.query(f'Orders matching "{search}" (newest 5)', SEARCH, {"query": search})
    print(f"   {data['ordersCount']['count']} orders match")
    for order in data["orders"]["nodes"]:
        print(f"   {order['name']}  updated {order['updatedAt']}  {order['displayFinancialStatus']}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--products", type=int, default=200)
    p.add_argument("--orders", type=int, default=2000)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the emulator is stopped on SIGTERM too
    sizes = ["--customers", str(args.customers), "--products", str(args.products), "--orders", str(args.orders)]
    try:
        with emulator_process(*sizes, "--access-token", TOKEN, "--plan", "standard") as child:
            print(f"shopify-admin-emulator serving {child.url} ({child.log[-1].split(') ', 1)[-1]})")
            demo(child.url)
    except (RuntimeError, requests.RequestException, KeyError, TypeError) as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print("\nemulator stopped; demo done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
