"""target-shopify-admin: writes Singer records to Shopify through the Admin GraphQL API (the objects
declared in objects/), record by record, in rows or by bulk mutation, with per-record outcomes and a
dead-letter file."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import Any, cast

from singer_sdk import Target
from singer_sdk import typing as th
from typing_extensions import override

from shopify_admin.settings import CONNECTION_SETTINGS, FATAL_ERRORS, ShopifyConnection
from target_shopify_admin.pipeline.context import WriteOptions
from target_shopify_admin.pipeline.drain_order import DrainOrder
from target_shopify_admin.pipeline.exports import LOOKUP_MODES
from target_shopify_admin.pipeline.outcomes import Ledger, TooManyFailuresError
from target_shopify_admin.pipeline.reader import INPUT_ERRORS, CheckedReader, json_kind
from target_shopify_admin.pipeline.settings import streams_setting
from target_shopify_admin.pipeline.sinks import ShopifySink


class RecordsFailedError(Exception):
    """Some records failed; they are in the dead-letter file and the run exits non-zero."""


DEFAULT_BULK_THRESHOLD = 1000
DEFAULT_CONCURRENT_WRITES = 4


class TargetShopifyAdmin(ShopifyConnection, Target):
    """Reverse ETL into Shopify: upserts and deletes the objects each stream's settings name."""

    name = "target-shopify-admin"
    default_sink_class = ShopifySink
    message_reader_class = CheckedReader

    config_jsonschema = th.PropertiesList(
        *CONNECTION_SETTINGS,
        th.Property("dead_letter_path", th.StringType, description="JSONL file that receives each failed record"),
        th.Property(
            "dry_run",
            th.BooleanType,
            default=False,
            description="Look each record up and report would-create / would-update / would-delete; write nothing",
        ),
        th.Property(
            "max_failures",
            th.IntegerType,
            description="Stop after this many failed records (default: never stop; exit non-zero at the end)",
        ),
        th.Property(
            "bulk_threshold",
            th.IntegerType,
            default=DEFAULT_BULK_THRESHOLD,
            description=(
                "A batch of customers, products, inventory levels or metafields this big or bigger is written by one"
                " bulk mutation (stagedUploadsCreate + bulkOperationRunMutation) instead of a mutation per record;"
                " batches hold up to batch_size_rows records (default 10000). 0 turns bulk off"
            ),
        ),
        th.Property(
            "bulk_lookup",
            th.StringType,
            default="auto",
            allowed_values=list(LOOKUP_MODES),
            description=(
                "How a bulk batch of customers or products, or any batch of inventory levels or metafields, finds"
                " the objects it names: `lookups` (aliased queries, a few points an object), `export` (one bulk"
                " export of the shop's customers, products, inventory items or metafield owners, joined by the"
                " match key), or `auto`: whichever"
                " the cost model says is sooner for the batch and the shop"
            ),
        ),
        th.Property(
            "concurrent_writes",
            th.IntegerType,
            default=DEFAULT_CONCURRENT_WRITES,
            description=(
                "Records a sink writes at once outside bulk mutations, so that the cost budget, not each"
                " request's round trip, sets the pace; records with the same key still go in order."
                " 1 writes one at a time, as does setting max_failures"
            ),
        ),
        streams_setting(),
    ).to_dict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sinks drain one at a time, in dependency order; within a batch, records are written
        # `concurrent_writes` at a time, all paced by the one cost budget the shop gives the app.
        self.max_parallelism = 1
        self.ledger.check_dead_letter_path()  # before the first record, not at its first failure

    @cached_property
    def drain_order(self) -> DrainOrder:
        return DrainOrder(self.drain_one)

    @cached_property
    def write_options(self) -> WriteOptions:
        return WriteOptions(
            self.client,
            self.bulk_runner,
            self.ledger,
            self.dry_run,
            self.concurrent_writes,
            self.bulk_threshold,
            self.config.get("bulk_lookup", "auto"),
        )

    @property
    def bulk_threshold(self) -> int | None:
        threshold = self.config.get("bulk_threshold", DEFAULT_BULK_THRESHOLD)
        return threshold if threshold else None

    @property
    def concurrent_writes(self) -> int:
        """With max_failures, one at a time, so that the run stops at exactly that many failures."""
        if self.config.get("max_failures") is not None:
            return 1
        value = self.config.get("concurrent_writes")
        return DEFAULT_CONCURRENT_WRITES if value is None else max(1, int(value))

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.config.get("dead_letter_path"), self.config.get("max_failures"), self.logger, self.client)

    @property
    def reader(self) -> CheckedReader:
        return cast("CheckedReader", self.message_reader)

    @property
    def dry_run(self) -> bool:
        return bool(self.config.get("dry_run"))

    @override
    def _process_record_message(self, message_dict: dict) -> None:
        """A record that is no JSON object is one failed record; the SDK would drop a null one silently.
        Private: the SDK has no public hook between reading a RECORD and handing it to its sink (pinned by
        tests/target/test_target_input.py::test_a_record_that_is_no_object_is_a_failed_record)."""
        record = message_dict.get("record", {})  # one without `record`: the SDK's check names it
        if isinstance(record, dict):
            super()._process_record_message(message_dict)
            return
        self.reader.assert_line_requires(message_dict, requires={"stream"})
        self._assert_sink_exists(message_dict["stream"])
        sink = cast("ShopifySink", self.get_sink(message_dict["stream"]))
        error = f"the record is a JSON {json_kind(record)}, not an object"
        self.ledger.fail(sink.stream_name, None, sink.settings.action, record, error)

    @override
    def process_endofpipe(self) -> None:
        """Everything read is applied and its STATE emitted (the reader stops at a bad line), then the run
        fails if a line or a record did."""
        super().process_endofpipe()
        self.ledger.log_summary()
        if self.reader.error is not None:
            raise self.reader.error
        if self.ledger.failures:
            raise RecordsFailedError(f"{self.ledger.failures} records failed; see the log and the dead-letter file")

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().invoke(**kwargs)
        except (*FATAL_ERRORS, *INPUT_ERRORS, RecordsFailedError, TooManyFailuresError) as exc:
            cls.logger.error("%s", exc)  # one clear line, not a traceback
            sys.exit(1)


if __name__ == "__main__":
    TargetShopifyAdmin.cli()
