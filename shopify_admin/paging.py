"""Reading a connection page by page: the one cursor loop the connectors follow, wherever the
connection sits in the answer (a root, an object's field, `node(id:)`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

PAGE_INFO = "pageInfo { hasNextPage endCursor }"


class Executes(Protocol):
    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]: ...


def pages(client: Executes, query: str, variables: Mapping[str, Any], path: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Each page of the connection found at `path` in the answers to `query` (which selects its `nodes`
    and PAGE_INFO and takes `$after`), from `variables["after"]`, if given, to the last. Lazy: a page is
    requested only when the one before has been taken. Stops when an object on the path is null (it
    was deleted meanwhile)."""
    sent = dict(variables)
    while True:
        page: Any = client.execute(query, sent)
        for key in path:
            if page is None:
                return
            page = page[key]
        if page is None:
            return
        yield page
        if not page["pageInfo"]["hasNextPage"]:
            return
        sent["after"] = page["pageInfo"]["endCursor"]
