"""Fulfillments: fulfillmentCreate from the order's open fulfillment orders (every remaining line, or the
lines and quantities the record names), fulfillmentTrackingInfoUpdate when an existing fulfillment's
tracking differs, fulfillmentCancel to delete. What is already fulfilled is never fulfilled again: a
record whose lines an existing fulfillment already holds, or whose order has nothing left, is unchanged."""

from __future__ import annotations

from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.paging import PAGE_INFO, pages
from target_shopify_admin.objects.fields import RecordError, object_list, text
from target_shopify_admin.objects.gateway import USER_ERRORS, ObjectGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.objects.order import connection
from target_shopify_admin.pipeline.outcomes import Outcome

FULFILLABLE = ("OPEN", "IN_PROGRESS")
# page sizes that keep a lookup under the 1,000-point query cost limit; further pages are read after it
PAGE_SIZES = {"fulfillmentOrders": 5, "lineItems": 25, "fulfillmentLineItems": 25}
FULFILLMENT_LINES = f"nodes {{ quantity lineItem {{ id }} }} {PAGE_INFO}"
FULFILLMENT_ORDER_LINES = f"nodes {{ id remainingQuantity lineItem {{ id }} }} {PAGE_INFO}"
FULFILLMENT_ORDERS = f"""nodes {{
  id status lineItems(first: {PAGE_SIZES["lineItems"]}) {{ {FULFILLMENT_ORDER_LINES} }}
}} {PAGE_INFO}"""
FULFILLMENT_SELECTION = f"""id status trackingInfo {{ company number url }}
  fulfillmentLineItems(first: {PAGE_SIZES["fulfillmentLineItems"]}) {{ {FULFILLMENT_LINES} }}"""
ORDER_STATE = f"""
    id fulfillments(first: 10) {{ {FULFILLMENT_SELECTION} }}
    fulfillmentOrders(first: {PAGE_SIZES["fulfillmentOrders"]}) {{ {FULFILLMENT_ORDERS} }}
"""
NEXT_PAGE = """query TargetFulfillmentNext{name}($id: ID!, $after: String) {{
  {owner}(id: $id) {{ {field}(first: {size}, after: $after) {{ {selection} }} }}
}}"""
CONNECTIONS = {  # connection → the query field of its owner, and the selection of its page
    "fulfillmentOrders": ("order", FULFILLMENT_ORDERS),
    "lineItems": ("fulfillmentOrder", FULFILLMENT_ORDER_LINES),
    "fulfillmentLineItems": ("fulfillment", FULFILLMENT_LINES),
}
BY_ID = f"""query TargetFulfillment($id: ID!) {{
  fulfillment(id: $id) {{ {FULFILLMENT_SELECTION} order {{ {ORDER_STATE} }} }}
}}"""
ORDER = f"""query TargetFulfillmentOrder($id: ID!) {{ order(id: $id) {{ {ORDER_STATE} }} }}"""
CREATE = f"""mutation TargetFulfillmentCreate($fulfillment: FulfillmentInput!) {{
  fulfillmentCreate(fulfillment: $fulfillment) {{ fulfillment {{ id }} {USER_ERRORS} }}
}}"""
TRACKING = f"""mutation TargetFulfillmentTracking($id: ID!, $tracking: FulfillmentTrackingInput!) {{
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: false) {{
    fulfillment {{ id }} {USER_ERRORS}
  }}
}}"""
CANCEL = f"""mutation TargetFulfillmentCancel($id: ID!) {{
  fulfillmentCancel(id: $id) {{ fulfillment {{ id }} {USER_ERRORS} }}
}}"""


