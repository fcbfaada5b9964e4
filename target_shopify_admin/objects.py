"""What every Shopify object the target writes has in common: find it by its match key, turn a record
into the `…Set` input, tell whether that input would change anything, write it, delete it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from shopify_admin import ShopifyAdminClient

LOOKUP_COST = 5  # a first guess for the throttle; the client learns each document's real cost
MUTATION_COST = 10
USER_ERRORS = "userErrors { field message }"


@dataclass(frozen=True)
class Written:
    shopify_id: str | None
    user_errors: list[dict[str, Any]]
    outcome: str | None = None  # where the write found nothing to do, or did other than the lookup implied


class ShopifyObject(ABC):
    kind: ClassVar[str]
    lookup_root: ClassVar[str]
    lookup_query: ClassVar[str]
    set_root: ClassVar[str]
    set_mutation: ClassVar[str]
    lookup_keys: ClassVar[dict[str, str]]  # match_on → field of the `…ByIdentifier` identifier
    set_keys: ClassVar[dict[str, str]]  # match_on → field of the `…Set` identifier

    def __init__(self, client: ShopifyAdminClient) -> None:
        self.client = client

    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        """The lookup's and the `…Set` mutation's identifier for a match key and its value."""
        if match_on == "custom_id":
            assert custom_id is not None
            unique = {"namespace": custom_id[0], "key": custom_id[1], "value": value}
            return {"customId": unique}, {"customId": unique}
        return {self.lookup_keys[match_on]: value}, {self.set_keys[match_on]: value}

    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        data = self.client.execute(self.lookup_query, {"identifier": identifier}, cost=LOOKUP_COST)
        return data[self.lookup_root]

    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> Written:
        data = self.client.execute(self.set_mutation, {"input": wanted, "identifier": identifier}, MUTATION_COST)
        payload = data[self.set_root]
        found = payload.get(self.kind)
        return Written(found["id"] if found else None, payload["userErrors"])

    def unchanged(self, wanted: dict[str, Any], current: dict[str, Any]) -> bool:
        return same(wanted, self.as_input(current))

    def removed(self, current: dict[str, Any], mode: str) -> bool:
        """Whether `current` is already as deleting it in `mode` would leave it (an archived product)."""
        return mode == "archive" and current.get("status") == "ARCHIVED"

    @abstractmethod
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        """The record's value of a built-in match key (not custom_id, which names its own field)."""

    @abstractmethod
    def to_input(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """The `…Set` input: only the fields the record carries, since Shopify replaces lists wholesale."""

    @abstractmethod
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        """The object as Shopify holds it, in the shape of the `…Set` input, for comparing."""

    @abstractmethod
    def delete(self, current: dict[str, Any], mode: str) -> Written:
        """Delete the object (or archive it, where `mode` says so and the object can be archived)."""


def same(wanted: Any, current: Any) -> bool:
    """Whether writing `wanted` would leave `current` as it is: only the keys `wanted` sets count,
    blank text equals none, and tags compare as Shopify stores them (sorted, case-insensitive)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(same(v, current.get(k)) for k, v in wanted.items())
    if isinstance(wanted, list):
        if wanted and all(isinstance(v, str) for v in wanted):  # tags
            return isinstance(current, list) and _tag_set(wanted) == _tag_set(current)
        return isinstance(current, list) and len(wanted) == len(current) and all(map(same, wanted, current))
    if wanted is None or isinstance(wanted, str):
        return isinstance(current, str | None) and (wanted or "").strip() == (current or "").strip()
    return bool(wanted == current)


def _tag_set(tags: list[str]) -> list[str]:
    return sorted({t.strip().casefold() for t in tags if t.strip()})
