"""Orders and their line items: `models` builds the stored records, `reads` serves them, `mutations`
changes them as Shopify's order mutations do."""
