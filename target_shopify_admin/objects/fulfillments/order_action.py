"""Fulfillment-order actions: each record is one action (`action`) on the fulfillment order it names
(`fulfillmentOrderId`). An action is sent only while its effect is not yet visible on the fulfillment order,
so a re-run, or a write whose answer was lost and is looked up again, does it once:

- hold: a hold with the record's `handle` is on the order (Shopify keeps the handle, one per order);
- release_hold: no hold with the record's `handle` (none given: no hold at all) is left;
- move: the order is assigned to `newLocationId`;
- cancel: the order is closed with no lines left (what cancelling leaves);
- open: the order is OPEN;
- reschedule: the order's fulfillAt is the record's `fulfillAt`;
- report_progress: progress is reported (Shopify offers MARK_AS_OPEN);
- close: the order is CLOSED.

Shopify's refusals (an order that cannot be held, moved, opened, …) fail the record with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.schema import admin_schema
from target_shopify_admin.objects.fields import RecordError, text, timestamp, without_nulls
from target_shopify_admin.objects.fulfillments.event import second
from target_shopify_admin.objects.gateway import USER_ERRORS, ObjectGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.outcomes import Outcome

LOOKUP = """query TargetFulfillmentOrderState($id: ID!) {
  fulfillmentOrder(id: $id) {
    id status fulfillAt assignedLocation { location { id } } supportedActions { action }
    fulfillmentHolds { id handle } lineItems(first: 1) { nodes { id } }
  }
}"""


ARGUMENTS = {  # action → its mutation's root and arguments
    "hold": ("fulfillmentOrderHold", {"id": "ID!", "fulfillmentHold": "FulfillmentOrderHoldInput!"}),
    "release_hold": ("fulfillmentOrderReleaseHold", {"id": "ID!", "holdIds": "[ID!]"}),
    "move": ("fulfillmentOrderMove", {"id": "ID!", "newLocationId": "ID!"}),
    "cancel": ("fulfillmentOrderCancel", {"id": "ID!"}),
    "open": ("fulfillmentOrderOpen", {"id": "ID!"}),
    "reschedule": ("fulfillmentOrderReschedule", {"id": "ID!", "fulfillAt": "DateTime!"}),
    "report_progress": (
        "fulfillmentOrderReportProgress",
        {"id": "ID!", "progressReport": "FulfillmentOrderReportProgressInput"},
    ),
    "close": ("fulfillmentOrderClose", {"id": "ID!", "message": "String"}),
}


def mutation(root: str, arguments: dict[str, str]) -> str:
    declared = ", ".join(f"${name}: {kind}" for name, kind in arguments.items())
    passed = ", ".join(f"{name}: ${name}" for name in arguments)
    selection = "movedFulfillmentOrder { id }" if root == "fulfillmentOrderMove" else "fulfillmentOrder { id }"
    operation = "Target" + root[0].upper() + root[1:]
    return f"mutation {operation}({declared}) {{ {root}({passed}) {{ {selection} {USER_ERRORS} }} }}"


MUTATIONS = {action: (root, mutation(root, arguments)) for action, (root, arguments) in ARGUMENTS.items()}


def hold_reasons() -> tuple[str, ...]:
    return tuple(admin_schema().get_type("FulfillmentHoldReason").values)  # type: ignore[union-attr]


def _hold(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    handle = text(record, "handle")
    if not handle:
        raise RecordError("handle is required to hold: Shopify keeps it on the hold, so a re-run finds it")
    reason = text(record, "reason") or "OTHER"
    if reason not in hold_reasons():
        raise RecordError(f"reason must be one of {', '.join(hold_reasons())}, not {reason!r}")
    if any(hold["handle"] == handle for hold in current["fulfillmentHolds"]):
        return None
    hold = {"reason": reason, "handle": handle, "notifyMerchant": False}
    return {"fulfillmentHold": hold | without_nulls({"reasonNotes": text(record, "reasonNotes")})}


def _release_hold(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    handle = text(record, "handle")
    holds = [hold["id"] for hold in current["fulfillmentHolds"] if handle is None or hold["handle"] == handle]
    if not holds:
        return None
    return {"holdIds": holds} if handle is not None else {}


def _move(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    location = text(record, "newLocationId")
    if not location:
        raise RecordError("newLocationId is required to move a fulfillment order")
    assigned = (current["assignedLocation"] or {}).get("location") or {}
    return None if assigned.get("id") == location else {"newLocationId": location}


def _cancel(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    cancelled = current["status"] == "CANCELLED" or (
        current["status"] == "CLOSED" and not current["lineItems"]["nodes"]
    )
    return None if cancelled else {}


def _reschedule(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    fulfill_at = timestamp(record, "fulfillAt")
    if fulfill_at is None:
        raise RecordError("fulfillAt is required to reschedule a fulfillment order")
    same = current["fulfillAt"] is not None and second(current["fulfillAt"]) == second(fulfill_at)
    return None if same else {"fulfillAt": fulfill_at}


def _report_progress(record: dict[str, Any], current: dict[str, Any]) -> dict[str, Any] | None:
    reported = current["status"] == "IN_PROGRESS" and {"action": "MARK_AS_OPEN"} in current["supportedActions"]
    if reported:
        return None
    return {"progressReport": without_nulls({"reasonNotes": text(record, "reasonNotes")})}


def _in_status(status: str, arguments: Callable[[dict[str, Any]], dict[str, Any]]) -> Planned:
    return lambda record, current: None if current["status"] == status else arguments(record)


Planned = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]
PLANS: dict[str, Planned] = {  # action → its arguments besides `id`, None when its effect is already there
    "hold": _hold,
    "release_hold": _release_hold,
    "move": _move,
    "cancel": _cancel,
    "open": _in_status("OPEN", lambda record: {}),
    "reschedule": _reschedule,
    "report_progress": _report_progress,
    "close": _in_status("CLOSED", lambda record: without_nulls({"message": text(record, "message")})),
}


class FulfillmentOrderActionGateway(ObjectGateway):
    """`current` is the fulfillment order's state; the input is `{action, variables}`, or empty when the
    action's effect is already there."""

    kind = "fulfillment order"
    lookup_keys: ClassVar = {"fulfillment_order": "id"}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.client.execute(LOOKUP, identifier)["fulfillmentOrder"]
        return found

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return record.get("fulfillmentOrderId")

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        action = text(record, "action")
        if action not in PLANS:
            raise RecordError(f"action must be one of {', '.join(PLANS)}, not {action!r}")
        if current is None:
            raise RecordError(f"no fulfillment order {record.get('fulfillmentOrderId')!r} to {action}")
        arguments = PLANS[action](record, current)
        return {} if arguments is None else {"action": action, "variables": {"id": current["id"], **arguments}}

    @override
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        return Outcome.UPDATED if wanted else Outcome.UNCHANGED

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        root, document = MUTATIONS[wanted["action"]]
        payload = self.mutate(document, wanted["variables"])[root]
        return WriteAnswer(wanted["variables"]["id"], payload["userErrors"])

    @override
    def removed(self, current: dict[str, Any], mode: str) -> bool:
        raise RecordError("a fulfillment-order action is not deleted: send the action that undoes it")

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        raise AssertionError("unreachable: `removed` refuses every delete")


KIND = ObjectKind(
    name="fulfillment_order_action",
    match_keys=("fulfillment_order",),
    rank=3,  # names a fulfillment order, which orders and fulfillments change
    gateway=FulfillmentOrderActionGateway,
    summary=f"one action ({' / '.join(PLANS)}) on a fulfillment order, sent while its effect is not there",
)
