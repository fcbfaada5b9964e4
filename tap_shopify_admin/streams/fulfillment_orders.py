"""Fulfillment orders, closed ones included, with their line items, holds, assigned location and the
actions Shopify allows on each now (what the target's fulfillment-order actions need)."""

from __future__ import annotations

from ..readers.window import SortedWindow
from .base import ShopifyStream


class FulfillmentOrdersStream(ShopifyStream):
    name = "fulfillment_orders"
    graphql_type = "FulfillmentOrder"
    root = "fulfillmentOrders"
    replication_key = "updatedAt"
    reader = SortedWindow()
    root_arguments = "includeClosed: true"
    fields = """
        id createdAt updatedAt status requestStatus orderId orderName fulfillAt
        assignedLocation { name countryCode location { id } } supportedActions { action }
        fulfillmentHolds { id handle reason reasonNotes displayReason }
        lineItems(first: 10) { nodes { id totalQuantity remainingQuantity sku lineItem { id } variant { id } } }
    """
