"""Writing records one at a time: `concurrent_writes` at once in key order, each looked up, planned and
written, looked up again after a lost answer, and noted or dead-lettered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from shopify_admin import AnswerLostError, ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import BulkRunner
from target_shopify_admin.objects import object_kinds
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import ObjectGateway
from target_shopify_admin.pipeline.outcomes import Ledger
from target_shopify_admin.pipeline.plans import PendingRecord, Plan, Planner
from target_shopify_admin.pipeline.settings import StreamSettings

Outcome = tuple[str, str | None]  # the outcome and the Shopify id of the object written


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


class RecordWriter:
    """Writes one stream's records to its Shopify object (`gateway`, None for a stream that maps to none)."""

    def __init__(
        self,
        stream: str,
        settings: StreamSettings,
        gateway: ObjectGateway | None,
        options: WriteOptions,
        logger: logging.Logger,
    ) -> None:
        self.stream = stream
        self.settings = settings
        self.gateway = gateway
        self.options = options
        self.logger = logger

    @cached_property
    def custom_id_problem(self) -> str | None:
        """Checked once, so that without the definition Shopify needs, each record fails saying what to do,
        at no request per record."""
        if self.gateway is None or self.settings.match_on != "custom_id" or self.settings.custom_id is None:
            return None
        problem = self.gateway.custom_id_problem(self.settings.custom_id)
        return f"streams.{self.stream}.custom_id: {problem}" if problem else None

    def write_all(self, pending: list[PendingRecord]) -> None:
        """Write records `concurrent_writes` at a time: while one request is on its way, the budget
        refills for the next. A record waits for the one before it with the same key, so each object
        still sees its records in order."""
        workers = self.options.concurrent_writes
        if workers == 1 or len(pending) < 2:
            for one in pending:
                self.write(one)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix=f"write-{self.stream}") as pool:
            last: dict[str, Future[None]] = {}
            futures = []
            for one in pending:
                serial_key = self.serial_key(one)
                futures.append(pool.submit(self.write_after, last.get(serial_key), one))
                last[serial_key] = futures[-1]
            try:
                for future in futures:
                    future.result()
            except BaseException:  # a fatal error (a refused token, …) stops the writes not yet started
                pool.shutdown(cancel_futures=True)
                raise

    def serial_key(self, pending: PendingRecord) -> str:
        """What a record writes to, as far as its match key tells before any lookup; a record without a
        usable key fails on its own, so it waits for nothing."""
        if self.gateway is not None:
            try:
                return self.gateway.serial_key(pending.record, self.match_value(pending.record).casefold())
            except RecordError:
                pass
        return f"unkeyed {id(pending)}"

    def write_after(self, previous: Future[None] | None, pending: PendingRecord) -> None:
        if previous is not None:
            previous.result()
        self.write(pending)

    def write(self, pending: PendingRecord) -> None:
        """Write one record, or dead-letter it."""

        def attempt() -> Outcome:
            planner = self.planner()
            if pending.deleting and not self.settings.allow_deletes:  # before the key: a refused delete needs none
                raise RecordError(f"delete refused: set streams.{self.stream}.allow_deletes to true")
            pending.key = self.match_value(pending.record)
            return self.remove(planner, pending.key) if pending.deleting else self.upsert(planner, pending)

        self.settle(pending, attempt)

    def settle(self, pending: PendingRecord, attempt: Callable[[], Outcome]) -> None:
        """Note the outcome and Shopify id that `attempt` returns, or dead-letter the record with its error."""
        try:
            outcome, shopify_id = attempt()
        except (RecordFailedError, RecordError, ShopifyError) as error:
            self.fail(pending, error)
        else:
            self.note(pending, outcome, shopify_id)

    def note(self, pending: PendingRecord, outcome: str, shopify_id: str | None) -> None:
        self.options.ledger.note(self.stream, outcome, pending.key, shopify_id)

    def fail(self, pending: PendingRecord, error: Exception) -> None:
        user_errors = error.user_errors if isinstance(error, RecordFailedError) else None
        ledger = self.options.ledger
        ledger.fail(self.stream, pending.key, pending.operation, pending.received, str(error), user_errors)

    def planner(self) -> Planner:
        """The stream's planner, or why none of its records can be written."""
        if self.gateway is not None:
            if self.custom_id_problem:
                raise RecordError(self.custom_id_problem)
            return Planner(self.gateway, self.settings, self.options.dry_run)
        if self.settings.object is None:
            raise RecordError(f"stream {self.stream!r} maps to no Shopify object: set streams.{self.stream}.object")
        kinds = ", ".join(object_kinds())
        raise RecordError(f"streams.{self.stream}.object must be one of {kinds}, not {self.settings.object!r}")

    def match_value(self, record: dict[str, Any]) -> str:
        assert self.gateway is not None
        match_on = self.settings.match_on
        value = (
            record.get(self.settings.match_field)
            if match_on == "custom_id"
            else self.gateway.match_value(record, match_on)
        )
        if isinstance(value, int) and not isinstance(value, bool) and match_on == "custom_id":
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise RecordError(f"the match key {self.settings.match_field!r} is missing or not a string")
        return value.strip()

    def identifiers(self, key: str) -> tuple[dict, dict]:
        assert self.gateway is not None
        return self.gateway.identifiers(self.settings.match_on, key, self.settings.custom_id)

    def upsert(self, planner: Planner, pending: PendingRecord) -> Outcome:
        return self.write_planned(planner, pending, self.look_up_and_plan(planner, pending))

    def look_up_and_plan(self, planner: Planner, pending: PendingRecord, again: bool = False) -> Plan:
        lookup, set_identifier = self.identifiers(pending.key)
        current = planner.gateway.find(lookup)
        related = planner.gateway.related(pending.record, current)
        return planner.upsert(pending, current, related, set_identifier, again)

    def write_planned(self, planner: Planner, pending: PendingRecord, plan: Plan) -> Outcome:
        plan_again = partial(self.look_up_and_plan, planner, pending, True)
        return self.rechecked(pending.key, plan, plan_again, partial(self.send, planner.gateway))

    def rechecked(
        self, key: str, first: Plan, plan_again: Callable[[], Plan], send: Callable[[Plan], str | None]
    ) -> Outcome:
        """Send `first`. A write whose answer was lost may have been applied, and Shopify has no
        idempotency key for these mutations: the object is looked up again (`plan_again`, never through
        search, which lags) and only what is still missing is written, so nothing is done twice. The
        outcome stays what the first lookup called for."""
        plan = first
        max_attempts = self.options.client.max_attempts
        for attempt in range(1, max_attempts + 1):
            try:
                return first.outcome, send(plan) or first.shopify_id
            except AnswerLostError as lost:
                if attempt == max_attempts:
                    raise
                self.logger.warning("%s %s: %s; looking it up again", self.stream, key, lost)
                plan = plan_again()
        raise AssertionError("unreachable")

    def send(self, gateway: ObjectGateway, plan: Plan) -> str | None:
        """The id of the object written, or of the one `plan` leaves as it is."""
        if plan.wanted is None or plan.identifier is None:
            return plan.shopify_id
        answer = gateway.write(plan.wanted, plan.identifier)
        if answer.user_errors:
            raise RecordFailedError(f"Shopify refused the {gateway.kind}", answer.user_errors)
        return answer.shopify_id

    def remove(self, planner: Planner, key: str) -> Outcome:
        gateway = planner.gateway

        def plan() -> Plan:
            return planner.delete(gateway.find(self.identifiers(key)[0]))

        def delete(plan: Plan) -> str | None:
            if plan.wanted is None or self.options.dry_run:
                return plan.shopify_id
            answer = gateway.delete(plan.wanted, self.settings.delete_mode)
            if answer.user_errors:
                raise RecordFailedError(f"Shopify refused to delete the {gateway.kind}", answer.user_errors)
            return plan.shopify_id

        return self.rechecked(key, plan(), plan, delete)
