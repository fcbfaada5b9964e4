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
from .orders import FulfillmentsStream, OrderLineItemsStream, OrderMetafieldsStream, OrdersStream
from .products import (
    ProductMetafieldsStream,
    ProductsStream,
    ProductVariantsStream,
    VariantMetafieldOwnersStream,
    VariantMetafieldsStream,
)
from .shop import ShopMetafieldsStream, ShopStream

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
    CollectionsStream,
    CollectionProductsStream,
    ShopMetafieldsStream,
    CustomerMetafieldsStream,
    ProductMetafieldsStream,
    VariantMetafieldOwnersStream,
    VariantMetafieldsStream,
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
