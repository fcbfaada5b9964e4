"""Customer mutations with Shopify's input normalisation and userErrors (field, code, message)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record
from ..metafields.definitions import by_custom_id
from ..metafields.models import canonical_namespace, set_metafields
from ..metafields.mutations import nested_metafield_errors, sorted_tags, split_tags
from ..shop.reads import shop
from .models import marketing_consent, new_address, new_customer
from .reads import customer_by, customer_orders, display_name

Problem = tuple[list[str], str, str]  # (field below the input, message, code)

IDENTITY = "A name, phone number, or email address must be present"
NOT_IDENTIFIED = "Resource matching the identifier was not found."
MAX_LENGTH = {"firstName": 255, "lastName": 255, "note": 5000}
LABEL = {"firstName": "First name", "lastName": "Last name", "note": "Note", "email": "Email", "phone": "Phone"}
MAX_TAGS = 250
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?")
COUNTRIES = {"CA": "Canada", "US": "United States", "GB": "United Kingdom", "AU": "Australia", "MX": "Mexico"}
PROVINCES = {
    "CA": {
        "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
        "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
        "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan", "YT": "Yukon",
    },
    "US": {
        "CA": "California", "CO": "Colorado", "FL": "Florida", "IL": "Illinois", "MA": "Massachusetts",
        "NY": "New York", "OR": "Oregon", "TX": "Texas", "WA": "Washington",
    },
}  # fmt: skip
SUBSCRIBABLE = {"SUBSCRIBED", "PENDING", "UNSUBSCRIBED"}


# normalisation and validation ---------------------------------------------------------------------------
def normalize_email(value: str | None) -> str | None:
    """Shopify drops every whitespace character; an empty address means none."""
    return re.sub(r"\s+", "", value) or None if value is not None else None


def normalize_phone(value: str) -> str | None:
    """E.164 from the usual punctuation; None when it is not a phone number."""
    digits = re.sub(r"[\s().-]", "", value)
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        return None
    if digits.startswith("+"):
        return digits
    return "+1" + digits if len(digits) == 10 else "+" + digits


def text_or_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def scalar_changes(ctx: Context, data: dict[str, Any], customer: Record | None) -> tuple[dict[str, Any], list[Problem]]:
    """The customer fields `data` sets, normalised, and what is wrong with them."""
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    if "email" in data:
        email = normalize_email(data["email"])
        if email is not None:
            if len(email) > 255:
                problems.append((["email"], "Email is too long (maximum is 255 characters)", "TOO_LONG"))
            if len(email) > 255 or not EMAIL.fullmatch(email):
                problems.append((["email"], "Email is invalid", "INVALID"))
            elif owner_of(customer_by(ctx, email=email), customer):
                problems.append((["email"], "Email has already been taken", "TAKEN"))
        changes["email"] = email
    if "phone" in data:
        raw = (data["phone"] or "").strip()
        phone = normalize_phone(raw) if raw else None
        if raw and len(raw) > 255:
            problems.append((["phone"], "Phone is too long (maximum is 255 characters)", "TOO_LONG"))
        if raw and phone is None:
            problems.append((["phone"], "Phone is invalid", "INVALID"))
        elif phone and owner_of(customer_by(ctx, phone=phone), customer):
            problems.append((["phone"], "Phone has already been taken", "TAKEN"))
        changes["phone"] = phone
    for name in ("firstName", "lastName", "note"):
        if name in data:
            value = data[name] if name == "note" else text_or_none(data[name])
            if value is not None and len(value) > MAX_LENGTH[name]:
                message = f"{LABEL[name]} is too long (maximum is {MAX_LENGTH[name]} characters)"
                problems.append(([name], message, "TOO_LONG"))
            changes[name] = value
    if data.get("locale") is not None:
        if not LOCALE.fullmatch(data["locale"]):
            problems.append((["locale"], "Locale is invalid", "INVALID"))
        changes["locale"] = data["locale"]
    if data.get("tags") is not None:
        tags = split_tags(data["tags"])
        if len(tags) > MAX_TAGS:
            problems.append((["tags"], f"Tags cannot be more than {MAX_TAGS}", "INVALID"))
        elif any(len(t) > 255 for t in tags):
            problems.append((["tags"], "Tags is too long (maximum is 255 characters)", "TOO_LONG"))
        changes["tags"] = sorted_tags(tags)
    for name in ("taxExempt", "taxExemptions"):
        if data.get(name) is not None:
            changes[name] = data[name]
    return changes, problems


def owner_of(found: Record | None, customer: Record | None) -> bool:
    """Whether `found` holds the value already and is another customer than the one being saved."""
    return found is not None and (customer is None or found["id"] != customer["id"])


def has_identity(fields: dict[str, Any]) -> bool:
    return any(fields.get(k) for k in ("firstName", "lastName", "email", "phone"))


def address_fields(data: dict[str, Any]) -> dict[str, Any]:
    """MailingAddressInput → the stored MailingAddress fields it sets."""
    fields = {k: v for k, v in data.items() if k not in ("id", "countryCode", "country", "provinceCode", "province")}
    country_code = data.get("countryCode")
    if country_code:
        fields.update(countryCodeV2=country_code, country=COUNTRIES.get(country_code, country_code))
    elif data.get("country"):
        fields["country"] = data["country"]
    if data.get("provinceCode"):
        code = data["provinceCode"]
        fields.update(provinceCode=code, province=PROVINCES.get(country_code or "", {}).get(code, code))
    elif data.get("province"):
        fields["province"] = data["province"]
    return fields


def address_problems(addresses: list[dict[str, Any]], customer: Record | None) -> list[Problem]:
    known = {a["id"].split("?")[0] for a in (customer or {}).get("addresses", [])}
    problems: list[Problem] = []
    for i, entry in enumerate(addresses):
        if entry.get("id") is None:
            continue
        if customer is None:
            problems.append((["addresses", str(i), "id"], "Cannot specify address ID on creation", "INVALID"))
        elif entry["id"].split("?")[0] not in known:
            problems.append((["addresses", str(i), "id"], "Customer address does not exist", "NOT_FOUND"))
    return problems


def replace_addresses(ctx: Context, customer: Record, addresses: list[dict[str, Any]]) -> None:
    """The list becomes the customer's addresses: entries with an id update that address, the rest are new."""
    current = {a["id"]: a for a in customer.get("addresses", [])}
    kept = []
    for entry in addresses:
        existing = current.get((entry.get("id") or "").split("?")[0])
        if existing is not None:
            existing.update(address_fields(entry))
            kept.append(existing)
        else:
            kept.append(new_address(ctx.store, **address_fields(entry)))
    customer["addresses"] = kept
    if customer.get("_default_address_id") not in {a["id"] for a in kept}:
        customer["_default_address_id"] = kept[0]["id"] if kept else None


