"""One module per Admin API resource."""

from .abandoned_checkouts import AbandonedCheckoutsStream
from .base import ShopifyStream
from .collections import CollectionMetafieldsStream, CollectionProductsStream, CollectionsStream
from .customers import CustomerMetafieldsStream, CustomersStream
from .discounts import DiscountCodesStream, DiscountsStream
from .draft_orders import DraftOrderMetafieldsStream, DraftOrdersStream
from .events import EventsStream
from .fulfillment_orders import FulfillmentOrdersStream
from .gift_cards import GiftCardsStream
from .inventory import InventoryItemsStream, InventoryLevelsStream, LocationMetafieldsStream, LocationsStream
from .metafields import MetafieldDefinitionsStream
from .orders import FulfillmentsStream, OrderLineItemsStream, OrderMetafieldsStream, OrdersStream
from .products import ProductMetafieldsStream, ProductsStream, ProductVariantsStream
from .shop import ShopMetafieldsStream, ShopStream

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
    CollectionsStream,
    CollectionProductsStream,
    ShopMetafieldsStream,
    CustomerMetafieldsStream,
    ProductMetafieldsStream,
    OrderMetafieldsStream,
    CollectionMetafieldsStream,
    LocationMetafieldsStream,
    DraftOrderMetafieldsStream,
    MetafieldDefinitionsStream,
    DraftOrdersStream,
    AbandonedCheckoutsStream,
    GiftCardsStream,
    EventsStream,
]
