"""What every writer of a stream works with (the connection, where outcomes go, the stream's settings),
and what they all do alike: note a record's outcome or dead-letter it, refuse a delete the stream does not
allow, and look again after a lost answer before writing anything more."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from shopify_admin import AnswerLostError, ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import BulkRunner
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.pipeline.outcomes import Ledger, Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan
from target_shopify_admin.pipeline.settings import StreamSettings

T = TypeVar("T")
Planned = TypeVar("Planned")


class RecordFailedError(Exception):
    """Shopify answered the write with userErrors."""

    def __init__(self, message: str, user_errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.user_errors = user_errors


@dataclass(frozen=True)
class WriteOptions:
    """What the target hands every sink: the connection, where outcomes go, and how to write."""

    client: ShopifyAdminClient
    bulk_runner: BulkRunner
    ledger: Ledger
    dry_run: bool
    concurrent_writes: int
    bulk_threshold: int | None
    bulk_lookup: str = "auto"  # how a bulk run finds its objects, see exports.py


@dataclass(frozen=True)
class WriteContext:
    """One stream's writers' context: its name, settings and logger, and the run's options."""

    stream: str
    settings: StreamSettings
    options: WriteOptions
    logger: logging.Logger

    @property
    def client(self) -> ShopifyAdminClient:
        return self.options.client

    def note(self, pending: PendingRecord, outcome: Outcome, shopify_id: str | None) -> None:
        self.options.ledger.note(self.stream, outcome, pending.key, shopify_id)

    def fail(self, pending: PendingRecord, error: Exception) -> None:
        user_errors = error.user_errors if isinstance(error, RecordFailedError) else None
        ledger = self.options.ledger
        ledger.fail(self.stream, pending.key, pending.operation, pending.received, str(error), user_errors)

    def change(self, outcome: Outcome, shopify_id: str | None, wanted: Any) -> Plan:
        """A change a writer of rows plans (see Plan.change: in a dry run, nothing to write)."""
        return Plan.change(outcome, shopify_id, wanted, dry_run=self.options.dry_run)

    def settled(self, pending: PendingRecord, attempt: Callable[..., T], *args: Any) -> T | None:
        """What `attempt(*args)` returns, or None once the record has failed with the error it raised."""
        try:
            return attempt(*args)
        except (RecordFailedError, RecordError, ShopifyError) as error:
            self.fail(pending, error)
            return None

    def settle(self, pending: PendingRecord, attempt: Callable[..., tuple[Outcome, str | None]], *args: Any) -> None:
        """Note the outcome and Shopify id that `attempt(*args)` returns, or dead-letter the record."""
        written = self.settled(pending, attempt, *args)
        if written is not None:
            self.note(pending, *written)

    def check_delete(self, pending: PendingRecord) -> None:
        """Refuse a delete the stream does not allow, before its key is read: a refused delete needs none."""
        if pending.deleting and not self.settings.allow_deletes:
            raise RecordError(f"delete refused: set streams.{self.stream}.allow_deletes to true")

    def rechecked(
        self,
        key: Any,
        first: Planned,
        plan_again: Callable[[], Planned],
        send: Callable[[Planned], T],
        looked_for: str = "it",
    ) -> T:
        """Send `first`. A write whose answer was lost may have been applied, and Shopify has no idempotency
        key for these mutations: what the write was for is looked up again (`plan_again`, never through
        search, which lags) and only what is still missing is sent, so nothing is done twice. Every write
        sent once (resend=False) goes through here."""
        planned = first
        max_attempts = self.client.max_attempts
        for attempt in range(1, max_attempts + 1):
            try:
                return send(planned)
            except AnswerLostError as lost:
                if attempt == max_attempts:
                    raise
                self.logger.warning("%s %s: %s; looking %s up again", self.stream, key, lost, looked_for)
                planned = plan_again()
        raise AssertionError("unreachable")
