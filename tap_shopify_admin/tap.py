"""tap-shopify-admin: a shop's records (the streams declared in streams/) from the Shopify Admin GraphQL API."""

from __future__ import annotations

import atexit
import sys
from typing import Any

from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import SingerMessageType
from typing_extensions import override

from shopify_admin.settings import CONNECTION_SETTINGS, FATAL_ERRORS

from .shop_tap import ShopTap
from .streams import STREAMS
from .streams.metafields import OWNER_TYPES

SEARCH_LAG = 60  # Shopify's is typically seconds; a minute leaves room for slow moments


class MessageWriter(MsgSpecWriter):
    """The SDK's msgspec writer, writing blocks of messages rather than a system call for each (stdout
    is unbuffered under PYTHONUNBUFFERED) and at every STATE message. A killed run loses at most the
    end of its output, never a record that a STATE it wrote already covers."""

    BLOCK = 1 << 16

    def __init__(self) -> None:
        super().__init__()
        self._pending = bytearray()
        atexit.register(self.flush)

    @override
    def write_message(self, message: Any) -> None:
        self._pending += self.format_message(message)
        if message.type == SingerMessageType.STATE or len(self._pending) >= self.BLOCK:
            self.flush()

    def flush(self) -> None:
        sys.stdout.buffer.write(self._pending)
        sys.stdout.flush()
        self._pending.clear()


class TapShopifyAdmin(ShopTap):
    """Customers, products, orders and fulfillments from the Shopify Admin GraphQL API."""

    name = "tap-shopify-admin"
    message_writer_class = MessageWriter

    config_jsonschema = th.PropertiesList(
        *CONNECTION_SETTINGS,
        th.Property("start_date", th.DateTimeType, description="Read objects updated at or after this time"),
        th.Property("end_date", th.DateTimeType, description="Read objects updated before this time"),
        th.Property(
            "lookback_window",
            th.IntegerType,
            default=0,
            description="Minutes before the bookmark that an incremental run reads again, for late changes",
        ),
        th.Property(
            "page_concurrency",
            th.IntegerType(minimum=1),
            default=4,
            description=(
                "Paged reads: requests in flight at once for one stream, each reading a slice of its time window"
                " (the cost budget is shared and kept)"
            ),
        ),
        th.Property(
            "search_lag",
            th.IntegerType,
            default=SEARCH_LAG,
            description=(
                "Seconds Shopify's search may take to show a change: each window ends this long before the sync"
                " starts, so that a change search does not show yet is read by the next run, not passed by the"
                " bookmark. 0 reads up to the sync's start"
            ),
        ),
        th.Property(
            "bulk",
            th.StringType,
            default="auto",
            allowed_values=["auto", "always", "never"],
            description=(
                "Read with bulk operations: `auto` for a backfill (no bookmark yet) that the stream's count says"
                " a bulk query reads sooner than pages (the streams incremental on a time window; full tables and"
                " incremental runs are paged), `always`, or `never`"
            ),
        ),
        th.Property(
            "metafield_owner_types",
            th.ArrayType(th.StringType(allowed_values=list(OWNER_TYPES))),
            description=(
                "The owner types whose metafields are read (each its `<owner>_metafields` stream, and the"
                f" owner's `metafields` column), as Shopify names them: {', '.join(OWNER_TYPES)}. All by default."
                " Variants are read for their metafields only (`variant_metafield_owners`): without PRODUCTVARIANT"
                " that stream reads nothing"
            ),
        ),
    ).to_dict()

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().invoke(**kwargs)
        except FATAL_ERRORS as exc:
            cls.logger.error("%s", exc)  # one clear line, not a traceback
            sys.exit(1)

    @override
    def discover_streams(self) -> list:
        return [stream(self) for stream in STREAMS]


if __name__ == "__main__":
    TapShopifyAdmin.cli()
