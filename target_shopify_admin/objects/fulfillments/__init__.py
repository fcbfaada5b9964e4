"""Fulfillments, their events, and actions on fulfillment orders."""
