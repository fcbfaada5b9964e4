"""Failures of the emulator's own: answered as Shopify answers an internal error, never with the Python
exception's text; kept in strict mode (the test suite's) so that the test that caused one fails."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shopify_admin_emulator.internal_errors import EmulatorInternalError

from ..conftest import STRICT, Running, start

DISCOUNTS = '{ discountNodes(first: 50, query: "updated_at:>=2020-01-01") { nodes { id } } }'
CREATE_DISCOUNT = """mutation($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) {
  codeDiscountNode { id } userErrors { message } } }"""
ADD_CODES = """mutation($id: ID!, $codes: [DiscountRedeemCodeInput!]!) { discountRedeemCodeBulkAdd(discountId: $id,
  codes: $codes) { userErrors { message } } }"""
SECRET = "a resolver's own words"


@pytest.fixture(params=[False, True], ids=["lenient", "strict"])
def either(request: pytest.FixtureRequest) -> Iterator[Running]:
    """A shop whose emulator is strict or not; the tests raise what a strict one kept themselves."""
    running = start(customers=2, products=1, orders=1, strict=request.param)
    STRICT.discard(running.emulator)
    yield running
    running.server.shutdown()
    running.emulator.internal_errors.strict = False  # what a strict one kept was checked by the test
    running.server.server_close()


def answer(running: Running, query: str) -> requests.Response:
    return running.session.post(
        f"{running.url}/admin/api/2026-07/graphql.json",
        json={"query": query},
        headers={"X-Shopify-Access-Token": "shpat_test"},
        timeout=10,
    )


def captured_internal_error(captures: Path) -> dict[str, Any]:
    """Shopify's own internal error answer, from the fulfillment order captures."""
    text = (captures / "2026-04" / "fulfillments" / "fulfillment-order-lifecycle.json").read_text()

    def find(node: Any) -> Any:
        if isinstance(node, dict):
            errors = node.get("errors")
            if isinstance(errors, list) and any(
                (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for e in errors
            ):
                return node
            return next((hit for value in node.values() if (hit := find(value)) is not None), None)
        if isinstance(node, list):
            return next((hit for value in node if (hit := find(value)) is not None), None)
        return None

    found = find(json.loads(text))
    assert found is not None
    return dict(found)


def assert_shopify_internal_error(response: requests.Response, captures: Path) -> str:
    """The answer has the captured one's shape and wording, with a request id of its own; that id."""
    real = captured_internal_error(captures)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(real) == ["errors", "data"] and body["data"] is None
    [error], [real_error] = body["errors"], real["errors"]
    request_id = error["extensions"]["requestId"]
    real_id = real_error["extensions"]["requestId"]
    assert error["message"] == real_error["message"].replace(real_id, request_id)
    assert error["extensions"] == {**real_error["extensions"], "requestId": request_id}
    return str(request_id)


def test_a_discount_written_within_the_search_lag_is_not_found_yet_rather_than_an_error(captures: Path) -> None:
    """As first seen: a code discount created, 299 codes added, then the tap's search within the lag was
    answered with a Python KeyError's text ('id')."""
    running = start(customers=2, products=1, orders=1, search_lag=30)
    try:
        fresh = {
            "title": "Fresh",
            "code": "FRESH",
            "startsAt": "2026-01-01T00:00:00Z",
            "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}},
        }
        created = running.graphql(CREATE_DISCOUNT, {"input": fresh})["data"]["discountCodeBasicCreate"]
        node_id = created["codeDiscountNode"]["id"]
        for first in (0, 250):
            codes = [{"code": f"FRESH-{n}"} for n in range(first, min(first + 250, 299))]
            assert (
                running.graphql(ADD_CODES, {"id": node_id, "codes": codes})["data"]["discountRedeemCodeBulkAdd"][
                    "userErrors"
                ]
                == []
            )
        within = running.graphql(DISCOUNTS)
        assert "errors" not in within
        assert node_id not in [n["id"] for n in within["data"]["discountNodes"]["nodes"]]
        requests.post(f"{running.url}/__emulator/clock", json={"advance": 31}, timeout=10).raise_for_status()
        assert node_id in [n["id"] for n in running.graphql(DISCOUNTS)["data"]["discountNodes"]["nodes"]]
    finally:
        running.server.shutdown()
        running.server.server_close()


def failing(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyError(SECRET)


def test_an_exception_in_a_resolver_is_answered_as_shopify_internal_error(
    either: Running, captures: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(either.emulator.store, "all", failing)
    with caplog.at_level(logging.ERROR, logger="shopify_admin_emulator"):
        response = answer(either, "{ discountNodes(first: 5) { nodes { id } } }")
    request_id = assert_shopify_internal_error(response, captures)
    assert SECRET not in response.text
    [logged] = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged.exc_info is not None and logged.exc_info[1] is not None and SECRET in str(logged.exc_info[1])
    if either.emulator.internal_errors.strict:
        with pytest.raises(EmulatorInternalError) as raised:
            either.emulator.internal_errors.raise_kept()
        assert isinstance(raised.value.__cause__, KeyError)
    either.emulator.internal_errors.raise_kept()  # nothing (more) kept


def test_an_exception_outside_execution_is_answered_alike(
    either: Running, captures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(either.emulator.api, "run", failing)
    response = answer(either, "{ shop { name } }")
    assert_shopify_internal_error(response, captures)
    assert SECRET not in response.text
    if either.emulator.internal_errors.strict:
        with pytest.raises(EmulatorInternalError):
            either.emulator.internal_errors.raise_kept()
    either.emulator.internal_errors.raise_kept()


def test_a_strict_emulator_raises_what_it_kept_when_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    running = start(customers=2, products=1, orders=1)
    STRICT.discard(running.emulator)
    monkeypatch.setattr(running.emulator.store, "all", failing)
    assert "errors" in answer(running, "{ discountNodes(first: 5) { nodes { id } } }").json()
    running.server.shutdown()
    with pytest.raises(EmulatorInternalError) as raised:
        running.server.server_close()
    assert isinstance(raised.value.__cause__, KeyError)


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("{ customers(first: 1, last: 1) { nodes { id } } }", "BAD_REQUEST", "providing both first and last"),
        ('{ bulkOperation(id: "gid://shopify/Customer/1") { id } }', "RESOURCE_NOT_FOUND", "Invalid id"),
        ("{ nope }", "undefinedField", "Field 'nope' doesn't exist on type 'QueryRoot'"),
    ],
)
def test_errors_that_model_shopify_keep_their_wording(shop: Running, query: str, code: str, message: str) -> None:
    [error] = shop.graphql(query)["errors"]
    assert error["extensions"]["code"] == code and message in error["message"]
