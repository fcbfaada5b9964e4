"""What a record asks of the object the shop holds, decided from the looked-up object alone, without a
request: the step between the lookup and the write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import ObjectGateway
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
    """What a record asks of the object the shop holds: nothing (`wanted` None) or a write."""

    outcome: str
    shopify_id: str | None
    wanted: dict[str, Any] | None = None
    identifier: dict[str, Any] | None = None


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
        if outcome == "unchanged":
            return Plan(outcome, current_id)
        if self.dry_run:
            return Plan(f"would-{outcome.removesuffix('d')}", current_id)
        return Plan(outcome, current_id, wanted, {"id": current_id} if current_id else set_identifier)

    def delete(self, current: dict[str, Any] | None) -> Plan:
        """`wanted` holds the object to delete."""
        if current is None:
            return Plan("unchanged", None)  # already gone: deleting again changes nothing
        if self.gateway.removed(current, self.settings.delete_mode):
            return Plan("unchanged", current["id"])
        return Plan("would-delete" if self.dry_run else "deleted", current["id"], current)
