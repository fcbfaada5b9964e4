"""One module per Admin API resource."""

from ..client import ConnectionStream, NestedStream
from .customers import CustomersStream
from .fulfillment_orders import FulfillmentOrdersStream
from .orders import FulfillmentsStream, OrderLineItemsStream, OrdersStream
from .products import ProductsStream, ProductVariantsStream

STREAMS: list[type[ConnectionStream] | type[NestedStream]] = [
    CustomersStream,
    ProductsStream,
    ProductVariantsStream,
    OrdersStream,
    OrderLineItemsStream,
    FulfillmentsStream,
    FulfillmentOrdersStream,
]
