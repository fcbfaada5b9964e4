"""One sink per stream. A batch is applied record by record, or, from `bulk_threshold` records of
customers or products, looked up many at a time and written by one bulk mutation. The SDK relays STATE
only after draining every sink, so every record before it has been written or dead-lettered."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import BatchSink
from typing_extensions import override

from shopify_admin import AnswerLostError, ShopifyError

from .customers import Customers
from .fields import RecordError
from .fulfillments import Fulfillments
from .objects import IdentifiedObject, ShopifyObject
from .orders import Orders
from .products import Products
from .settings import MATCH_KEYS, StreamSettings

if TYPE_CHECKING:
    from .target import TargetShopifyAdmin

OBJECTS: dict[str, type[ShopifyObject]] = {
    "customer": Customers,
    "product": Products,
    "order": Orders,
    "fulfillment": Fulfillments,
}
# Batches are drained in this order: an order can name a customer or product written in the same run,
# a fulfillment an order.
DEPENDENCY_RANK = {"customer": 0, "product": 0, "order": 1, "fulfillment": 2}


class RecordFailedError(Exception):
    """Shopify answered the write with userErrors."""

    def __init__(self, message: str, user_errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.user_errors = user_errors


@dataclass
class Item:
    """One record on its way to Shopify."""

    record: dict[str, Any]
    received: dict[str, Any]  # the record as the dead-letter file shows it
    operation: str
    deleting: bool
    key: Any


@dataclass(frozen=True)
class Change:
    """What a record asks of the object the shop holds: nothing (`wanted` None) or a write."""

    outcome: str
    shopify_id: str | None
    wanted: dict[str, Any] | None = None
    identifier: dict[str, Any] | None = None


class ShopifySink(BatchSink):
    def __init__(self, target: TargetShopifyAdmin, stream_name: str, schema: dict, key_properties: Any) -> None:
        # Records are matched on streams.<name>.match_on, not the tap's key: a record without the match
        # key is one failed record, where the SDK's key check would stop the run.
        super().__init__(target, stream_name, schema, key_properties=[])
        self.target = target
        self.settings = StreamSettings.of(stream_name, dict(target.config))
        target.shopify_sinks.append(self)

    @override
    def get_validator(self) -> None:
        """Types are checked field by field while mapping, so a wrong type fails that record, not the run."""
        return None

    @override
    def _parse_timestamps_in_record(self, record: dict, schema: dict, treatment: DatetimeErrorTreatmentEnum) -> None:
        """Timestamps stay as they came: a bad one must fail its record, where the SDK would null it or stop
        the run; the fields written to Shopify are checked where they are read (fields.timestamp)."""

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        return True  # keeps _sdc_deleted_at, which asks for a delete

    @cached_property
    def shopify_object(self) -> ShopifyObject | None:
        kind = OBJECTS.get(self.settings.object or "")
        return kind(self.target.client) if kind else None

    @cached_property
    def custom_id_problem(self) -> str | None:
        """Checked once, so that without the definition Shopify needs, each record fails saying what to do,
        at no request per record."""
        if self.shopify_object is None or self.settings.match_on != "custom_id" or self.settings.custom_id is None:
            return None
        problem = self.shopify_object.custom_id_problem(self.settings.custom_id)
        return f"streams.{self.stream_name}.custom_id: {problem}" if problem else None

    @property
    def rank(self) -> int:
        return DEPENDENCY_RANK.get(self.settings.object or "", 0)

    @override
    def process_batch(self, context: dict) -> None:
        for sink in self.target.shopify_sinks:
            if sink.rank < self.rank:
                self.target.drain_one(sink)
        items = [self.item(record) for record in context.get("records", [])]
        handler = self.shopify_object
        threshold = self.target.bulk_threshold
        checked = self.custom_id_problem  # here, before the writing threads would each ask
        bulk = threshold is not None and len(items) >= threshold and not checked
        if isinstance(handler, IdentifiedObject) and bulk:
            self.apply_in_bulk(handler, items)
        else:
            self.apply_all(items)
        self.logger.info("Applied a batch of %d records from %s", len(items), self.stream_name)

    def item(self, record: dict[str, Any]) -> Item:
        received = {k: v for k, v in record.items() if not k.startswith("_sdc_") or (k == "_sdc_deleted_at" and v)}
        deleting = self.settings.action == "delete" or bool(record.get("_sdc_deleted_at"))
        operation = "delete" if deleting else self.settings.action
        return Item(record, received, operation, deleting, record.get(self.settings.match_field))

    def apply_all(self, items: list[Item]) -> None:
        """Write records `concurrent_writes` at a time: while one request is on its way, the budget
        refills for the next. A record waits for the one before it with the same key, so each object
        still sees its records in order."""
        workers = self.target.concurrent_writes
        if workers == 1 or len(items) < 2:
            for item in items:
                self.apply(item)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix=f"write-{self.stream_name}") as pool:
            last: dict[str, Future[None]] = {}
            futures = []
            for item in items:
                same = self.object_key(item)
                futures.append(pool.submit(self.apply_after, last.get(same), item))
                last[same] = futures[-1]
            try:
                for future in futures:
                    future.result()
            except BaseException:  # a fatal error (a refused token, …) stops the writes not yet started
                pool.shutdown(cancel_futures=True)
                raise

    def object_key(self, item: Item) -> str:
        """What a record writes to, as far as its match key tells before any lookup; a record without a
        usable key fails on its own, so it waits for nothing."""
        handler = self.shopify_object
        if handler is not None:
            try:
                return handler.serial_key(item.record, self.match_value(handler, item.record).casefold())
            except RecordError:
                pass
        return f"unkeyed {id(item)}"

    def apply_after(self, previous: Future[None] | None, item: Item) -> None:
        if previous is not None:
            previous.result()
        self.apply(item)

    def apply(self, item: Item) -> None:
        """Write one record, or dead-letter it."""

        def attempt() -> tuple[str, str | None]:
            handler = self.handler()
            if item.deleting and not self.settings.allow_deletes:  # before the key: a refused delete needs none
                raise RecordError(f"delete refused: set streams.{self.stream_name}.allow_deletes to true")
            item.key = self.match_value(handler, item.record)
            return self.remove(handler, item.key) if item.deleting else self.upsert(handler, item)

        self.settle(item, attempt)

    def settle(self, item: Item, attempt: Callable[[], tuple[str, str | None]]) -> None:
        """Note the outcome and Shopify id that `attempt` returns, or dead-letter the record with its error."""
        try:
            outcome, shopify_id = attempt()
        except (RecordFailedError, RecordError, ShopifyError) as error:
            self.fail(item, error)
        else:
            self.target.ledger.note(self.stream_name, outcome, item.key, shopify_id)

    def fail(self, item: Item, error: Exception) -> None:
        user_errors = error.user_errors if isinstance(error, RecordFailedError) else None
        self.target.ledger.fail(self.stream_name, item.key, item.operation, item.received, str(error), user_errors)

    def handler(self) -> ShopifyObject:
        if self.shopify_object is not None:
            if self.custom_id_problem:
                raise RecordError(self.custom_id_problem)
            return self.shopify_object
        if self.settings.object is None:
            raise RecordError(
                f"stream {self.stream_name!r} maps to no Shopify object: set streams.{self.stream_name}.object"
            )
        objects = ", ".join(MATCH_KEYS)
        raise RecordError(f"streams.{self.stream_name}.object must be one of {objects}, not {self.settings.object!r}")

    def match_value(self, handler: ShopifyObject, record: dict[str, Any]) -> str:
        match_on = self.settings.match_on
        value = (
            record.get(self.settings.match_field) if match_on == "custom_id" else handler.match_value(record, match_on)
        )
        if isinstance(value, int) and not isinstance(value, bool) and match_on == "custom_id":
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise RecordError(f"the match key {self.settings.match_field!r} is missing or not a string")
        return value.strip()

    def identifiers(self, handler: ShopifyObject, key: str) -> tuple[dict, dict]:
        return handler.identifiers(self.settings.match_on, key, self.settings.custom_id)

    def upsert(self, handler: ShopifyObject, item: Item) -> tuple[str, str | None]:
        return self.write_planned(handler, item, self.plan(handler, item))

    def plan(self, handler: ShopifyObject, item: Item, again: bool = False) -> Change:
        lookup, set_identifier = self.identifiers(handler, item.key)
        return self.change(handler, item, handler.find(lookup), set_identifier, again)

    def write_planned(self, handler: ShopifyObject, item: Item, change: Change) -> tuple[str, str | None]:
        return self.rechecked(item.key, change, partial(self.plan, handler, item, True), partial(self.write, handler))

    def rechecked(
        self, key: str, first: Change, plan_again: Callable[[], Change], write: Callable[[Change], str | None]
    ) -> tuple[str, str | None]:
        """Write `first`. A write whose answer was lost may have been applied, and Shopify has no
        idempotency key for these mutations: the object is looked up again (`plan_again`, never through
        search, which lags) and only what is still missing is written, so nothing is done twice. The
        outcome stays what the first lookup called for."""
        change = first
        for attempt in range(1, self.target.client.max_attempts + 1):
            try:
                return first.outcome, write(change) or first.shopify_id
            except AnswerLostError as lost:
                if attempt == self.target.client.max_attempts:
                    raise
                self.logger.warning("%s %s: %s; looking it up again", self.stream_name, key, lost)
                change = plan_again()
        raise AssertionError("unreachable")

    def change(
        self,
        handler: ShopifyObject,
        item: Item,
        current: dict[str, Any] | None,
        set_identifier: dict[str, Any],
        again: bool = False,
    ) -> Change:
        """What the record asks of `current`; `again` after a lost answer, when `current` may be the record's
        own doing (an object it created), so that `action: create` does not refuse it."""
        named = f"{handler.kind} with {self.settings.match_field} {item.key!r}"
        if current is not None and self.settings.action == "create" and not again:
            raise RecordError(f"a {named} already exists ({current['id']})")
        if current is None and self.settings.action == "update":
            raise RecordError(f"no {named} to update")
        if current is None and not set_identifier:
            raise RecordError(f"no {named}, and matching on {self.settings.match_field} cannot create one")
        wanted = handler.to_input(item.record, current)
        current_id = current["id"] if current else None
        outcome = handler.outcome(wanted, current)
        if outcome == "unchanged":
            return Change(outcome, current_id)
        if self.target.dry_run:
            return Change(f"would-{outcome.removesuffix('d')}", current_id)
        return Change(outcome, current_id, wanted, {"id": current_id} if current_id else set_identifier)

    def write(self, handler: ShopifyObject, change: Change) -> str | None:
        """The id of the object written, or of the one `change` leaves as it is."""
        if change.wanted is None or change.identifier is None:
            return change.shopify_id
        written = handler.write(change.wanted, change.identifier)
        if written.user_errors:
            raise RecordFailedError(f"Shopify refused the {handler.kind}", written.user_errors)
        return written.shopify_id

    def remove(self, handler: ShopifyObject, key: str) -> tuple[str, str | None]:
        def plan() -> Change:
            current = handler.find(self.identifiers(handler, key)[0])
            if current is None:
                return Change("unchanged", None)  # already gone: deleting again changes nothing
            if handler.removed(current, self.settings.delete_mode):
                return Change("unchanged", current["id"])
            # `wanted` holds the object to delete
            return Change("would-delete" if self.target.dry_run else "deleted", current["id"], current)

        def delete(change: Change) -> str | None:
            if change.wanted is None or self.target.dry_run:
                return change.shopify_id
            written = handler.delete(change.wanted, self.settings.delete_mode)
            if written.user_errors:
                raise RecordFailedError(f"Shopify refused to delete the {handler.kind}", written.user_errors)
            return change.shopify_id

        return self.rechecked(key, plan(), plan, delete)

    def apply_in_bulk(self, handler: IdentifiedObject, items: list[Item]) -> None:
        """Upserts go in runs of distinct keys: a delete, or a key seen before in the run, ends a run, so
        records still take effect in their order."""
        run: list[Item] = []
        keys: set[str] = set()
        for item in items:
            if not item.deleting:
                try:
                    item.key = self.match_value(handler, item.record)
                except RecordError as error:
                    self.fail(item, error)
                    continue
                if item.key.casefold() not in keys:
                    run.append(item)
                    keys.add(item.key.casefold())
                    continue
            self.write_run(handler, run)
            run, keys = [], set()
            if item.deleting:
                self.apply(item)
            else:
                run, keys = [item], {item.key.casefold()}
        self.write_run(handler, run)

    def write_run(self, handler: IdentifiedObject, run: list[Item]) -> None:
        """Look the run's objects up many at a time, then write what changed with one bulk mutation."""
        if len(run) < (self.target.bulk_threshold or 0):  # what deletes and repeated keys left over
            self.apply_all(run)
            return
        identifiers = [self.identifiers(handler, item.key) for item in run]
        try:
            found = handler.find_many([lookup for lookup, _ in identifiers])
        except ShopifyError as error:  # one bad identifier fails its whole query: find which, one by one
            self.logger.warning("Batched lookup for %s failed (%s); looking up one by one", self.stream_name, error)
            self.apply_all(run)
            return
        lines: list[tuple[Item, Change]] = []
        alone: list[tuple[Item, Change]] = []
        for item, (_, set_identifier), current in zip(run, identifiers, found, strict=True):
            try:
                change = self.change(handler, item, current, set_identifier)
            except RecordError as error:
                self.fail(item, error)
                continue
            bulk_ready = change.wanted is not None and handler.bulk_ready(change.wanted)
            (lines if bulk_ready else alone).append((item, change))
        if len(lines) < (self.target.bulk_threshold or 0):  # few changes: not worth a bulk operation
            alone, lines = alone + lines, []
        for item, change in alone:
            self.settle(item, partial(self.write_planned, handler, item, change))
        if lines:
            self.write_lines(handler, lines)

    def write_lines(self, handler: IdentifiedObject, lines: list[tuple[Item, Change]]) -> None:
        """One bulk mutation; each line's answer is its record's outcome. A line the operation did not
        answer (it failed or was canceled part-way), or an operation that could not run, is written again
        record by record: upserts looked up afresh change nothing twice."""
        variables = [{"input": change.wanted, "identifier": change.identifier} for _, change in lines]
        try:
            operation, answers = self.target.bulk_runner.run_mutation(handler.set_mutation, variables)
        except ShopifyError as error:
            self.logger.warning("Bulk mutation for %s failed (%s); writing record by record", self.stream_name, error)
            answers, status = {}, "not run"
        else:
            status = f"{operation.status} {operation.error_code or ''}".strip()
            ended = (operation.id, self.stream_name, status, len(lines))
            self.logger.info("Bulk mutation %s of stream %s ended %s, %d lines", *ended)
        for number, (item, change) in enumerate(lines):
            answer = answers.get(number)
            if answer is None:
                self.logger.warning("%s %s: no bulk answer (%s); writing it alone", self.stream_name, item.key, status)
                self.rewrite(handler, item, change)
                continue
            payload = (answer.get("data") or {}).get(handler.set_root)
            if answer.get("errors") or not payload:
                messages = "; ".join(str(e.get("message")) for e in answer.get("errors") or []) or "no payload"
                self.fail(item, ShopifyError(f"Shopify returned errors: {messages}"))
            elif payload["userErrors"]:
                self.fail(item, RecordFailedError(f"Shopify refused the {handler.kind}", payload["userErrors"]))
            else:
                self.target.ledger.note(self.stream_name, change.outcome, item.key, payload[handler.kind]["id"])

    def rewrite(self, handler: IdentifiedObject, item: Item, change: Change) -> None:
        """Write a record the bulk mutation did not answer for. Found as it should be, the operation wrote
        it before it stopped: the outcome is still what the first lookup saw was needed."""

        def attempt() -> tuple[str, str | None]:
            outcome, shopify_id = self.upsert(handler, item)
            return change.outcome if outcome == "unchanged" else outcome, shopify_id

        self.settle(item, attempt)
