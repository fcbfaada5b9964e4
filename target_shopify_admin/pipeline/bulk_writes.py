"""Writing a big batch of customers or products: looked up many at a time or found in an export of the
shop (exports.py), then written by one bulk mutation (stagedUploadsCreate + bulkOperationRunMutation),
each line's answer its record's outcome."""

from __future__ import annotations

from functools import partial

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.gateway import IdentifiedGateway
from target_shopify_admin.pipeline.exports import CurrentObjects
from target_shopify_admin.pipeline.plans import PendingRecord, Plan, Planner
from target_shopify_admin.pipeline.record_writes import Outcome, RecordFailedError, RecordWriter


class BulkWriter:
    def __init__(self, records: RecordWriter) -> None:
        self.records = records  # what the bulk path leaves to single writes goes there
        self.threshold = records.options.bulk_threshold or 0

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
                try:
                    pending.key = self.records.match_value(pending.record)
                except RecordError as error:
                    self.records.fail(pending, error)
                    continue
                if pending.key.casefold() not in keys:
                    run.append(pending)
                    keys.add(pending.key.casefold())
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
        options = self.records.options
        current_objects = CurrentObjects(
            gateway, self.records.settings, options.bulk_runner, options.bulk_lookup, self.records.logger
        )
        try:
            found = current_objects.find([pending.key for pending in run], [lookup for lookup, _ in identifiers])
        except ShopifyError as error:  # one bad identifier fails its whole query: find which, one by one
            stream = self.records.stream
            self.records.logger.warning("Batched lookup for %s failed (%s); looking up one by one", stream, error)
            self.records.write_all(run)
            return
        lines: list[tuple[PendingRecord, Plan]] = []
        alone: list[tuple[PendingRecord, Plan]] = []
        for pending, (_, set_identifier), current in zip(run, identifiers, found, strict=True):
            try:
                related = gateway.related(pending.record, current)
                plan = planner.upsert(pending, current, related, set_identifier)
            except RecordError as error:
                self.records.fail(pending, error)
                continue
            bulk_ready = plan.wanted is not None and gateway.bulk_ready(plan.wanted)
            (lines if bulk_ready else alone).append((pending, plan))
        if len(lines) < self.threshold:  # few changes: not worth a bulk operation
            alone, lines = alone + lines, []
        for pending, plan in alone:
            self.records.settle(pending, partial(self.records.write_planned, planner, pending, plan))
        if lines:
            self.write_lines(planner, lines)

    def write_lines(self, planner: Planner, lines: list[tuple[PendingRecord, Plan]]) -> None:
        """One bulk mutation; each line's answer is its record's outcome. A line the operation did not
        answer (it failed or was canceled part-way), or an operation that could not run, is written again
        record by record: upserts looked up afresh change nothing twice."""
        gateway, stream, logger = planner.gateway, self.records.stream, self.records.logger
        variables = [{"input": plan.wanted, "identifier": plan.identifier} for _, plan in lines]
        try:
            operation, answers = self.records.options.bulk_runner.run_mutation(gateway.set_mutation, variables)
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
                self.records.fail(pending, ShopifyError(f"Shopify returned errors: {messages}"))
            elif payload["userErrors"]:
                self.records.fail(
                    pending, RecordFailedError(f"Shopify refused the {gateway.kind}", payload["userErrors"])
                )
            else:
                self.records.note(pending, plan.outcome, payload[gateway.kind]["id"])

    def rewrite(self, planner: Planner, pending: PendingRecord, plan: Plan) -> None:
        """Write a record the bulk mutation did not answer for. Found as it should be, the operation wrote
        it before it stopped: the outcome is still what the first lookup saw was needed."""

        def attempt() -> Outcome:
            outcome, shopify_id = self.records.upsert(planner, pending)
            return plan.outcome if outcome == "unchanged" else outcome, shopify_id

        self.records.settle(pending, attempt)
