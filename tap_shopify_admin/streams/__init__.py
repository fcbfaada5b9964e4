"""One module per Admin API resource."""

from .base import ShopifyStream
from .customers import CustomersStream
from .discounts import DiscountCodesStream, DiscountsStream
from .fulfillment_orders import FulfillmentOrdersStream
from .inventory import InventoryItemsStream, InventoryLevelsStream, LocationsStream
from .money import (
    DiscountApplicationsStream,
    OrderAdjustmentsStream,
    OrderLineItemDiscountAllocationsStream,
    OrderLineItemTaxLinesStream,
    OrderTaxLinesStream,
    RefundLineItemsStream,
    RefundShippingLinesStream,
    RefundsStream,
    ReturnLineItemsStream,
    ReturnsStream,
    ShippingLinesStream,
    ShippingLineTaxLinesStream,
    TransactionsStream,
)
from .orders import FulfillmentsStream, OrderLineItemsStream, OrdersStream
from .products import ProductsStream, ProductVariantsStream
from .shop import ShopStream

STREAMS: list[type[ShopifyStream]] = [
    ShopStream,
    CustomersStream,
    ProductsStream,
    ProductVariantsStream,
    OrdersStream,
    OrderLineItemsStream,
    FulfillmentsStream,
    RefundsStream,
    RefundLineItemsStream,
    OrderAdjustmentsStream,
    RefundShippingLinesStream,
    TransactionsStream,
    OrderTaxLinesStream,
    OrderLineItemTaxLinesStream,
    OrderLineItemDiscountAllocationsStream,
    ShippingLinesStream,
    ShippingLineTaxLinesStream,
    DiscountApplicationsStream,
    ReturnsStream,
    ReturnLineItemsStream,
    FulfillmentOrdersStream,
    LocationsStream,
    InventoryLevelsStream,
    InventoryItemsStream,
    DiscountsStream,
    DiscountCodesStream,
]
