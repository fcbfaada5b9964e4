"""Captured inventory and location calls replayed against the emulator: the same answers (masked ids and
times), userErrors and request errors as the real shop. Each capture's items are made here by
productCreate and its locations added to the store; the capture's ids are swapped for ours."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from shopify_admin_emulator.domains.inventory.models import change_quantity
from shopify_admin_emulator.domains.locations.models import new_location

from ..captures import assert_same_answer, load, mask, needs_captures, with_ids
from ..conftest import Running
from .test_conformance_products import assert_same_errors, create_product

pytestmark = needs_captures

SHOP_LOCATION = "gid://shopify/Location/106318430514"  # the capture shop's primary "Shop location"
KNOWN = re.compile(r"gid://shopify/(InventoryItem|Location)/(\d+)")
UNKNOWN = "999999999999"  # the captures' id of nothing
ADDRESS = {"address1": None, "address2": None, "city": None, "province": None, "provinceCode": None}

# Most captures hold variables and responses only; these documents select what their answers show.
SET = """
mutation Set($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id name } }
    }
    userErrors { field message code }
  }
}"""
ADJUST = SET.replace("Set(", "Adjust(").replace("InventorySetQuantitiesInput", "InventoryAdjustQuantitiesInput")
ADJUST = ADJUST.replace("inventorySetQuantities", "inventoryAdjustQuantities")
SET_WITHOUT_KEY = SET.replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "")
ADJUST_WITHOUT_KEY = ADJUST.replace(" @idempotent(key: $idempotencyKey)", "").replace(", $idempotencyKey: String!", "")
LEVEL = """
query Level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) {
    inventoryLevel(locationId: $location) {
      quantities(names: ["available", "on_hand", "committed", "damaged", "incoming"]) { name quantity }
    }
  }
}"""


class Replay:
    """The capture's items and locations in our shop, by the capture's ids."""

    def __init__(self, shop: Running, location_names: dict[str, str] | None = None) -> None:
        self.shop = shop
        self.names = location_names or {}
        primary = shop.graphql("{ location { id } }")["data"]["location"]["id"]
        self.ids: dict[str, str] = {SHOP_LOCATION: primary}

    def map(self, value: Any) -> Any:
        """`value` with each capture id swapped for ours, made on first sight."""
        for kind, number in KNOWN.findall(json.dumps(value)):
            theirs = f"gid://shopify/{kind}/{number}"
            if number != UNKNOWN and theirs not in self.ids:
                self.ids[theirs] = self.item() if kind == "InventoryItem" else self.location(theirs)
        return with_ids(value, self.ids)

    def item(self) -> str:
        product_id = create_product(self.shop, title="Inventory replay")
        product = self.shop.graphql(
            "query($id: ID!) { product(id: $id) { variants(first: 1) { nodes { inventoryItem { id } } } } }",
            {"id": product_id},
        )
        return str(product["data"]["product"]["variants"]["nodes"][0]["inventoryItem"]["id"])

    def location(self, theirs: str) -> str:
        store = self.shop.emulator.store
        with store.lock:
            return str(new_location(store, self.names.get(theirs, "Replay location"), ADDRESS)["id"])

    def call(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        return self.shop.graphql(document, self.map(variables))

    def set_available(self, item: str, location: str, quantity: int) -> None:
        store = self.shop.emulator.store
        with store.lock:
            ours = store.node(self.ids[item], "InventoryItem")
            assert ours is not None
            level = ours["_levels"][store.node(self.ids[location], "Location")["_n"]]  # type: ignore[index]
            change_quantity(store, level, "available", quantity - level["_quantities"]["available"])

    def quantities(self, item: str, location: str = SHOP_LOCATION) -> dict[str, int]:
        data = self.call(LEVEL, {"item": item, "location": location})["data"]
        return {q["name"]: q["quantity"] for q in data["inventoryItem"]["inventoryLevel"]["quantities"]}


def request_error(response: dict[str, Any]) -> dict[str, Any]:
    """A request error without its locations (our documents are laid out differently)."""
    (error,) = response["errors"]
    return {"message": error["message"], "code": error["extensions"]["code"], "path": error["path"]}


def test_quantity_contracts(shop: Running) -> None:
    """Set then adjust, each needing @idempotent and changeFromQuantity; unknown items and locations,
    out-of-range quantities and reasons are refused."""
    capture = load("2026-04/products/inventory-quantity-contracts-2026-04.json")
    replay = Replay(shop)
    for step, document, mutation in (
        ("inventorySetQuantities", SET, "inventorySetQuantities"),
        ("inventoryAdjustQuantities", ADJUST, "inventoryAdjustQuantities"),
    ):
        ours = replay.call(document, capture[step]["variables"])["data"][mutation]
        theirs = capture[step]["response"]["data"][mutation]
        group = {k: v for k, v in theirs["inventoryAdjustmentGroup"].items() if k not in ("id", "createdAt")}
        assert mask(ours) == mask({**theirs, "inventoryAdjustmentGroup": group}), step
    item = capture["unknownIdValidation"]["knownInventoryItemId"]
    assert replay.quantities(item)["available"] == 7
    for step, document, mutation in (
        ("missingSetIdempotency", SET_WITHOUT_KEY, "inventorySetQuantities"),
        ("missingSetChangeFromQuantity", SET, "inventorySetQuantities"),
        ("missingAdjustIdempotency", ADJUST_WITHOUT_KEY, "inventoryAdjustQuantities"),
        ("missingAdjustChangeFromQuantity", ADJUST_WITHOUT_KEY, "inventoryAdjustQuantities"),
    ):
        ours = replay.call(document, capture[step]["variables"])
        assert request_error(ours) == request_error(capture[step]["response"]), step
        assert ours["data"] == {mutation: None}
    for step in (
        "setUnknownInventoryItem",
        "setUnknownLocation",
        "adjustUnknownInventoryItem",
        "adjustUnknownLocation",
    ):
        captured = capture["unknownIdValidation"][step]
        mutation = "inventorySetQuantities" if step.startswith("set") else "inventoryAdjustQuantities"
        ours = replay.call(SET if step.startswith("set") else ADJUST, captured["variables"])
        assert assert_same_errors(ours, captured["response"], mutation)["inventoryAdjustmentGroup"] is None
    assert replay.quantities(item)["available"] == 7, "nothing refused may change a quantity"


@pytest.mark.parametrize(
    ("relative", "case"),
    [
        ("2026-04/products/inventorySetQuantities-quantity-bounds.json", "onHandNegative"),
        ("2026-04/products/inventorySetQuantities-quantity-bounds.json", "availableTooLow"),
        ("2026-04/products/inventorySetQuantities-quantity-bounds.json", "availableNegativeWithinBounds"),
        ("2026-04/products/inventorySetQuantities-name-validation.json", "damaged"),
        ("2026-04/products/inventorySetQuantities-name-validation.json", "committed"),
        ("2026-04/products/inventorySetQuantities-name-validation.json", "onHand"),
        ("2026-04/products/inventorySetQuantities-name-validation.json", "availableTooHigh"),
        ("2026-04/products/inventorySetQuantities-name-validation.json", "duplicatePair"),
    ],
)
def test_set_quantities_validation(shop: Running, relative: str, case: str) -> None:
    captured = load(relative)["cases"][case]
    ours = Replay(shop).call(captured["query"], captured["variables"])
    assert_same_answer(ours, captured["response"], case)


def test_reasons(shop: Running) -> None:
    """Every reason Shopify accepts is accepted, in the capture's order of changes; unknown ones are refused."""
    capture = load("2026-04/products/inventory-reason-validation.json")
    setup = capture["setup"]
    replay = Replay(shop)
    replay.map({"item": setup["inventoryItemId"], "location": setup["locationId"]})
    shop.graphql(
        "mutation($item: ID!, $location: ID!) { inventoryActivate(inventoryItemId: $item, locationId: $location)"
        ' @idempotent(key: "reasons") { userErrors { message } } }',
        {"item": replay.ids[setup["inventoryItemId"]], "location": replay.ids[setup["locationId"]]},
    )
    replay.set_available(setup["inventoryItemId"], setup["locationId"], setup["available"])
    for name, captured in [*capture["acceptedReasonCases"].items(), *capture["invalidReasonCases"].items()]:
        if "inventoryMoveQuantities" in captured["query"] or "inventorySetOnHandQuantities" in captured["query"]:
            continue  # not served
        assert_same_answer(replay.call(captured["query"], captured["variables"]), captured["response"], name)


