"""Draft orders as the store keeps them: money fields are stored as the MoneyBags Shopify serves,
computed once when the draft order is made."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...resources import money_bag
from ...store import Record, Store


def new_draft_line_item(store: Store, variant: Record, quantity: int) -> Record:
    """A line item for a variant of the shop (not stored on its own: its draft order holds it)."""
    product = variant["_product"]
    unit = Decimal(variant["price"])
    bag = lambda amount: money_bag(amount, store.currency)  # noqa: E731
    return store.put(
        store.new_record(
            "DraftOrderLineItem",
            name=f"{product['title']} - {variant['title']}",
            title=product["title"],
            variantTitle=variant["title"],
            sku=variant.get("sku"),
            vendor=product.get("vendor"),
            quantity=quantity,
            custom=False,
            requiresShipping=True,
            taxable=True,
            customAttributes=[],
            appliedDiscount=None,
            originalUnitPriceSet=bag(unit),
            originalTotalSet=bag(unit * quantity),
            discountedTotalSet=bag(unit * quantity),
            totalDiscountSet=bag(0),
            variant=variant,
            product=product,
        )
    )


def new_draft_order(
    store: Store, number: int, customer: Record | None, lines: list[Record], created: str, updated: str, **fields: Any
) -> Record:
    """An open DraftOrder `#D{number}`, not yet stored, totalled from its lines (13% tax, as seeded orders)."""
    subtotal = sum((Decimal(li["originalTotalSet"]["shopMoney"]["amount"]) for li in lines), Decimal(0))
    tax = (subtotal * Decimal("0.13")).quantize(Decimal("0.01"))
    record = store.new_record(
        "DraftOrder",
        name=f"#D{number}",
        status="OPEN",
        email=customer["email"] if customer else None,
        customer=customer,
        tags=[],
        note2=None,
        createdAt=created,
        updatedAt=updated,
        completedAt=None,
        order=None,
        ready=True,
        taxExempt=False,
        taxesIncluded=False,
        currencyCode=store.currency,
        invoiceUrl=None,
        appliedDiscount=None,
        customAttributes=[],
        totalQuantityOfLineItems=sum(li["quantity"] for li in lines),
        subtotalPriceSet=money_bag(subtotal, store.currency),
        totalTaxSet=money_bag(tax, store.currency),
        totalDiscountsSet=money_bag(0, store.currency),
        totalShippingPriceSet=money_bag(0, store.currency),
        totalPriceSet=money_bag(subtotal + tax, store.currency),
        _number=number,
        _line_items=lines,
        _metafields=[],
    )
    record.update(fields)
    return record
