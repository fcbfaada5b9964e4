"""Gift cards: never their code, only its last characters."""

from __future__ import annotations

from ..readers.full_table import FullTable
from .base import ShopifyStream


class GiftCardsStream(ShopifyStream):
    """Read in full on every run: Shopify cannot search gift cards by updated_at (it ignores the field
    with a warning), and a read sorted by UPDATED_AT would pass a card updated while it runs. A shop's
    cards are few next to its orders, and the full read's ACTIVATE_VERSION needs no deletions."""

    name = "gift_cards"
    graphql_type = "GiftCard"
    root = "giftCards"
    replication_key = None
    reader = FullTable()
    fields = """
        id lastCharacters maskedCode enabled expiresOn note initialValue { amount currencyCode }
        balance { amount currencyCode } customer { id } order { id } createdAt updatedAt deactivatedAt
    """
