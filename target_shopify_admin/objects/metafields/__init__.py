"""Metafields written on their own: one record a metafield of an owner (a customer, product, collection,
variant, order or the shop) found by one of its keys."""
