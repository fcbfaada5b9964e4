"""Fulfillment orders and fulfillments: `models` builds the stored records, `reads` serves them,
`mutations` moves them on as Shopify's fulfillment mutations do."""
