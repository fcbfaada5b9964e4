"""A membership row as what it asks (the pure part of membership.py): which product of which collection,
at which position; and the reorder moves that bring a collection's products to the positions asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from target_shopify_admin.objects.collections.collection import collection_handle
from target_shopify_admin.objects.fields import RecordError, text
from target_shopify_admin.objects.product import shopify_handle

COLLECTION_FIELDS = {"handle": "collection_handle", "id": "collection_id"}  # collection_match_on → record field
ID_PREFIXES = {"collection_id": "gid://shopify/Collection/", "id": "gid://shopify/Product/"}


@dataclass(frozen=True)
class MemberRow:
    collection: str  # the collection's handle or id, as collection_match_on says
    product: str  # the product's handle, id or a variant's sku, as match_on says
    position: int | None  # zero-based, as collectionReorderProducts takes it; None: wherever it is

    @property
    def key(self) -> str:
        return f"{self.collection}/{self.product}"


def member_row(record: dict[str, Any], match_on: str, collection_match_on: str) -> MemberRow:
    collection_field = COLLECTION_FIELDS[collection_match_on]
    collection = (text(record, collection_field) or "").strip()
    if not collection:
        raise RecordError(f"{collection_field} is required: the collection the product belongs to")
    product = (text(record, match_on) or "").strip()
    if not product:
        raise RecordError(f"the match key {match_on!r} is missing or empty: the product of the collection")
    for field, value in ((collection_field, collection), (match_on, product)):
        prefix = ID_PREFIXES.get(field)
        if prefix and not value.startswith(prefix):  # Shopify refuses a whole query naming a malformed id
            raise RecordError(f"{field} must be an id ({prefix}…), not {value!r}")
    # handles as Shopify keeps them, as the collection and product objects match them, so that a row may
    # name them as those objects' records did ("Summer Picks": summer-picks)
    if collection_match_on == "handle":
        collection = collection_handle(collection) or collection
    if match_on == "handle":
        product = shopify_handle(product) or product
    position = record.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
        raise RecordError(f"position must be a whole number from 0, not {position!r}")
    return MemberRow(collection, product, position)


def final_order(members: list[str], positions: dict[str, int]) -> list[str]:
    """`members` with each product of `positions` at its position (at the end, past the last), the
    others in their order: placed from the lowest position up, so that no placing moves an earlier one."""
    order = [product for product in members if product not in positions]
    for product, position in sorted(positions.items(), key=lambda item: item[1]):
        order.insert(min(position, len(order)), product)
    return order


def reorder_moves(members: list[str], final: list[str]) -> list[tuple[str, int]]:
    """The moves (product, new position) that turn `members` into `final` when applied one after another,
    as Shopify applies them: each puts the product at its index of `final`, from the first index up, and
    only where another product is there now, so that a collection already in order needs none."""
    order = list(members)
    moves = []
    for index, product in enumerate(final):
        if order[index] != product:
            order.remove(product)
            order.insert(index, product)
            moves.append((product, index))
    return moves