@pytest.mark.parametrize(
    "case",
    [
        "missingLedgerDocument",
        "availableLedgerDocument",
        "internalLedgerDocument",
        "maxOneLedgerDocument",
        "validNonAvailableLedgerDocument",
    ],
)
def test_adjust_ledger_documents(shop: Running, case: str) -> None:
    captured = load("2026-04/products/inventory-adjust-ledger-document-validation.json")[case]
    ours = Replay(shop).call(ADJUST, captured["variables"])
    assert_same_errors(ours, captured["response"], "inventoryAdjustQuantities")
    theirs = captured["response"]["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert (ours["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"] is None) == (theirs is None)


def test_adjust_names(shop: Running) -> None:
    """Which names may be adjusted, and which changes move on_hand with them."""
    replay = Replay(shop)
    allowlist = load("2026-04/products/inventory-adjust-name-allowlist.json")["cases"]
    for name in ("adjustOnHand", "adjustCommitted"):
        assert_same_answer(
            replay.call(allowlist[name]["query"], allowlist[name]["variables"]), allowlist[name]["response"], name
        )
    mirrors = load("2026-04/products/inventory-adjust-on-hand-name-mirrors.json")["cases"]
    for name, captured in mirrors.items():
        ours = replay.call(ADJUST, captured["variables"])
        theirs = captured["response"]["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]["changes"]
        changes = ours["data"]["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]["changes"]
        assert [(c["name"], c["delta"]) for c in changes] == [(c["name"], c["delta"]) for c in theirs], name


def test_adjust_zero_deltas_change_nothing(shop: Running) -> None:
    capture = load("2026-04/products/inventory-adjust-zero-delta-noop.json")
    replay = Replay(shop)
    for step in ("allZero", "mixedZeroAndNonzero"):
        ours = replay.call(ADJUST, capture[step]["variables"])["data"]["inventoryAdjustQuantities"]
        theirs = capture[step]["response"]["data"]["inventoryAdjustQuantities"]
        if theirs["inventoryAdjustmentGroup"] is None:
            assert ours == theirs
        else:
            assert [(c["name"], c["delta"]) for c in ours["inventoryAdjustmentGroup"]["changes"]] == [
                (c["name"], c["delta"]) for c in theirs["inventoryAdjustmentGroup"]["changes"]
            ]


def test_activate(shop: Running) -> None:
    """Stocking an item at a second location with onHand; refusals for both quantities, an already
    active level and an out-of-range quantity."""
    capture = load("2026-04/products/inventory-activate-on-hand.json")
    secondary = capture["locations"]["secondary"]
    replay = Replay(shop, {secondary["id"]: secondary["name"]})
    ids: dict[str, str] = {}
    for name, captured in capture["cases"].items():
        variables = with_ids(captured["variables"], ids)
        ours = replay.call(captured["query"], variables)
        level = (ours["data"].get("inventoryActivate") or {}).get("inventoryLevel") or {}
        theirs = (captured["response"]["data"].get("inventoryActivate") or {}).get("inventoryLevel") or {}
        if theirs.get("id"):
            ids[theirs["id"]] = level["id"]
        assert_same_answer(ours, captured["response"], name)


def test_location_connection_filters(shop: Running) -> None:
    """Inactive and fulfillment-service locations are left out unless asked for; counts count them."""
    capture = load("2026-04/locations/location-connection-filters.json")["workflow"]
    store = shop.emulator.store
    with store.lock:
        for step, active in (("alphaLocationAdd", True), ("zuluLocationAdd", True), ("betaLocationAdd", False)):
            new_location(store, capture[step]["variables"]["input"]["name"], ADDRESS, isActive=active)
        carrier = capture["fulfillmentServiceCreate"]["variables"]["name"]
        new_location(store, carrier, ADDRESS, isFulfillmentService=True)
    read = capture["connectionRead"]
    assert_same_answer(shop.graphql(read["query"], read["variables"]), read["response"]["payload"])
