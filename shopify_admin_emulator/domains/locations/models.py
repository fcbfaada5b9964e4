"""Locations as the store keeps them."""

from __future__ import annotations

from typing import Any

from ...store import Record, Store


def new_location(store: Store, name: str, address: dict[str, Any], created: str | None = None, **fields: Any) -> Record:
    """An active Location that stocks inventory and fulfils online orders, stored."""
    created = created or store.clock.now_iso()
    formatted = [address.get("address1"), f"{address.get('city')} {address.get('provinceCode')} {address.get('zip')}"]
    location = store.new_record(
        "Location",
        name=name,
        createdAt=created,
        updatedAt=created,
        isActive=True,
        isPrimary=False,
        isFulfillmentService=False,
        fulfillsOnlineOrders=True,
        shipsInventory=True,
        deactivatedAt=None,
        address={**address, "formatted": [line for line in formatted if line], "latitude": None, "longitude": None},
        _levels={},
    )
    location.update(fields)
    return store.put(location)


def primary_location(store: Store) -> Record | None:
    return next((loc for loc in store.all("Location") if loc["isPrimary"]), None)
