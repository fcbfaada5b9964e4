"""Customers: reads. Mutations live in customer_mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import COMMON_SORTS, Resource, SortKey, common_filters, constants, find
from ...search import Filter
from ...store import Record, money
from ..metafields.definitions import by_custom_id

CUSTOMERS = Resource(
    "Customer",
    filters={
        **common_filters(),
        "email": Filter("text", lambda r: r.get("email")),
        "phone": Filter("text", lambda r: r.get("phone")),
        "first_name": Filter("text", lambda r: r.get("firstName")),
        "last_name": Filter("text", lambda r: r.get("lastName")),
        "tag": Filter("text", lambda r: r.get("tags")),
        "state": Filter("text", lambda r: r.get("state")),
        "country": Filter("text", lambda r: [a.get("country") for a in r.get("addresses", [])]),
        "orders_count": Filter("number", lambda r: len(r.get("_order_ids", []))),
        "accepts_marketing": Filter(
            "text", lambda r: str((r.get("emailMarketingConsent") or {}).get("marketingState") == "SUBSCRIBED").lower()
        ),
    },
    sorts={**COMMON_SORTS, "NAME": SortKey(lambda r: display_name(r).lower())},
    text_fields=("email", "firstName", "lastName", "phone"),
)


def display_name(c: Record) -> str:
    name = " ".join(p for p in (c.get("firstName"), c.get("lastName")) if p)
    return name or c.get("email") or c.get("phone") or ""


@resolves("QueryRoot.customers")
def customers(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return CUSTOMERS.connection(ctx, "customers", args)


@resolves("QueryRoot.customersCount")
def customers_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = None) -> dict[str, Any]:
    return CUSTOMERS.count(ctx, "customersCount", query, limit)


@resolves("QueryRoot.customer")
def customer(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "Customer")


def customer_by(ctx: Context, *, email: str | None = None, phone: str | None = None) -> Record | None:
    for record in ctx.store.all("Customer"):
        if email is not None and (record.get("email") or "").lower() == email.lower():
            return record
        if phone is not None and record.get("phone") == phone:
            return record
    return None


@resolves("QueryRoot.customerByIdentifier")
def customer_by_identifier(_root: Any, ctx: Context, identifier: dict[str, Any]) -> Record | None:
    if identifier.get("id"):
        return find(ctx, identifier["id"], "Customer")
    if identifier.get("emailAddress"):
        return customer_by(ctx, email=identifier["emailAddress"])
    if identifier.get("phoneNumber"):
        return customer_by(ctx, phone=identifier["phoneNumber"])
    if identifier.get("customId"):
        return by_custom_id(ctx, identifier["customId"])
    return None


@resolves("Customer.displayName")
def customer_display_name(c: Record, _ctx: Context) -> str:
    return display_name(c)


@resolves("Customer.defaultEmailAddress")
def default_email(c: Record, _ctx: Context) -> dict[str, Any] | None:
    if not c.get("email"):
        return None
    consent = c.get("emailMarketingConsent") or {}
    state = consent.get("marketingState") or "NOT_SUBSCRIBED"
    return {
        "emailAddress": c["email"],
        "marketingState": state if state != "INVALID" else "INVALID",
        "marketingOptInLevel": consent.get("marketingOptInLevel"),
        "marketingUpdatedAt": consent.get("consentUpdatedAt"),
        "validFormat": True,
    }


@resolves("Customer.defaultPhoneNumber")
def default_phone(c: Record, _ctx: Context) -> dict[str, Any] | None:
    if not c.get("phone"):
        return None
    consent = c.get("smsMarketingConsent") or {}
    return {
        "phoneNumber": c["phone"],
        "marketingState": consent.get("marketingState") or "NOT_SUBSCRIBED",
        "marketingOptInLevel": consent.get("marketingOptInLevel"),
        "marketingUpdatedAt": consent.get("consentUpdatedAt"),
        "marketingCollectedFrom": consent.get("consentCollectedFrom"),
    }


def _default_address(c: Record) -> Record | None:
    addresses = c.get("addresses") or []
    return next((a for a in addresses if a["id"] == c.get("_default_address_id")), addresses[0] if addresses else None)


@resolves("Customer.defaultAddress")
def default_address(c: Record, _ctx: Context) -> Record | None:
    return _default_address(c)


@resolves("Customer.addresses")
def addresses(c: Record, _ctx: Context, first: int | None = None) -> list[Record]:
    rows = c.get("addresses") or []
    return rows[:first] if first is not None else rows


@resolves("Customer.addressesV2")
def addresses_v2(c: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(c.get("addresses") or [], args)


def customer_orders(c: Record, ctx: Context) -> list[Record]:
    rows = (ctx.store.table("Order").get(n) for n in c.get("_order_ids", []))
    return [o for o in rows if o is not None]


@resolves("Customer.numberOfOrders")
def number_of_orders(c: Record, ctx: Context) -> str:
    return str(len(customer_orders(c, ctx)))


@resolves("Customer.amountSpent")
def amount_spent(c: Record, ctx: Context) -> dict[str, Any]:

    total = sum((Decimal(o["_total_price"]) for o in customer_orders(c, ctx) if not o.get("cancelledAt")), Decimal(0))
    return {"amount": money(total), "currencyCode": ctx.store.currency}


@resolves("Customer.canDelete")
def can_delete(c: Record, ctx: Context) -> bool:
    return not customer_orders(c, ctx)


@resolves("MailingAddress.name")
def address_name(a: Record, _ctx: Context) -> str | None:
    return " ".join(p for p in (a.get("firstName"), a.get("lastName")) if p) or None


@resolves("MailingAddress.formattedArea")
def formatted_area(a: Record, _ctx: Context) -> str | None:
    # Shopify writes "Ottawa ON, Canada": city and province code, then the country
    locality = " ".join(p for p in (a.get("city"), a.get("provinceCode")) if p)
    return ", ".join(p for p in (locality, a.get("country")) if p) or None


constants("Customer", {"dataSaleOptOut": False, "productSubscriberStatus": "NEVER_SUBSCRIBED"})
constants("MailingAddress", {"coordinatesValidated": False})


@resolves("Customer.validEmailAddress")
def valid_email_address(c: Record, _ctx: Context) -> bool:
    return bool(c.get("email")) and "@" in c["email"]


@resolves("Customer.lifetimeDuration")
def lifetime_duration(c: Record, ctx: Context) -> str:
    # Shopify words it like Rails' distance_of_time_in_words: "about 1 year", "3 months", "5 days"
    days = int((ctx.store.clock.now() - datetime.fromisoformat(c["createdAt"]).timestamp()) // 86400)
    if days >= 365:
        return f"about {days // 365} year{'s' if days >= 730 else ''}"
    if days >= 30:
        return f"{days // 30} month{'s' if days >= 60 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"
