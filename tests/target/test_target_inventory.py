"""target-shopify-admin's inventory objects against the emulator: `inventory_level` records set, adjust and
activate quantities (compare-and-set, idempotent, many rows a request, or a bulk mutation), and
`inventory_item` records update items; plus the pure record → input mapping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import parse, validate

from target_shopify_admin.objects.fields import RecordError
from target_shopify_admin.objects.inventory import level_reads, levels
from target_shopify_admin.objects.inventory.item import item_input
from target_shopify_admin.objects.inventory.level_reads import LevelFinder, LevelReader
from target_shopify_admin.objects.inventory.level_rows import ROOTS, STALE_READS, change_document, row_index
from target_shopify_admin.objects.inventory.level_writes import ACTIVATE
from target_shopify_admin.objects.inventory.levels import (
    level_change,
    only_item,
    quantity_row,
)
from target_shopify_admin.pipeline.exports import export_is_sooner
from target_shopify_admin.pipeline.settings import StreamSettings

from ..conftest import Running, start
from ..emulator.test_inventory import ORDER
from ..helpers import dead_letters, records, run_tap, run_target, summary, tap_config, target_config

LEVEL_WRITES = ("TargetInventorySet", "TargetInventoryAdjust", "TargetInventoryActivate")
LEVELS = """{ inventoryItems(first: 250) { nodes { id sku tracked variant { id }
  inventoryLevels(first: 10) { nodes { location { id name } quantities(names: ["available", "on_hand"]) {
  name quantity } } } } } }"""
# the same records give the same outcomes whether their items are looked up or found in an export
FOUND_BY = pytest.mark.parametrize("bulk_lookup", ["lookups", "export"])


def settings(**entry: Any) -> StreamSettings:
    return StreamSettings.of("stock", {"streams": {"stock": {"object": "inventory_level", **entry}}})


# the pure mapping ---------------------------------------------------------------------------------
def test_a_record_becomes_a_change_from_the_tap_shape_or_a_warehouse_row() -> None:
    tap_shaped = {"item": {"id": "gid://shopify/InventoryItem/7"}, "location_id": "gid://shopify/Location/3"}
    change = level_change({**tap_shaped, "available": 12}, settings())
    assert (change.item_key, change.location_key, change.value) == (
        "gid://shopify/InventoryItem/7",
        "gid://shopify/Location/3",
        12,
    )
    by_name = settings(match_on="sku", location_match_on="name")
    row = {"sku": "A-1", "location": "Warehouse 2", "available": 3, "reference_document_uri": "gid://erp/Count/9"}
    assert level_change(row, by_name).reference == "gid://erp/Count/9"
    legacy = level_change({"variant_id": 44, "location_id": 3, "available": 1}, settings(match_on="variant_id"))
    assert (legacy.item_key, legacy.location_key) == ("gid://shopify/ProductVariant/44", "gid://shopify/Location/3")


def test_quantity_rows_change_from_the_quantity_read() -> None:
    record = {"inventory_item_id": 1, "location_id": 2, "delta": -2}
    change = level_change(record, settings(quantity_change="adjust"))
    assert quantity_row(change, "I", "L", 5, adjusting=True) == {
        "inventoryItemId": "I",
        "locationId": "L",
        "changeFromQuantity": 5,
        "delta": -2,
    }
    assert quantity_row(change, "I", "L", 5, adjusting=False)["quantity"] == -2


@pytest.mark.parametrize(
    ("row", "entry", "message"),
    [
        ({"available": "7"}, {}, 'available must be a whole number, not "7"'),
        ({"available": 2.5}, {}, "available must be a whole number, not 2.5"),
        ({"available": Decimal("1.5")}, {}, "available must be a whole number, not 1.5"),  # as the SDK reads 1.5
        ({"available": None}, {}, "available is missing: it must be a whole number"),
        ({"available": 1_000_000_001}, {}, "available 1,000,000,001 is out of Shopify's range"),
        ({"on_hand": -1}, {"quantity_name": "on_hand"}, "on_hand -1 is out of Shopify's range 0 to"),
        ({"delta": 3}, {"quantity_change": "adjust", "quantity_name": "damaged"}, "ledger_document_uri is required"),
        ({"available": 1, "reference_document_uri": "no scheme"}, {}, "is not a URI with a scheme"),
        ({"available": 1, "reference_document_uri": "gid://erp"}, {}, "is not a URI with a scheme"),
        (
            {"delta": 1, "ledger_document_uri": "gid://shopify/Order/1"},
            {"quantity_change": "adjust", "quantity_name": "damaged"},
            "Shopify's own (gid://shopify/) documents cannot be named",
        ),
        ({"available": 1, "location_id": None}, {}, "location_id is missing"),
        ({"available": 1, "inventory_item_id": ""}, {}, "the match key 'inventory_item_id' is missing"),
        (
            {"available": 1, "inventory_item_id": "gid://shopify/ProductVariant/1"},
            {},
            "inventory_item_id 'gid://shopify/ProductVariant/1' is not a InventoryItem id",
        ),
        ({"available": 1, "location_id": "Warehouse 2"}, {}, "location_id 'Warehouse 2' is not a Location id"),
    ],
)
def test_bad_input_fails_naming_the_field(row: dict, entry: dict, message: str) -> None:
    record = {"inventory_item_id": "gid://shopify/InventoryItem/1", "location_id": "gid://shopify/Location/1", **row}
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        level_change(record, settings(**entry))


def test_a_sku_on_two_items_names_both() -> None:
    items = [{"id": "A", "sku": "X"}, {"id": "B", "sku": "X"}, {"id": "C", "sku": "X-2"}]
    with pytest.raises(RecordError, match=r"sku 'X' is on 2 inventory items \(A, B\)"):
        only_item(items, "X")
    assert only_item(items, "X-2") == {"id": "C", "sku": "X-2"}
    assert only_item(items, "X-") is None


def test_an_inventory_item_record_becomes_its_input() -> None:
    record = {"sku": "A", "unitCost": {"amount": "3.5"}, "tracked": True, "countryCodeOfOrigin": "FR", "id": "x"}
    assert item_input(record) == {"countryCodeOfOrigin": "FR", "tracked": True, "cost": "3.50"}
    with pytest.raises(RecordError, match="requiresShipping must be a boolean"):
        item_input({"requiresShipping": "yes"})


def test_user_errors_name_their_row() -> None:
    assert row_index({"field": ["input", "quantities", "3", "quantity"]}, "quantities") == 3
    assert row_index({"field": ["input", "reason"]}, "quantities") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"quantity_change": "move"}, "quantity_change must be one of set, adjust, not 'move'"),
        ({"quantity_name": "damaged"}, "quantity_name must be one of available, on_hand, not 'damaged'"),
        ({"reason": "sold"}, "reason must be one of correction,"),
        ({"match_on": "handle"}, "match_on for a inventory_level must be one of inventory_item_id, sku, variant_id"),
    ],
)
def test_settings_mistakes_stop_the_run(entry: dict, message: str) -> None:
    with pytest.raises(Exception, match=message):
        settings(**entry)


def test_every_inventory_document_validates_against_the_real_schema(real_schema: Any) -> None:
    """Each document the inventory objects can send, whichever settings chose it."""
    documents = [levels.ITEM_BY_ID, levels.ITEMS_BY_SKU, levels.ITEM_UPDATE, levels.LOCATIONS, ACTIVATE]
    documents += [level_reads.lookup_document(match_on, 2) for match_on in level_reads.LOOKUP_TYPES]
    documents += [change_document(root) for root, _ in ROOTS.values()]
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


def level_finder(match_on: str = "sku", locations: tuple[str, ...] = ("gid://shopify/Location/1",)) -> LevelFinder:
    return LevelFinder(LevelReader(None, match_on, "available"), list(locations))  # type: ignore[arg-type]


def test_the_level_export_is_a_valid_bulk_query_without_a_search(real_schema: Any) -> None:
    """One line an item (levels are fields, not a connection), no `query:` (search lags behind writes)."""
    document = level_finder(locations=("gid://shopify/Location/1", "gid://shopify/Location/2")).export_query(None)
    assert validate(real_schema, parse(document)) == [], document
    assert "query:" not in document and "l1: inventoryLevel" in document and "variant { id }" in document


def test_the_cost_model_exports_when_a_batch_is_a_large_share_of_the_items() -> None:
    """On the standard plan (100 points/s) 125 sku lookups cost about 1,000 points: 10,000 levels in a
    shop of 10,000 items are found sooner in an export, 300 among 200,000 by lookups."""
    per_second = level_finder().lookups_per_second(restore_rate=100, round_trip=0.2)
    assert per_second < 15
    assert export_is_sooner(10_000, 10_000, per_second)
    assert not export_is_sooner(300, 200_000, per_second)
    by_id = level_finder("inventory_item_id").lookups_per_second(restore_rate=100, round_trip=0.2)
    assert by_id > per_second  # an id is read directly, a sku is searched


def test_an_exported_item_is_what_a_lookup_answers_at_the_record_s_location() -> None:
    finder = level_finder("variant_id", ("gid://shopify/Location/1", "gid://shopify/Location/2"))
    level = {"isActive": True, "quantities": [{"name": "available", "quantity": 4}]}
    node = {"id": "gid://shopify/InventoryItem/9", "sku": "A", "tracked": True, "variant": {"id": "V"}, "l1": level}
    assert finder.exported_key(node, "variant_id") == "V"
    answer = {"id": "gid://shopify/InventoryItem/9", "sku": "A", "tracked": True, "level": level}
    assert finder.from_export([node], ("V", "gid://shopify/Location/2")) == [answer]
    assert finder.from_export([node], ("V", "gid://shopify/Location/1")) == [{**answer, "level": None}]


# against the emulator -----------------------------------------------------------------------------
@pytest.fixture
def small_shop() -> Iterator[Running]:
    running = start(customers=2, products=6, orders=0)
    yield running
    running.server.shutdown()
    running.server.server_close()


def items(shop: Running) -> list[dict[str, Any]]:
    return shop.graphql(LEVELS)["data"]["inventoryItems"]["nodes"]


def quantity(shop: Running, item_id: str, location: str, name: str = "available") -> int | None:
    item = next(i for i in items(shop) if i["id"] == item_id)
    for level in item["inventoryLevels"]["nodes"]:
        if location in (level["location"]["id"], level["location"]["name"]):
            return next(q["quantity"] for q in level["quantities"] if q["name"] == name)
    return None


def operations(shop: Running) -> dict[str, int]:
    stats = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return {name: op["requests"] for name, op in stats.items()}


def writes(shop: Running) -> int:
    return sum(n for name, n in operations(shop).items() if name in (*LEVEL_WRITES, "TargetInventoryItemUpdate"))


def level_messages(stream: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    schema = {"type": "object", "properties": {}}
    return [
        {"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": []},
        *({"type": "RECORD", "stream": stream, "record": row} for row in rows),
        {"type": "STATE", "value": {"done": stream}},
    ]


def write_levels(shop: Running, tmp_path: Path, entry: dict, rows: list[dict], **extra: Any) -> Any:
    streams = {"stock": {"object": "inventory_level", **entry}}
    return run_target(tmp_path, target_config(shop, tmp_path, streams=streams, **extra), level_messages("stock", rows))


def assert_found_by(shop: Running, bulk_lookup: str) -> None:
    """Items were found as the setting asks: in exports of the shop, or only by lookups."""
    exports = operations(shop).get("BulkOperationRunQuery", 0)
    assert exports > 0 if bulk_lookup == "export" else exports == 0


def assert_documents_are_shopify_s(shop: Running, real_schema: Any) -> None:
    documents = shop.emulator.api.documents()
    assert any("TargetInventory" in d for d in documents)
    for document in documents:
        assert validate(real_schema, parse(document)) == [], document


@FOUND_BY
def test_set_by_every_match_key_then_a_rerun_writes_nothing(
    small_shop: Running, tmp_path: Path, real_schema, bulk_lookup: str
) -> None:
    first, second, third = items(small_shop)[:3]
    warehouse = "Warehouse 2"
    by_key = [
        ({"match_on": "inventory_item_id"}, {"item": {"id": first["id"]}, "location_id": location_id(small_shop)}),
        ({"match_on": "sku", "location_match_on": "name"}, {"sku": second["sku"], "location": warehouse}),
        (
            {"match_on": "variant_id", "location_match_on": "name"},
            {"variant_id": third["variant"]["id"], "location": warehouse},
        ),
    ]
    for n, (entry, row) in enumerate(by_key):
        result = write_levels(small_shop, tmp_path, entry, [{**row, "available": 500 + n}], bulk_lookup=bulk_lookup)
        assert result.returncode == 0, result.stderr
        assert "stock: 1 updated" in summary(result, "stock")
    assert quantity(small_shop, first["id"], location_id(small_shop)) == 500
    assert quantity(small_shop, second["id"], warehouse) == 501
    assert quantity(small_shop, third["id"], warehouse) == 502
    before = writes(small_shop)
    entry, row = by_key[1]
    again = write_levels(small_shop, tmp_path, entry, [{**row, "available": 501}], bulk_lookup=bulk_lookup)
    assert "stock: 1 unchanged" in summary(again, "stock") and writes(small_shop) == before
    assert_found_by(small_shop, bulk_lookup)
    assert_documents_are_shopify_s(small_shop, real_schema)


def location_id(shop: Running, name: str = "Warehouse 2") -> str:
    found = shop.graphql("{ locations(first: 10) { nodes { id name } } }")["data"]["locations"]["nodes"]
    return next(loc["id"] for loc in found if loc["name"] == name)


def test_many_records_go_in_one_request_and_on_hand_is_set(small_shop: Running, tmp_path: Path) -> None:
    rows = [
        {"sku": item["sku"], "location": "Shop location", "on_hand": 40 + n} for n, item in enumerate(items(small_shop))
    ]
    entry = {
        "match_on": "sku",
        "location_match_on": "name",
        "quantity_name": "on_hand",
        "reason": "cycle_count_available",
    }
    result = write_levels(small_shop, tmp_path, entry, rows)
    assert result.returncode == 0, result.stderr
    assert f"stock: {len(rows)} updated" in summary(result, "stock")
    assert operations(small_shop)["TargetInventorySet"] == 1
    assert [quantity(small_shop, i["id"], "Shop location", "on_hand") for i in items(small_shop)] == [
        40 + n for n in range(len(rows))
    ]


def test_records_for_one_level_apply_in_their_order(small_shop: Running, tmp_path: Path) -> None:
    """Two records for the same item and location in one batch: the second is read after the first is
    written, so the last one wins, as record by record."""
    item = items(small_shop)[0]
    row = {"inventory_item_id": item["id"], "location": "Warehouse 2"}
    rows = [{**row, "available": 11}, {**row, "available": 12}, {**row, "available": 12}]
    result = write_levels(small_shop, tmp_path, {"location_match_on": "name"}, rows)
    assert result.returncode == 0, result.stderr
    assert "stock: 1 unchanged, 2 updated" in summary(result, "stock")
    assert quantity(small_shop, item["id"], "Warehouse 2") == 12


def test_adjust_by_sku_adds_the_delta(small_shop: Running, tmp_path: Path, real_schema) -> None:
    item = items(small_shop)[0]
    before = quantity(small_shop, item["id"], "Warehouse 2")
    assert before is not None
    entry = {"match_on": "sku", "location_match_on": "name", "quantity_change": "adjust", "reason": "received"}
    rows = [
        {"sku": item["sku"], "location": "Warehouse 2", "delta": 7},
        {"sku": item["sku"], "location": "Warehouse 2", "delta": 0},
    ]
    result = write_levels(small_shop, tmp_path, entry, rows)
    assert result.returncode == 0, result.stderr
    assert "stock: 1 unchanged, 1 updated" in summary(result, "stock")
    assert quantity(small_shop, item["id"], "Warehouse 2") == before + 7
    assert_documents_are_shopify_s(small_shop, real_schema)


NEW_PRODUCT = """mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) {
  product { variants(first: 1) { nodes { sku inventoryItem { id } } } } userErrors { message } } }"""


def unstocked_item(shop: Running) -> dict[str, Any]:
    """An item stocked at the primary location only."""
    variant = {
        "optionValues": [{"optionName": "Title", "name": "Default"}],
        "sku": "NEW-1",
        "inventoryItem": {"tracked": True},
        "inventoryQuantities": [{"locationId": location_id(shop, "Shop location"), "name": "available", "quantity": 1}],
    }
    product = {
        "title": "New",
        "productOptions": [{"name": "Title", "values": [{"name": "Default"}]}],
        "variants": [variant],
    }
    answer = shop.graphql(NEW_PRODUCT, {"input": product})["data"]["productSet"]
    assert answer["userErrors"] == [], answer
    return answer["product"]["variants"]["nodes"][0]


def test_activate_where_allowed_else_fail_saying_so(small_shop: Running, tmp_path: Path, real_schema) -> None:
    new = unstocked_item(small_shop)
    row = {"sku": "NEW-1", "location": "Warehouse 2", "available": 9}
    entry = {"match_on": "sku", "location_match_on": "name"}
    refused = write_levels(small_shop, tmp_path, entry, [row])
    assert refused.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["error"].startswith(f"inventory item {new['inventoryItem']['id']} is not stocked at location")
    assert letter["error"].endswith("set streams.stock.activate to true to stock it there")
    assert quantity(small_shop, new["inventoryItem"]["id"], "Warehouse 2") is None
    allowed = write_levels(small_shop, tmp_path, {**entry, "activate": True}, [row])
    assert allowed.returncode == 0, allowed.stderr
    assert "stock: 1 created" in summary(allowed, "stock")
    assert quantity(small_shop, new["inventoryItem"]["id"], "Warehouse 2") == 9
    again = write_levels(small_shop, tmp_path, {**entry, "activate": True}, [row])
    assert "stock: 1 unchanged" in summary(again, "stock")
    assert_documents_are_shopify_s(small_shop, real_schema)


def test_activating_for_an_adjustment_of_another_quantity_then_adjusts_it(small_shop: Running, tmp_path: Path) -> None:
    """Activation sets only available or on_hand: a delta of `damaged` is sent after it, from 0."""
    new = unstocked_item(small_shop)
    entry = {"match_on": "sku", "location_match_on": "name", "quantity_change": "adjust", "quantity_name": "damaged"}
    row = {"sku": "NEW-1", "location": "Warehouse 2", "delta": 2, "ledger_document_uri": "gid://wms/Damage/7"}
    result = write_levels(small_shop, tmp_path, {**entry, "activate": True, "reason": "damaged"}, [row])
    assert result.returncode == 0, result.stderr
    assert "stock: 1 updated" in summary(result, "stock")
    assert quantity(small_shop, new["inventoryItem"]["id"], "Warehouse 2", "on_hand") == 2


def sale_before_writes(shop: Running, item_id: str, times: int) -> Callable[[], int]:
    """A hook in the emulator: the next `times` quantity writes find an order placed just before them, as a
    sale between the target's read and its write would. Returns how many were placed."""
    run = shop.emulator.api.run
    variant = shop.graphql("query($i: ID!) { inventoryItem(id: $i) { variant { id } } }", {"i": item_id})
    order = {"lineItems": [{"variantId": variant["data"]["inventoryItem"]["variant"]["id"], "quantity": 1}]}
    placed: list[str] = []

    def with_a_sale(body: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if "TargetInventorySet" in str(body.get("query")) and len(placed) < times:
            options = {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
            answer = run({"query": ORDER, "variables": {"order": order, "options": options}}, *args, **kwargs)
            placed.append(answer[0]["data"]["orderCreate"]["order"]["id"])
        return run(body, *args, **kwargs)

    shop.emulator.api.run = with_a_sale  # type: ignore[method-assign]
    return lambda: len(placed)


@FOUND_BY
def test_a_sale_between_read_and_write_is_read_again_not_overwritten(
    small_shop: Running, tmp_path: Path, bulk_lookup: str
) -> None:
    item = items(small_shop)[0]
    primary = location_id(small_shop, "Shop location")
    placed = sale_before_writes(small_shop, item["id"], times=1)
    row = {"inventory_item_id": item["id"], "location_id": primary, "available": 300}
    result = write_levels(small_shop, tmp_path, {}, [row], bulk_lookup=bulk_lookup)
    assert result.returncode == 0, result.stderr
    assert placed() == 1 and operations(small_shop)["TargetInventorySet"] == 2
    assert_found_by(small_shop, bulk_lookup)
    assert "stock: 1 updated" in summary(result, "stock")
    assert quantity(small_shop, item["id"], primary) == 300


def test_a_quantity_that_keeps_moving_fails_after_bounded_reads(small_shop: Running, tmp_path: Path) -> None:
    item, other = items(small_shop)[:2]
    primary = location_id(small_shop, "Shop location")
    sale_before_writes(small_shop, item["id"], times=100)
    rows = [{"inventory_item_id": i["id"], "location_id": primary, "available": 250} for i in (item, other)]
    result = write_levels(small_shop, tmp_path, {}, rows)
    assert result.returncode == 1
    [letter] = dead_letters(tmp_path)
    assert letter["key"] == item["id"]
    assert f"kept changing while it was written ({STALE_READS + 1} reads" in letter["error"]
    assert quantity(small_shop, other["id"], primary) == 250, "the other record is applied"


UPDATE_ITEM = """mutation($id: ID!, $input: InventoryItemInput!) { inventoryItemUpdate(id: $id, input: $input) {
  userErrors { message } } }"""


@FOUND_BY
def test_bad_records_fail_alone_and_the_rest_is_applied(small_shop: Running, tmp_path: Path, bulk_lookup: str) -> None:
    good, twin_a, twin_b, untracked = items(small_shop)[:4]
    small_shop.graphql(UPDATE_ITEM, {"id": twin_b["id"], "input": {"sku": twin_a["sku"]}})
    small_shop.graphql(UPDATE_ITEM, {"id": untracked["id"], "input": {"tracked": False}})
    where = {"location": "Warehouse 2"}
    rows = [
        {"sku": "NO-SUCH-SKU", **where, "available": 1},
        {"sku": twin_a["sku"], **where, "available": 1},
        {"sku": good["sku"], "location": "Atlantis", "available": 1},
        {"sku": good["sku"], **where, "available": "many"},
        {"sku": good["sku"], **where, "available": -1_000_000_001},
        {"sku": untracked["sku"], **where, "available": 1},
        {"sku": good["sku"], **where, "available": 77},
    ]
    entry = {"match_on": "sku", "location_match_on": "name"}
    result = write_levels(small_shop, tmp_path, entry, rows, bulk_lookup=bulk_lookup)
    assert result.returncode == 1
    assert "stock: 6 failed, 1 updated" in summary(result, "stock")
    assert_found_by(small_shop, bulk_lookup)
    errors = {
        letter["record"]["sku"] + str(letter["record"]["available"]): letter["error"]
        for letter in dead_letters(tmp_path)
    }
    assert errors["NO-SUCH-SKU1"] == "no inventory item with sku 'NO-SUCH-SKU'"
    assert errors[twin_a["sku"] + "1"] == (
        f"sku {twin_a['sku']!r} is on 2 inventory items ({twin_a['id']}, {twin_b['id']}): match on their id instead"
    )
    assert errors[good["sku"] + "1"] == "no active location named 'Atlantis'"
    assert errors[good["sku"] + "many"] == 'available must be a whole number, not "many"'
    assert errors[good["sku"] + "-1000000001"].startswith("available -1,000,000,001 is out of Shopify's range")
    assert errors[untracked["sku"] + "1"].endswith("does not track inventory")
    assert quantity(small_shop, good["id"], "Warehouse 2") == 77


def test_a_big_batch_goes_through_one_bulk_mutation(small_shop: Running, tmp_path: Path, real_schema) -> None:
    rows = [
        {"sku": item["sku"], "location": location, "available": 900 + n}
        for n, item in enumerate(items(small_shop))
        for location in ("Shop location", "Warehouse 2")
    ]
    entry = {"match_on": "sku", "location_match_on": "name"}
    result = write_levels(small_shop, tmp_path, entry, rows, bulk_threshold=5)
    assert result.returncode == 0, result.stderr
    assert f"stock: {len(rows)} updated" in summary(result, "stock")
    assert "Bulk mutation" in result.stderr and "TargetInventorySet" not in operations(small_shop)
    assert all(quantity(small_shop, i["id"], "Warehouse 2") == 900 + n for n, i in enumerate(items(small_shop)))
    again = write_levels(small_shop, tmp_path, entry, rows, bulk_threshold=5)
    assert f"stock: {len(rows)} unchanged" in summary(again, "stock")
    assert_documents_are_shopify_s(small_shop, real_schema)


def test_inventory_items_are_updated_by_id_or_sku_and_never_created(
    small_shop: Running, tmp_path: Path, real_schema
) -> None:
    first, second = items(small_shop)[:2]
    rows = [
        {"id": first["id"], "cost": 4.5, "countryCodeOfOrigin": "FR", "harmonizedSystemCode": "620520"},
        {"sku": second["sku"], "requiresShipping": False, "provinceCodeOfOrigin": "QC"},
        {"sku": "NO-SUCH-SKU", "tracked": False},
    ]
    by_id = {"object": "inventory_item"}
    by_sku = {"object": "inventory_item", "match_on": "sku"}
    streams = {"items": by_id, "skus": by_sku}
    lines = level_messages("items", rows[:1]) + level_messages("skus", rows[1:])
    result = run_target(tmp_path, target_config(small_shop, tmp_path, streams=streams), lines)
    assert result.returncode == 1
    assert "items: 1 updated" in summary(result, "items") and "skus: 1 failed, 1 updated" in summary(result, "skus")
    [letter] = dead_letters(tmp_path)
    assert letter["error"] == "no inventory_item with sku 'NO-SUCH-SKU', and matching on sku cannot create one"
    query = """query($i: ID!) { inventoryItem(id: $i) { unitCost { amount } countryCodeOfOrigin harmonizedSystemCode
      requiresShipping provinceCodeOfOrigin } }"""
    updated = small_shop.graphql(query, {"i": first["id"]})["data"]["inventoryItem"]
    assert Decimal(updated["unitCost"]["amount"]) == Decimal("4.5")
    assert (updated["countryCodeOfOrigin"], updated["harmonizedSystemCode"]) == ("FR", "620520")
    assert small_shop.graphql(query, {"i": second["id"]})["data"]["inventoryItem"]["provinceCodeOfOrigin"] == "QC"
    before = writes(small_shop)
    (tmp_path / "dead.jsonl").unlink()
    again = run_target(tmp_path, target_config(small_shop, tmp_path, streams=streams), lines)
    assert "items: 1 unchanged" in summary(again, "items") and "skus: 1 failed, 1 unchanged" in summary(again, "skus")
    assert writes(small_shop) == before
    assert_documents_are_shopify_s(small_shop, real_schema)


@pytest.fixture
def two_shops() -> Iterator[tuple[Running, Running]]:
    shops = (start(customers=2, products=5, orders=0), start(customers=2, products=5, orders=0))
    yield shops
    for shop in shops:
        shop.server.shutdown()
        shop.server.server_close()


def test_levels_read_by_the_tap_are_written_to_another_shop(two_shops: tuple[Running, Running], tmp_path: Path) -> None:
    """Both shops are seeded alike (the same ids); the source's stock then changes and the tap's
    inventory_levels records carry it over, the on_hand and committed columns riding along unused."""
    source, destination = two_shops
    moved = [
        {"sku": item["sku"], "location": "Warehouse 2", "available": 60 + n} for n, item in enumerate(items(source))
    ]
    (tmp_path / "source").mkdir()
    assert (
        write_levels(source, tmp_path / "source", {"match_on": "sku", "location_match_on": "name"}, moved).returncode
        == 0
    )
    emitted = run_tap(tmp_path, tap_config(source))
    levels = records(emitted, "inventory_levels")
    assert len(levels) == 2 * len(moved)
    result = write_levels(destination, tmp_path, {}, levels)
    assert result.returncode == 0, result.stderr
    assert f"stock: {len(moved)} unchanged, {len(moved)} updated" in summary(result, "stock")

    def stock(shop: Running) -> list[Any]:
        return [(i["id"], i["inventoryLevels"]["nodes"]) for i in items(shop)]

    assert stock(destination) == stock(source)
    again = write_levels(destination, tmp_path, {}, levels)
    assert f"stock: {2 * len(moved)} unchanged" in summary(again, "stock")
    assert json.loads(again.stdout.splitlines()[-1]) == {"done": "stock"}
