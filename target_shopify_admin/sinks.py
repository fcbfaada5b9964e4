"""One sink per stream. Records are applied one at a time as they arrive (a RecordSink), so when the
SDK relays a STATE message every record before it has been written or dead-lettered."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import RecordSink
from typing_extensions import override

from shopify_admin import ShopifyError

from .customers import Customers
from .fields import RecordError
from .fulfillments import Fulfillments
from .objects import ShopifyObject
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


class RecordFailedError(Exception):
    """Shopify answered the write with userErrors."""

    def __init__(self, message: str, user_errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.user_errors = user_errors


class ShopifySink(RecordSink):
    def __init__(self, target: TargetShopifyAdmin, stream_name: str, schema: dict, key_properties: Any) -> None:
        # Records are matched on streams.<name>.match_on, not the tap's key: a record without the match
        # key is one failed record, where the SDK's key check would stop the run.
        super().__init__(target, stream_name, schema, key_properties=[])
        self.target = target
        self.settings = StreamSettings.of(stream_name, dict(target.config))

    @override
    def get_validator(self) -> None:
        """Types are checked field by field while mapping, so a wrong type fails that record, not the run."""
        return None

    @property
    @override
    def datetime_error_treatment(self) -> DatetimeErrorTreatmentEnum:
        return DatetimeErrorTreatmentEnum.NULL  # timestamps are not written to Shopify

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        return True  # keeps _sdc_deleted_at, which asks for a delete

    @cached_property
    def shopify_object(self) -> ShopifyObject | None:
        kind = OBJECTS.get(self.settings.object or "")
        return kind(self.target.client) if kind else None

    @override
    def process_record(self, record: dict, context: dict) -> None:
        received = {k: v for k, v in record.items() if not k.startswith("_sdc_") or (k == "_sdc_deleted_at" and v)}
        settings = self.settings
        deleting = settings.action == "delete" or bool(record.get("_sdc_deleted_at"))
        operation = "delete" if deleting else settings.action
        key = record.get(settings.match_field)
        try:
            handler = self.handler()
            if deleting and not settings.allow_deletes:  # before the key: a refused delete needs none
                raise RecordError(f"delete refused: set streams.{self.stream_name}.allow_deletes to true")
            key = self.match_value(handler, record)
            outcome, shopify_id = self.remove(handler, key) if deleting else self.upsert(handler, record, key)
        except RecordFailedError as failure:
            self.target.ledger.fail(self.stream_name, key, operation, received, str(failure), failure.user_errors)
        except (RecordError, ShopifyError) as error:
            self.target.ledger.fail(self.stream_name, key, operation, received, str(error))
        else:
            self.target.ledger.note(self.stream_name, outcome, key, shopify_id)

    def handler(self) -> ShopifyObject:
        if self.shopify_object is not None:
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

    def upsert(self, handler: ShopifyObject, record: dict[str, Any], key: str) -> tuple[str, str | None]:
        lookup, set_identifier = self.identifiers(handler, key)
        current = handler.find(lookup)
        named = f"{handler.kind} with {self.settings.match_field} {key!r}"
        if current is not None and self.settings.action == "create":
            raise RecordError(f"a {named} already exists ({current['id']})")
        if current is None and self.settings.action == "update":
            raise RecordError(f"no {named} to update")
        wanted = handler.to_input(record, current)
        if current is not None and handler.unchanged(wanted, current):
            return "unchanged", current["id"]
        outcome = "created" if current is None else "updated"
        if self.target.dry_run:
            return f"would-{outcome.removesuffix('d')}", current["id"] if current else None
        written = handler.write(wanted, {"id": current["id"]} if current else set_identifier)
        if written.user_errors:
            raise RecordFailedError(f"Shopify refused the {handler.kind}", written.user_errors)
        return written.outcome or outcome, written.shopify_id

    def remove(self, handler: ShopifyObject, key: str) -> tuple[str, str | None]:
        current = handler.find(self.identifiers(handler, key)[0])
        if current is None:
            return "unchanged", None  # already gone: deleting again changes nothing
        if handler.removed(current, self.settings.delete_mode):
            return "unchanged", current["id"]
        if self.target.dry_run:
            return "would-delete", current["id"]
        written = handler.delete(current, self.settings.delete_mode)
        if written.user_errors:
            raise RecordFailedError(f"Shopify refused to delete the {handler.kind}", written.user_errors)
        return "deleted", current["id"]
