"""Writing records one at a time, `concurrent_writes` at once in key order: each goes lookup → plan →
apply → outcome, the apply re-checked after a lost answer (WriteContext.rechecked)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property, partial
from typing import Any

from target_shopify_admin.objects import object_kinds
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import ObjectGateway
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.exports import CurrentObjects
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan, Planner

Written = tuple[Outcome, str | None]  # the outcome and the Shopify id of the object written


class RecordWriter:
    """Writes one stream's records to its Shopify object (`gateway`, None for a stream that maps to none)."""

    def __init__(self, context: WriteContext, gateway: ObjectGateway | None) -> None:
        self.context = context
        self.settings = context.settings
        self.gateway = gateway
        self.current_objects = CurrentObjects(context)  # a bulk run's export, kept for the stream's later runs

    @cached_property
    def custom_id_problem(self) -> str | None:
        """Checked once, so that without the definition Shopify needs, each record fails saying what to do,
        at no request per record."""
        if self.gateway is None or self.settings.match_on != "custom_id" or self.settings.custom_id is None:
            return None
        problem = self.gateway.custom_id_problem(self.settings.custom_id)
        return f"streams.{self.context.stream}.custom_id: {problem}" if problem else None

    def write_all(self, pending: list[PendingRecord]) -> None:
        """Write records `concurrent_writes` at a time: while one request is on its way, the budget
        refills for the next. A record waits for the one before it with the same key, so each object
        still sees its records in order."""
        workers = self.context.options.concurrent_writes
        if workers == 1 or len(pending) < 2:
            for one in pending:
                self.write(one)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix=f"write-{self.context.stream}") as pool:
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
        """Write one record and note its outcome, or dead-letter it."""
        self.context.settle(pending, self.attempt, pending)
        self.current_objects.forget(pending.key)  # written outside the runs an export served

    def attempt(self, pending: PendingRecord) -> Written:
        planner = self.planner()
        self.context.check_delete(pending)
        pending.key = self.match_value(pending.record)
        return self.apply(pending, self.plan(planner, pending), partial(self.plan, planner, pending, again=True))

    def planner(self) -> Planner:
        """The stream's planner, or why none of its records can be written."""
        if self.gateway is not None:
            if self.custom_id_problem:
                raise RecordError(self.custom_id_problem)
            return Planner(self.gateway, self.settings, self.context.options.dry_run)
        stream = self.context.stream
        if self.settings.object is None:
            raise RecordError(f"stream {stream!r} maps to no Shopify object: set streams.{stream}.object")
        kinds = ", ".join(object_kinds())
        raise RecordError(f"streams.{stream}.object must be one of {kinds}, not {self.settings.object!r}")

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

    def plan(self, planner: Planner, pending: PendingRecord, again: bool = False) -> Plan:
        """Look the record's object up, and plan what the record asks of it."""
        lookup, set_identifier = self.identifiers(pending.key)
        if pending.deleting:
            return planner.delete(planner.gateway.find(lookup))
        current, related = planner.gateway.find_with_related(lookup, pending.record)
        return planner.upsert(pending, current, related, set_identifier, again)

    def apply(self, pending: PendingRecord, first: Plan, plan_again: partial[Plan]) -> Written:
        """Send `first`, looked up and planned again after a lost answer. The outcome stays what the first
        lookup called for."""
        return first.outcome, self.context.rechecked(pending.key, first, plan_again, self.send) or first.shopify_id

    def send(self, plan: Plan) -> str | None:
        """The id of the object written, or of the one `plan` leaves as it is."""
        if plan.wanted is None:
            return plan.shopify_id
        assert self.gateway is not None
        if plan.outcome is Outcome.DELETED:
            answer = self.gateway.delete(plan.wanted, self.settings.delete_mode)
            if answer.user_errors:
                raise RecordFailedError(f"Shopify refused to delete the {self.gateway.kind}", answer.user_errors)
            return plan.shopify_id
        assert plan.identifier is not None
        answer = self.gateway.write(plan.wanted, plan.identifier)
        if answer.user_errors:
            raise RecordFailedError(f"Shopify refused the {self.gateway.kind}", answer.user_errors)
        return answer.shopify_id
