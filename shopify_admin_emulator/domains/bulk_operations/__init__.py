"""Bulk operations: `runner` checks a bulk query or mutation as Shopify does and runs it in the background
into a result file; `reads` and `mutations` serve and start them."""
