"""Inventory items and their levels (quantities at a location)."""
