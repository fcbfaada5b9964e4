"""Bulk operations: `checks` validates a bulk query or mutation as Shopify does, `runner` runs it in the
background into a result file; `reads` and `mutations` serve and start them."""
