"""Search lag: Shopify's `query:` filters and `…Count` roots see a write only after a while, direct reads
at once. The emulator models it; the target's order lookup and the tap's windows must not be fooled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopify_admin_emulator.emulator import Config
from shopify_admin_emulator.search import Search
from tap_shopify_admin.tap import TapShopifyAdmin

from ..conftest import Running, start
from ..helpers import (
    advance_clock,
    last_state,
    messages,
    new_order,
    orders_by_source,
    records,
    run_tap,
    run_target,
    summary,
    tap_config,
    target_config,
)

CREATE = 'mutation { customerCreate(input: {email: "lagging@example.com", tags: ["fresh"]}) { customer { id } } }'
READS = """query($id: ID!) {
  byId: customer(id: $id) { id }
  byIdentifier: customerByIdentifier(identifier: {emailAddress: "lagging@example.com"}) { id }
  nodes(ids: [$id]) { id }
  searched: customers(first: 5, query: "tag:fresh") { nodes { id } }
  listed: customers(first: 250, sortKey: ID, reverse: true) { nodes { id } }
  counted: customersCount(query: "tag:fresh") { count }
  all: customersCount { count }
}"""


@pytest.fixture
def lagging() -> Iterator[Running]:
    running = start(customers=20, products=5, orders=10, search_lag=30)
    yield running
    running.server.shutdown()
    running.server.server_close()


def shop_time(shop: Running) -> datetime:
    """The shop's clock, as the start of a sync."""
    return datetime.fromtimestamp(shop.emulator.store.clock.now(), UTC).replace(microsecond=0)


def test_search_and_counts_see_a_write_only_after_the_lag(lagging: Running) -> None:
    before = lagging.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
    created = lagging.graphql(CREATE)["data"]["customerCreate"]["customer"]["id"]
    now = lagging.graphql(READS, {"id": created})["data"]
    assert now["byId"] == now["byIdentifier"] == now["nodes"][0] == {"id": created}
    assert created in [c["id"] for c in now["listed"]["nodes"]]  # a list without a query is no search
    assert now["searched"]["nodes"] == [] and now["counted"]["count"] == 0 and now["all"]["count"] == before
    advance_clock(lagging.url, 31)
    later = lagging.graphql(READS, {"id": created})["data"]
    assert later["searched"]["nodes"] == [{"id": created}] and later["counted"]["count"] == 1
    assert later["all"]["count"] == before + 1


def test_the_lag_is_on_by_default_and_the_taps_windows_leave_room_for_it() -> None:
    assert Config().search_lag > 0
    default = TapShopifyAdmin.config_jsonschema["properties"]["search_lag"]["default"]
    assert default >= Config().search_lag


def test_orders_rerun_right_after_a_run_are_not_created_again(lagging: Running, tmp_path: Path) -> None:
    """A re-run (or a retry after a crash before STATE) within the lag: search cannot find the orders the
    first run created, the target's marker metafield can."""
    cfg = target_config(lagging, tmp_path, streams={"o": {"object": "order", "match_on": "source_identifier"}})
    rows = [new_order(lagging, f"rerun-{n}") for n in range(5)]
    first = run_target(tmp_path, cfg, messages("o", rows))
    assert first.returncode == 0 and "o: 5 created" in summary(first, "o"), first.stderr[-2000:]
    again = run_target(tmp_path, cfg, messages("o", rows))
    assert again.returncode == 0 and "o: 5 unchanged" in summary(again, "o"), again.stderr[-2000:]
    advance_clock(lagging.url, 31)
    found = orders_by_source(lagging, "rerun-")
    assert sorted(found) == [f"rerun-{n}" for n in range(5)] and all(len(o) == 1 for o in found.values())


def test_changes_made_just_before_a_sync_are_read_by_a_later_run(tmp_path: Path) -> None:
    """Objects changed over the seconds before a sync, each reaching search after its own delay (5 to 10 s
    here): when the run starts, search shows some later changes but not some earlier ones. The run must not
    move its bookmark past those; a run after the lag reads them. The shop's clock passes the time, and the
    runs start by it."""
    lag = 10
    shop = start(customers=90, products=2, orders=5, search_lag=lag)
    clock = shop.emulator.store.clock
    try:
        cfg = tap_config(shop, search_lag=lag)
        state = last_state(run_tap(tmp_path, cfg))
        update = "mutation($input: CustomerInput!) { customerUpdate(input: $input) { userErrors { message } } }"
        changed = sorted(shop.emulator.store.all("Customer"), key=lambda r: r["_n"])[:80]
        began = clock.now()
        for customer in changed:  # over 4 s
            assert shop.graphql(update, {"input": {"id": customer["id"], "note": "late"}})["data"]
            advance_clock(shop.url, 0.05)
        finished = clock.now()
        advance_clock(shop.url, began + lag * 0.7 - clock.now())  # about half the changes show in search now
        soon = run_tap(tmp_path, cfg, state, started=shop_time(shop))
        advance_clock(shop.url, finished + lag + 2 - clock.now())  # every change is past the margin now
        later = run_tap(tmp_path, cfg, last_state(soon), started=shop_time(shop))
        read = {r["id"] for r in records(soon, "customers") + records(later, "customers") if r.get("note") == "late"}
        assert read == {c["id"] for c in changed}
    finally:
        shop.server.shutdown()
        shop.server.server_close()


SKU_SEARCH = "query($q: String!) { inventoryItems(first: 3, query: $q) { nodes { id sku } } }"
RENAME_SKU = """mutation($id: ID!, $sku: String!) { inventoryItemUpdate(id: $id, input: {sku: $sku}) {
  userErrors { message } } }"""


def skus_found(shop: Running, sku: str) -> list[str]:
    nodes = shop.graphql(SKU_SEARCH, {"q": f'sku:"{sku}"'})["data"]["inventoryItems"]["nodes"]
    return [node["id"] for node in nodes]


def test_a_sku_search_reads_only_the_items_with_that_sku_and_still_lags(
    lagging: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item-by-sku search is answered from an index of the items' skus, not by testing every item,
    and a renamed sku is found under its new name (in any case) only once search has seen the write."""
    items = lagging.graphql("{ inventoryItems(first: 3) { nodes { id sku } } }")["data"]["inventoryItems"]["nodes"]
    tested: list[str] = []
    matches = Search.matches

    def counted(search: Search, record: dict) -> bool:
        tested.append(record["id"])
        return matches(search, record)

    monkeypatch.setattr(Search, "matches", counted)
    assert skus_found(lagging, items[0]["sku"]) == [items[0]["id"]]
    assert tested == [items[0]["id"]], "only the item with that sku is tested against the query"
    renamed = lagging.graphql(RENAME_SKU, {"id": items[1]["id"], "sku": "Renamed-SKU"})
    assert renamed["data"]["inventoryItemUpdate"]["userErrors"] == []
    assert skus_found(lagging, "renamed-sku") == [] and skus_found(lagging, items[1]["sku"]) == []
    advance_clock(lagging.url, 31)
    assert skus_found(lagging, "renamed-sku") == [items[1]["id"]]
    assert skus_found(lagging, items[1]["sku"]) == []
