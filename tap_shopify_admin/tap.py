"""tap-shopify-admin: customers, products, orders and fulfillments from the Shopify Admin GraphQL API."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from singer_sdk import Tap
from singer_sdk import typing as th
from typing_extensions import override

from shopify_admin import TIERS, AuthenticationError, ConfigurationError, ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import BulkQueryRunner

from .streams import STREAMS


class TapShopifyAdmin(Tap):
    name = "tap-shopify-admin"

    config_jsonschema = th.PropertiesList(
        th.Property("shop", th.StringType, required=True, description="Shop handle or its myshopify.com domain"),
        th.Property("access_token", th.StringType, secret=True, description="Admin API access token (shpat_…)"),
        th.Property("client_id", th.StringType, description="App client id, for the client-credentials grant"),
        th.Property("client_secret", th.StringType, secret=True, description="App client secret"),
        th.Property("api_version", th.StringType, default="2026-07", description="Admin API version"),
        th.Property(
            "user_tier",
            th.StringType,
            default="standard",
            allowed_values=list(TIERS),
            description="The shop's plan: the cost budget assumed until Shopify reports its own",
        ),
        th.Property("start_date", th.DateTimeType, description="Read objects updated at or after this time"),
        th.Property("end_date", th.DateTimeType, description="Read objects updated before this time"),
        th.Property(
            "lookback_window",
            th.IntegerType,
            default=0,
            description="Minutes before the bookmark that an incremental run reads again, for late changes",
        ),
        th.Property("request_timeout", th.IntegerType, default=300, description="Seconds before a request times out"),
        th.Property(
            "bulk",
            th.StringType,
            default="auto",
            allowed_values=["auto", "always", "never"],
            description=(
                "Read with bulk operations: `auto` for a backfill (no bookmark yet) of more than 5,000 objects"
                " by the stream's count (customers, products and orders; fulfillment orders and incremental"
                " runs are paged), `always`, or `never`"
            ),
        ),
        th.Property(
            "base_url",
            th.StringType,
            description="Replaces https://{shop}.myshopify.com, to reach the emulator or a proxy",
        ),
    ).to_dict()

    @cached_property
    def sync_started(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    @property
    def end_date(self) -> datetime | None:
        value = self.config.get("end_date")
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    @cached_property
    def client(self) -> ShopifyAdminClient:
        return ShopifyAdminClient(
            self.config["shop"],
            access_token=self.config.get("access_token"),
            client_id=self.config.get("client_id"),
            client_secret=self.config.get("client_secret"),
            api_version=self.config.get("api_version", "2026-07"),
            base_url=self.config.get("base_url"),
            user_tier=self.config.get("user_tier", "standard"),
            request_timeout=self.config.get("request_timeout", 300),
        )

    @cached_property
    def bulk_runner(self) -> BulkQueryRunner:
        return BulkQueryRunner(self.client)

    @classmethod
    @override
    def invoke(cls, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().invoke(**kwargs)
        except (AuthenticationError, ConfigurationError, ShopifyError) as exc:
            cls.logger.error("%s", exc)  # one clear line, not a traceback
            sys.exit(1)

    @override
    def discover_streams(self) -> list:
        return [stream(self) for stream in STREAMS]


if __name__ == "__main__":
    TapShopifyAdmin.cli()
