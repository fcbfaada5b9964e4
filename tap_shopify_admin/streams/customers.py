"""Customers, with addresses, marketing consent, and order totals."""

from __future__ import annotations

from typing import ClassVar

from ..readers.window import SortedWindow
from .base import ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream

ADDRESS = "id firstName lastName company address1 address2 city province provinceCode country countryCodeV2 zip phone"


class CustomersStream(ShopifyStream):
    name = "customers"
    graphql_type = "Customer"
    root = "customers"
    replication_key = "updatedAt"
    reader = SortedWindow()
    deleted_subject = "CUSTOMER"
    metafield_owner = "CUSTOMER"
    fields = f"""
        id legacyResourceId createdAt updatedAt firstName lastName displayName note locale state tags
        taxExempt verifiedEmail numberOfOrders
        amountSpent {{ amount currencyCode }}
        defaultEmailAddress {{ emailAddress marketingState marketingOptInLevel marketingUpdatedAt }}
        defaultPhoneNumber {{ phoneNumber }}
        smsMarketingConsent {{ marketingState marketingOptInLevel consentUpdatedAt consentCollectedFrom }}
        defaultAddress {{ {ADDRESS} }}
        addresses {{ {ADDRESS} }}
        {METAFIELDS}
    """


class CustomerMetafieldsStream(MetafieldsStream):
    name = "customer_metafields"
    parent_stream_type: ClassVar[type] = CustomersStream  # type: ignore[misc]
