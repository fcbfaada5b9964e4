"""`largest_within`: the most lookups or the largest page a query may ask for within Shopify's cost limit."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from shopify_admin.cost import MAX_PAGE, MAX_QUERY_COST, largest_within, requested_cost
from target_shopify_admin.objects.metafields.owners import lookup_document

COSTS: dict[str, Callable[[int], int]] = {
    "aliased lookups": lambda n: 7 * n,
    "lookups and a fixed part": lambda n: 12 + 9 * n,
    "a page, logarithmic": lambda n: 2 + 3 * math.ceil(math.log2(n + 1)),
    "a nested page": lambda n: 2 + n * 12,
    "flat": lambda n: 40,
    "a step": lambda n: 10 if n < 100 else 5000,
    "growing faster": lambda n: n * n,
    "never within": lambda n: 1001 + n,
    "quadratic from 2": lambda n: 1 if n == 1 else 300 * n,
}


@pytest.mark.parametrize("cost_of", COSTS.values(), ids=COSTS.keys())
@pytest.mark.parametrize("limit", [MAX_QUERY_COST, 50, 1])
def test_the_largest_count_within_the_limit(cost_of: Callable[[int], int], limit: int) -> None:
    within = [n for n in range(1, MAX_PAGE + 1) if cost_of(n) <= limit]
    assert largest_within(cost_of, limit=limit) == max(within, default=1)


@pytest.mark.parametrize("upper", [1, 2, 3])
def test_a_small_upper_bound_is_kept(upper: int) -> None:
    assert largest_within(lambda n: n, upper=upper) == upper


def test_lookups_that_add_up_are_priced_four_times() -> None:
    """Each price of n lookups parses a document of n lookups; bisecting 1…250 priced eight of them."""
    priced: list[int] = []

    def cost_of(count: int) -> int:
        priced.append(count)
        return requested_cost(lookup_document("sku", "PRODUCTVARIANT", count))  # a search of variants, 6 points

    found = largest_within(cost_of)
    assert found < MAX_PAGE
    assert requested_cost(lookup_document("sku", "PRODUCTVARIANT", found)) <= MAX_QUERY_COST
    assert requested_cost(lookup_document("sku", "PRODUCTVARIANT", found + 1)) > MAX_QUERY_COST
    assert sorted(priced) == [1, 2, found, found + 1]