def metafield_problems(metafields: list[dict[str, Any]], creating: bool) -> list[Problem]:
    return [
        (["metafields", str(i), "id"], "Cannot specify metafield ID on creation", "INVALID")
        for i, m in enumerate(metafields)
        if creating and m.get("id")
    ]


def inline_consent_problems(data: dict[str, Any], fields: dict[str, Any], creating: bool) -> list[Problem]:
    problems: list[Problem] = []
    for name, needs, mutation, missing in (
        ("emailMarketingConsent", "email", "customerEmailMarketingConsentUpdate", "An email address is required to"
         " set the email marketing consent state."),
        ("smsMarketingConsent", "phone", "customerSmsMarketingConsentUpdate", "A phone number is required to set"
         " the SMS consent state."),
    ):  # fmt: skip
        consent = data.get(name)
        if consent is None:
            continue
        if not creating:
            problems.append(([name], f"To update {name}, please use the {mutation} Mutation instead", "INVALID"))
            continue
        reject_state(consent["marketingState"], allowed=SUBSCRIBABLE | {"NOT_SUBSCRIBED"})
        if not fields.get(needs):
            problems.append(([name], missing, "INVALID"))
    return problems


def reject_state(state: str, allowed: set[str]) -> None:
    """Shopify answers these states with a top-level error rather than a userError."""
    if state not in allowed:
        raise GraphQLError(f"Cannot specify {state} as a marketing state input", extensions={"code": "INVALID"})


