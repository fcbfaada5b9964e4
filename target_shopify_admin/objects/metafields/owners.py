"""Reading metafields with their owners: each row's owner found by its key and the one metafield the row
names on it (value, type, digest), many rows in one aliased query."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import largest_within, requested_cost
from shopify_admin.search import quoted
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import custom_id_identifier
from target_shopify_admin.objects.lookups import look_up

from .rows import MetafieldRow

OWNER_TYPES = ("customer", "product", "collection", "product_variant", "order")
SEARCH_MATCHES = 3  # owners read per search, which matches loosely: enough to see a key on two owners
# match_on → the owner types it names (the first when the stream's owner_type is not set)
OWNER_KEYS = {
    "owner_id": (),  # any: the id says which
    "email": ("customer",),
    "handle": ("product", "collection"),
    "sku": ("product_variant",),
    "source_identifier": ("order",),
    "name": ("order",),
    "custom_id": ("customer", "product", "collection", "product_variant", "order"),
    "shop": (),
}
# match_on → the root searched, the owner's field that must equal the key, and the search term
SEARCHED = {
    "sku": ("productVariants", "sku", "sku"),
    "source_identifier": ("orders", "sourceIdentifier", "source_identifier"),
    "name": ("orders", "name", "name"),
}
IDENTIFIED = {"email": "emailAddress", "handle": "handle", "custom_id": "customId"}
METAFIELD = "mf: metafield(namespace: $n{n}, key: $k{n}) {{ value type compareDigest }}"


@dataclass(frozen=True)
class Owner:
    """An owner a row's key found, with the metafield the row names as the shop holds it (or None)."""

    id: str
    metafield: dict[str, Any] | None


def camel(owner_type: str) -> str:
    return "".join(part.title() for part in owner_type.split("_"))


def lookup(match_on: str, owner_type: str | None, n: int) -> tuple[str, str]:
    """Lookup `n`'s selection (aliased `o{n}`) and the type of its owner variable `$i{n}`."""
    fields = f"id {METAFIELD.format(n=n)}"
    if match_on == "shop":
        return f"o{n}: shop {{ {fields} }}", ""
    if match_on == "owner_id":
        return f"o{n}: node(id: $i{n}) {{ id ... on HasMetafields {{ {METAFIELD.format(n=n)} }} }}", "ID!"
    assert owner_type is not None
    if match_on in SEARCHED:
        root, field, _ = SEARCHED[match_on]
        return f"o{n}: {root}(first: {SEARCH_MATCHES}, query: $i{n}) {{ nodes {{ {field} {fields} }} }}", "String!"
    root = camel(owner_type)[0].lower() + camel(owner_type)[1:]
    return f"o{n}: {root}ByIdentifier(identifier: $i{n}) {{ {fields} }}", f"{camel(owner_type)}IdentifierInput!"


@cache
def lookup_document(match_on: str, owner_type: str | None, count: int) -> str:
    parts = [lookup(match_on, owner_type, n) for n in range(count)]
    owners = ", ".join(f"$i{n}: {kind}, " for n, (_, kind) in enumerate(parts) if kind)
    arguments = owners + ", ".join(f"$n{n}: String!, $k{n}: String!" for n in range(count))
    return f"query TargetMetafieldOwners({arguments}) {{ {' '.join(selection for selection, _ in parts)} }}"


@cache
def lookups_per_query(match_on: str, owner_type: str | None) -> int:
    """As many lookups as keep a query's requested cost within Shopify's limit."""
    return largest_within(lambda count: requested_cost(lookup_document(match_on, owner_type, count)))


class OwnerReader:
    """Finds each row's owner and the metafield it names, many rows to a query."""

    def __init__(
        self, client: ShopifyAdminClient, match_on: str, owner_type: str | None, custom_id: tuple[str, str] | None
    ) -> None:
        self.client = client
        self.match_on = match_on
        self.owner_type = owner_type
        self.custom_id = custom_id

    def owners(self, rows: list[MetafieldRow], answers: list[Any] | None = None) -> list[Owner | RecordError]:
        """Each row's owner, or why it has none (not found, found twice, not an owner of metafields), from
        `answers` (what an export says a lookup would answer) or looked up."""
        answers = self.find_many(rows) if answers is None else answers
        return [self.owner(row, answer) for row, answer in zip(rows, answers, strict=True)]

    def find_many(self, rows: list[MetafieldRow]) -> list[Any]:
        """Each row's lookup answer, many to a query."""

        def document(count: int) -> str:
            return lookup_document(self.match_on, self.owner_type, count)

        per_query = lookups_per_query(self.match_on, self.owner_type)
        return look_up(self.client, document, per_query, rows, self.variables_of)

    def variables_of(self, n: int, row: MetafieldRow) -> dict[str, Any]:
        variables: dict[str, Any] = {f"n{n}": row.namespace, f"k{n}": row.key}
        if self.match_on == "shop":
            return variables
        if self.match_on in SEARCHED:
            owner: Any = f"{SEARCHED[self.match_on][2]}:{quoted(row.owner_key)}"
        elif self.match_on == "custom_id":
            assert self.custom_id is not None
            owner = custom_id_identifier(self.custom_id, row.owner_key)
        elif self.match_on in IDENTIFIED:
            owner = {IDENTIFIED[self.match_on]: row.owner_key}
        else:
            owner = row.owner_key
        return {**variables, f"i{n}": owner}

    def owner(self, row: MetafieldRow, answer: dict[str, Any] | None) -> Owner | RecordError:
        named = f"{self.owner_type or 'owner'} with {self.match_on} {row.owner_key!r}"
        if self.match_on in SEARCHED:
            field = SEARCHED[self.match_on][1]
            exact = [node for node in (answer or {}).get("nodes", []) if node.get(field) == row.owner_key]
            if len(exact) > 1:
                ids = ", ".join(node["id"] for node in exact)
                message = f"{self.match_on} {row.owner_key!r} is on {len(exact)} owners ({ids}): match on owner_id"
                return RecordError(message)
            answer = exact[0] if exact else None
        if answer is None:
            return RecordError(f"no {named}")
        if self.match_on == "owner_id" and "mf" not in answer:
            return RecordError(f"owner_id {row.owner_key!r} is not an object that holds metafields")
        return Owner(answer["id"], answer["mf"])
