"""Connection settings shared by the tap and the target, and the client they describe."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from singer_sdk import typing as th

from .auth import AuthenticationError
from .bulk import BulkRunner
from .client import DEFAULT_API_VERSION, ConfigurationError, ShopifyAdminClient, ShopifyError
from .throttle import TIERS

DISTRIBUTION = "shopify-admin-connectors"

# Errors that end a run with one log line and exit code 1 instead of a traceback.
FATAL_ERRORS = (AuthenticationError, ConfigurationError, ShopifyError)

CONNECTION_SETTINGS = (
    th.Property("shop", th.StringType, required=True, description="Shop handle or its myshopify.com domain"),
    th.Property("access_token", th.StringType, secret=True, description="Admin API access token (shpat_…)"),
    th.Property("client_id", th.StringType, description="App client id, for the client-credentials grant"),
    th.Property("client_secret", th.StringType, secret=True, description="App client secret"),
    th.Property("api_version", th.StringType, default=DEFAULT_API_VERSION, description="Admin API version"),
    th.Property(
        "user_tier",
        th.StringType,
        default="standard",
        allowed_values=list(TIERS),
        description="The shop's plan: the cost budget assumed until Shopify reports its own",
    ),
    th.Property("request_timeout", th.IntegerType, default=300, description="Seconds before a request times out"),
    th.Property(
        "base_url",
        th.StringType,
        description="Replaces https://{shop}.myshopify.com, to reach the emulator or a proxy",
    ),
)


def client_from_config(config: Mapping[str, Any]) -> ShopifyAdminClient:
    return ShopifyAdminClient(
        config["shop"],
        access_token=config.get("access_token"),
        client_id=config.get("client_id"),
        client_secret=config.get("client_secret"),
        api_version=config.get("api_version") or DEFAULT_API_VERSION,
        base_url=config.get("base_url"),
        user_tier=config.get("user_tier") or "standard",
        request_timeout=config.get("request_timeout") or 300,
    )


class ShopifyConnection:
    """Mixed into the tap and the target: one client (auth, throttle, retries) and its bulk runner."""

    config: Mapping[str, Any]
    # The SDK finds a plugin's version under the distribution named after the plugin unless told otherwise;
    # both plugins ship in this one.
    package_name: str | None = DISTRIBUTION

    @cached_property
    def client(self) -> ShopifyAdminClient:
        return client_from_config(self.config)

    @cached_property
    def bulk_runner(self) -> BulkRunner:
        return BulkRunner(self.client)