# applying changes ------------------------------------------------------------------------------------------
def apply(ctx: Context, customer: Record, data: dict[str, Any], changes: dict[str, Any]) -> None:
    customer.update(changes)
    # A new address or number starts out not subscribed; SMS consent also says where it came from.
    if customer.get("email") and not customer.get("emailMarketingConsent"):
        customer["emailMarketingConsent"] = marketing_consent("NOT_SUBSCRIBED")
    if customer.get("phone") and not customer.get("smsMarketingConsent"):
        customer["smsMarketingConsent"] = {**marketing_consent("NOT_SUBSCRIBED"), "consentCollectedFrom": None}
    if data.get("addresses") is not None:
        replace_addresses(ctx, customer, data["addresses"])
    set_metafields(ctx.store, customer, data.get("metafields") or [])
    for name in ("emailMarketingConsent", "smsMarketingConsent"):
        consent = data.get(name)
        if consent is not None:
            when = consent.get("consentUpdatedAt") or ctx.store.clock.now_iso()
            level = consent.get("marketingOptInLevel") or "SINGLE_OPT_IN"
            customer[name] = marketing_consent(consent["marketingState"], when, level)
            if name == "smsMarketingConsent":
                customer[name]["consentCollectedFrom"] = "OTHER"
    ctx.store.touch(customer)


def save(
    ctx: Context, customer: Record | None, data: dict[str, Any], prefix: list[str]
) -> tuple[Record | None, list[dict[str, Any]]]:
    """Validate `data` against `customer` (None: a new one) and write it when nothing is wrong."""
    creating = customer is None
    changes, problems = scalar_changes(ctx, data, customer)
    # Shopify reports only the first kind of nested id it refuses.
    problems += address_problems(data.get("addresses") or [], customer) or metafield_problems(
        data.get("metafields") or [], creating
    )
    metafields = nested_metafield_errors(ctx, "Customer", customer, data.get("metafields") or [], [])
    problems += [(error["field"], error["message"], "INVALID") for error in metafields]
    merged = {**(customer or {}), **changes}
    problems += inline_consent_problems(data, merged, creating)
    if not problems and not has_identity(merged):
        problems.append(([], IDENTITY, "BLANK"))
    if problems:
        return None, [user_error([*prefix, *field] or None, msg, code) for field, msg, code in problems]
    target = customer if customer is not None else new_customer(ctx.store, _metafields=[])
    apply(ctx, target, data, changes)
    if creating:
        ctx.store.put(target)
    return target, []


def payload(customer: Record | None, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"customer": customer, "userErrors": errors}


