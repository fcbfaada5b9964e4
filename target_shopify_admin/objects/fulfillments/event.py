"""Fulfillment events (a carrier's scans): fulfillmentEventCreate on the fulfillment the record names.
Shopify keeps no key of ours on an event, and an event never changes: an event is the record's when the
fulfillment already holds one of the same status that happened at the same second, so a re-run, or a
write whose answer was lost, adds nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.schema import admin_schema
from target_shopify_admin.objects.fields import RecordError, text, timestamp, without_nulls, wrong
from target_shopify_admin.objects.gateway import USER_ERRORS, ObjectGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.pipeline.outcomes import Outcome

EVENTS = f"""query TargetFulfillmentEvents($id: ID!, $after: String) {{
  fulfillment(id: $id) {{ id events(first: 250, after: $after) {{ nodes {{ status happenedAt }} {PAGE_INFO} }} }}
}}"""
CREATE = f"""mutation TargetFulfillmentEventCreate($event: FulfillmentEventInput!) {{
  fulfillmentEventCreate(fulfillmentEvent: $event) {{ fulfillmentEvent {{ id }} {USER_ERRORS} }}
}}"""
TEXTS = ("message", "city", "province", "country", "zip", "address1")


@cache
def event_statuses() -> tuple[str, ...]:
    return tuple(admin_schema().get_type("FulfillmentEventStatus").values)  # type: ignore[union-attr]


class FulfillmentEventGateway(ObjectGateway):
    """`current` is the fulfillment with the (status, happenedAt) of each of its events; the input is
    `{event: FulfillmentEventInput}`, or empty when the fulfillment holds the event already."""

    kind = "fulfillment event"
    lookup_keys: ClassVar = {"fulfillment": "id"}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        events: list[tuple[str, datetime]] = []
        found = None
        for page in pages(self.client, EVENTS, identifier, ("fulfillment", "events")):
            events += [(e["status"], second(e["happenedAt"])) for e in page["nodes"]]
            found = identifier["id"]
        return {"id": found, "events": events} if found else None

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        return record.get("fulfillmentId")

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        if current is None:
            raise RecordError(f"no fulfillment {record.get('fulfillmentId')!r} to add the event to")
        status = text(record, "status")
        if status not in event_statuses():
            raise wrong("status", f"one of {', '.join(event_statuses())}", status)
        happened = timestamp(record, "happenedAt")
        if happened is None:
            raise RecordError("happenedAt is required: with the status, it tells an event already sent from a new one")
        if (status, second(happened)) in current["events"]:
            return {}
        event = {"fulfillmentId": current["id"], "status": status, "happenedAt": happened}
        event |= without_nulls({name: text(record, name) for name in TEXTS})
        event |= without_nulls({"estimatedDeliveryAt": timestamp(record, "estimatedDeliveryAt")})
        event |= without_nulls({name: coordinate(record, name) for name in ("latitude", "longitude")})
        return {"event": event}

    @override
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        return Outcome.CREATED if wanted else Outcome.UNCHANGED

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        payload = self.mutate(CREATE, wanted)["fulfillmentEventCreate"]
        found = payload.get("fulfillmentEvent")
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def removed(self, current: dict[str, Any], mode: str) -> bool:
        raise RecordError("Shopify deletes no fulfillment event")

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        raise AssertionError("unreachable: `removed` refuses every delete")


def second(moment: str) -> datetime:
    """A time to the second, as Shopify keeps an event's."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).replace(microsecond=0)


def coordinate(record: dict[str, Any], name: str) -> float | None:
    """A number, as the SDK reads one from JSON (a Decimal) or a tap may send it."""
    value = record.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | Decimal)):
        raise wrong(name, "a number", value)
    return None if value is None else float(value)


KIND = ObjectKind(
    name="fulfillment_event",
    match_keys=("fulfillment",),
    rank=3,  # names a fulfillment
    gateway=FulfillmentEventGateway,
    summary="fulfillmentEventCreate adds a carrier's event to a fulfillment, once; deletes are refused",
)
