"""Record builders that the seeder and the mutations share, so that a seeded record and one a mutation
makes carry the same keys and start from the same defaults.

Builders take what differs from a new record's defaults; a record made without timestamps is made now.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .domains.inventory.models import stock, unit_cost
from .domains.locations.models import primary_location
from .store import Record, Store

ADDRESS_FIELDS = (
    "firstName",
    "lastName",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "provinceCode",
    "country",
    "countryCodeV2",
    "zip",
    "phone",
)
EMPTY_ADDRESS = dict.fromkeys(ADDRESS_FIELDS)
SHOP_LOCATION = {"name": "Shop location", "countryCode": "CA"}  # one object shared by every fulfillment order

Allocation = tuple[Record, Record, int]  # (fulfillment order, its line item, quantity fulfilled)


def new_address(store: Store, **fields: Any) -> Record:
    """A MailingAddress with every field; those not given are null."""
    return store.new_record("MailingAddress", **{**EMPTY_ADDRESS, **fields})


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


def new_fulfillment_order(
    store: Store, order: Record, quantities: Iterable[tuple[Record, int]], created: str, updated: str, fulfill_at: str
) -> Record:
    """An OPEN fulfillment order at the shop location for (line item, quantity) pairs, stored and added
    to the order's."""
    fo = store.new_record(
        "FulfillmentOrder",
        createdAt=created,
        updatedAt=updated,
        status="OPEN",
        requestStatus="UNSUBMITTED",
        fulfillAt=fulfill_at,
        assignedLocation=SHOP_LOCATION,
        _order=order,
    )
    fo["_line_items"] = [
        store.new_record("FulfillmentOrderLineItem", totalQuantity=qty, remainingQuantity=qty, _line_item=li)
        for li, qty in quantities
    ]
    order.setdefault("_fulfillment_orders", []).append(store.put(fo))
    return fo


def new_fulfillment(
    store: Store, fos: list[Record], allocations: list[Allocation], tracking: list[dict[str, Any]], when: str
) -> Record:
    """A successful fulfillment of `allocations` from the distinct fulfillment orders `fos`, stored and added
    to their order's: the quantities leave the fulfillment orders' remainingQuantity and count as fulfilled
    on the order's line items."""
    order = fos[0]["_order"]
    by_line_item: dict[int, tuple[Record, int]] = {}
    for _fo, line, qty in allocations:
        line["remainingQuantity"] -= qty
        item = line["_line_item"]
        item["_fulfilled"] += qty
        by_line_item[item["_n"]] = (item, by_line_item.get(item["_n"], (item, 0))[1] + qty)
    for fo in fos:
        fo["status"] = "IN_PROGRESS" if any(li["remainingQuantity"] for li in fo["_line_items"]) else "CLOSED"
    fulfillment = store.new_record(
        "Fulfillment",
        name=f"{order['name']}-F{len(order['_fulfillments']) + 1}",
        createdAt=when,
        updatedAt=when,
        status="SUCCESS",
        displayStatus="FULFILLED",
        deliveredAt=None,
        inTransitAt=None,
        estimatedDeliveryAt=None,
        requiresShipping=any(item["requiresShipping"] for item, _qty in by_line_item.values()),
        _order=order,
        _fulfillment_order_ids=[fo["_n"] for fo in fos],
        trackingInfo=tracking,
    )
    fulfillment["_line_items"] = [
        store.new_record("FulfillmentLineItem", quantity=qty, _line_item=item) for item, qty in by_line_item.values()
    ]
    order["_fulfillments"].append(store.put(fulfillment))
    return fulfillment
