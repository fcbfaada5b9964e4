"""The paging helper follows `pageInfo` from any cursor, wherever the connection is in the answer."""

from __future__ import annotations

from typing import Any

from shopify_admin.paging import pages


class Shop:
    """Answers `location(id:) { levels }` from a list, two nodes a page; `missing` once deleted."""

    def __init__(self, nodes: list[int], missing: bool = False) -> None:
        self.nodes = nodes
        self.missing = missing
        self.sent: list[dict[str, Any]] = []

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        assert variables is not None
        self.sent.append(dict(variables))
        if self.missing:
            return {"location": None}
        at = int(variables.get("after") or 0)
        more = at + 2 < len(self.nodes)
        page = {"nodes": self.nodes[at : at + 2], "pageInfo": {"hasNextPage": more, "endCursor": str(at + 2)}}
        return {"location": {"levels": page}}


def test_every_page_is_read_following_the_cursor() -> None:
    shop = Shop([1, 2, 3, 4, 5])
    read = [page["nodes"] for page in pages(shop, "q", {"id": "L", "first": 2}, ("location", "levels"))]
    assert read == [[1, 2], [3, 4], [5]]
    assert [sent.get("after") for sent in shop.sent] == [None, "2", "4"]
    assert all(sent["id"] == "L" and sent["first"] == 2 for sent in shop.sent)


def test_paging_starts_at_the_given_cursor_and_leaves_the_variables_alone() -> None:
    shop = Shop([1, 2, 3, 4, 5])
    variables = {"first": 2, "after": "2"}
    assert [page["nodes"] for page in pages(shop, "q", variables, ("location", "levels"))] == [[3, 4], [5]]
    assert variables == {"first": 2, "after": "2"}


def test_a_page_is_requested_only_when_taken() -> None:
    shop = Shop([1, 2, 3, 4, 5])
    first = next(pages(shop, "q", {"first": 2}, ("location", "levels")))
    assert first["nodes"] == [1, 2] and len(shop.sent) == 1


def test_an_object_deleted_meanwhile_ends_the_pages() -> None:
    assert list(pages(Shop([1, 2], missing=True), "q", {"first": 2}, ("location", "levels"))) == []
