"""Orders with their line items, and line items and fulfillments as their own streams (their money's
streams are in `money.py`)."""

from __future__ import annotations

from typing import ClassVar

from ..readers.window import SortedWindow
from .base import NestedStream, ShopifyStream
from .customers import ADDRESS
from .metafields import METAFIELDS, MetafieldsStream
from .money_fields import DISCOUNT_ALLOCATION_FIELDS, MONEY, ORDER_MONEY_FIELDS, TAX_LINE_FIELDS

LINE_ITEM_FIELDS = f"""
    id name title quantity currentQuantity sku vendor variantTitle requiresShipping taxable unfulfilledQuantity
    originalUnitPriceSet {{ {MONEY} }} discountedUnitPriceSet {{ {MONEY} }} originalTotalSet {{ {MONEY} }}
    variant {{ id }} product {{ id }} taxLines {{ {TAX_LINE_FIELDS} }}
    discountAllocations {{ {DISCOUNT_ALLOCATION_FIELDS} }}
"""
FULFILLMENT_FIELDS = f"""
    id legacyResourceId name createdAt updatedAt status displayStatus totalQuantity deliveredAt inTransitAt
    estimatedDeliveryAt requiresShipping trackingInfo {{ company number url }}
    fulfillmentLineItems(first: 10) {{ nodes {{ id quantity lineItem {{ id }} originalTotalSet {{ {MONEY} }} }} }}
    events(first: 10) {{ nodes {{
        id status happenedAt createdAt message estimatedDeliveryAt city province country zip address1 latitude longitude
    }} }}
"""


class OrdersStream(ShopifyStream):
    name = "orders"
    graphql_type = "Order"
    root = "orders"
    replication_key = "updatedAt"
    reader = SortedWindow()
    deleted_subject = "ORDER"
    metafield_owner = "ORDER"
    fields = f"""
        id legacyResourceId name createdAt updatedAt processedAt closedAt cancelledAt cancelReason email phone
        note tags sourceIdentifier sourceName test currencyCode presentmentCurrencyCode
        displayFinancialStatus displayFulfillmentStatus customer {{ id }}
        billingAddress {{ {ADDRESS} }} shippingAddress {{ {ADDRESS} }}
        subtotalPriceSet {{ {MONEY} }} totalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
        totalDiscountsSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }} totalRefundedSet {{ {MONEY} }}
        lineItems(first: 10) {{ nodes {{ {LINE_ITEM_FIELDS} }} }}
        fulfillments {{ {FULFILLMENT_FIELDS} }}
        {METAFIELDS}
        {ORDER_MONEY_FIELDS}
    """


class OrderLineItemsStream(NestedStream):
    name = "order_line_items"
    graphql_type = "LineItem"
    fields = LINE_ITEM_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "lineItems"
    parent_key = "orderId"


class FulfillmentsStream(NestedStream):
    """Fulfillments ride on their order, whose updatedAt moves when one is created or changed, or an event
    is added: a fulfillment's tracking events (few, never changed) ride on the fulfillment."""

    name = "fulfillments"
    graphql_type = "Fulfillment"
    fields = FULFILLMENT_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "fulfillments"
    parent_key = "orderId"


class OrderMetafieldsStream(MetafieldsStream):
    name = "order_metafields"
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
