"""Values Shopify would misread or refuse: amounts that are no finite number, a negative price, and a
handle that Shopify normalises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..conftest import Running
from ..helpers import NEW_PRODUCT, dead_letters, messages, product, run_target, summary, target_config, writes_sent

CATALOG = {"catalog": {"object": "product", "match_on": "handle"}}


def with_price(price: str) -> dict:
    variants: list[dict[str, Any]] = NEW_PRODUCT["variants"]  # type: ignore[assignment]
    return {**NEW_PRODUCT, "variants": [{**variants[0], "price": price}, variants[1]]}


@pytest.mark.parametrize("price", ["NaN", "-NaN", "Infinity", "-inf", "1e400", "sNaN"])
def test_an_amount_that_is_no_finite_number_fails_its_record_before_any_write(
    shop: Running, tmp_path: Path, price: str
) -> None:
    result = run_target(
        tmp_path, target_config(shop, tmp_path, streams=CATALOG), messages("catalog", [with_price(price)])
    )
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["key"] == NEW_PRODUCT["handle"]
    assert letter["error"] == f'variants[0].price must be a finite decimal amount, not "{price}"'
    assert writes_sent(shop) == 0


def test_a_negative_price_is_refused_in_shopifys_words(shop: Running, tmp_path: Path) -> None:
    """Shopify refuses a negative variant price ("Price must be greater than or equal to 0", captured from
    productVariantsBulkUpdate); productSet reports variant errors as INVALID_VARIANT at the variant's path."""
    result = run_target(
        tmp_path, target_config(shop, tmp_path, streams=CATALOG), messages("catalog", [with_price("-1")])
    )
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["userErrors"] == [
        {
            "field": ["input", "variants", "0", "price"],
            "code": "INVALID_VARIANT",
            "message": "Price must be greater than or equal to 0",
        }
    ]
    assert product(shop, handle=NEW_PRODUCT["handle"]) is None


@pytest.mark.parametrize("handle", ["../../Analytical Engine", "  ANALYTICAL / engine % "])
def test_a_handle_shopify_normalises_is_found_unchanged_on_the_next_run(
    shop: Running, tmp_path: Path, handle: str
) -> None:
    """Shopify keeps `analytical-engine` for either spelling. The next run, by handle or by id, finds that
    product and changes nothing, where it tried to create it again and failed with 'already in use'."""
    row = {**NEW_PRODUCT, "handle": handle}
    by_handle = [run_target(tmp_path, target_config(shop, tmp_path, streams=CATALOG), messages("catalog", [row]))]
    by_handle.append(run_target(tmp_path, target_config(shop, tmp_path, streams=CATALOG), messages("catalog", [row])))
    assert [r.returncode for r in by_handle] == [0, 0], by_handle[-1].stderr
    created = product(shop, handle="analytical-engine")
    assert created and created["handle"] == "analytical-engine"
    assert "catalog: 1 unchanged" in summary(by_handle[1], "catalog")
    streams = {"catalog": {"object": "product", "match_on": "id"}}
    by_id = run_target(
        tmp_path, target_config(shop, tmp_path, streams=streams), messages("catalog", [{**row, "id": created["id"]}])
    )
    assert by_id.returncode == 0 and "catalog: 1 unchanged" in summary(by_id, "catalog")


def test_a_handle_without_letter_or_digit_fails_its_record(shop: Running, tmp_path: Path) -> None:
    """Shopify would name such a product `product`, `product-1`, …: no later run could find it again."""
    row = {**NEW_PRODUCT, "handle": "%%%"}
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=CATALOG), messages("catalog", [row]))
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["error"] == "handle '%%%' has no letter or digit: Shopify would replace it with 'product'"
    assert writes_sent(shop) == 0
