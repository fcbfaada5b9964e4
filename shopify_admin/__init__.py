"""The Shopify Admin GraphQL client shared by tap-shopify-admin and target-shopify-admin."""

from .client import (
    AccessDeniedError,
    AnswerLostError,
    AuthenticationError,
    ConfigurationError,
    ShopifyAdminClient,
    ShopifyError,
)
from .throttle import TIERS, CostThrottle

__all__ = [
    "TIERS",
    "AccessDeniedError",
    "AnswerLostError",
    "AuthenticationError",
    "ConfigurationError",
    "CostThrottle",
    "ShopifyAdminClient",
    "ShopifyError",
]