class FulfillmentGateway(ObjectGateway):
    """`current` is the order's fulfillment state, with the fulfillment the record names (by id) if any;
    the input is `{fulfillment: FulfillmentInput}` to create or `{id, tracking}` to retrack, or empty."""

    kind = "fulfillment"
    lookup_keys: ClassVar = {"id": "id", "order": "orderId"}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        if "orderId" in identifier:
            order = self.client.execute(ORDER, {"id": identifier["orderId"]})["order"]
            return {"id": order["id"], "order": self.read_all(order), "fulfillment": None} if order else None
        found = self.client.execute(BY_ID, identifier)["fulfillment"]
        if found is None:
            return None
        order = self.read_all(found.pop("order"))
        self.read_rest(found, "fulfillmentLineItems")
        return {"id": found["id"], "order": order, "fulfillment": found}

    def read_all(self, order: dict[str, Any]) -> dict[str, Any]:
        """The order with every page of its fulfillment orders, their lines, and its fulfillments' lines."""
        self.read_rest(order, "fulfillmentOrders")
        for fulfillment_order in order["fulfillmentOrders"]["nodes"]:
            self.read_rest(fulfillment_order, "lineItems")
        for fulfillment in order["fulfillments"]:
            self.read_rest(fulfillment, "fulfillmentLineItems")
        return order

    def read_rest(self, owner: dict[str, Any], field: str) -> None:
        """Add the pages after the first of `owner[field]` to its nodes."""
        first = owner[field]
        if not first["pageInfo"]["hasNextPage"]:
            return
        root, selection = CONNECTIONS[field]
        name = field[0].upper() + field[1:]
        document = NEXT_PAGE.format(name=name, owner=root, field=field, size=PAGE_SIZES[field], selection=selection)
        after = {"id": owner["id"], "after": first["pageInfo"]["endCursor"]}
        for page in pages(self.client, document, after, (root, field)):
            first["nodes"] += page["nodes"]

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return record.get({"id": "id", "order": "orderId"}[match_on])

    @override
    def serial_key(self, record: dict[str, Any], key: str) -> str:
        """Fulfillments of one order take from the same remaining quantities: they go one at a time."""
        order_id = record.get("orderId")
        return f"order {order_id}" if isinstance(order_id, str) and order_id else key

    @override
    def related(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """Matched on an id this shop does not have: the record's order, to fulfil on."""
        try:
            order_id = text(record, "orderId")
        except RecordError:
            return {}  # the record fails in `to_input`
        if current is not None or not order_id:
            return {}
        return {"order": self.find({"orderId": order_id})}

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        if current is None:
            order_id = text(record, "orderId")
            if not order_id:
                raise RecordError("orderId is required to create a fulfillment")
            current = related.get("order")
            if current is None:
                raise RecordError(f"no order {order_id!r} to fulfil")
        order = current["order"]
        lines = requested_lines(record)
        existing = current["fulfillment"] or next(
            (f for f in order["fulfillments"] if lines and f["status"] == "SUCCESS" and lines_of(f) == lines), None
        )
        tracking = tracking_input(record)
        if existing is not None:
            if tracking is None or same_tracking(tracking, existing["trackingInfo"]):
                return {}
            return {"id": existing["id"], "tracking": tracking}
        groups = allocate(order, lines)
        if not groups:
            return {}  # nothing left to fulfil: done before
        fulfillment: dict[str, Any] = {"lineItemsByFulfillmentOrder": groups, "notifyCustomer": False}
        if tracking is not None:
            fulfillment["trackingInfo"] = tracking
        return {"fulfillment": fulfillment}

    @override
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        return Outcome.UPDATED if "tracking" in wanted else Outcome.CREATED if wanted else Outcome.UNCHANGED

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        if "tracking" in wanted:
            variables = {"id": wanted["id"], "tracking": wanted["tracking"]}
            payload = self.mutate(TRACKING, variables)["fulfillmentTrackingInfoUpdate"]
        else:
            payload = self.mutate(CREATE, wanted)["fulfillmentCreate"]
        found = payload.get("fulfillment")
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def removed(self, current: dict[str, Any], mode: str) -> bool:
        if current["fulfillment"] is None:
            raise RecordError("deleting a fulfillment needs match_on: id (an order may hold several)")
        return bool(current["fulfillment"]["status"] == "CANCELLED")

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        payload = self.mutate(CANCEL, {"id": current["id"]})["fulfillmentCancel"]
        return WriteAnswer(current["id"], payload["userErrors"])


def requested_lines(record: dict[str, Any]) -> dict[str, int]:
    """The record's {line item id: quantity}; empty asks for every remaining line."""
    wanted: dict[str, int] = {}
    for i, row in enumerate(connection(record, "fulfillmentLineItems") or []):
        where = f"fulfillmentLineItems[{i}]."
        line = row.get("lineItem")
        line_id = line.get("id") if isinstance(line, dict) else None
        quantity = row.get("quantity")
        if not isinstance(line_id, str) or not isinstance(quantity, int) or isinstance(quantity, bool):
            raise RecordError(f"{where}lineItem.id (a string) and quantity (an integer) are required")
        wanted[line_id] = wanted.get(line_id, 0) + quantity
    return wanted


def lines_of(fulfillment: dict[str, Any]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for row in fulfillment["fulfillmentLineItems"]["nodes"]:
        lines[row["lineItem"]["id"]] = lines.get(row["lineItem"]["id"], 0) + row["quantity"]
    return lines


def allocate(order: dict[str, Any], lines: dict[str, int]) -> list[dict[str, Any]]:
    """FulfillmentOrderLineItemsInput groups taking the requested quantities (or all) from what remains."""
    known = {row["lineItem"]["id"] for fo in order["fulfillmentOrders"]["nodes"] for row in fo["lineItems"]["nodes"]}
    unknown = sorted(set(lines) - known)
    if unknown:
        raise RecordError(f"line items {', '.join(unknown)} are not on order {order['id']}")
    left = dict(lines)
    groups = []
    for fo in order["fulfillmentOrders"]["nodes"]:
        if fo["status"] not in FULFILLABLE:
            continue
        rows = []
        for row in fo["lineItems"]["nodes"]:
            line_id = row["lineItem"]["id"]
            quantity = min(row["remainingQuantity"], left.get(line_id, 0) if lines else row["remainingQuantity"])
            if quantity > 0:
                rows.append({"id": row["id"], "quantity": quantity})
                if lines:
                    left[line_id] -= quantity
        if rows:
            groups.append({"fulfillmentOrderId": fo["id"], "fulfillmentOrderLineItems": rows})
    return groups


def tracking_input(record: dict[str, Any]) -> dict[str, Any] | None:
    """A FulfillmentTrackingInput from the tap's `trackingInfo: [{company number url}]`."""
    rows = object_list(record, "trackingInfo")
    if rows is None:
        return None
    where = "trackingInfo."
    companies = {text(r, "company", where) for r in rows} - {None}
    return {
        "company": next(iter(companies), None),
        "numbers": [text(r, "number", where) for r in rows if r.get("number")],
        "urls": [text(r, "url", where) for r in rows if r.get("url")],
    }


def same_tracking(wanted: dict[str, Any], current: list[dict[str, Any]]) -> bool:
    return (
        {r.get("company") for r in current} - {None} == {wanted["company"]} - {None}
        and [r["number"] for r in current if r.get("number")] == wanted["numbers"]
        and [r["url"] for r in current if r.get("url")] == wanted["urls"]
    )


KIND = ObjectKind(
    name="fulfillment",
    stream="fulfillments",
    match_keys=("id", "order"),
    rank=2,  # names an order
    gateway=FulfillmentGateway,
    summary="fulfillmentCreate fulfils an order's lines, tracking updated; a delete cancels it (fulfillmentCancel)",
)
