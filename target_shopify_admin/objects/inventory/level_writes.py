"""Writing `inventory_level` records: each batch's items and levels found many at a time (looked up, or in
an export of the shop's items), each record planned against its level (unchanged, stocked by
inventoryActivate, or a row to send), and the rows sent many a request (level_rows.py)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.inventory.level_options import LEVEL_OPTIONS, LevelOptions, check_level_options
from target_shopify_admin.objects.inventory.level_reads import LevelFinder, LevelReader
from target_shopify_admin.objects.inventory.level_rows import LevelRow, RowSender
from target_shopify_admin.objects.inventory.levels import (
    LevelChange,
    current_quantity,
    idempotency_key,
    level_change,
    tracked_item,
)
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.exports import CurrentObjects
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord

ACTIVATE = """mutation TargetInventoryActivate(
  $item: ID!, $location: ID!, $available: Int, $onHand: Int, $key: String!
) {
  inventoryActivate(inventoryItemId: $item, locationId: $location, available: $available, onHand: $onHand)
    @idempotent(key: $key) { inventoryLevel { id } userErrors { field message } }
}"""


Located = tuple[PendingRecord, LevelChange, str]  # a record, its change, and its location's id


class LevelWriter:
    def __init__(self, context: WriteContext) -> None:
        self.context = context
        self.settings = context.settings
        self.levels = LevelOptions.of(self.settings.options)
        self.reader = LevelReader(context.client, self.settings.match_on, self.levels.quantity_name)
        self.rows = RowSender(context, self.levels, self.reader)
        self.current_objects = CurrentObjects(context)

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
        """Find the run's levels many at a time, then send those that change."""
        rows = []
        for (pending, change, location), items in zip(run, self.found(run), strict=True):
            row = self.context.settled(pending, self.planned, pending, change, location, items)
            if row is not None:
                rows.append(row)
        self.rows.send(rows)

    def found(self, run: list[Located]) -> list[list[dict[str, Any]]]:
        """For each record, the items its key finds with their level at its location: looked up, or
        found in an export of the shop's items, whichever the cost model says is sooner (exports.py)."""
        finder = LevelFinder(self.reader, sorted({location for *_, location in run}))
        keys = [change.item_key for _, change, _ in run]
        return self.current_objects.find(finder, keys, [(change.item_key, location) for _, change, location in run])

    def change_of(self, pending: PendingRecord) -> LevelChange | None:
        if pending.deleting:
            error = RecordError("an inventory level is not deleted: set its quantity to 0 instead")
            self.context.fail(pending, error)
            return None
        change = self.context.settled(pending, level_change, pending.record, self.settings)
        if change is not None:
            pending.key = change.item_key
        return change

    def location_of(self, pending: PendingRecord, change: LevelChange) -> str | None:
        location = self.locations.get(change.location_key)
        if location is None:
            by = "named" if self.levels.location_match_on == "name" else "with id"
            self.context.fail(pending, RecordError(f"no active location {by} {change.location_key!r}"))
        return location

    def planned(self, pending: PendingRecord, change: LevelChange, location: str, items: list[dict]) -> LevelRow | None:
        """The row to send, or None once the record is noted: unchanged, activated, or would-be (dry run)."""
        item = tracked_item(items, change, self.settings.match_on)
        current = current_quantity(item, self.levels.quantity_name)
        if current is None:
            if self.activate(pending, change, item["id"], location):
                return None
            current = 0  # stocked with nothing of the quantity the record changes
        row = LevelRow(pending, change, item["id"], location, current)
        if row.unchanged(self.levels.adjusting):
            self.context.note(pending, Outcome.UNCHANGED, item["id"])
            return None
        plan = self.context.change(Outcome.UPDATED, item["id"], row)
        if plan.wanted is None:
            self.context.note(pending, plan.outcome, plan.shopify_id)
        return plan.wanted

    def activate(self, pending: PendingRecord, change: LevelChange, item_id: str, location: str) -> bool:
        """Stock the item at the location, where the stream allows it; True when that set the record's
        quantity (available or on_hand, a delta of them from nothing) and the record is done."""
        if not self.levels.activate:
            raise RecordError(
                f"inventory item {item_id} is not stocked at location {location}:"
                f" set streams.{self.context.stream}.activate to true to stock it there"
            )
        name = self.levels.quantity_name
        sets_quantity = name in ("available", "on_hand")
        variables: dict[str, Any] = {"item": item_id, "location": location}
        if sets_quantity:
            variables["onHand" if name == "on_hand" else "available"] = change.value
        variables["key"] = idempotency_key("inventoryActivate", variables)
        plan = self.context.change(Outcome.CREATED, item_id, variables)
        if plan.wanted is None:
            self.context.note(pending, plan.outcome, item_id)
            return True
        payload = self.context.client.execute(ACTIVATE, plan.wanted)["inventoryActivate"]
        if payload["userErrors"]:
            raise RecordFailedError(f"Shopify refused to stock the item at {location}", payload["userErrors"])
        if sets_quantity:
            self.context.note(pending, Outcome.CREATED, item_id)
        return sets_quantity


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


KIND = ObjectKind(
    name="inventory_level",
    match_keys=("inventory_item_id", "sku", "variant_id"),
    rank=1,
    rows=LevelWriter,
    options=LEVEL_OPTIONS,
    check=check_level_options,
    summary="sets or adjusts a named quantity of an item at a location, many rows a request; deletes are refused",
)
