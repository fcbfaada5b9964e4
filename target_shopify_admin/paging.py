"""Reading a connection page by page: the one cursor loop of the target."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from shopify_admin import ShopifyAdminClient

PAGE_INFO = "pageInfo { hasNextPage endCursor }"


def pages(
    client: ShopifyAdminClient, query: str, variables: Mapping[str, Any], path: Sequence[str]
) -> Iterator[dict[str, Any]]:
    """Each page of the connection at `path` in the answers to `query` (which selects its `nodes` and
    PAGE_INFO and takes `$after`), from `variables["after"]`, if given, to the last; a page is asked for
    only when the one before has been taken. Stops where an object on the path is null."""
    sent = dict(variables)
    while True:
        page: Any = client.execute(query, sent)
        for key in path:
            page = None if page is None else page[key]
        if page is None:
            return
        yield page
        if not page["pageInfo"]["hasNextPage"]:
            return
        sent["after"] = page["pageInfo"]["endCursor"]
