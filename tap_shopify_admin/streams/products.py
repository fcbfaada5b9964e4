"""Products with their variants, the variants as their own stream, and the variants' metafields."""

from __future__ import annotations

from typing import ClassVar

from ..readers.window import SortedWindow, UnsortedWindow
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


class VariantMetafieldOwnersStream(ShopifyStream):
    """The variants whose metafields are read, by their own updatedAt: setting or deleting a metafield
    stamps its owner, the variant (the captures show it for products; none reads a variant's or its
    product's updatedAt around a variant's metafield), so riding on products could miss it, and the
    variant's own window reads it whether or not the product moves too. `productVariants` takes no
    UPDATED_AT sort key: each window is read whole, by id. Each record holds the variant's whole
    current set, as an owner's record does."""

    name = "variant_metafield_owners"
    graphql_type = "ProductVariant"
    root = "productVariants"
    replication_key = "updatedAt"
    reader = UnsortedWindow()
    metafield_owner = "PRODUCTVARIANT"
    fields = f"id legacyResourceId updatedAt product {{ id }} {METAFIELDS}"

    @property
    def is_read(self) -> bool:
        return self.reads_metafields  # read for their metafields only


class VariantMetafieldsStream(MetafieldsStream):
    name = "variant_metafields"
    parent_stream_type: ClassVar[type] = VariantMetafieldOwnersStream  # type: ignore[misc]
