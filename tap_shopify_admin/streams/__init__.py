"""One module per Admin API resource."""

from .base import ShopifyStream
from .customers import CustomersStream
from .discounts import DiscountCodesStream, DiscountsStream
from .fulfillment_orders import FulfillmentOrdersStream
from .inventory import InventoryItemsStream, InventoryLevelsStream, LocationsStream
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
    FulfillmentOrdersStream,
    LocationsStream,
    InventoryLevelsStream,
    InventoryItemsStream,
    DiscountsStream,
    DiscountCodesStream,
]
