"""The seeded shop has what clients must cope with, seen through the GraphQL API: destroy events,
objects sharing one updatedAt second, and nested lists longer than one page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from ..conftest import Running, start


@pytest.fixture(scope="module")
def demo_shop() -> Iterator[Running]:
    """The demo's sizes."""
    running = start(customers=1000, products=200, orders=2000)
    yield running
    running.server.shutdown()
    running.server.server_close()


def every(shop: Running, root: str, selection: str, query: str | None = None) -> list[dict]:
    document = f"""query Page($after: String, $query: String) {{
      {root}(first: 100, after: $after, query: $query) {{
        nodes {{ {selection} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}"""
    rows: list[dict] = []
    after = None
    while True:
        answer = shop.graphql(document, {"after": after, "query": query})
        assert "errors" not in answer, answer
        page = answer["data"][root]
        rows += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("subject_type", ["CUSTOMER", "PRODUCT", "ORDER"])
def test_deleted_objects_leave_destroy_events(demo_shop: Running, subject_type: str) -> None:
    query = f"subject_type:{subject_type} AND action:destroy"
    events = every(demo_shop, "events", "action ... on BasicEvent { subjectId subjectType }", query)
    assert len(events) == 2
    for event in events:
        assert (event["subjectType"], event["action"]) == (subject_type, "destroy")
        node = demo_shop.graphql("query N($id: ID!) { node(id: $id) { id } }", {"id": event["subjectId"]})
        assert node["data"] == {"node": None}


@pytest.mark.parametrize("root", ["customers", "products", "orders"])
def test_some_objects_share_an_updated_at_second(demo_shop: Running, root: str) -> None:
    seconds = Counter(row["updatedAt"] for row in every(demo_shop, root, "updatedAt"))
    sharing = sum(n for n in seconds.values() if n > 1)
    assert sharing >= 0.03 * seconds.total()
    assert max(seconds.values()) >= 3


@pytest.mark.parametrize(("root", "nested"), [("orders", "lineItems"), ("products", "variants")])
def test_a_few_objects_have_more_than_250_nested_items(demo_shop: Running, root: str, nested: str) -> None:
    rows = every(demo_shop, root, f"{nested}(first: 250) {{ pageInfo {{ hasNextPage }} }}")
    assert sum(row[nested]["pageInfo"]["hasNextPage"] for row in rows) == 3
