"""Writing a big batch of customers or products: looked up many at a time or found in an export of the
shop (exports.py), then written by one bulk mutation (stagedUploadsCreate + bulkOperationRunMutation),
each line's answer its record's outcome. The lookup and the apply are bulk; keys, plans and what the
bulk way leaves are the record writer's."""

from __future__ import annotations

from functools import partial

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import IdentifiedGateway
from target_shopify_admin.pipeline.context import RecordFailedError
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan, Planner
from target_shopify_admin.pipeline.record_writes import RecordWriter, Written


class BulkWriter:
    def __init__(self, records: RecordWriter) -> None:
        self.records = records  # keys and plans records, and writes what the bulk way leaves
        self.context = records.context
        self.threshold = self.context.options.bulk_threshold or 0

    def takes(self, batch: list[PendingRecord]) -> bool:
        """Whether `batch` goes the bulk way: big enough, of an object Shopify upserts by identifier."""
        problem = self.records.custom_id_problem  # here, before the writing threads would each ask
        big = self.threshold > 0 and len(batch) >= self.threshold and not problem
        return big and isinstance(self.records.gateway, IdentifiedGateway)

    def write(self, batch: list[PendingRecord]) -> None:
        """Upserts go in runs of distinct keys: a delete, or a key seen before in the run, ends a run, so
        records still take effect in their order."""
        run: list[PendingRecord] = []
        keys: set[str] = set()
        for pending in batch:
            if not pending.deleting:
                key = self.context.settled(pending, self.records.match_value, pending.record)
                if key is None:
                    continue
                pending.key = key
                if key.casefold() not in keys:
                    run.append(pending)
                    keys.add(key.casefold())
                    continue
            self.write_run(run)
            run, keys = [], set()
            if pending.deleting:
                self.records.write(pending)
            else:
                run, keys = [pending], {pending.key.casefold()}
        self.write_run(run)

    def write_run(self, run: list[PendingRecord]) -> None:
        """Find the run's objects (looked up many at a time, or exported), then write what changed with one
        bulk mutation."""
        if len(run) < self.threshold:  # what deletes and repeated keys left over
            self.records.write_all(run)
            return
        planner = self.records.planner()
        gateway = planner.gateway
        assert isinstance(gateway, IdentifiedGateway)
        identifiers = [self.records.identifiers(pending.key) for pending in run]
        logger = self.context.logger
        lookups = [lookup for lookup, _ in identifiers]
        try:
            found = self.records.current_objects.find(gateway, [pending.key for pending in run], lookups)
        except ShopifyError as error:  # one bad identifier fails its whole query: find which, one by one
            logger.warning("Batched lookup for %s failed (%s); looking up one by one", self.context.stream, error)
            self.records.write_all(run)
            return
        lines: list[tuple[PendingRecord, Plan]] = []
        alone: list[tuple[PendingRecord, Plan]] = []
        for pending, (_, set_identifier), current in zip(run, identifiers, found, strict=True):
            try:
                related = gateway.related(pending.record, current)
                plan = planner.upsert(pending, current, related, set_identifier)
            except RecordError as error:
                self.context.fail(pending, error)
                continue
            bulk_ready = plan.wanted is not None and gateway.bulk_ready(plan.wanted)
            (lines if bulk_ready else alone).append((pending, plan))
        if len(lines) < self.threshold:  # few changes: not worth a bulk operation
            alone, lines = alone + lines, []
        for pending, plan in alone:
            plan_again = partial(self.records.plan, planner, pending, again=True)
            self.context.settle(pending, self.records.apply, pending, plan, plan_again)
        if lines:
            self.write_lines(planner, lines)

    def write_lines(self, planner: Planner, lines: list[tuple[PendingRecord, Plan]]) -> None:
        """One bulk mutation; each line's answer is its record's outcome. A line the operation did not
        answer (it failed or was canceled part-way), or an operation that could not run, is written again
        record by record: upserts looked up afresh change nothing twice."""
        gateway, stream, logger = planner.gateway, self.context.stream, self.context.logger
        assert isinstance(gateway, IdentifiedGateway)
        variables = [{"input": plan.wanted, "identifier": plan.identifier} for _, plan in lines]
        try:
            operation, answers = self.context.options.bulk_runner.run_mutation(gateway.set_mutation, variables)
        except ShopifyError as error:
            logger.warning("Bulk mutation for %s failed (%s); writing record by record", stream, error)
            answers, status = {}, "not run"
        else:
            status = f"{operation.status} {operation.error_code or ''}".strip()
            logger.info("Bulk mutation %s of stream %s ended %s, %d lines", operation.id, stream, status, len(lines))
        for number, (pending, plan) in enumerate(lines):
            answer = answers.get(number)
            if answer is None:
                logger.warning("%s %s: no bulk answer (%s); writing it alone", stream, pending.key, status)
                self.rewrite(planner, pending, plan)
                continue
            payload = (answer.get("data") or {}).get(gateway.set_root)
            if answer.get("errors") or not payload:
                messages = "; ".join(str(e.get("message")) for e in answer.get("errors") or []) or "no payload"
                self.context.fail(pending, ShopifyError(f"Shopify returned errors: {messages}"))
            elif payload["userErrors"]:
                refused = RecordFailedError(f"Shopify refused the {gateway.kind}", payload["userErrors"])
                self.context.fail(pending, refused)
            else:
                self.context.note(pending, plan.outcome, payload[gateway.kind]["id"])

    def rewrite(self, planner: Planner, pending: PendingRecord, plan: Plan) -> None:
        """Write a record the bulk mutation did not answer for. Found as it should be, the operation wrote
        it before it stopped: the outcome is still what the first lookup saw was needed."""

        def attempt() -> Written:
            again = self.records.plan(planner, pending)
            outcome, shopify_id = self.records.apply(pending, again, partial(self.records.plan, planner, pending, True))
            return plan.outcome if outcome is Outcome.UNCHANGED else outcome, shopify_id

        self.context.settle(pending, attempt)
