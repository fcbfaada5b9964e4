"""The shop itself: one record, read in full on every run."""

from __future__ import annotations

from ..readers.full_table import FullTable
from .base import ShopifyStream


class ShopStream(ShopifyStream):
    name = "shop"
    graphql_type = "Shop"
    root = "shop"
    replication_key = None
    reader = FullTable()
    fields = """
        id name myshopifyDomain currencyCode enabledPresentmentCurrencies ianaTimezone weightUnit
        plan { publicDisplayName partnerDevelopment shopifyPlus } taxesIncluded taxShipping createdAt
    """