# mutations ---------------------------------------------------------------------------------------------------
@resolves("Mutation.customerCreate")
def customer_create(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    if input.get("id"):
        return payload(None, [user_error(["id"], "Cannot specify ID on creation")])
    return payload(*save(ctx, None, input, []))


@resolves("Mutation.customerUpdate")
def customer_update(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    customer = find(ctx, input.get("id"), "Customer")
    if customer is None:
        return payload(None, [user_error(["id"], "Customer does not exist")])
    return payload(*save(ctx, customer, input, []))


@resolves("Mutation.customerSet")
def customer_set(
    _root: Any, ctx: Context, input: dict[str, Any], identifier: dict[str, Any] | None = None
) -> dict[str, Any]:
    def refuse(message: str, code: str) -> dict[str, Any]:
        return payload(None, [user_error(["input"], message, code)])

    if "taxExempt" in input and input["taxExempt"] is None:
        return payload(
            None, [user_error(["input", "taxExempt"], "Tax exempt is of unexpected type NilClass", "INVALID")]
        )
    if identifier and input.get("id"):
        return refuse("The id field is not allowed if identifier is provided.", "ID_NOT_ALLOWED")
    identifier = identifier or ({"id": input["id"]} if input.get("id") else {})
    data = {k: v for k, v in input.items() if k != "id"}
    customer: Record | None = None
    if identifier.get("id"):
        customer = find(ctx, identifier["id"], "Customer")
        if customer is None:
            return refuse(NOT_IDENTIFIED, "NOT_FOUND")
    elif identifier.get("customId"):
        custom_id = identifier["customId"]
        customer = by_custom_id(ctx, custom_id)
        key = {"namespace": canonical_namespace(custom_id.get("namespace")), "key": custom_id["key"]}
        data["metafields"] = [*(data.get("metafields") or []), {**key, "value": custom_id["value"], "type": "id"}]
    else:
        for name in ("email", "phone"):
            if name not in identifier:
                continue
            if not input.get(name):
                return refuse("The input field corresponding to the identifier is required.", "MISSING_FIELD_REQUIRED")
            normal = normalize_email if name == "email" else normalize_phone
            wanted, given = normal(identifier[name]), normal(input[name])
            if (wanted or "").lower() != (given or "").lower():
                message = "The identifier value does not match the value of the corresponding field in the input."
                return refuse(message, "INPUT_MISMATCH")
            customer = customer_by(ctx, **{name: wanted})
    return payload(*save(ctx, customer, data, ["input"]))


@resolves("Mutation.customerDelete")
def customer_delete(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    def refused(message: str) -> dict[str, Any]:
        return {"deletedCustomerId": None, "shop": shop(None, ctx), "userErrors": [user_error(["id"], message)]}

    customer = find(ctx, input["id"], "Customer")
    if customer is None:
        return refused("Customer can't be found")
    if customer_orders(customer, ctx):
        return refused("Customer can\u2019t be deleted because they have associated orders")
    ctx.store.table("Customer").delete(customer["_n"])
    ctx.store.record_destroy(customer, display_name(customer))
    return {"deletedCustomerId": customer["id"], "shop": shop(None, ctx), "userErrors": []}


def consent_problems(ctx: Context, consent: dict[str, Any], name: str) -> list[Problem]:
    reject_state(consent["marketingState"], allowed=SUBSCRIBABLE)
    level = consent.get("marketingOptInLevel")
    if level is None:
        return [(["input", name, "marketingOptInLevel"], "Marketing opt in level must exist", "MISSING_ARGUMENT")]
    when = consent.get("consentUpdatedAt")
    if when and datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() > ctx.store.clock.now():
        return [(["input", name, "consentUpdatedAt"], "Consent updated at must not be in the future", "INVALID")]
    if consent["marketingState"] == "PENDING" and level != "CONFIRMED_OPT_IN":
        message = "Marketing opt in level must be confirmed opt-in for pending consent state"
        return [(["input", name, "marketingOptInLevel"], message, "INVALID")]
    return []


@resolves("Mutation.customerEmailMarketingConsentUpdate")
def email_consent_update(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    customer = find(ctx, input["customerId"], "Customer")
    if customer is None:
        return payload(None, [user_error(["input", "customerId"], "Customer not found", "INVALID")])
    problems = consent_problems(ctx, input["emailMarketingConsent"], "emailMarketingConsent")
    if problems:  # Shopify still returns the (unchanged) customer here
        return payload(customer, [user_error(*p) for p in problems])
    if customer.get("email"):  # without an address there is nothing to consent for, and no error either
        apply(ctx, customer, {"emailMarketingConsent": input["emailMarketingConsent"]}, {})
    return payload(customer, [])


@resolves("Mutation.customerSmsMarketingConsentUpdate")
def sms_consent_update(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    customer = find(ctx, input["customerId"], "Customer")
    if customer is None:
        return payload(None, [{"field": None, "message": "Customer not found", "code": None}])
    problems = consent_problems(ctx, input["smsMarketingConsent"], "smsMarketingConsent")
    if not problems and not customer.get("phone"):
        message = "A phone number is required to set the SMS consent state."
        problems = [(["input", "smsMarketingConsent"], message, "INVALID")]
    if problems:
        return payload(None, [user_error(*p) for p in problems])
    apply(ctx, customer, {"smsMarketingConsent": input["smsMarketingConsent"]}, {})
    return payload(customer, [])
