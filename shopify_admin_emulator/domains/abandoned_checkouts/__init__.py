"""Abandoned checkouts, read: `models` builds them, `reads` serves them."""
