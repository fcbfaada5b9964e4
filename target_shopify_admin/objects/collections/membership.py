"""The products of custom collections, one row each: `collection_handle` (or `collection_id`), the
product by `handle`, `id` or a variant's `sku` (match_on), and an optional zero-based `position`. A row
adds its product (collectionAddProductsV2); a row marked `_sdc_deleted_at` removes it
(collectionRemoveProducts, with allow_deletes); positions are set by collectionReorderProducts, for a
collection sorted MANUAL. Each mutation answers a job, waited for before the next. What the collection
holds already is unchanged, so a re-run sends nothing. A smart collection's products are its rules':
its rows fail, saying so."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from singer_sdk import typing as th

from shopify_admin import ShopifyAdminClient, ShopifyError
from shopify_admin.cost import largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.retry import poll_pauses
from shopify_admin.search import quoted
from target_shopify_admin.objects.collections.members import (
    COLLECTION_FIELDS,
    MemberRow,
    final_order,
    member_row,
    reorder_moves,
)
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.objects.lookups import look_up
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord

PER_REQUEST = 250  # product ids or moves a membership mutation takes
JOB_WAIT = 600.0  # seconds a membership job may take before its rows fail (Shopify's take seconds)
ERRORS = "userErrors { field message }"
CHANGES = {  # mutation root → (document, variable): the ids or moves it takes
    "collectionRemoveProducts": (
        f"""mutation TargetCollectionRemoveProducts($id: ID!, $productIds: [ID!]!) {{
  collectionRemoveProducts(id: $id, productIds: $productIds) {{ job {{ id done }} {ERRORS} }}
}}""",
        "productIds",
    ),
    "collectionAddProductsV2": (
        f"""mutation TargetCollectionAddProducts($id: ID!, $productIds: [ID!]!) {{
  collectionAddProductsV2(id: $id, productIds: $productIds) {{ job {{ id done }} {ERRORS} }}
}}""",
        "productIds",
    ),
    "collectionReorderProducts": (
        f"""mutation TargetCollectionReorderProducts($id: ID!, $moves: [MoveInput!]!) {{
  collectionReorderProducts(id: $id, moves: $moves) {{ job {{ id done }} {ERRORS} }}
}}""",
        "moves",
    ),
}
JOB = "query TargetCollectionJob($id: ID!) { job(id: $id) { done } }"
MEMBERS = f"""query TargetCollectionMembers($id: ID!, $first: Int!, $after: String) {{
  collection(id: $id) {{ products(first: $first, after: $after) {{ nodes {{ id }} {PAGE_INFO} }} }}
}}"""
PRODUCT_LOOKUPS = {  # match_on → (variable type, lookup of the products it names)
    "handle": ("ProductIdentifierInput!", "productByIdentifier(identifier: $k{n}) {{ id }}"),
    "id": ("ID!", "product(id: $k{n}) {{ id }}"),
    "sku": ("String!", "products(first: 2, query: $k{n}) {{ nodes {{ id }} }}"),  # two: a sku on two products
}
COLLECTION_LOOKUP = "collectionByIdentifier(identifier: $k{n}) {{ id sortOrder ruleSet {{ appliedDisjunctively }} }}"
OPTIONS = (
    th.Property(
        "collection_match_on",
        th.StringType,
        allowed_values=list(COLLECTION_FIELDS),
        default="handle",
        description="collection_product: its collection by handle (field collection_handle) or id (collection_id)",
    ),
)


@cache
def lookup_document(lookup: str, variable: str, count: int) -> str:
    arguments = ", ".join(f"$k{n}: {variable}" for n in range(count))
    lookups = " ".join(f"o{n}: " + lookup.format(n=n) for n in range(count))
    return f"query TargetCollectionKeys({arguments}) {{ {lookups} }}"


@cache
def lookups_per_query(lookup: str, variable: str) -> int:
    """As many lookups as keep a query's requested cost within Shopify's limit."""
    return largest_within(lambda count: requested_cost(lookup_document(lookup, variable, count)))


def looked_up(client: ShopifyAdminClient, lookup: str, variable: str, keys: list[Any]) -> list[Any]:
    per_query = lookups_per_query(lookup, variable)
    return look_up(client, partial(lookup_document, lookup, variable), per_query, keys, lambda n, k: {f"k{n}": k})


@dataclass
class Changes:
    """What a collection's rows still ask of it, from its products as read: each row's outcome, and the
    product ids to remove and add and the moves to make, in that order."""

    outcomes: list[Outcome] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    add: list[str] = field(default_factory=list)
    moves: list[tuple[str, int]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.remove or self.add or self.moves)


def changes(members: list[str], rows: list[tuple[PendingRecord, MemberRow, str]]) -> Changes:
    """The rows applied in their order to `members` (product ids in position order)."""
    planned = Changes()
    held = list(members)
    positions: dict[str, int] = {}
    for pending, row, product_id in rows:
        if pending.deleting:
            planned.outcomes.append(Outcome.DELETED if product_id in held else Outcome.UNCHANGED)
            held = [p for p in held if p != product_id]
            positions.pop(product_id, None)
            continue
        planned.outcomes.append(Outcome.UNCHANGED if product_id in held else Outcome.CREATED)
        held += [] if product_id in held else [product_id]
        if row.position is not None:
            positions[product_id] = row.position
    planned.remove = [p for p in members if p not in held]
    planned.add = [p for p in held if p not in members]
    after = [p for p in members if p in held] + planned.add  # Shopify appends what it adds
    final = final_order(after, positions)
    planned.moves = reorder_moves(after, final)
    for n, (pending, _, product_id) in enumerate(rows):
        moved = product_id in positions and after.index(product_id) != final.index(product_id)
        if moved and planned.outcomes[n] is Outcome.UNCHANGED and not pending.deleting:
            planned.outcomes[n] = Outcome.UPDATED
    return planned


class MembershipWriter:
    """Writes a batch of collection_product rows, collection by collection."""

    def __init__(self, context: WriteContext, sleep: Callable[[float], None] = time.sleep) -> None:
        self.context = context
        self.client: ShopifyAdminClient = context.client
        self.sleep = sleep
        self.collection_match_on = context.settings.options["collection_match_on"]

    def write(self, batch: list[PendingRecord]) -> None:
        rows = [(p, self.context.settled(p, self.checked, p)) for p in batch]
        valid = [(p, row) for p, row in rows if row is not None]
        try:
            collections = self.collections(sorted({row.collection for _, row in valid}))
            products = self.products(sorted({row.product for _, row in valid}))
        except ShopifyError as error:  # the lookups refused: every row they were for fails with it
            for pending, _ in valid:
                self.context.fail(pending, error)
            return
        groups: dict[str, list[tuple[PendingRecord, MemberRow, str]]] = {}
        for pending, row in valid:
            product_id = self.context.settled(pending, self.named, row, collections, products)
            if product_id is not None:
                groups.setdefault(collections[row.collection]["id"], []).append((pending, row, product_id))
        for collection_id, group in groups.items():
            try:
                self.write_collection(collection_id, group)
            except (ShopifyError, RecordFailedError) as error:  # refused for the whole collection
                for pending, _, _ in group:
                    self.context.fail(pending, error)

    def checked(self, pending: PendingRecord) -> MemberRow:
        self.context.check_delete(pending)
        row = member_row(pending.record, self.context.settings.match_on, self.collection_match_on)
        pending.key = row.key
        return row

    def named(self, row: MemberRow, collections: dict[str, Any], products: dict[str, Any]) -> str:
        """The row's product id, once its collection and product are known and the collection custom."""
        field = COLLECTION_FIELDS[self.collection_match_on]
        collection = collections[row.collection]
        if collection is None:
            raise RecordError(f"{field}: no collection with {self.collection_match_on} {row.collection!r}")
        if collection["ruleSet"] is not None:
            raise RecordError(
                f"{field}: {row.collection!r} is a smart collection: its rules choose its products, rows cannot"
            )
        if row.position is not None and collection["sortOrder"] != "MANUAL":
            raise RecordError(
                f"position: the collection {row.collection!r} sorts {collection['sortOrder']}, not MANUAL,"
                " so its products have no position to set"
            )
        match_on = self.context.settings.match_on
        found = products[row.product]
        if not found:
            raise RecordError(f"{match_on}: no product with {match_on} {row.product!r}")
        if len(found) > 1:
            raise RecordError(f"{match_on}: the sku {row.product!r} is on {len(found)} products")
        return str(found[0])

    def collections(self, keys: list[str]) -> dict[str, Any]:
        """Each collection key's collection (id, sortOrder, ruleSet), or None."""
        identifiers = [{self.collection_match_on: key} for key in keys]
        found = looked_up(self.client, COLLECTION_LOOKUP, "CollectionIdentifierInput!", identifiers)
        return dict(zip(keys, found, strict=True))

    def products(self, keys: list[str]) -> dict[str, list[str]]:
        """Each product key's product ids (none, one, or for a sku on several products, more)."""
        match_on = self.context.settings.match_on
        variable, lookup = PRODUCT_LOOKUPS[match_on]
        sent = {"handle": lambda k: {"handle": k}, "id": lambda k: k, "sku": lambda k: f"sku:{quoted(k)}"}[match_on]
        found = looked_up(self.client, lookup, variable, [sent(key) for key in keys])
        ids = [
            [p["id"] for p in answer["nodes"]] if match_on == "sku" else [answer["id"]] if answer else []
            for answer in found
        ]
        return dict(zip(keys, ids, strict=True))

    def members(self, collection_id: str) -> list[str]:
        """The collection's product ids, in position order."""
        variables = {"id": collection_id, "first": PER_REQUEST}
        return [
            p["id"]
            for page in pages(self.client, MEMBERS, variables, ("collection", "products"))
            for p in page["nodes"]
        ]

    def write_collection(self, collection_id: str, group: list[tuple[PendingRecord, MemberRow, str]]) -> None:
        """Send what the rows still ask; after a lost answer, read the products again and send what is missing.
        Each row's outcome is what the first reading called for."""
        first = self.changes(collection_id, group)
        if first.any and self.context.change(Outcome.UPDATED, collection_id, first).wanted is not None:
            again = partial(self.changes, collection_id, group)
            send = partial(self.send, collection_id)
            self.context.rechecked(collection_id, first, again, send, looked_for="the collection's products")
        for (pending, _, product_id), outcome in zip(group, first.outcomes, strict=True):
            if outcome is not Outcome.UNCHANGED:
                outcome = self.context.change(outcome, product_id, None).outcome  # a dry run's would-outcome
            self.context.note(pending, outcome, product_id)

    def changes(self, collection_id: str, group: list[tuple[PendingRecord, MemberRow, str]]) -> Changes:
        return changes(self.members(collection_id), group)

    def send(self, collection_id: str, planned: Changes) -> None:
        """Remove, add, then move, each job waited for: a move names products the adding placed."""
        moves = [{"id": product_id, "newPosition": str(position)} for product_id, position in planned.moves]
        for root, values in (
            ("collectionRemoveProducts", planned.remove),
            ("collectionAddProductsV2", planned.add),
            ("collectionReorderProducts", moves),
        ):
            document, variable = CHANGES[root]
            for start in range(0, len(values), PER_REQUEST):
                variables = {"id": collection_id, variable: values[start : start + PER_REQUEST]}
                payload = self.client.execute(document, variables, resend=False)[root]
                if payload["userErrors"]:
                    raise RecordFailedError(f"Shopify refused {root}", payload["userErrors"])
                self.finished(payload["job"])

    def finished(self, job: dict[str, Any] | None) -> None:
        """Return once the job is done, polled at most JOB_WAIT seconds."""
        waited = 0.0
        for pause in poll_pauses(0.2, 5.0):
            if job is None or job["done"]:
                return
            if waited >= JOB_WAIT:
                raise RecordFailedError(f"Shopify's job {job['id']} was not done after {JOB_WAIT:.0f} seconds")
            self.sleep(pause)
            waited += pause
            job = {"id": job["id"], **self.client.execute(JOB, {"id": job["id"]})["job"]}


KIND = ObjectKind(
    name="collection_product",
    stream="collection_products",
    match_keys=("handle", "id", "sku"),
    rows=MembershipWriter,
    rank=1,  # names collections and products
    options=OPTIONS,
    summary="products of custom collections, added, removed (_sdc_deleted_at) and ordered by position",
)
