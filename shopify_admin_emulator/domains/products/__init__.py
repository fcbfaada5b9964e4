"""Products and their variants: `models` builds the stored records, `reads` serves them, `mutations`
changes them as Shopify's product mutations do."""
