"""Customers and their addresses: `models` builds the stored records, `reads` serves them, `mutations`
changes them as Shopify's customer mutations do."""
