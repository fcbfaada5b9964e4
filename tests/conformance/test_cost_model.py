"""The cost model against every captured Shopify answer that carries `extensions.cost`.

Each distinct call (document and variables) is priced against the real schema, so that documents
the project does not send are priced too. The match counts are printed with the misses (`pytest -s`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLSchema, OperationType, parse

from shopify_admin.cost import QueryCost, requested_cost

from ..captures import CAPTURES, needs_captures

pytestmark = needs_captures

# Exact matches of the calculator this model replaced (the emulator's), with the same counting:
# requested cost of 272 of 894 reads, and of 2,573 of 3,110 mutations.
PREVIOUS_EXACT_MUTATIONS = 2573


def _call(ancestors: list[Any]) -> tuple[str, dict[str, Any]] | None:
    """The query and variables of the nearest call around a cost: `{query, variables, response}` or
    `{request: {query, variables}, response}`, as the capture files hold them."""
    for node in reversed(ancestors):
        if isinstance(node, dict):
            holder = node if isinstance(node.get("query"), str) else node.get("request")
            if isinstance(holder, dict) and isinstance(holder.get("query"), str):
                return holder["query"], holder.get("variables") or {}
    return None


def captured_calls() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any], Any]]:
    """(file, query, variables, cost, data) of each distinct call that Shopify answered with a cost."""
    seen: set[tuple[str, str]] = set()

    def walk(node: Any, ancestors: list[Any], file: str) -> Iterator[Any]:
        if isinstance(node, dict) and "requestedQueryCost" in node:
            call = _call(ancestors)
            body = next((a for a in reversed(ancestors) if isinstance(a, dict) and "extensions" in a), {})
            if call is not None and node["requestedQueryCost"] is not None:
                key = (call[0], json.dumps(call[1], sort_keys=True))
                if key not in seen:
                    seen.add(key)
                    yield file, call[0], call[1], node, body.get("data")
            return
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            yield from walk(child, [*ancestors, node], file)

    for path in sorted(CAPTURES.rglob("*.json")):
        yield from walk(json.loads(path.read_text()), [], str(path.relative_to(CAPTURES)))


@pytest.fixture(scope="module")
def priced(real_schema: GraphQLSchema) -> list[dict[str, Any]]:
    rows = []
    for file, query, variables, cost, data in captured_calls():
        model = QueryCost(real_schema, parse(query), variables)
        rows.append(
            {
                "file": file,
                "name": model.operation.name.value if model.operation.name else "(anonymous)",
                "mutation": model.operation.operation == OperationType.MUTATION,
                "requested": (model.requested(), cost["requestedQueryCost"]),
                "actual": (model.actual(data), cost["actualQueryCost"]) if data is not None else None,
            }
        )
    return rows


def _report(rows: list[dict[str, Any]], which: str, title: str) -> int:
    exact = [r for r in rows if r[which][0] == r[which][1]]
    print(f"\n{title}: {len(exact)} of {len(rows)} exact ({len(exact) / len(rows):.1%}); misses (ours, Shopify's):")
    for row in rows:
        if row[which][0] != row[which][1]:
            print(f"  {row['file']} {row['name']}: {row[which]}")
    return len(exact)


def test_requested_cost_of_captured_reads(priced: list[dict[str, Any]]) -> None:
    reads = [r for r in priced if not r["mutation"]]
    assert len(reads) > 800
    assert _report(reads, "requested", "requested cost of reads") >= 0.95 * len(reads)


def test_requested_cost_of_captured_mutations(priced: list[dict[str, Any]]) -> None:
    mutations = [r for r in priced if r["mutation"]]
    exact = _report(mutations, "requested", "requested cost of mutations")
    assert exact >= PREVIOUS_EXACT_MUTATIONS
    assert exact >= 0.95 * len(mutations)


def test_actual_cost_of_captured_answers(priced: list[dict[str, Any]]) -> None:
    answered = [r for r in priced if r["actual"] is not None and r["actual"][1] is not None]
    assert all(r["actual"][0] <= r["requested"][0] for r in answered), "actual above requested"
    reads = [r for r in answered if not r["mutation"]]
    mutations = [r for r in answered if r["mutation"]]
    # Shopify's refund is not fully modelled: an actual cost is often a few points off (see cost.py)
    assert _report(reads, "actual", "actual cost of reads") >= 0.6 * len(reads)
    assert _report(mutations, "actual", "actual cost of mutations") >= 0.9 * len(mutations)


@pytest.mark.parametrize(
    "query",
    [
        "{ products(first: 5) { nodes { id media(first: 10) { edges { node { id } } } } } }",
        "{ orders(first: 5) { nodes { id fulfillments(first: 5) { events(first: 10) { nodes { id } } } } } }",
        "{ orders(first: 5) { nodes { id discountApplications(first: 10) { edges { node { index } } } } } }",
    ],
)
def test_connections_whose_page_info_is_not_served_are_priced_as_connections(
    real_schema: GraphQLSchema, query: str
) -> None:
    """The served schema leaves out what the project never selects, `pageInfo` included: the price of a
    connection must not depend on it."""
    assert requested_cost(query) == QueryCost(real_schema, parse(query)).requested()
