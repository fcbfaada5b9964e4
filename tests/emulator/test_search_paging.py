"""Search syntax and cursor paging as Shopify does them, checked against the store's own records."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shopify_admin_emulator.store import Record

from ..conftest import Running, start

SAME_SECOND = "2026-03-01T12:00:00Z"
SORT_FIELDS = {"ID": None, "UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}


def share_one_second(shop: Running, count: int = 9) -> None:
    """Give several customers the same updatedAt so that pages of 4 split them."""
    for record in list(shop.emulator.store.all("Customer"))[5 : 5 + count]:
        shop.emulator.store.touch(record, SAME_SECOND)


def expected(
    shop: Running, type_name: str, sort_key: str, match: Callable[[Record], bool] = lambda r: True
) -> list[str]:
    field = SORT_FIELDS[sort_key]
    records = [r for r in shop.emulator.store.all(type_name) if match(r)]
    records.sort(key=lambda r: (r[field], r["_n"]) if field else r["_n"])
    return [r["id"] for r in records]


def walk(shop: Running, root: str, sort_key: str, backward: bool, reverse: bool, query: str | None = None) -> list[str]:
    """Every id the connection yields, paging 4 at a time, in the order the sort implies."""
    size, cursor = ("last", "before") if backward else ("first", "after")
    text = f"""query P($c: String, $q: String) {{
      {root}({size}: 4, {cursor}: $c, sortKey: {sort_key}, reverse: {str(reverse).lower()}, query: $q) {{
        nodes {{ id }}
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
      }}
    }}"""
    ids: list[str] = []
    position: str | None = None
    first_page = True
    while True:
        page = shop.graphql(text, {"c": position, "q": query})["data"][root]
        info = page["pageInfo"]
        nodes = [n["id"] for n in page["nodes"]]
        ids = nodes + ids if backward else ids + nodes
        behind = info["hasNextPage"] if backward else info["hasPreviousPage"]
        ahead = info["hasPreviousPage"] if backward else info["hasNextPage"]
        assert behind is not first_page or not nodes  # nothing behind the first page, something behind later ones
        first_page = False
        if not ahead:
            return ids
        position = info["startCursor"] if backward else info["endCursor"]


@pytest.mark.parametrize("sort_key", list(SORT_FIELDS))
@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("reverse", [False, True], ids=["asc", "reverse"])
def test_paging_visits_every_record_once_in_order(shop: Running, sort_key: str, backward: bool, reverse: bool) -> None:
    share_one_second(shop)
    ids = walk(shop, "customers", sort_key, backward, reverse)
    want = expected(shop, "Customer", sort_key)
    assert ids == (want[::-1] if reverse else want)


@pytest.mark.parametrize("root", ["products", "orders"])
def test_paging_other_roots(shop: Running, root: str) -> None:
    ids = walk(shop, root, "UPDATED_AT", backward=False, reverse=False)
    assert ids == expected(shop, root[:-1].capitalize(), "UPDATED_AT")


def test_paging_with_a_date_window(shop: Running) -> None:
    share_one_second(shop)
    query = f"updated_at:>='{SAME_SECOND}' AND updated_at:<'2026-03-01T12:00:01Z'"
    ids = walk(shop, "customers", "UPDATED_AT", backward=False, reverse=False, query=query)
    assert ids == expected(shop, "Customer", "UPDATED_AT", lambda r: r["updatedAt"] == SAME_SECOND)
    assert len(ids) == 9
    count = shop.graphql("query C($q: String) { customersCount(query: $q) { count } }", {"q": query})
    assert count["data"]["customersCount"]["count"] == 9


def ids_for(shop: Running, root: str, query: str) -> list[str]:
    answer = shop.graphql(f"query S($q: String) {{ {root}(first: 250, query: $q) {{ nodes {{ id }} }} }}", {"q": query})
    return [n["id"] for n in answer["data"][root]["nodes"]]


def test_search_fields(shop: Running) -> None:
    store = shop.emulator.store
    customers = list(store.all("Customer"))
    products = list(store.all("Product"))
    orders = list(store.all("Order"))
    some = customers[10]
    assert ids_for(shop, "customers", f"email:{some['email']}") == [some["id"]]
    assert ids_for(shop, "customers", f'email:"{some["email"]}"') == [some["id"]]
    assert ids_for(shop, "customers", f"id:>{customers[-3]['_n']}") == [c["id"] for c in customers[-2:]]
    created = sorted(customers, key=lambda r: (r["createdAt"], r["_n"]))[20]["createdAt"]
    assert set(ids_for(shop, "customers", f"created_at:<{created}")) == {
        c["id"] for c in customers if c["createdAt"] < created
    }
    product = products[3]
    assert ids_for(shop, "products", f"handle:{product['handle']}") == [product["id"]]
    sku = product["_variants"][0]["sku"]
    assert product["id"] in ids_for(shop, "products", f"sku:{sku}")
    tag = next(t for p in products for t in p.get("tags", []))
    assert set(ids_for(shop, "products", f"tag:{tag}")) == {p["id"] for p in products if tag in p.get("tags", [])}
    order = next(o for o in orders if o.get("sourceIdentifier"))
    assert ids_for(shop, "orders", f"source_identifier:{order['sourceIdentifier']}") == [order["id"]]
    both = f"tag:{tag} AND updated_at:>={product['updatedAt']}"
    assert set(ids_for(shop, "products", both)) == {
        p["id"] for p in products if tag in p.get("tags", []) and p["updatedAt"] >= product["updatedAt"]
    }


def test_unknown_search_field_warns(shop: Running) -> None:
    answer = shop.graphql('{ customers(first: 3, query: "bogus:1") { nodes { id } } }')
    assert len(answer["data"]["customers"]["nodes"]) == 3  # the term is ignored
    assert answer["extensions"]["search"] == [
        {
            "path": ["customers"],
            "query": "bogus:1",
            "warnings": [{"field": "bogus", "message": "Invalid search field for this query."}],
        }
    ]
    assert "search" not in shop.graphql('{ customers(first: 3, query: "tag:x") { nodes { id } } }')["extensions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("first: 251", "The maximum number of records that can be requested is 250."),
        ("", "you must provide one of first or last"),
        ("first: 1, last: 1", "providing both first and last is not supported"),
    ],
)
def test_page_size_errors(shop: Running, args: str, message: str) -> None:
    answer = shop.graphql("{ customers(" + (args or "reverse: false") + ") { nodes { id } } }")
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == message
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    ("root", "count"), [("customers", "customersCount"), ("products", "productsCount"), ("orders", "ordersCount")]
)
def test_counts_agree_with_paging(shop: Running, root: str, count: str) -> None:
    total = shop.graphql(f"{{ {count} {{ count precision }} }}")["data"][count]
    assert total["precision"] == "EXACT"
    assert total["count"] == len(walk(shop, root, "ID", backward=False, reverse=False))


# Around midnight in Toronto (five hours behind UTC until 2026-03-08, when its clocks go forward, four after).
STAMPS = {
    "toronto_march_4": "2026-03-05T04:30:00Z",  # 23:30 on the 4th in Toronto, the 5th in UTC
    "toronto_march_5": "2026-03-05T05:30:00Z",  # 00:30 on the 5th in both
    "toronto_march_8": "2026-03-09T03:30:00Z",  # 23:30 EDT on the 8th, a day of 23 hours
    "toronto_march_9": "2026-03-09T04:30:00Z",  # 00:30 EDT on the 9th, 23.5 hours after the 8th began
}
DATE_SEARCHES = {  # query → the stamps each zone matches
    "updated_at:>=2026-03-05": {
        "Etc/UTC": {"toronto_march_4", "toronto_march_5", "toronto_march_8", "toronto_march_9"},
        "America/Toronto": {"toronto_march_5", "toronto_march_8", "toronto_march_9"},
    },
    "updated_at:<2026-03-05": {"Etc/UTC": set(), "America/Toronto": {"toronto_march_4"}},
    "updated_at:2026-03-05": {
        "Etc/UTC": {"toronto_march_4", "toronto_march_5"},
        "America/Toronto": {"toronto_march_5"},
    },
    "updated_at:2026-03-08": {"Etc/UTC": set(), "America/Toronto": {"toronto_march_8"}},
    "updated_at:>2026-03-08T23:00:00 updated_at:<'2026-03-09'": {
        "Etc/UTC": set(),
        "America/Toronto": {"toronto_march_8"},
    },
}


@pytest.mark.parametrize("zone", ["Etc/UTC", "America/Toronto"])
@pytest.mark.parametrize("root,type_name", [("customers", "Customer"), ("products", "Product"), ("orders", "Order")])
def test_a_date_without_an_offset_is_the_shops(zone: str, root: str, type_name: str) -> None:
    """Shopify reads a date (or a time) without an offset in the shop's time zone: captured in
    2026-04/fulfillments/fulfillment-order-mixed-catalog-lifecycle.json, where a shop five hours behind UTC
    parses `updated_at:>=2026-01-01T00` as `2026-01-01T00:00:00-05:00`. A bare date matched with `:` is that
    whole day there, 23 hours long when the clocks go forward (inferred: no capture matches a day)."""
    shop = start(customers=8, products=8, orders=8, timezone=zone)
    try:
        records = sorted(shop.emulator.store.all(type_name), key=lambda r: r["_n"])
        names = dict(zip((r["id"] for r in records), STAMPS, strict=False))
        for record, stamp in zip(records, STAMPS.values(), strict=False):
            shop.emulator.store.touch(record, stamp)
        text = f"query Q($q: String) {{ {root}(first: 10, query: $q, sortKey: UPDATED_AT) {{ nodes {{ id }} }} }}"
        found = {
            query: {names[n["id"]] for n in shop.graphql(text, {"q": query})["data"][root]["nodes"] if n["id"] in names}
            for query in DATE_SEARCHES
        }
    finally:
        shop.server.shutdown()
        shop.server.server_close()
    assert found == {query: zones[zone] for query, zones in DATE_SEARCHES.items()}
