"""The shop itself: one record, read in full on every run."""

from __future__ import annotations

from typing import ClassVar

from ..readers.full_table import FullTable
from .base import ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream


class ShopStream(ShopifyStream):
    name = "shop"
    graphql_type = "Shop"
    root = "shop"
    replication_key = None
    reader = FullTable()
    metafield_owner = "SHOP"
    fields = f"""
        id name myshopifyDomain currencyCode enabledPresentmentCurrencies ianaTimezone weightUnit
        plan {{ publicDisplayName partnerDevelopment shopifyPlus }} taxesIncluded taxShipping createdAt
        {METAFIELDS}
    """


class ShopMetafieldsStream(MetafieldsStream):
    name = "shop_metafields"
    parent_stream_type: ClassVar[type] = ShopStream  # type: ignore[misc]
