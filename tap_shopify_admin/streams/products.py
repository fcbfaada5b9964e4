"""Products with their variants, and the variants as their own stream."""

from __future__ import annotations

from typing import ClassVar

from ..readers.window import SortedWindow
from .base import NestedStream, ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream

VARIANT_FIELDS = """
    id legacyResourceId createdAt updatedAt title displayName sku barcode price compareAtPrice position
    taxable inventoryPolicy inventoryQuantity selectedOptions { name value }
    inventoryItem { id legacyResourceId sku tracked requiresShipping }
"""


class ProductsStream(ShopifyStream):
    name = "products"
    graphql_type = "Product"
    root = "products"
    replication_key = "updatedAt"
    reader = SortedWindow()
    deleted_subject = "PRODUCT"
    metafield_owner = "PRODUCT"
    fields = f"""
        id legacyResourceId createdAt updatedAt publishedAt title handle descriptionHtml productType vendor
        status tags options {{ id name position values }}
        variants(first: 25) {{ nodes {{ {VARIANT_FIELDS} }} }}
        {METAFIELDS}
    """


class ProductVariantsStream(NestedStream):
    """Variants ride on their product: Shopify moves a product's updatedAt when a variant changes,
    and `productVariants` cannot be sorted by updatedAt."""

    name = "product_variants"
    graphql_type = "ProductVariant"
    fields = VARIANT_FIELDS
    parent_stream_type: ClassVar[type] = ProductsStream  # type: ignore[misc]
    parent_field = "variants"
    parent_key = "productId"


class ProductMetafieldsStream(MetafieldsStream):
    name = "product_metafields"
    parent_stream_type: ClassVar[type] = ProductsStream  # type: ignore[misc]
