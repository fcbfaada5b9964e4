"""Orders and their line items as the store keeps them."""

from __future__ import annotations

from typing import Any

from ...store import Record, Store


def new_order(
    store: Store,
    customer: Record | None,
    created: str | None = None,
    updated: str | None = None,
    *,
    name: str | None = None,
    email: str | None = None,
    **fields: Any,
) -> Record:
    """An open Order, not yet stored, under the shop's next number (`name` may replace `#1001`), listed
    among `customer`'s orders and carrying their email unless given another."""
    created = created or store.clock.now_iso()
    store.order_number += 1
    number = store.order_number
    order = store.new_record(
        "Order",
        name=name or f"#{number}",
        number=number - 1000,
        createdAt=created,
        updatedAt=updated or created,
        processedAt=created,
        closed=False,
        closedAt=None,
        cancelledAt=None,
        cancelReason=None,
        email=email or (customer["email"] if customer else None),
        phone=None,
        note=None,
        tags=[],
        sourceIdentifier=None,
        sourceName=None,
        test=False,
        confirmed=True,
        currencyCode=store.currency,
        presentmentCurrencyCode=store.currency,
        displayFinancialStatus=None,
        taxesIncluded=False,
        customAttributes=[],
        _customer_id=customer["_n"] if customer else None,
    )
    order.update(fields)
    if customer is not None:
        customer["_order_ids"].append(order["_n"])
    return order


def new_line_item(
    store: Store,
    order: Record,
    variant: Record | None,
    product: Record | None,
    *,
    name: str,
    title: str,
    variant_title: str | None,
    quantity: int,
    unit_price: str,
    sku: str | None = None,
    vendor: str | None = None,
    requires_shipping: bool = True,
    taxable: bool = True,
    custom_attributes: list[dict[str, str]] | None = None,
) -> Record:
    """A LineItem of `order`, nothing of it fulfilled; the sku and vendor not given are the variant's and
    the product's."""
    return store.new_record(
        "LineItem",
        name=name,
        title=title,
        quantity=quantity,
        sku=sku or (variant["sku"] if variant else None),
        vendor=vendor or (product["vendor"] if product else None),
        variantTitle=variant_title,
        requiresShipping=requires_shipping,
        taxable=taxable,
        customAttributes=custom_attributes if custom_attributes is not None else [],
        _unit_price=unit_price,
        _variant_id=variant["_n"] if variant else None,
        _product_id=product["_n"] if product else None,
        _order=order,
        _fulfilled=0,
    )
