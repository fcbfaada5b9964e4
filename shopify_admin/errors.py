"""What goes wrong talking to Shopify, as the connectors see it."""

from __future__ import annotations

from typing import Any

from .auth import AuthenticationError

__all__ = ["AccessDeniedError", "AnswerLostError", "AuthenticationError", "ConfigurationError", "ShopifyError"]


class ShopifyError(Exception):
    """Shopify answered with errors that retrying will not fix."""

    def __init__(self, message: str, response: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.response = response or {}


class ConfigurationError(ValueError):
    """A setting that cannot work, found before any request."""


class AccessDeniedError(ShopifyError):
    """The app lacks an access scope; the message names it."""


class AnswerLostError(ShopifyError):
    """A request sent with `resend=False` may have been applied, but its answer was lost."""
