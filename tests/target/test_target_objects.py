"""The target's shape, without a shop: each object declared once in its module (and everything the
pipeline knows of it derived from that), a dry run decided in one place, and the one re-check after a
lost answer."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, cast

import pytest

from shopify_admin import AnswerLostError, ConfigurationError, ShopifyAdminClient
from target_shopify_admin.objects import object_kinds
from target_shopify_admin.objects.discounts.discount_input import code_fields, combines_with, discount_value
from target_shopify_admin.objects.fields import RecordError, text
from target_shopify_admin.objects.fulfillments.event import coordinate
from target_shopify_admin.objects.gateway import InputGateway
from target_shopify_admin.pipeline.context import WriteContext, WriteOptions
from target_shopify_admin.pipeline.drain_order import rank
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan
from target_shopify_admin.pipeline.settings import StreamSettings, streams_setting

OBJECTS = {
    "customer", "product", "order", "fulfillment", "fulfillment_event", "fulfillment_order_action",
    "discount", "discount_code", "inventory_item", "inventory_level", "collection", "collection_product", "metafield",
}  # fmt: skip


def test_every_object_module_declares_its_object_and_is_found_without_a_registry() -> None:
    kinds = object_kinds()
    assert set(kinds) == OBJECTS
    assert all((kind.gateway is None) != (kind.rows is None) for kind in kinds.values())  # one way to write
    assert {kind.stream: name for name, kind in kinds.items() if kind.stream} == {
        "customers": "customer",
        "products": "product",
        "orders": "order",
        "fulfillments": "fulfillment",
        "discounts": "discount",
        "discount_codes": "discount_code",
        "collections": "collection",
        "collection_products": "collection_product",
    }
    gateways = {name: kind.gateway for name, kind in kinds.items() if kind.gateway is not None}
    without_input = {name for name, gateway in gateways.items() if not issubclass(gateway, InputGateway)}
    # events and actions have no input to compare, and no empty `as_input` faking one; a discount's
    # create or update mutation depends on its type, so it has no one set mutation either
    assert without_input == {"fulfillment", "fulfillment_event", "fulfillment_order_action", "discount"}


def test_the_drain_order_and_the_settings_come_from_the_declarations() -> None:
    assert rank("customer") < rank("order") < rank("fulfillment") < rank("fulfillment_event")
    assert rank("nothing known") == rank(None) == 0
    assert StreamSettings.of("orders", {}).match_on == "id"
    kinds = object_kinds()
    for name, kind in kinds.items():
        settings = StreamSettings.of("s", {"streams": {"s": {"object": name}}})
        assert (settings.match_on, settings.delete_mode) == (kind.match_keys[0], kind.delete_modes[0])
        assert set(settings.options) == {prop.name for prop in kind.options}


def test_an_option_of_another_object_is_refused_naming_the_stream_and_the_key() -> None:
    entry = {"object": "customer", "match_on": "email", "quantity_change": "set"}
    with pytest.raises(ConfigurationError, match=r"streams\.crm has unknown settings: quantity_change"):
        StreamSettings.of("crm", {"streams": {"crm": entry}})


def test_the_streams_setting_describes_every_object_and_its_options() -> None:
    setting = streams_setting().to_dict()["streams"]
    entry = setting["additionalProperties"]
    assert entry["additionalProperties"] is False
    assert {"quantity_change", "quantity_name", "location_match_on", "activate", "reason"} <= set(entry["properties"])
    assert entry["properties"]["quantity_change"]["enum"] == ["set", "adjust"]
    assert "default" not in entry["properties"]["reason"]  # else the SDK would write it into every stream's entry
    for name, kind in object_kinds().items():
        assert f"{name} (match_on {' / '.join(kind.match_keys)}" in setting["description"]


def test_a_dry_run_is_decided_where_a_change_is_planned() -> None:
    assert Plan.change(Outcome.CREATED, None, {"a": 1}, {"id": "x"}, dry_run=False) == Plan(
        Outcome.CREATED, None, {"a": 1}, {"id": "x"}
    )
    assert Plan.change(Outcome.CREATED, None, {"a": 1}, dry_run=True) == Plan(Outcome.WOULD_CREATE, None)
    assert Plan.change(Outcome.UPDATED, "gid://1", {"a": 1}, dry_run=True) == Plan(Outcome.WOULD_UPDATE, "gid://1")
    assert Plan.change(Outcome.DELETED, "gid://1", {"a": 1}, dry_run=True) == Plan(Outcome.WOULD_DELETE, "gid://1")
    assert f"{Outcome.WOULD_CREATE}" == "would-create"


class Attempts:
    max_attempts = 3


def context() -> WriteContext:
    client = cast("ShopifyAdminClient", Attempts())
    options = WriteOptions(client, None, None, False, 1, None)  # type: ignore[arg-type]
    return WriteContext("crm", StreamSettings("customer"), options, logging.getLogger("test-recheck"))


def test_after_a_lost_answer_only_what_the_second_look_finds_missing_is_sent(caplog: Any) -> None:
    sent: list[list[str]] = []

    def send(codes: list[str]) -> str:
        sent.append(codes)
        if len(sent) == 1:
            raise AnswerLostError("the connection dropped after sending")
        return "done"

    with caplog.at_level(logging.WARNING, logger="test-recheck"):
        assert context().rechecked("key", ["a", "b"], lambda: ["b"], send, looked_for="the codes") == "done"
    assert sent == [["a", "b"], ["b"]]
    assert "looking the codes up again" in caplog.text


def test_a_write_lost_every_time_fails_after_the_client_s_attempts() -> None:
    looks: list[str] = []

    def send(plan: str) -> str:
        raise AnswerLostError("lost")

    def look_again() -> str:
        looks.append("again")
        return "again"

    with pytest.raises(AnswerLostError):
        context().rechecked("key", "first", look_again, send)
    assert len(looks) == Attempts.max_attempts - 1


def test_a_refused_delete_fails_before_its_key_is_read() -> None:
    pending = PendingRecord.of({"_sdc_deleted_at": "2026-01-01T00:00:00Z"}, StreamSettings("customer"))
    with pytest.raises(Exception, match=r"delete refused: set streams\.crm\.allow_deletes to true"):
        context().check_delete(pending)


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: code_fields({"usageLimit": Decimal("2.5")}), "usageLimit must be a whole number, not 2.5"),
        (lambda: combines_with({"combinesWith": [True]}), "combinesWith must be an object, not [true]"),
        (
            lambda: discount_value({"percentage": "10%"}),
            'customerGets.value.percentage must be a number from 0 to 1, not "10%"',
        ),
        (lambda: text({"note": {"a": Decimal("1.0")}}, "note"), 'note must be a string, not {"a": 1.0}'),
        (lambda: coordinate({"latitude": False}, "latitude"), "latitude must be a number, not false"),
    ],
)
def test_a_field_s_failure_says_what_it_expects_and_what_the_record_gave(check: Any, message: str) -> None:
    """In the record's JSON, not in Python's words (no `Decimal('2.5')`, `NoneType`, `True`)."""
    with pytest.raises(RecordError) as failure:
        check()
    assert str(failure.value) == message
