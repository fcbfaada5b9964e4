"""Writing `metafield` records: each batch's owners and the metafields the rows name found many at a time,
each row planned against what the shop holds (unchanged, a set, a delete), and the rows sent many a
request (sends.py)."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from shopify_admin import ConfigurationError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.context import WriteContext
from target_shopify_admin.pipeline.exports import CurrentObjects
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.settings import StreamSettings

from .owner_exports import OwnerFinder
from .owners import OWNER_KEYS, OWNER_TYPES, Owner, OwnerReader
from .rows import MetafieldRow, is_current, metafield_row, record_name, set_input
from .sends import DeleteRow, MetafieldSender, SetRow

Parsed = tuple[PendingRecord, MetafieldRow]
OPTIONS = (
    th.Property(
        "owner_type",
        th.StringType,
        description=(
            "metafield: the owners' type, " + " / ".join(OWNER_TYPES) + ", where match_on leaves a choice"
            " (handle: product or collection; custom_id: any of them); owner_id and shop need none"
        ),
    ),
)


def owner_type_of(settings: StreamSettings, where: str) -> str | None:
    """The owners' type: the one match_on names, or the stream's owner_type where it names several."""
    match_on, types = settings.match_on, OWNER_KEYS[settings.match_on]
    given = settings.options.get("owner_type")
    if given is not None and given not in types:
        allowed = " / ".join(types) or "none (the key says which)"
        raise ConfigurationError(f"{where}.owner_type for match_on {match_on} must be {allowed}, not {given!r}")
    if given is None and len(types) > 1:
        raise ConfigurationError(f"{where}.owner_type ({' / '.join(types)}) is needed to match on {match_on}")
    return given or next(iter(types), None)


class MetafieldWriter:
    def __init__(self, context: WriteContext) -> None:
        self.context = context
        settings = context.settings
        owner_type = owner_type_of(settings, f"streams.{context.stream}")
        self.reader = OwnerReader(context.client, settings.match_on, owner_type, settings.custom_id)
        self.sender = MetafieldSender(context, self.reader)
        self.current_objects = CurrentObjects(context)

    def write(self, batch: list[PendingRecord]) -> None:
        parsed = [(pending, row) for pending in batch if (row := self.row_of(pending)) is not None]
        for run in distinct_runs(parsed):
            self.write_run(run)

    def row_of(self, pending: PendingRecord) -> MetafieldRow | None:
        pending.key = record_name(pending.record, self.context.settings)
        row = self.context.settled(pending, self.checked_row, pending)
        if row is not None:
            pending.key = row.name
        return row

    def checked_row(self, pending: PendingRecord) -> MetafieldRow:
        self.context.check_delete(pending)
        return metafield_row(pending.record, self.context.settings, pending.deleting)

    def write_run(self, run: list[Parsed]) -> None:
        """Find the run's owners and metafields many at a time, then send what changes."""
        sets: list[SetRow] = []
        deletes: list[DeleteRow] = []
        rows = [row for _, row in run]
        for (pending, row), owner in zip(run, self.reader.owners(rows, self.found(rows)), strict=True):
            if isinstance(owner, RecordError):
                self.context.fail(pending, owner)
            elif pending.deleting:
                deletes += self.planned_delete(pending, row, owner)
            else:
                sets += self.planned_set(pending, row, owner)
        self.sender.send(sets)
        self.sender.delete(deletes)

    def found(self, rows: list[MetafieldRow]) -> list[Any]:
        """Each row's lookup answer: looked up, or found in an export of the shop's owners of the
        stream's type, whichever the cost model says is sooner (exports.py)."""
        return self.current_objects.find(OwnerFinder(self.reader, rows), [row.owner_key for row in rows], rows)

    def planned_set(self, pending: PendingRecord, row: MetafieldRow, owner: Owner) -> list[SetRow]:
        """The row to send, or none once the record is noted: unchanged, or would-be (dry run)."""
        if is_current(row, owner.metafield):
            self.context.note(pending, Outcome.UNCHANGED, owner.id)
            return []
        outcome = Outcome.UPDATED if owner.metafield else Outcome.CREATED
        plan = self.context.change(outcome, owner.id, set_input(row, owner.id, owner.metafield))
        if plan.wanted is None:
            self.context.note(pending, plan.outcome, owner.id)
            return []
        return [SetRow(pending, row, owner.id, plan.wanted, outcome)]

    def planned_delete(self, pending: PendingRecord, row: MetafieldRow, owner: Owner) -> list[DeleteRow]:
        if owner.metafield is None:
            self.context.note(pending, Outcome.UNCHANGED, owner.id)  # gone already
            return []
        plan = self.context.change(Outcome.DELETED, owner.id, DeleteRow(pending, row, owner.id))
        if plan.wanted is None:
            self.context.note(pending, plan.outcome, owner.id)
            return []
        return [plan.wanted]


def distinct_runs(parsed: list[Parsed]) -> list[list[Parsed]]:
    """The records in runs where each metafield comes once: a record for a metafield named before starts
    a new run, read after the one before it is written, so the last record of a metafield wins."""
    runs: list[list[Parsed]] = [[]]
    seen: set[str] = set()
    for one in parsed:
        if one[1].name in seen:
            runs.append([])
            seen.clear()
        runs[-1].append(one)
        seen.add(one[1].name)
    return [run for run in runs if run]


KIND = ObjectKind(
    name="metafield",
    match_keys=tuple(OWNER_KEYS),
    rank=2,  # names customers, products, variants and orders written first
    rows=MetafieldWriter,
    options=OPTIONS,
    summary=(
        "sets one metafield of an owner a record (namespace, key, value, type) by metafieldsSet, 25 a request,"
        " compare-and-set, only where the shop differs; deletes by metafieldsDelete"
    ),
)
