"""Customers: customerSet upserts by id, email, phone or a custom id; customerDelete deletes."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from .fields import RecordError, flag, nested, objects, strings, text
from .objects import MUTATION_COST, USER_ERRORS, ShopifyObject, Written

ADDRESS_TEXT = ("address1", "address2", "city", "company", "firstName", "lastName", "phone", "provinceCode", "zip")
ADDRESS_SELECTION = " ".join((*ADDRESS_TEXT, "countryCodeV2"))
CUSTOMER_SELECTION = f"""
    id firstName lastName note locale tags taxExempt
    defaultEmailAddress {{ emailAddress }} defaultPhoneNumber {{ phoneNumber }}
    addresses {{ {ADDRESS_SELECTION} }}
"""
DELETE = f"""mutation TargetCustomerDelete($input: CustomerDeleteInput!) {{
  customerDelete(input: $input) {{ deletedCustomerId {USER_ERRORS} }}
}}"""


class Customers(ShopifyObject):
    kind = "customer"
    lookup_root = "customerByIdentifier"
    lookup_query = f"""query TargetCustomer($identifier: CustomerIdentifierInput!) {{
      customerByIdentifier(identifier: $identifier) {{ {CUSTOMER_SELECTION} }}
    }}"""
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
    def to_input(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        if "email" in record or "defaultEmailAddress" in record:
            wanted["email"] = email(record)
        if "phone" in record or "defaultPhoneNumber" in record:
            wanted["phone"] = phone(record)
        for name in ("firstName", "lastName", "note", "locale"):
            if name in record:
                wanted[name] = text(record, name)
        if "tags" in record:
            wanted["tags"] = strings(record, "tags") or []
        if record.get("taxExempt") is not None:  # Shopify refuses a null taxExempt
            wanted["taxExempt"] = flag(record, "taxExempt")
        addresses = objects(record, "addresses")
        if addresses is None and record.get("defaultAddress") is not None:
            addresses = objects({"defaultAddress": [record["defaultAddress"]]}, "defaultAddress")
        if addresses is not None:
            wanted["addresses"] = [address_input(a, f"addresses[{i}].") for i, a in enumerate(addresses)]
        return wanted

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
        }

    @override
    def delete(self, current: dict[str, Any], mode: str) -> Written:
        payload = self.client.execute(DELETE, {"input": {"id": current["id"]}}, MUTATION_COST)["customerDelete"]
        return Written(payload["deletedCustomerId"], payload["userErrors"])


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
