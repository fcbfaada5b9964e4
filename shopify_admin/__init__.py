"""The Shopify Admin GraphQL client shared by tap-shopify-admin and target-shopify-admin."""

from .client import ShopifyAdminClient
from .errors import AccessDeniedError, AnswerLostError, AuthenticationError, ConfigurationError, ShopifyError
from .throttle import CostThrottle

__all__ = [
    "AccessDeniedError",
    "AnswerLostError",
    "AuthenticationError",
    "ConfigurationError",
    "CostThrottle",
    "ShopifyAdminClient",
    "ShopifyError",
]
