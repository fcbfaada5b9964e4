"""Draft orders, read: `models` builds them with their line items and totals, `reads` serves them."""
