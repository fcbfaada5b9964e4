"""Bulk records completed with the connections inside their list fields (an order's fulfillments' line
items), which bulk queries cannot hold: read by `nodes(ids:)`, their later pages as a paged read's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from shopify_admin.cost import MAX_PAGE

from .documents import ListConnections, fill_query
from .nested_pages import NestedPages

FILL_CHUNK = 250  # bulk records completed together, sharing the requests that fill their lists


def with_list_connections(
    nested: NestedPages, lists: list[ListConnections], records: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """`records` with the connections `lists` names filled in, FILL_CHUNK records at a time."""
    pending = iter(records)
    while chunk := list(islice(pending, FILL_CHUNK)):
        for key, item_type, connections in lists:
            items = {item["id"]: item for record in chunk for item in record.get(key) or ()}
            query = fill_query(nested.operation, item_type, connections)
            ids = list(items)
            # `nodes(ids:)` costs what one item costs, however many ids it is given (up to 250)
            for at in range(0, len(ids), MAX_PAGE):
                for node in nested.client.execute(query, {"ids": ids[at : at + MAX_PAGE]})["nodes"]:
                    if node is not None:
                        items[node["id"]].update(nested.fetch_remaining(node, item_type, connections))
        yield from chunk
