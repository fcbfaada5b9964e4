"""One sink per stream. A batch is applied record by record, or, from `bulk_threshold` records of
customers or products, looked up many at a time and written by one bulk mutation. The SDK relays STATE
only after draining every sink, so every record before it has been written or dead-lettered."""

from __future__ import annotations

from typing import Any, Protocol, cast

from singer_sdk import Target
from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import BatchSink
from typing_extensions import override

from shopify_admin import ShopifyError

from .bulk_writes import BulkWriter
from .customers import CustomerGateway
from .discounts import DiscountGateway
from .drain_order import DrainOrder
from .fulfillment_events import FulfillmentEventGateway
from .fulfillment_order_actions import FulfillmentOrderActionGateway
from .fulfillments import FulfillmentGateway
from .gateways import ObjectGateway
from .inventory import InventoryItemGateway
from .level_writes import LevelWriter
from .orders import OrderGateway
from .plans import PendingRecord
from .products import ProductGateway
from .record_writes import RecordWriter, WriteOptions
from .redeem_codes import RedeemCodeWriter
from .settings import StreamSettings

GATEWAYS: dict[str, type[ObjectGateway]] = {
    "customer": CustomerGateway,
    "product": ProductGateway,
    "order": OrderGateway,
    "fulfillment": FulfillmentGateway,
    "fulfillment_event": FulfillmentEventGateway,
    "fulfillment_order_action": FulfillmentOrderActionGateway,
    "discount": DiscountGateway,
    "inventory_item": InventoryItemGateway,
}
# objects written many records a request, not an object per record, each by a writer of its own
BATCH_WRITERS: dict[str, type[LevelWriter | RedeemCodeWriter]] = {
    "inventory_level": LevelWriter,
    "discount_code": RedeemCodeWriter,
}


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
        kind = GATEWAYS.get(self.settings.object or "")
        gateway = kind(options.client) if kind else None
        self.records = RecordWriter(stream_name, self.settings, gateway, options, self.logger)
        self.bulk = BulkWriter(self.records)
        writer = BATCH_WRITERS.get(self.settings.object or "")
        self.batch_writer = writer(self.records) if writer else None

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
