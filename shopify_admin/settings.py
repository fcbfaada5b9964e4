"""Connection settings shared by the tap and the target, and the client they describe."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from typing_extensions import override

from .auth import AuthenticationError, credential
from .bulk import BulkRunner
from .client import DEFAULT_API_VERSION, ShopifyAdminClient
from .cost import PLANS
from .errors import ConfigurationError, ShopifyError

if TYPE_CHECKING:
    from singer_sdk.plugin_base import BaseSingerIO as PluginBase
else:
    PluginBase = object  # the tap's or the target's SDK class comes after this mixin

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
        allowed_values=list(PLANS),
        description="The shop's plan: the cost budget assumed until Shopify reports its own",
    ),
    th.Property(
        "request_timeout", th.IntegerType(minimum=1), default=300, description="Seconds before a request times out"
    ),
    th.Property(
        "base_url",
        th.StringType(pattern="^https?://[^/]"),
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


class ShopifyConnection(PluginBase):
    """Mixed into the tap and the target: one client (auth, throttle, retries) and its bulk runner."""

    config: Mapping[str, Any]
    # The SDK finds a plugin's version under the distribution named after the plugin unless told otherwise;
    # both plugins ship in this one.
    package_name: str | None = DISTRIBUTION

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Each secret's shape is checked first, in words that never quote it: the SDK's jsonschema
        messages quote the value that failed, and would print a token given as a list."""
        errors = []
        for name, spec in self.config_jsonschema["properties"].items():
            try:
                if spec.get("secret"):
                    credential(name, self._config.get(name))
            except AuthenticationError as exc:
                errors.append(str(exc))
        if errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        return super()._validate_config(raise_errors=raise_errors)

    @classmethod
    @override
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """Config files as the SDK reads them; one that is missing, not JSON or not a JSON object ends
        the run with one line naming it instead of a traceback."""
        try:
            return super().cb_config(ctx, param, value)
        except OSError as exc:
            cls.logger.error("%s", exc)
        except ValueError as exc:
            cls.logger.error("--config %s is not valid JSON: %s", " ".join(value), exc)
        except TypeError:
            cls.logger.error(
                "--config %s: a config file must hold one JSON object, not a list or a value", " ".join(value)
            )
        ctx.exit(1)

    @cached_property
    def client(self) -> ShopifyAdminClient:
        return client_from_config(self.config)

    @cached_property
    def bulk_runner(self) -> BulkRunner:
        return BulkRunner(self.client)
