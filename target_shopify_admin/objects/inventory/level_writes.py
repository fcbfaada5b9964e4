"""Writing `inventory_level` records: each batch's items and levels read many at a time, then up to
ROWS_PER_MUTATION quantity rows per inventorySetQuantities / inventoryAdjustQuantities (one bulk mutation
for a big batch). Every request is idempotent (a key derived from its content, so a resend after a lost
answer applies once) and compare-and-set (`changeFromQuantity`, the quantity just read): a row whose
quantity moved meanwhile, by a sale say, is read again and resent, at most STALE_READS times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeVar

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.inventory.level_options import LEVEL_OPTIONS, LevelOptions, check_level_options
from target_shopify_admin.objects.inventory.level_reads import LevelFinder, LevelReader
from target_shopify_admin.objects.inventory.levels import (
    LevelChange,
    current_quantity,
    idempotency_key,
    level_change,
    only_item,
    quantity_row,
)
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.exports import CurrentObjects
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.record_writes import RecordFailedError, RecordWriter

# Shopify's documentation puts no number on it; its `inventoryQuantities` limit on productSet is 250
# per request, and the rows' cost grows with them, so requests stay at that size
ROWS_PER_MUTATION = 250
T = TypeVar("T")
STALE_READS = 3
STALE = "CHANGE_FROM_QUANTITY_STALE"
ROOTS = {"set": ("inventorySetQuantities", "quantities"), "adjust": ("inventoryAdjustQuantities", "changes")}
CHANGE = """mutation TargetInventory{Kind}($input: Inventory{Kind}QuantitiesInput!, $key: String!) {{
  {root}(input: $input) @idempotent(key: $key) {{
    inventoryAdjustmentGroup {{ id }} userErrors {{ field message code }}
  }}
}}"""
ACTIVATE = """mutation TargetInventoryActivate(
  $item: ID!, $location: ID!, $available: Int, $onHand: Int, $key: String!
) {
  inventoryActivate(inventoryItemId: $item, locationId: $location, available: $available, onHand: $onHand)
    @idempotent(key: $key) { inventoryLevel { id } userErrors { field message } }
}"""


Located = tuple[PendingRecord, LevelChange, str]  # a record, its change, and its location's id


@dataclass(frozen=True)
class LevelRow:
    """A record on its way: its change, the item and location it resolved to, and the quantity read."""

    pending: PendingRecord
    change: LevelChange
    item_id: str
    location_id: str
    current: int
    reads: int = 1


class LevelWriter:
    def __init__(self, records: RecordWriter) -> None:
        self.records = records  # for the stream's settings, options, and noting outcomes
        self.settings = records.settings
        self.options = records.options
        self.levels = LevelOptions.of(self.settings.options)
        self.reader = LevelReader(self.options.client, self.settings.match_on, self.levels.quantity_name)
        self.adjusting = self.levels.quantity_change == "adjust"
        self.root, self.rows_field = ROOTS[self.levels.quantity_change]
        self.document = change_document(self.root)

    @cached_property
    def locations(self) -> dict[str, str]:
        """Location ids by the key records name them by (id or name), read once per stream."""
        by_name = self.levels.location_match_on == "name"
        return {(loc["name"] if by_name else loc["id"]): loc["id"] for loc in self.reader.locations()}

    def write(self, batch: list[PendingRecord]) -> None:
        changes = [(pending, change) for pending in batch if (change := self.change_of(pending)) is not None]
        located = [
            (pending, change, location)
            for pending, change in changes
            if (location := self.location_of(pending, change)) is not None
        ]
        for run in distinct_runs(located):
            self.write_run(run)

    def write_run(self, run: list[Located]) -> None:
        """Read the run's levels many at a time, then write those that change."""
        rows = []
        found = self.found(run)
        for (pending, change, location), items in zip(run, found, strict=True):
            row = self.settled(pending, self.planned, pending, change, location, items)
            if row is not None:
                rows.append(row)
        if self.options.bulk_threshold and len(rows) >= self.options.bulk_threshold:
            self.send_rows(self.bulk_round(rows))
        else:
            self.send_rows(rows)

    def found(self, run: list[Located]) -> list[list[dict[str, Any]]]:
        """For each record, the items its key finds with their level at its location: looked up, or
        found in an export of the shop's items, whichever the cost model says is sooner (exports.py)."""
        finder = LevelFinder(self.reader, sorted({location for *_, location in run}))
        options, logger = self.options, self.records.logger
        current_objects = CurrentObjects(finder, self.settings, options.bulk_runner, options.bulk_lookup, logger)
        keys = [change.item_key for _, change, _ in run]
        return current_objects.find(keys, [(change.item_key, location) for _, change, location in run])

    def change_of(self, pending: PendingRecord) -> LevelChange | None:
        if pending.deleting:
            error = RecordError("an inventory level is not deleted: set its quantity to 0 instead")
            self.records.fail(pending, error)
            return None
        change = self.settled(pending, level_change, pending.record, self.settings)
        if change is not None:
            pending.key = change.item_key
        return change

    def location_of(self, pending: PendingRecord, change: LevelChange) -> str | None:
        location = self.locations.get(change.location_key)
        if location is None:
            by = "named" if self.levels.location_match_on == "name" else "with id"
            self.records.fail(pending, RecordError(f"no active location {by} {change.location_key!r}"))
        return location

    def settled(self, pending: PendingRecord, attempt: Callable[..., T], *args: Any) -> T | None:
        """What `attempt(*args)` returns, or None once the record has failed with the error it raised."""
        try:
            return attempt(*args)
        except (RecordError, RecordFailedError, ShopifyError) as error:
            self.records.fail(pending, error)
            return None

    def planned(self, pending: PendingRecord, change: LevelChange, location: str, items: list[dict]) -> LevelRow | None:
        """The row to send, or None once the record is noted: unchanged, activated, or would-be (dry run)."""
        item = self.item_of(change, items)
        current = current_quantity(item, self.levels.quantity_name)
        if current is None:
            if self.activate(pending, change, item["id"], location):
                return None
            current = 0  # stocked with nothing of the quantity the record changes
        row = LevelRow(pending, change, item["id"], location, current)
        if self.unchanged(row):
            self.records.note(pending, "unchanged", item["id"])
            return None
        if self.options.dry_run:
            self.records.note(pending, "would-update", item["id"])
            return None
        return row

    def item_of(self, change: LevelChange, items: list[dict[str, Any]]) -> dict[str, Any]:
        named = f"{self.settings.match_on} {change.item_key!r}"
        item = only_item(items, change.item_key) if self.settings.match_on == "sku" else next(iter(items), None)
        if item is None:
            raise RecordError(f"no inventory item with {named}")
        if not item["tracked"]:
            raise RecordError(f"the inventory item with {named} ({item['id']}) does not track inventory")
        return item

    def unchanged(self, row: LevelRow) -> bool:
        return row.change.value == 0 if self.adjusting else row.change.value == row.current

    def activate(self, pending: PendingRecord, change: LevelChange, item_id: str, location: str) -> bool:
        """Stock the item at the location, where the stream allows it; True when that set the record's
        quantity (available or on_hand, a delta of them from nothing) and the record is done."""
        if not self.levels.activate:
            raise RecordError(
                f"inventory item {item_id} is not stocked at location {location}:"
                f" set streams.{self.records.stream}.activate to true to stock it there"
            )
        name = self.levels.quantity_name
        sets_quantity = name in ("available", "on_hand")
        if self.options.dry_run:
            self.records.note(pending, "would-create", item_id)
            return True
        variables: dict[str, Any] = {"item": item_id, "location": location}
        if sets_quantity:
            variables["onHand" if name == "on_hand" else "available"] = change.value
        variables["key"] = idempotency_key("inventoryActivate", variables)
        payload = self.options.client.execute(ACTIVATE, variables)["inventoryActivate"]
        if payload["userErrors"]:
            raise RecordFailedError(f"Shopify refused to stock the item at {location}", payload["userErrors"])
        if sets_quantity:
            self.records.note(pending, "created", item_id)
        return sets_quantity

    def chunks(self, rows: list[LevelRow]) -> list[list[LevelRow]]:
        """Rows in requests of ROWS_PER_MUTATION sharing one reference document (a request names one)."""
        by_reference: dict[str | None, list[LevelRow]] = {}
        for row in rows:
            by_reference.setdefault(row.change.reference, []).append(row)
        return [
            group[start : start + ROWS_PER_MUTATION]
            for group in by_reference.values()
            for start in range(0, len(group), ROWS_PER_MUTATION)
        ]

    def variables(self, chunk: list[LevelRow]) -> dict[str, Any]:
        quantities = [quantity_row(r.change, r.item_id, r.location_id, r.current, self.adjusting) for r in chunk]
        mutation_input: dict[str, Any] = {"name": self.levels.quantity_name, "reason": self.levels.reason}
        if chunk[0].change.reference:
            mutation_input["referenceDocumentUri"] = chunk[0].change.reference
        mutation_input[self.rows_field] = quantities
        variables: dict[str, Any] = {"input": mutation_input}
        return {**variables, "key": idempotency_key(self.root, variables)}

    def send_rows(self, rows: list[LevelRow]) -> None:
        """Request by request until every row is written or failed. A request Shopify refuses changes
        nothing: its rows without an error of their own are sent again, in a request of their own."""
        while rows:
            again: list[LevelRow] = []
            for chunk in self.chunks(rows):
                try:
                    payload = self.options.client.execute(self.document, self.variables(chunk))[self.root]
                except ShopifyError as error:
                    for row in chunk:
                        self.records.fail(row.pending, error)
                    continue
                again += self.settle(chunk, payload)
            rows = again

    def bulk_round(self, rows: list[LevelRow]) -> list[LevelRow]:
        """The first round as one bulk mutation, a request per line; what needs another round is returned."""
        chunks = self.chunks(rows)
        runner, stream, logger = self.options.bulk_runner, self.records.stream, self.records.logger
        try:
            operation, answers = runner.run_mutation(self.document, [self.variables(chunk) for chunk in chunks])
        except ShopifyError as error:
            logger.warning("Bulk mutation for %s failed (%s); sending request by request", stream, error)
            return rows
        status, lines = operation.status, len(chunks)
        logger.info("Bulk mutation %s of stream %s ended %s, %d lines", operation.id, stream, status, lines)
        again: list[LevelRow] = []
        for number, chunk in enumerate(chunks):
            payload = ((answers.get(number) or {}).get("data") or {}).get(self.root)
            # a line without an answer is resent with its key: applied already, Shopify answers it again
            again += chunk if payload is None else self.settle(chunk, payload)
        return again

    def settle(self, chunk: list[LevelRow], payload: dict[str, Any]) -> list[LevelRow]:
        """Note a written chunk; fail the rows Shopify names; return those to send again."""
        errors = payload["userErrors"]
        if not errors:
            for row in chunk:
                self.records.note(row.pending, "updated", row.item_id)
            return []
        by_row: dict[int | None, list[dict[str, Any]]] = {}
        for error in errors:
            by_row.setdefault(row_index(error, self.rows_field), []).append(error)
        again: list[LevelRow] = []
        for number, row in enumerate(chunk):
            own = by_row.get(number, []) + by_row.get(None, [])
            if not own:
                again.append(row)
            elif all(error.get("code") == STALE for error in own):
                again += self.read_again(row)
            else:
                self.records.fail(row.pending, RecordFailedError("Shopify refused the quantity", own))
        return again

    def read_again(self, row: LevelRow) -> list[LevelRow]:
        """The row with its quantity read again, or none once noted (now as wanted) or failed."""
        if row.reads > STALE_READS:
            message = (
                f"the quantity at location {row.location_id} kept changing while it was written"
                f" ({row.reads} reads, each stale by the write): try again later"
            )
            self.records.fail(row.pending, RecordError(message))
            return []
        [items] = self.reader.items([(row.change.item_key, row.location_id)])
        fresh = self.settled(row.pending, self.item_of, row.change, items)
        current = None if fresh is None else current_quantity(fresh, self.levels.quantity_name)
        if fresh is not None and current is None:
            self.records.fail(row.pending, RecordError(f"inventory item {row.item_id} is no longer stocked there"))
        if current is None:
            return []
        again = replace(row, current=current, reads=row.reads + 1)
        if self.unchanged(again):
            self.records.note(row.pending, "unchanged", row.item_id)
            return []
        return [again]


