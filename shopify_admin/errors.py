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
        self.where: str | None = None  # the stream or sink it struck in, named by the caller that knows

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.where}: {text}" if self.where else text

    def at(self, where: str) -> ShopifyError:
        """Name the stream or sink it struck in, unless a caller closer to it has; the error itself."""
        self.where = self.where or where
        return self


class ConfigurationError(ValueError):
    """A setting that cannot work, found before any request."""


class AccessDeniedError(ShopifyError):
    """The app lacks an access scope; the message names it."""


class AnswerLostError(ShopifyError):
    """A request sent with `resend=False` may have been applied, but its answer was lost."""
