"""What a record asks of the object the shop holds, decided from the looked-up object alone, without a
request: the step between the lookup and the write. A dry run is decided here, in `Plan.change`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import ObjectGateway
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.settings import StreamSettings


@dataclass
class PendingRecord:
    """One record on its way to Shopify."""

    record: dict[str, Any]
    received: dict[str, Any]  # the record as the dead-letter file shows it
    operation: str
    deleting: bool
    key: Any

    @classmethod
    def of(cls, record: dict[str, Any], settings: StreamSettings) -> PendingRecord:
        received = {k: v for k, v in record.items() if not k.startswith("_sdc_") or (k == "_sdc_deleted_at" and v)}
        deleting = settings.action == "delete" or bool(record.get("_sdc_deleted_at"))
        operation = "delete" if deleting else settings.action
        return cls(record, received, operation, deleting, record.get(settings.match_field))


@dataclass(frozen=True)
class Plan:
    """What a record asks of the object the shop holds: nothing (`wanted` None) or a write of `wanted`
    (an input, an object to delete, a row: whatever the object's writer sends)."""

    outcome: Outcome
    shopify_id: str | None
    wanted: Any = None
    identifier: dict[str, Any] | None = None

    @classmethod
    def change(
        cls, outcome: Outcome, shopify_id: str | None, wanted: Any, identifier: Any = None, *, dry_run: bool
    ) -> Plan:
        """A change to write; in a dry run, the outcome it would have, with nothing to write. Every writer
        plans its changes here, so this is the one place a dry run is decided."""
        if dry_run:
            return cls(outcome.would, shopify_id)
        return cls(outcome, shopify_id, wanted, identifier)


@dataclass(frozen=True)
class Planner:
    gateway: ObjectGateway
    settings: StreamSettings
    dry_run: bool

    def upsert(
        self,
        pending: PendingRecord,
        current: dict[str, Any] | None,
        related: dict[str, Any],
        set_identifier: dict[str, Any],
        again: bool = False,
    ) -> Plan:
        """What the record asks of `current`, the object the lookup found, given what the gateway read
        besides (`related`); `again` after a lost answer, when `current` may be the record's own doing (an
        object it created), so that `action: create` does not refuse it."""
        named = f"{self.gateway.kind} with {self.settings.match_field} {pending.key!r}"
        if current is not None and self.settings.action == "create" and not again:
            raise RecordError(f"a {named} already exists ({current['id']})")
        if current is None and self.settings.action == "update":
            raise RecordError(f"no {named} to update")
        if current is None and not set_identifier:
            raise RecordError(f"no {named}, and matching on {self.settings.match_field} cannot create one")
        wanted = self.gateway.to_input(pending.record, current, related)
        current_id = current["id"] if current else None
        outcome = self.gateway.outcome(wanted, current)
        if outcome == Outcome.UNCHANGED:
            return Plan(outcome, current_id)
        identifier = {"id": current_id} if current_id else set_identifier
        sent = self.gateway.to_send(wanted, current)
        return Plan.change(outcome, current_id, sent, identifier, dry_run=self.dry_run)

    def delete(self, current: dict[str, Any] | None) -> Plan:
        """`wanted` holds the object to delete."""
        if current is None:
            return Plan(Outcome.UNCHANGED, None)  # already gone: deleting again changes nothing
        if self.gateway.removed(current, self.settings.delete_mode):
            return Plan(Outcome.UNCHANGED, current["id"])
        return Plan.change(Outcome.DELETED, current["id"], current, dry_run=self.dry_run)