def change_document(root: str) -> str:
    """The document of `root` (inventorySetQuantities or inventoryAdjustQuantities)."""
    return CHANGE.format(Kind=root.removeprefix("inventory").removesuffix("Quantities"), root=root)


def distinct_runs(located: list[Located]) -> list[list[Located]]:
    """The records in runs where each item and location comes once: a record for a level named before
    starts a new run, read after the one before it is written, so the last record of a level wins."""
    runs: list[list[Located]] = [[]]
    seen: set[tuple[str, str]] = set()
    for one in located:
        level = (one[1].item_key.casefold(), one[2])
        if level in seen:
            runs.append([])
            seen.clear()
        runs[-1].append(one)
        seen.add(level)
    return [run for run in runs if run]


def row_index(error: dict[str, Any], rows_field: str) -> int | None:
    """The row a userError names (`["input", "quantities", "3", …]`), None for the whole request."""
    field = error.get("field") or []
    if len(field) > 2 and field[:2] == ["input", rows_field] and str(field[2]).isdigit():
        return int(field[2])
    return None


KIND = ObjectKind(
    name="inventory_level",
    match_keys=("inventory_item_id", "sku", "variant_id"),
    rank=1,
    rows=LevelWriter,
    options=LEVEL_OPTIONS,
    check=check_level_options,
    summary="sets or adjusts a named quantity of an item at a location, many rows a request; deletes are refused",
)
