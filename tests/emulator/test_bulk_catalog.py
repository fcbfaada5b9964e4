"""Bulk exports of the catalog roots (collections, draft orders, gift cards, abandoned checkouts), with
their nested connections as JSONL lines that name their parent in `__parentId`, as Shopify writes them."""

from __future__ import annotations

import pytest

from ..conftest import Running
from .test_bulk_operations import export

ROOTS = [
    ("collections", "products", "id title products { edges { node { id } } }"),
    ("collections", "metafields", "id metafields { edges { node { id key value } } }"),
    ("draftOrders", "lineItems", "id name lineItems { edges { node { id quantity } } }"),
    ("giftCards", "transactions", "id lastCharacters transactions { edges { node { id amount { amount } } } }"),
    ("abandonedCheckouts", "lineItems", "id lineItems { edges { node { id title } } }"),
]


@pytest.mark.parametrize(("root", "nested", "selection"), ROOTS, ids=[f"{r}.{n}" for r, n, _ in ROOTS])
def test_a_root_exports_with_its_nested_lines(shop: Running, root: str, nested: str, selection: str) -> None:
    operation, rows = export(shop, f"{{ {root} {{ edges {{ node {{ {selection} }} }} }} }}")
    assert operation["status"] == "COMPLETED"
    parents = {row["id"] for row in rows if "__parentId" not in row}
    children = [row for row in rows if "__parentId" in row]
    paged = shop.graphql(f"{{ {root}(first: 250) {{ nodes {{ id {nested}(first: 250) {{ nodes {{ id }} }} }} }} }}")
    nodes = paged["data"][root]["nodes"]
    assert parents == {n["id"] for n in nodes}
    assert sorted((c["__parentId"], c["id"]) for c in children) == sorted(
        (n["id"], child["id"]) for n in nodes for child in n[nested]["nodes"]
    )
    assert children  # the seeded shop has some under each root
