"""Abandoned checkouts as the store keeps them, money stored as the MoneyBags Shopify serves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...resources import money_bag
from ...store import Record, Store


def new_checkout_line_item(store: Store, variant: Record, quantity: int) -> Record:
    product = variant["_product"]
    unit, total = (
        money_bag(variant["price"], store.currency),
        money_bag(Decimal(variant["price"]) * quantity, store.currency),
    )
    return store.put(
        store.new_record(
            "AbandonedCheckoutLineItem",
            title=product["title"],
            variantTitle=variant["title"],
            sku=variant.get("sku"),
            quantity=quantity,
            customAttributes=[],
            originalUnitPriceSet=unit,
            discountedUnitPriceSet=unit,
            originalTotalPriceSet=total,
            discountedTotalPriceSet=total,
            variant=variant,
            product=product,
        )
    )


def new_abandoned_checkout(
    store: Store, customer: Record | None, lines: list[Record], created: str, updated: str, **fields: Any
) -> Record:
    """An open (not completed) AbandonedCheckout, not yet stored, totalled from its lines with 13% tax."""
    subtotal = sum((Decimal(li["originalTotalPriceSet"]["shopMoney"]["amount"]) for li in lines), Decimal(0))
    tax = (subtotal * Decimal("0.13")).quantize(Decimal("0.01"))
    record = store.new_record(
        "AbandonedCheckout",
        createdAt=created,
        updatedAt=updated,
        completedAt=None,
        customer=customer,
        note="",
        discountCodes=[],
        customAttributes=[],
        taxesIncluded=False,
        lineItemsQuantity=sum(li["quantity"] for li in lines),
        subtotalPriceSet=money_bag(subtotal, store.currency),
        totalLineItemsPriceSet=money_bag(subtotal, store.currency),
        totalDiscountSet=money_bag(0, store.currency),
        totalTaxSet=money_bag(tax, store.currency),
        totalPriceSet=money_bag(subtotal + tax, store.currency),
        _line_items=lines,
    )
    record["name"] = f"#{record['_n']}"
    domain = f"{store.shop_name}.myshopify.com"
    record["abandonedCheckoutUrl"] = f"https://{domain}/checkouts/cn/{record['_n']:x}/recover"
    record.update(fields)
    return record
