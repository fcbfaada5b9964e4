"""Customers: customerSet upserts by id, email, phone or a custom id; customerDelete deletes."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from target_shopify_admin.objects.fields import (
    RecordError,
    flag,
    nested,
    object_list,
    text,
    texts_and_tags,
    without_nulls,
)
from target_shopify_admin.objects.gateway import (
    USER_ERRORS,
    IdentifiedGateway,
    WriteAnswer,
    changed_metafields,
    is_held,
)
from target_shopify_admin.objects.kind import ObjectKind

ADDRESS_TEXT = ("address1", "address2", "city", "company", "firstName", "lastName", "phone", "provinceCode", "zip")
ADDRESS_SELECTION = " ".join((*ADDRESS_TEXT, "countryCodeV2"))
CUSTOMER_SELECTION = f"""
    id firstName lastName note locale tags taxExempt
    defaultEmailAddress {{ emailAddress }} defaultPhoneNumber {{ phoneNumber }}
    addresses {{ {ADDRESS_SELECTION} }}
    emailMarketingConsent {{ marketingState marketingOptInLevel }}
    smsMarketingConsent {{ marketingState marketingOptInLevel }}
"""
# Consent is written after the customerSet, by its own mutation; NOT_SUBSCRIBED, INVALID and REDACTED
# cannot be set that way, so a record in one of those states leaves the shop's consent as it is.
SETTABLE_STATES = ("SUBSCRIBED", "PENDING", "UNSUBSCRIBED")
CONSENTS = {  # customer field → (tap record field, mutation)
    "emailMarketingConsent": ("defaultEmailAddress", "customerEmailMarketingConsentUpdate"),
    "smsMarketingConsent": ("smsMarketingConsent", "customerSmsMarketingConsentUpdate"),
}
CONSENT_MUTATION = """mutation TargetCustomer{Kind}($input: Customer{Kind}UpdateInput!) {{
  {root}(input: $input) {{ userErrors {{ field code message }} }}
}}"""
DELETE = f"""mutation TargetCustomerDelete($input: CustomerDeleteInput!) {{
  customerDelete(input: $input) {{ deletedCustomerId {USER_ERRORS} }}
}}"""


class CustomerGateway(IdentifiedGateway):
    kind = "customer"
    typename = "Customer"
    selection = CUSTOMER_SELECTION
    export_selection = CUSTOMER_SELECTION  # no connection in it
    count_roots = ("customersCount",)
    set_root = "customerSet"
    set_mutation = """mutation TargetCustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
      customerSet(input: $input, identifier: $identifier) { customer { id } userErrors { field code message } }
    }"""
    lookup_keys: ClassVar = {"id": "id", "email": "emailAddress", "phone": "phoneNumber"}
    set_keys: ClassVar = {"id": "id", "email": "email", "phone": "phone"}

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return {"id": record.get("id"), "email": email(record), "phone": phone(record)}[match_on]

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = texts_and_tags(record, ("firstName", "lastName", "note", "locale"))
        wanted.update(without_nulls({"email": email(record), "phone": phone(record)}))
        if record.get("taxExempt") is not None:  # Shopify refuses a null taxExempt
            wanted["taxExempt"] = flag(record, "taxExempt")
        addresses = object_list(record, "addresses")
        if addresses is None and record.get("defaultAddress") is not None:
            addresses = object_list({"defaultAddress": [record["defaultAddress"]]}, "defaultAddress")
        if addresses is not None:
            wanted["addresses"] = [address_input(a, f"addresses[{i}].") for i, a in enumerate(addresses)]
        for name, (field, _) in CONSENTS.items():
            consent = marketing_consent(record, field)
            if consent is not None and not is_held(consent, (current or {}).get(name) or {}):
                wanted[name] = consent  # only where it differs from the shop's: written after the customerSet
        metafields = changed_metafields(record, current, related)
        if metafields:
            wanted["metafields"] = metafields
        return wanted

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        consents = {name: wanted[name] for name in CONSENTS if name in wanted}
        fields = {k: v for k, v in wanted.items() if k not in CONSENTS}
        written = super().write(fields, identifier)
        if written.user_errors or not consents:
            return written
        assert written.shopify_id is not None
        for name, consent in consents.items():
            root = CONSENTS[name][1]
            kind = root.removeprefix("customer").removesuffix("Update")
            document = CONSENT_MUTATION.format(Kind=kind, root=root)
            consent = {"marketingOptInLevel": "SINGLE_OPT_IN", **consent}  # the mutation requires a level
            variables = {"input": {"customerId": written.shopify_id, name: consent}}
            errors = self.mutate(document, variables)[root]["userErrors"]
            if errors:
                return WriteAnswer(written.shopify_id, errors)
        return written

    @override
    def bulk_ready(self, wanted: dict[str, Any]) -> bool:
        return super().bulk_ready(wanted) and not any(name in wanted for name in CONSENTS)  # own mutations

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        return {
            **{k: current.get(k) for k in ("firstName", "lastName", "note", "locale", "tags", "taxExempt")},
            "email": (current.get("defaultEmailAddress") or {}).get("emailAddress"),
            "phone": (current.get("defaultPhoneNumber") or {}).get("phoneNumber"),
            "addresses": [
                {**{k: a.get(k) for k in ADDRESS_TEXT}, "countryCode": a.get("countryCodeV2")}
                for a in current.get("addresses") or []
            ],
            **{name: current.get(name) for name in CONSENTS},
        }

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        payload = self.mutate(DELETE, {"input": {"id": current["id"]}})["customerDelete"]
        return WriteAnswer(payload["deletedCustomerId"], payload["userErrors"])


def marketing_consent(record: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The consent a tap-shaped record asks for (`marketingState`, `marketingOptInLevel` under `field`),
    as the consent-update input, or None where there is none that can be set."""
    holder = record.get(field)
    if not isinstance(holder, dict):
        return None
    where = f"{field}."
    state = text(holder, "marketingState", where)
    if state not in SETTABLE_STATES:
        return None
    level = text(holder, "marketingOptInLevel", where)
    return {"marketingState": state, **({"marketingOptInLevel": level} if level else {})}


def email(record: dict[str, Any]) -> str | None:
    return text(record, "email") if "email" in record else nested(record, "defaultEmailAddress", "emailAddress")


def phone(record: dict[str, Any]) -> str | None:
    return text(record, "phone") if "phone" in record else nested(record, "defaultPhoneNumber", "phoneNumber")


def address_input(address: dict[str, Any], where: str) -> dict[str, Any]:
    """A MailingAddressInput without the address id: ids of another shop (or of a replaced list) do not apply."""
    wanted = {name: text(address, name, where) for name in ADDRESS_TEXT if name in address}
    country = text(address, "countryCodeV2", where) or text(address, "countryCode", where)
    if country is not None:
        wanted["countryCode"] = country
    elif address.get("country") is not None:
        raise RecordError(f"{where}countryCodeV2 is required: Shopify takes a country code, not {address['country']!r}")
    return wanted


KIND = ObjectKind(
    name="customer",
    stream="customers",
    match_keys=("id", "email", "phone", "custom_id"),
    gateway=CustomerGateway,
    summary="customerSet upserts, customerDelete deletes",
)
