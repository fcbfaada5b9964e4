"""Sending `metafield` rows: up to METAFIELDS_PER_SET a metafieldsSet (all or none), or one bulk mutation
for a big batch, each compare-and-set (`compareDigest`, the digest just read): a row whose metafield
changed meanwhile is read again and resent, at most STALE_READS times. metafieldsSet has no idempotency
key, so an answer lost after Shopify may have applied it is followed by a read, and only what the shop
does not hold yet is sent again. Deletes go by metafieldsDelete, which deleting twice leaves as it is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import METAFIELDS_PER_SET
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.row_sends import STALE_READS, bulk_payloads, errors_by_row, kept_changing

from .owners import OwnerReader
from .rows import MetafieldRow, is_current, set_input

STALE = ("STALE_OBJECT", "INVALID_COMPARE_DIGEST")  # changed, or deleted, since it was read
SET = """mutation TargetMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field message code } }
}"""
DELETE = """mutation TargetMetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) { deletedMetafields { key } userErrors { field message } }
}"""
Row = TypeVar("Row", bound="SetRow | DeleteRow")


@dataclass(frozen=True)
class SetRow:
    """A record on its way: its row, the owner it found, the input planned and what writing it does."""

    pending: PendingRecord
    row: MetafieldRow
    owner_id: str
    input: dict[str, Any]
    outcome: Outcome
    reads: int = 1


@dataclass(frozen=True)
class DeleteRow:
    pending: PendingRecord
    row: MetafieldRow
    owner_id: str


def chunks(rows: list[Row]) -> list[list[Row]]:
    return [rows[start : start + METAFIELDS_PER_SET] for start in range(0, len(rows), METAFIELDS_PER_SET)]


class MetafieldSender:
    """Applies a stream's metafield rows and notes each record's outcome."""

    def __init__(self, context: WriteContext, reader: OwnerReader) -> None:
        self.context = context
        self.reader = reader  # reads a stale or unanswered row's metafield again

    def send(self, rows: list[SetRow]) -> None:
        """The first round as one bulk mutation for a big batch, then request by request."""
        threshold = self.context.options.bulk_threshold
        rows = self.bulk_round(rows) if threshold and len(rows) >= threshold else rows
        while rows:
            rows = [again for chunk in chunks(rows) for again in self.send_chunk(chunk)]

    def send_chunk(self, chunk: list[SetRow]) -> list[SetRow]:
        """Send the chunk once; after a lost answer, only its rows the shop does not hold yet."""
        unsent = chunk

        def read_again() -> list[SetRow]:
            nonlocal unsent
            unsent = self.read_again(unsent, lost=True)
            return unsent

        try:
            return self.context.rechecked(chunk[0].row.name, chunk, read_again, self.send_set, "the metafields")
        except ShopifyError as error:
            for row in unsent:
                self.context.fail(row.pending, error)
            return []

    def send_set(self, rows: list[SetRow]) -> list[SetRow]:
        if not rows:
            return []
        variables = {"metafields": [row.input for row in rows]}
        payload = self.context.client.execute(SET, variables, resend=False)["metafieldsSet"]
        return self.settle(rows, payload)

    def bulk_round(self, rows: list[SetRow]) -> list[SetRow]:
        """The first round as one bulk mutation, a metafieldsSet per line; what needs another is returned."""
        groups = chunks(rows)
        variables = [{"metafields": [r.input for r in g]} for g in groups]
        payloads = bulk_payloads(self.context, SET, "metafieldsSet", variables)
        if payloads is None:
            return rows
        again: list[SetRow] = []
        for group, payload in zip(groups, payloads, strict=True):
            # a line without an answer may have been applied: read before sending it again
            again += self.read_again(group, lost=True) if payload is None else self.settle(group, payload)
        return again

    def settle(self, chunk: list[SetRow], payload: dict[str, Any]) -> list[SetRow]:
        """Note a written chunk; fail the rows Shopify names; return those to send again (Shopify wrote
        none of the chunk if it named any)."""
        errors = payload["userErrors"]
        if not errors:
            for row in chunk:
                self.context.note(row.pending, row.outcome, row.owner_id)
            return []
        again: list[SetRow] = []
        stale: list[SetRow] = []
        for row, own in errors_by_row(chunk, errors, row_index):
            if not own:
                again.append(row)
            elif all(error.get("code") in STALE for error in own):
                stale.append(row)
            else:
                self.context.fail(row.pending, RecordFailedError(f"Shopify refused metafield {row.row.name}", own))
        return again + self.read_again(stale, lost=False)

    def read_again(self, rows: list[SetRow], lost: bool) -> list[SetRow]:
        """The rows the shop does not hold yet, with their metafield's digest read again. A row it holds
        is done: with the outcome planned when the answer was lost (its own write), else unchanged (someone
        else wrote the same value). A row stale more than STALE_READS times fails."""
        if not rows:
            return []
        again: list[SetRow] = []
        for row, owner in zip(rows, self.reader.owners([row.row for row in rows]), strict=True):
            if isinstance(owner, RecordError):
                self.context.fail(row.pending, owner)
            elif is_current(row.row, owner.metafield):
                self.context.note(row.pending, row.outcome if lost else Outcome.UNCHANGED, row.owner_id)
            elif not lost and row.reads > STALE_READS:
                self.context.fail(row.pending, kept_changing(f"metafield {row.row.name}", row.reads))
            else:
                fresh = set_input(row.row, owner.id, owner.metafield)
                again.append(replace(row, input=fresh, reads=row.reads if lost else row.reads + 1))
        return again

    def delete(self, rows: list[DeleteRow]) -> None:
        """metafieldsDelete, METAFIELDS_PER_SET at a time: deleting what is gone already changes nothing,
        so a request whose answer was lost is simply sent again (the client's retries)."""
        for chunk in chunks(rows):
            identifiers = [{"ownerId": r.owner_id, "namespace": r.row.namespace, "key": r.row.key} for r in chunk]
            try:
                payload = self.context.client.execute(DELETE, {"metafields": identifiers})["metafieldsDelete"]
            except ShopifyError as error:
                for row in chunk:
                    self.context.fail(row.pending, error)
                continue
            errors = payload["userErrors"]
            for row in chunk:
                if errors:
                    refused = RecordFailedError(f"Shopify refused to delete {row.row.name}", errors)
                    self.context.fail(row.pending, refused)
                else:
                    self.context.note(row.pending, Outcome.DELETED, row.owner_id)


def row_index(error: dict[str, Any]) -> int | None:
    """The row a userError names (`["metafields", "3", "value"]`), None for the whole request."""
    field = error.get("field") or []
    if len(field) > 1 and field[0] == "metafields" and str(field[1]).isdigit():
        return int(field[1])
    return None
