"""Draft orders, with their line items."""

from __future__ import annotations

from typing import ClassVar

from ..readers.window import SortedWindow
from .base import ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream
from .orders import MONEY


class DraftOrdersStream(ShopifyStream):
    name = "draft_orders"
    graphql_type = "DraftOrder"
    root = "draftOrders"
    replication_key = "updatedAt"
    reader = SortedWindow()
    deleted_subject = "DRAFT_ORDER"
    metafield_owner = "DRAFTORDER"
    fields = f"""
        id legacyResourceId name status email customer {{ id }} tags note2 currencyCode taxExempt taxesIncluded
        totalQuantityOfLineItems subtotalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
        totalDiscountsSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }} totalPriceSet {{ {MONEY} }}
        lineItems(first: 10) {{ nodes {{
            id name title variantTitle sku vendor quantity custom requiresShipping taxable
            originalUnitPriceSet {{ {MONEY} }} originalTotalSet {{ {MONEY} }} discountedTotalSet {{ {MONEY} }}
            totalDiscountSet {{ {MONEY} }} variant {{ id }} product {{ id }}
        }} }}
        completedAt order {{ id }} createdAt updatedAt
        {METAFIELDS}
    """


class DraftOrderMetafieldsStream(MetafieldsStream):
    name = "draft_order_metafields"
    parent_stream_type: ClassVar[type] = DraftOrdersStream  # type: ignore[misc]
