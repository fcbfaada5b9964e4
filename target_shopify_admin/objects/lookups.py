"""Looking many objects up at once: aliased lookups, as many to a query as the cost limit allows, and
what the cost model needs to compare them with an export (their rate, the shop's count of objects)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import requested_cost, requests_rate

Key = TypeVar("Key")


def look_up(
    client: ShopifyAdminClient,
    document: Callable[[int], str],
    per_query: int,
    keys: Sequence[Key],
    variables_of: Callable[[int, Key], dict[str, Any]],
    shared: dict[str, Any] | None = None,
) -> list[Any]:
    """Each key's answer, `per_query` keys to a query: `document(count)` aliases lookup n as `o{n}`, and
    `variables_of(n, key)` names lookup n's variables; `shared` are every query's."""
    found: list[Any] = []
    for start in range(0, len(keys), per_query):
        chunk = keys[start : start + per_query]
        variables = dict(shared or {})
        for n, key in enumerate(chunk):
            variables |= variables_of(n, key)
        data = client.execute(document(len(chunk)), variables)
        found += [data[f"o{n}"] for n in range(len(chunk))]
    return found


def serial_lookup_rate(document: str, per_query: int, restore_rate: float, round_trip: float) -> float:
    """Objects a second found by queries of `document` (`per_query` lookups each) sent one at a time."""
    cost = requested_cost(document)
    return requests_rate(
        restore_rate=restore_rate, per_request=per_query, cost=cost, concurrency=1, round_trip=round_trip
    )


def counted(client: ShopifyAdminClient, name: str, roots: tuple[str, ...]) -> int:
    """How many objects an export of the shop writes, by the `…Count` roots (which lag behind writes a
    little: good enough to choose by)."""
    fields = " ".join(f"{root}(limit: null) {{ count }}" for root in roots)
    data = client.execute(f"query Target{name}Count {{ {fields} }}")
    return sum(int(data[root]["count"]) for root in roots)
