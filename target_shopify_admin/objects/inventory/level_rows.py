"""Sending `inventory_level` rows: up to ROWS_PER_MUTATION quantity rows per inventorySetQuantities /
inventoryAdjustQuantities, or one bulk mutation for a big batch. Every request is idempotent (a key derived
from its content, so a resend after a lost answer applies once) and compare-and-set (`changeFromQuantity`,
the quantity just read): a row whose quantity moved meanwhile, by a sale say, is read again and resent, at
most STALE_READS times."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.inventory.level_options import LevelOptions
from target_shopify_admin.objects.inventory.level_reads import LevelReader
from target_shopify_admin.objects.inventory.levels import (
    LevelChange,
    current_quantity,
    idempotency_key,
    quantity_row,
    tracked_item,
)
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.row_sends import STALE_READS, bulk_payloads, errors_by_row, kept_changing

# Shopify's documentation puts no number on it; its `inventoryQuantities` limit on productSet is 250
# per request, and the rows' cost grows with them, so requests stay at that size
ROWS_PER_MUTATION = 250
STALE = "CHANGE_FROM_QUANTITY_STALE"
ROOTS = {"set": ("inventorySetQuantities", "quantities"), "adjust": ("inventoryAdjustQuantities", "changes")}
CHANGE = """mutation TargetInventory{Kind}($input: Inventory{Kind}QuantitiesInput!, $key: String!) {{
  {root}(input: $input) @idempotent(key: $key) {{
    inventoryAdjustmentGroup {{ id }} userErrors {{ field message code }}
  }}
}}"""


@dataclass(frozen=True)
class LevelRow:
    """A record on its way: its change, the item and location it resolved to, and the quantity read."""

    pending: PendingRecord
    change: LevelChange
    item_id: str
    location_id: str
    current: int
    reads: int = 1

    def unchanged(self, adjusting: bool) -> bool:
        return self.change.value == 0 if adjusting else self.change.value == self.current


class RowSender:
    """Applies a stream's level rows and notes each record's outcome."""

    def __init__(self, context: WriteContext, levels: LevelOptions, reader: LevelReader) -> None:
        self.context = context
        self.levels = levels
        self.reader = reader  # reads a stale row's quantity again
        self.root, self.rows_field = ROOTS[levels.quantity_change]
        self.document = change_document(self.root)

    def send(self, rows: list[LevelRow]) -> None:
        """The first round as one bulk mutation for a big batch, then request by request."""
        threshold = self.context.options.bulk_threshold
        self.send_rows(self.bulk_round(rows) if threshold and len(rows) >= threshold else rows)

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
        adjusting = self.levels.adjusting
        quantities = [quantity_row(r.change, r.item_id, r.location_id, r.current, adjusting) for r in chunk]
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
                    payload = self.context.client.execute(self.document, self.variables(chunk))[self.root]
                except ShopifyError as error:
                    for row in chunk:
                        self.context.fail(row.pending, error)
                    continue
                again += self.settle(chunk, payload)
            rows = again

    def bulk_round(self, rows: list[LevelRow]) -> list[LevelRow]:
        """The first round as one bulk mutation, a request per line; what needs another round is returned."""
        chunks = self.chunks(rows)
        payloads = bulk_payloads(self.context, self.document, self.root, [self.variables(c) for c in chunks])
        if payloads is None:
            return rows
        again: list[LevelRow] = []
        for chunk, payload in zip(chunks, payloads, strict=True):
            # a line without an answer is resent with its key: applied already, Shopify answers it again
            again += chunk if payload is None else self.settle(chunk, payload)
        return again

    def settle(self, chunk: list[LevelRow], payload: dict[str, Any]) -> list[LevelRow]:
        """Note a written chunk; fail the rows Shopify names; return those to send again."""
        errors = payload["userErrors"]
        if not errors:
            for row in chunk:
                self.context.note(row.pending, Outcome.UPDATED, row.item_id)
            return []
        again: list[LevelRow] = []
        for row, own in errors_by_row(chunk, errors, partial(row_index, rows_field=self.rows_field)):
            if not own:
                again.append(row)
            elif all(error.get("code") == STALE for error in own):
                again += self.read_again(row)
            else:
                self.context.fail(row.pending, RecordFailedError("Shopify refused the quantity", own))
        return again

    def read_again(self, row: LevelRow) -> list[LevelRow]:
        """The row with its quantity read again, or none once noted (now as wanted) or failed."""
        if row.reads > STALE_READS:
            self.context.fail(row.pending, kept_changing(f"the quantity at location {row.location_id}", row.reads))
            return []
        [items] = self.reader.items([(row.change.item_key, row.location_id)])
        match_on = self.context.settings.match_on
        fresh = self.context.settled(row.pending, tracked_item, items, row.change, match_on)
        current = None if fresh is None else current_quantity(fresh, self.levels.quantity_name)
        if fresh is not None and current is None:
            self.context.fail(row.pending, RecordError(f"inventory item {row.item_id} is no longer stocked there"))
        if current is None:
            return []
        again = replace(row, current=current, reads=row.reads + 1)
        if again.unchanged(self.levels.adjusting):
            self.context.note(row.pending, Outcome.UNCHANGED, row.item_id)
            return []
        return [again]


def change_document(root: str) -> str:
    """The document of `root` (inventorySetQuantities or inventoryAdjustQuantities)."""
    return CHANGE.format(Kind=root.removeprefix("inventory").removesuffix("Quantities"), root=root)


def row_index(error: dict[str, Any], rows_field: str) -> int | None:
    """The row a userError names (`["input", "quantities", "3", …]`), None for the whole request."""
    field = error.get("field") or []
    if len(field) > 2 and field[:2] == ["input", rows_field] and str(field[2]).isdigit():
        return int(field[2])
    return None
