"""Inventory: items, their levels at each location and the quantities in them. `models` keeps and moves
them, `reads` serves them, `mutations` changes them as Shopify's inventory mutations do."""
