"""Discounts and the redeem codes of code discounts."""
