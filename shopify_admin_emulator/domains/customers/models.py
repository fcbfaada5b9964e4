"""Customers as the store keeps them."""

from __future__ import annotations

from typing import Any

from ...store import Record, Store

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


def new_address(store: Store, **fields: Any) -> Record:
    """A MailingAddress with every field; those not given are null."""
    return store.new_record("MailingAddress", **{**EMPTY_ADDRESS, **fields})


def marketing_consent(state: str, when: str | None = None, level: str = "SINGLE_OPT_IN") -> dict[str, Any]:
    return {"marketingState": state, "marketingOptInLevel": level, "consentUpdatedAt": when}


def new_customer(store: Store, created: str | None = None, updated: str | None = None, **fields: Any) -> Record:
    """A Customer, not yet stored, with no name, contact, addresses or orders unless `fields` give them."""
    created = created or store.clock.now_iso()
    customer = store.new_record(
        "Customer",
        createdAt=created,
        updatedAt=updated or created,
        firstName=None,
        lastName=None,
        email=None,
        phone=None,
        note=None,
        locale="en",
        state="DISABLED",
        tags=[],
        taxExempt=False,
        taxExemptions=[],
        verifiedEmail=True,
        _order_ids=[],
        emailMarketingConsent=None,
        smsMarketingConsent=None,
        addresses=[],
        _default_address_id=None,
    )
    customer.update(fields)
    return customer
