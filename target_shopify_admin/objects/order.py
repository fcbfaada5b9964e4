"""Orders: looked up before anything is created, by id or sourceIdentifier, since orderCreate has no
idempotency key (a retried orderCreate makes a second order). A found order gets orderUpdate with the
fields OrderInput takes, only where they differ; deletion is orderDelete, orderCancel or orderClose.

Search (`source_identifier:`) sees a new order only seconds later, so an order created by sourceIdentifier
also carries it in a metafield of type id of the target's own (the marker), which `orderByIdentifier`
finds at once; search still finds the orders created by other means."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin import ShopifyAdminClient
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.search import quoted
from target_shopify_admin.objects.customer import ADDRESS_SELECTION, ADDRESS_TEXT, address_input
from target_shopify_admin.objects.fields import (
    RecordError,
    money,
    nested,
    object_list,
    text,
    texts_and_tags,
    timestamp,
    wrong,
)
from target_shopify_admin.objects.gateway import CUSTOM_ID_TYPE, USER_ERRORS, InputGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind

UPDATABLE_TEXT = ("email", "phone", "note", "poNumber")  # the text fields of OrderInput
ORDER_SELECTION = f"""
    id name sourceIdentifier closed cancelledAt {" ".join(UPDATABLE_TEXT)} tags customAttributes {{ key value }}
    shippingAddress {{ {ADDRESS_SELECTION} }}
