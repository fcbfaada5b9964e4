"""Abandoned checkouts, with their line items."""

from __future__ import annotations

from ..readers.window import UnsortedWindow
from .base import ShopifyStream
from .orders import MONEY


class AbandonedCheckoutsStream(ShopifyStream):
    """`abandonedCheckouts` searches by updated_at but has no UPDATED_AT sort key (as in Shopify): each
    window is read whole, by id, and the bookmark moves when it is done."""

    name = "abandoned_checkouts"
    graphql_type = "AbandonedCheckout"
    root = "abandonedCheckouts"
    replication_key = "updatedAt"
    reader = UnsortedWindow()
    fields = f"""
        id name abandonedCheckoutUrl customer {{ id }} note discountCodes taxesIncluded lineItemsQuantity
        subtotalPriceSet {{ {MONEY} }} totalLineItemsPriceSet {{ {MONEY} }} totalDiscountSet {{ {MONEY} }}
        totalTaxSet {{ {MONEY} }} totalPriceSet {{ {MONEY} }}
        lineItems(first: 10) {{ nodes {{
            id title variantTitle sku quantity originalUnitPriceSet {{ {MONEY} }}
            discountedUnitPriceSet {{ {MONEY} }} originalTotalPriceSet {{ {MONEY} }}
            discountedTotalPriceSet {{ {MONEY} }} variant {{ id }} product {{ id }}
        }} }}
        createdAt updatedAt completedAt
    """
