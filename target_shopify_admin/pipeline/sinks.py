"""One sink per stream. A batch goes to its object's writer: rows of its own (inventory levels, redeem
codes), one bulk mutation from `bulk_threshold` records of an object Shopify upserts by identifier
(customers, products), or record by record. The SDK relays STATE only after draining every sink, so every
record before it has been written or dead-lettered."""

from __future__ import annotations

from typing import Any, Protocol, cast

from singer_sdk import Target
from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import BatchSink
from typing_extensions import override

from shopify_admin import ShopifyError
from target_shopify_admin.objects import object_kinds
from target_shopify_admin.pipeline.bulk_writes import BulkWriter
from target_shopify_admin.pipeline.context import WriteContext, WriteOptions
from target_shopify_admin.pipeline.drain_order import DrainOrder
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.record_writes import RecordWriter
from target_shopify_admin.pipeline.settings import StreamSettings


class WritingTarget(Protocol):
    """What the target hands its sinks."""

    drain_order: DrainOrder
    write_options: WriteOptions


class ShopifySink(BatchSink):
    def __init__(self, target: Target, stream_name: str, schema: dict, key_properties: Any) -> None:
        # Records are matched on streams.<name>.match_on, not the tap's key: a record without the match
        # key is one failed record, where the SDK's key check would stop the run.
        super().__init__(target, stream_name, schema, key_properties=[])
        self.settings = StreamSettings.of(stream_name, dict(target.config))
        handed = cast("WritingTarget", target)
        self.drain_order = handed.drain_order
        self.drain_order.add(self, self.settings.object)
        options = handed.write_options
        kind = object_kinds().get(self.settings.object or "")
        gateway = kind.gateway(options.client) if kind and kind.gateway else None
        context = WriteContext(stream_name, self.settings, options, self.logger)
        self.records = RecordWriter(context, gateway)
        self.bulk = BulkWriter(self.records)
        self.batch_writer = kind.rows(context) if kind and kind.rows else None

    @override
    def get_validator(self) -> None:
        """Types are checked field by field while mapping, so a wrong type fails that record, not the run."""
        return None

    @override
    def _parse_timestamps_in_record(self, record: dict, schema: dict, treatment: DatetimeErrorTreatmentEnum) -> None:
        """Timestamps stay as they came: a bad one must fail its record, where the SDK would null it or stop
        the run; the fields written to Shopify are checked where they are read (fields.timestamp). Private: the
        SDK's public setting (datetime_error_treatment) only chooses between nulling and stopping (pinned by
        tests/target/test_target_orders.py, a processedAt of 'yesterday' failing its record)."""

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        return True  # keeps _sdc_deleted_at, which asks for a delete

    @override
    def process_batch(self, context: dict) -> None:
        self.drain_order.drain_before(self.settings.object)
        batch = [PendingRecord.of(record, self.settings) for record in context.get("records", [])]
        try:
            if self.batch_writer is not None:
                self.batch_writer.write(batch)
            elif self.bulk.takes(batch):
                self.bulk.write(batch)
            else:
                self.records.write_all(batch)
        except ShopifyError as error:  # one that ends the run, where a record's failure names its key
            raise error.at(f"stream {self.stream_name}") from None
        self.logger.info("Applied a batch of %d records from %s", len(batch), self.stream_name)