"""
BY_ID = f"""query TargetOrder($id: ID!) {{ order(id: $id) {{ {ORDER_SELECTION} }} }}"""
BY_CUSTOM_ID = f"""query TargetOrderByCustomId($identifier: OrderIdentifierInput!) {{
  orderByIdentifier(identifier: $identifier) {{ {ORDER_SELECTION} }}
}}"""
BY_SOURCE = f"""query TargetOrderBySource($query: String!, $after: String) {{
  orders(first: 10, after: $after, query: $query) {{
    nodes {{ {ORDER_SELECTION} }} {PAGE_INFO}
  }}
}}"""
CUSTOMER_BY_EMAIL = """query TargetOrderCustomer($email: String!) {
  customerByIdentifier(identifier: { emailAddress: $email }) { id }
}"""
CREATE = """mutation TargetOrderCreate($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) { order { id } userErrors { field code message } }
}"""
UPDATE = f"""mutation TargetOrderUpdate($input: OrderInput!) {{
  orderUpdate(input: $input) {{ order {{ id }} {USER_ERRORS} }}
}}"""
DELETE = """mutation TargetOrderDelete($orderId: ID!) {
  orderDelete(orderId: $orderId) { deletedId userErrors { field code message } }
}"""
CANCEL = """mutation TargetOrderCancel($orderId: ID!) {
  orderCancel(orderId: $orderId, reason: OTHER, restock: true, refund: false, notifyCustomer: false) {
    job { id } orderCancelUserErrors { field code message }
  }
}"""
DEFINE_MARKER = """mutation TargetOrderMarkerDefinition($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) { createdDefinition { id } userErrors { field code message } }
}"""
MARKER = ("target_shopify_admin", "source_identifier")  # the marker's namespace and key
CLOSE = f"""mutation TargetOrderClose($input: OrderCloseInput!) {{
  orderClose(input: $input) {{ order {{ id }} {USER_ERRORS} }}
}}"""


class OrderGateway(InputGateway):
    kind = "order"
    set_root = "orderUpdate"
    set_mutation = UPDATE
    lookup_keys: ClassVar = {"id": "id", "source_identifier": "sourceIdentifier"}

    def __init__(self, client: ShopifyAdminClient) -> None:
        super().__init__(client)
        self.customer_ids: dict[str, str] = {}  # email → id of the customers orders named so far
        self.marker_defined: bool | None = None  # whether the marker's definition exists, once checked
        self.marker_lock = threading.Lock()  # records are written from several threads

    @override
    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        """A sourceIdentifier or a custom id can name an order yet to be created; an id names one that exists."""
        if match_on == "custom_id":
            return super().identifiers(match_on, value, custom_id)
        lookup = {self.lookup_keys[match_on]: value}
        return lookup, lookup if match_on == "source_identifier" else {}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        if "id" in identifier:
            found: dict[str, Any] | None = self.client.execute(BY_ID, identifier)["order"]
            return found
        if "customId" in identifier:
            data = self.client.execute(BY_CUSTOM_ID, {"identifier": identifier})
            return data["orderByIdentifier"]
        wanted = identifier["sourceIdentifier"]
        if self.has_marker_definition(create=False):
            marked = self.find({"customId": marker(wanted)})
            if marked is not None:
                return marked
        return self.searched(wanted)

    def searched(self, source_identifier: str) -> dict[str, Any] | None:
        """The order whose sourceIdentifier is exactly `source_identifier`. Search matches loosely (without
        regard to case), so its hits are read page by page until that one."""
        search = {"query": f"source_identifier:{quoted(source_identifier)}"}
        for page in pages(self.client, BY_SOURCE, search, ("orders",)):
            found = next((o for o in page["nodes"] if o.get("sourceIdentifier") == source_identifier), None)
            if found is not None:
                return found
        return None

    def has_marker_definition(self, create: bool) -> bool:
        """Whether the marker's metafield definition exists; `create` makes it where it does not."""
        with self.marker_lock:
            if self.marker_defined is None or (create and not self.marker_defined):
                problem = self.custom_id_problem(MARKER)
                if problem is not None and create:
                    namespace, key = MARKER
                    definition = {"ownerType": "ORDER", "namespace": namespace, "key": key, "name": key}
                    self.mutate(DEFINE_MARKER, {"definition": {**definition, "type": CUSTOM_ID_TYPE}})
                    problem = self.custom_id_problem(MARKER)  # made now, or by another run just before
                    if problem is not None:
                        raise RecordError(problem)
                self.marker_defined = problem is None
            return self.marker_defined

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        if "id" in identifier:
            payload = self.mutate(UPDATE, {"input": {**wanted, "id": identifier["id"]}})["orderUpdate"]
        else:  # created with the metafield it is found by: the custom id, or the marker
            if "sourceIdentifier" in identifier:
                self.has_marker_definition(create=True)
                wanted = {**wanted, "sourceIdentifier": identifier["sourceIdentifier"]}
            unique = identifier.get("customId") or marker(identifier["sourceIdentifier"])
            metafield = {**unique, "type": CUSTOM_ID_TYPE}
            order = {**wanted, "metafields": [*wanted.get("metafields", []), metafield]}
            payload = self.mutate(CREATE, {"order": order})["orderCreate"]
        found = payload.get("order")
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return record.get({"id": "id", "source_identifier": "sourceIdentifier"}[match_on])

    @override
    def related(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """The id of the customer a new order names by email (None where the shop has none)."""
        try:
            email = customer_email(record)
        except RecordError:
            return {}  # the record fails in `to_input`
        if current is not None or email is None:
            return {}
        if email not in self.customer_ids:  # one lookup per customer, however many orders name them
            found = self.client.execute(CUSTOMER_BY_EMAIL, {"email": email})["customerByIdentifier"]
            if found is None:
                return {"customer_id": None}
            self.customer_ids[email] = str(found["id"])
        return {"customer_id": self.customer_ids[email]}

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        wanted = texts_and_tags(record, UPDATABLE_TEXT)
        attributes = object_list(record, "customAttributes")
        if attributes is not None:
            wanted["customAttributes"] = [
                {"key": text(a, "key", f"customAttributes[{i}]."), "value": text(a, "value", f"customAttributes[{i}].")}
                for i, a in enumerate(attributes)
            ]
        if isinstance(record.get("shippingAddress"), dict):
            wanted["shippingAddress"] = address_input(record["shippingAddress"], "shippingAddress.")
        if current is not None:
            return wanted  # an OrderInput: line items, customer and money cannot change after creation
        return wanted | creation_input(record, related)

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        address = current.get("shippingAddress")
        return {
            **{k: current.get(k) for k in (*UPDATABLE_TEXT, "tags", "customAttributes")},
            "shippingAddress": address
            and {**{k: address.get(k) for k in ADDRESS_TEXT}, "countryCode": address.get("countryCodeV2")},
        }

    @override
    def removed(self, current: dict[str, Any], mode: str) -> bool:
        return bool(current.get("cancelledAt")) if mode == "cancel" else mode == "close" and bool(current["closed"])

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        if mode == "cancel":
            payload = self.mutate(CANCEL, {"orderId": current["id"]})["orderCancel"]
            return WriteAnswer(current["id"], payload["orderCancelUserErrors"])
        if mode == "close":
            payload = self.mutate(CLOSE, {"input": {"id": current["id"]}})["orderClose"]
            return WriteAnswer(current["id"], payload["userErrors"])
        payload = self.mutate(DELETE, {"orderId": current["id"]})["orderDelete"]
        return WriteAnswer(payload["deletedId"], payload["userErrors"])


def creation_input(record: dict[str, Any], related: dict[str, Any]) -> dict[str, Any]:
    """What only creating an order sets (orderCreate): billing address, customer, lines, money."""
    wanted: dict[str, Any] = {}
    if isinstance(record.get("billingAddress"), dict):
        wanted["billingAddress"] = address_input(record["billingAddress"], "billingAddress.")
    customer = customer_id(record, related)
    if customer is not None:
        wanted["customer"] = {"toAssociate": {"id": customer}}
    for name in ("sourceName", "currency"):
        if record.get(name) is not None:
            wanted[name] = text(record, name)
    if record.get("processedAt") is not None:
        wanted["processedAt"] = timestamp(record, "processedAt")
    lines = connection(record, "lineItems")
    if not lines:
        raise RecordError("lineItems is required to create an order")
    currency = text(record, "currencyCode") or "USD"
    wanted["lineItems"] = [line_input(line, f"lineItems[{i}].", currency) for i, line in enumerate(lines)]
    return wanted


def customer_email(record: dict[str, Any]) -> str | None:
    """The email an order names its customer by, where it gives no id."""
    return nested(record, "customer", "email") if nested(record, "customer", "id") is None else None


def customer_id(record: dict[str, Any], related: dict[str, Any]) -> str | None:
    """The order's customer: by id (within one shop), else by email, so that an order read from one shop
    finds its customer in another; that customer is written first when it comes in the same run."""
    email = customer_email(record)
    if email is None:
        return nested(record, "customer", "id")
    if related.get("customer_id") is None:
        raise RecordError(f"customer.email {email!r}: no such customer; write the customer first")
    return str(related["customer_id"])


def marker(source_identifier: str) -> dict[str, str]:
    """The custom id that the target's marker metafield gives an order it created by sourceIdentifier."""
    namespace, key = MARKER
    return {"namespace": namespace, "key": key, "value": source_identifier}


def connection(record: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    """A list of objects, as the tap emits nested connections, or still in its `{nodes: […]}` shape."""
    value = record.get(name)
    return object_list({name: value["nodes"]}, name) if isinstance(value, dict) else object_list(record, name)


def line_input(line: dict[str, Any], where: str, currency: str) -> dict[str, Any]:
    """An OrderCreateLineItemInput: the variant (Shopify fills in title and price), or a custom line by
    title and price; the original unit price is kept either way."""
    quantity = line.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise wrong(f"{where}quantity", "a positive whole number", quantity)
    wanted: dict[str, Any] = {"quantity": quantity}
    variant = nested(line, "variant", "id") if "variant" in line else text(line, "variantId", where)
    if variant is not None:
        wanted["variantId"] = variant
    elif not text(line, "title", where):
        raise RecordError(f"{where}variant.id or title is required")
    for name in ("title", "variantTitle", "sku", "vendor"):
        if line.get(name) is not None:
            wanted[name] = text(line, name, where)
    for name in ("requiresShipping", "taxable"):
        if isinstance(line.get(name), bool):
            wanted[name] = line[name]
    price = nested(line, "originalUnitPriceSet", "shopMoney") or {}
    amount = money(price, "amount", f"{where}originalUnitPriceSet.shopMoney.")
    if amount is None and "price" in line:
        amount = money(line, "price", where)
    if amount is not None:
        shop_money = {"amount": amount, "currencyCode": price.get("currencyCode") or currency}
        wanted["priceSet"] = {"shopMoney": shop_money}
    elif variant is None:
        raise RecordError(f"{where}originalUnitPriceSet or price is required for a line without a variant")
    return wanted


KIND = ObjectKind(
    name="order",
    stream="orders",
    match_keys=("id", "source_identifier", "custom_id"),
    delete_modes=("delete", "cancel", "close"),
    rank=1,  # names customers and products
    gateway=OrderGateway,
    summary="orderCreate creates (marked by source identifier), orderUpdate updates; deleted, cancelled or closed",
)
