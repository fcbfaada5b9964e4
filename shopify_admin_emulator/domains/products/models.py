"""Products and their variants as the store keeps them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...store import Record, Store
from ..inventory.models import stock, unit_cost
from ..locations.models import primary_location


def new_product(
    store: Store, created: str | None = None, updated: str | None = None, *, title: str, handle: str, **fields: Any
) -> Record:
    """An active Product, not yet stored, from the shop's own vendor, without options or variants."""
    created = created or store.clock.now_iso()
    product = store.new_record(
        "Product",
        createdAt=created,
        updatedAt=updated or created,
        publishedAt=None,
        title=title,
        handle=handle,
        descriptionHtml="",
        productType="",
        vendor=store.shop_name,
        status="ACTIVE",
        tags=[],
        options=[],
        _variants=[],
    )
    product.update(fields)
    return product


def new_variant(
    store: Store,
    product: Record,
    selected: list[dict[str, str]],
    created: str | None = None,
    updated: str | None = None,
    *,
    sku: str | None = None,
    price: str = "0.00",
    compare_at_price: str | None = None,
    position: int = 1,
    inventory_quantity: int = 0,
    tracked: bool = False,
    cost: Decimal | str | None = None,
) -> Record:
    """A ProductVariant of the `selected` option values, not yet stored, and its InventoryItem, stored."""
    created = created or store.clock.now_iso()
    updated = updated or created
    item = store.new_record(
        "InventoryItem",
        sku=sku,
        tracked=tracked,
        requiresShipping=True,
        unitCost=None if cost is None else unit_cost(store, cost),
        createdAt=created,
        updatedAt=updated,
    )
    store.put(item)
    variant = store.new_record(
        "ProductVariant",
        createdAt=created,
        updatedAt=updated,
        title=" / ".join(s["value"] for s in selected),
        sku=sku,
        barcode=None,
        price=price,
        compareAtPrice=compare_at_price,
        position=position,
        taxable=True,
        inventoryPolicy="DENY",
        inventoryQuantity=inventory_quantity,
        selectedOptions=selected,
        inventoryItem=item,
        _product=product,
    )
    item["_variant"] = variant
    primary = primary_location(store)
    if primary is not None:  # Shopify stocks a new variant at the shop's primary location
        stock(store, item, primary, created, available=inventory_quantity)
    return variant
