"""Reading `../shared/shopify-captures` and comparing the emulator's answers with Shopify's.

Ids, timestamps, cursors and other values that differ between any two shops are masked, so a
comparison checks the shape of the answer and the exact userErrors (field, code, message).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shopify_admin_emulator.store import parse_gid

from .conftest import CAPTURES, Running

GID = re.compile(r"gid://shopify/(\w+)/([0-9a-f]{8}-[0-9a-f-]{27}|\d+)(\?[^\"\s]*)?")  # numbers; jobs' uuids
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
VOLATILE_KEYS = {"cursor", "startCursor", "endCursor", "legacyResourceId", "compareDigest", "url", "partialDataUrl"}


def load(relative: str) -> dict[str, Any]:
    """One capture file, e.g. `2026-04/customers/customer-set-parity.json`."""
    return json.loads((CAPTURES / relative).read_text())


# Without the captures a test so marked skips, or fails under CI (see conftest.unavailable).
needs_captures = pytest.mark.usefixtures("captures")


def captures_available() -> bool:
    return Path(CAPTURES).is_dir()


def mask(value: Any, key: str | None = None) -> Any:
    """The value with shop-specific parts replaced by placeholders."""
    if isinstance(value, dict):
        return {k: mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    if isinstance(value, str):
        if key in VOLATILE_KEYS:
            return f"<{key}>"
        if TIMESTAMP.match(value):
            return "<timestamp>"
        return GID.sub(lambda m: f"gid://shopify/{m.group(1)}/<id>", value)
    return value


def without_cost(response: dict[str, Any]) -> dict[str, Any]:
    """A response minus `extensions` (cost and throttle status differ from shop to shop)."""
    return {k: v for k, v in response.items() if k != "extensions"}


def same_answer(ours: dict[str, Any], theirs: dict[str, Any]) -> tuple[bool, str]:
    """Compare masked responses; the message says where they differ."""
    a, b = mask(without_cost(ours)), mask(without_cost(theirs))
    if a == b:
        return True, ""
    return False, f"emulator: {json.dumps(a, sort_keys=True)}\nshopify:  {json.dumps(b, sort_keys=True)}"


def assert_same_answer(ours: dict[str, Any], theirs: dict[str, Any], label: str = "") -> None:
    matches, difference = same_answer(ours, theirs)
    assert matches, f"{label}\n{difference}"


def without_locations(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Request errors without the places in the document they point at (laid out otherwise than the one sent)."""
    return [{k: v for k, v in error.items() if k != "locations"} for error in errors]


def map_ids(ours: Any, theirs: Any, ids: dict[str, str]) -> None:
    """Pair the real shop's ids with ours, position by position, in two answers of the same shape."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in theirs.keys() & ours.keys():
            map_ids(ours[key], theirs[key], ids)
    elif isinstance(theirs, list) and isinstance(ours, list):
        for a, b in zip(ours, theirs, strict=False):
            map_ids(a, b, ids)
    elif isinstance(theirs, str) and isinstance(ours, str) and parse_gid(theirs) and parse_gid(ours):
        ids[theirs] = ours


def with_ids(variables: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(variables)
    for theirs, ours in ids.items():
        text = text.replace(theirs, ours)
    return dict(json.loads(text))


class Replay:
    """One capture's calls sent to our shop in turn, the capture's ids in their variables swapped for the
    ones our answers gave at the same places."""

    def __init__(self, shop: Running, relative: str) -> None:
        self.shop = shop
        self.capture = load(relative)
        self.ids: dict[str, str] = {}

    def send(self, query: str, variables: dict[str, Any] | None) -> dict[str, Any]:
        return self.shop.graphql(query, with_ids(variables or {}, self.ids))

    def answer(self, query: str, variables: dict[str, Any] | None, theirs: dict[str, Any]) -> dict[str, Any]:
        """Our answer to a call Shopify answered `theirs`, the ids of both paired for the calls after it."""
        ours = self.send(query, variables)
        map_ids(ours, theirs, self.ids)
        return ours


def user_errors(response: dict[str, Any], mutation: str) -> list[dict[str, Any]]:
    return response["data"][mutation]["userErrors"]
