"""Discounts: code and automatic discounts and their redeem codes."""
