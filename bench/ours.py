"""Jobs for this project's connectors: tap full syncs (paged, bulk), no-change incremental runs,
bulk result parsing on one core, target upserts (per record, bulk) and upserts into a shop that holds
them (lookups against an export of the shop)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from shopify_admin import ShopifyAdminClient
from shopify_admin.bulk import BulkRunner

from .harness import (
    BUCKET,
    OUT,
    RESTORE_RATE,
    TOKEN,
    Run,
    Store,
    cost_summary,
    emulator,
    run_process,
    runtime_venv,
    sync_result,
    work_dir,
    write_json,
)

BIN = Path(sys.executable).parent
PAGE_CONCURRENCY = 4  # the tap's default
CONCURRENT_WRITES = 4  # the target's default
TAP_STREAMS = ("customers", "products", "orders", "fulfillment_orders")  # top level; the others are nested


def connection(url: str, plan: str) -> dict[str, Any]:
    # `unlimited` is the emulator's own plan: the client learns its budget from the first answer
    tier = {} if plan == "unlimited" else {"user_tier": plan}
    return {"shop": "emulator", "access_token": TOKEN, "base_url": url, **tier}


BULK_SETTING = {"auto": None, "paged": "never", "bulk": "always"}  # a tap mode → its `bulk` setting (None: default)


def tap_config(url: str, plan: str, mode: str) -> dict[str, Any]:
    """The tap's config for `mode`: `auto` leaves every setting but the connection at its default."""
    bulk = BULK_SETTING[mode]
    return connection(url, plan) | ({"bulk": bulk, "page_concurrency": PAGE_CONCURRENCY} if bulk else {})


def discover(config_path: Path, work: Path) -> dict[str, Any]:
    """The tap's catalog, discovered once per work directory."""
    discovered = work / "catalog.json"
    if not discovered.exists():
        command = [str(BIN / "tap-shopify-admin"), "--config", str(config_path), "--discover"]
        discovered.write_text(run_text(command, work / "discover.log"))
    catalog: dict[str, Any] = json.loads(discovered.read_text())
    return catalog


def selected_by_default(catalog: dict[str, Any]) -> list[str]:
    """The streams a run without a catalog syncs."""
    return [
        entry["tap_stream_id"]
        for entry in catalog["streams"]
        for item in entry["metadata"]
        if item["breadcrumb"] == [] and item["metadata"].get("selected-by-default")
    ]


def _catalog(config_path: Path, only: str, work: Path) -> Path:
    """The discovered catalog with `only` and its nested streams selected."""
    catalog = discover(config_path, work)
    parents = {"product_variants": "products", "order_line_items": "orders", "fulfillments": "orders"}
    for entry in catalog["streams"]:
        chosen = entry["tap_stream_id"] == only or parents.get(entry["tap_stream_id"]) == only
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = chosen
    path = work / f"catalog-{only}.json"
    write_json(path, catalog)
    return path


def run_text(command: list[str], log: Path) -> str:
    import subprocess

    with log.open("wb") as err:
        return subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=err).stdout.decode()


def tap_sync(store: Store, mode: str, incremental: bool = False, code: Path | None = None) -> dict[str, Any]:
    """A full sync (`mode` auto, paged or bulk; every stream the tap selects by default) of a fresh
    emulator; with `incremental`, then one run per top-level stream from that sync's state with nothing
    changed, for its requests per stream. `code`: run the tap from that checkout of this project instead
    (an earlier build, compared in one run)."""
    work = work_dir(f"ours-{mode}-{store.orders}" + (f"-{code.name}" if code else ""))
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    with emulator(store.args()) as shop:
        expected = shop.counts()
        config = work / "config.json"
        write_json(config, tap_config(shop.url, store.plan, mode))
        streams = selected_by_default(discover(config, work))
        shop.reset_stats()
        command = [str(BIN / "tap-shopify-admin"), "--config", str(config)]
        emulator_cpu = shop.cpu_s()
        run = run_process(command, log=work / "tap.log", env=env)
        emulator_cpu = shop.cpu_s() - emulator_cpu
        in_flight = 1 if mode == "bulk" else PAGE_CONCURRENCY  # auto pages what it does not export
        stats = shop.stats()
        result = sync_result("ours", mode, store, command, store.args(), run, stats, expected, in_flight, emulator_cpu)
        result["selected_streams"] = streams
        if incremental and run.last_state is not None:
            state = work / "state.json"
            write_json(state, run.last_state)
            result["incremental"] = {}
            for stream in TAP_STREAMS:
                catalog = _catalog(config, stream, work)
                shop.reset_stats()
                again = [*command, "--catalog", str(catalog), "--state", str(state)]
                rerun = run_process(again, log=work / f"incremental-{stream}.log")
                stats = shop.stats()
                result["incremental"][stream] = {
                    "command": " ".join(again),
                    "returncode": rerun.returncode,
                    "graphql_requests": stats["graphql"]["requests"],
                    "points": stats["graphql"]["actual_cost"],
                    "records": dict(rerun.records),
                    "wall_s": rerun.wall_s,
                }
    return result


def export_orders(store: Store) -> tuple[Path, dict[str, Any]]:
    """The orders stream's bulk query exported once from a store like `store`, downloaded: the file and
    the stream's map of nested connections."""
    from shopify_admin.bulk import BulkRunner
    from shopify_admin.settings import client_from_config
    from tap_shopify_admin.documents import bulk_connections, selection
    from tap_shopify_admin.tap import TapShopifyAdmin

    jsonl = work_dir(f"parse-{store.orders}") / "orders.jsonl"
    with emulator(Store(store.orders, "unlimited", store.seed).args()) as shop:
        config = tap_config(shop.url, "unlimited", "bulk")
        tap = TapShopifyAdmin(config=config, setup_mapper=False)
        orders = tap.streams["orders"]
        runner = BulkRunner(client_from_config(config), first_poll=0.2, max_poll=2)
        operation = runner.wait(runner.start(orders.reader.bulk_query(orders, "updated_at:>='2000-01-01T00:00:00Z'")))  # type: ignore[attr-defined]
        assert operation.result_url, operation
        with jsonl.open("w+b") as out:
            runner.download(operation, out)
        return jsonl, bulk_connections(orders.graphql_type, selection(orders.selected_fields()))  # type: ignore[attr-defined]


def bulk_parse(store: Store, cpu: int, repeat: int) -> dict[str, Any]:
    """Export the orders stream's bulk query once, then time turning the downloaded JSONL into RECORD
    messages in a child pinned to one core, with no network: `repeat` runs of the parser and of the floor,
    alternately, the median of each reported."""
    jsonl, connections = export_orders(store)
    work = jsonl.parent
    python = str(runtime_venv() / "python")  # as a user installs it; the floor runs in it too
    command = [python, "-m", "bench.parse_bulk", str(jsonl), json.dumps(connections), str(cpu)]
    runs: dict[str, list[Run]] = {"ours": [], "floor": []}
    for _ in range(repeat):  # alternately, so that both see the same load
        runs["ours"].append(run_process(command, log=work / "parse.log", cwd=OUT.parent.parent))
        runs["floor"].append(run_process([*command, "floor"], log=work / "floor.log", cwd=OUT.parent.parent))
    run = median_run(runs["ours"])
    floor = median_run(runs["floor"])
    lines = sum(1 for _ in jsonl.open("rb"))
    return {
        "orders": store.orders,
        "command": " ".join(command[:3]) + f" {jsonl.name} CONNECTIONS {cpu}",
        "returncode": max(r.returncode for r in runs["ours"] + runs["floor"]),
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "peak_rss_mb": max(r.peak_rss_mb for r in runs["ours"]),
        "records": dict(run.records),
        "floor": {"wall_s": floor.wall_s, "cpu_s": floor.cpu_s, "records": sum(floor.records.values())},
        "repeat": repeat,
        "jsonl_lines": lines,
        "jsonl_mb": jsonl.stat().st_size / 2**20,
        "error": run.stderr_tail if run.returncode else None,
    }


def median_run(runs: list[Run]) -> Run:
    """The run of median CPU time."""
    return sorted(runs, key=lambda r: r.cpu_s)[len(runs) // 2]


def target_records(kind: str, n: int, seed: int) -> list[dict[str, Any]]:
    if kind == "customers":
        return [
            {
                "email": f"bench{seed}-{i}@example.com",
                "firstName": f"First{i}",
                "lastName": f"Last{i}",
                "tags": ["bench"],
            }
            for i in range(n)
        ]
    return [
        {"handle": f"bench-{seed}-{i}", "title": f"Bench product {i}", "status": "ACTIVE", "vendor": "Bench"}
        for i in range(n)
    ]


def write_messages(path: Path, n: int, seed: int, streams: tuple[tuple[str, str], ...]) -> Path:
    """A SCHEMA and n RECORD messages for each (stream, match key) of `streams`, in a file."""
    with path.open("w") as out:
        for stream, key in streams:
            rows = target_records(stream, n, seed)
            properties: dict[str, Any] = {name: {"type": "string"} for name in rows[0]}
            if "tags" in properties:
                properties["tags"] = {"type": "array", "items": {"type": "string"}}
            out.write(
                json.dumps(
                    {"type": "SCHEMA", "stream": stream, "schema": {"properties": properties}, "key_properties": [key]}
                )
                + "\n"
            )
            out.writelines(json.dumps({"type": "RECORD", "stream": stream, "record": row}) + "\n" for row in rows)
    return path


def target_upsert(
    n: int, plan: str, seed: int, bulk: bool, round_trip: float = 0.0, concurrent_writes: int | None = None
) -> dict[str, Any]:
    """Upsert n new customers and n new products into an empty shop. `round_trip`: seconds the emulator
    takes to answer each request, as a far-away Shopify would."""
    mode = "bulk" if bulk else "per-record"
    if round_trip:
        mode += f", {round_trip:g} s a request, {concurrent_writes} at a time"
    work = work_dir(f"target-{mode}-{n}".replace(", ", "-").replace(" ", "_"))
    messages = write_messages(work / "input.jsonl", n, seed, (("customers", "email"), ("products", "handle")))
    args = [
        *("--plan", plan, "--seed", str(seed), "--access-token", TOKEN),
        *("--customers", "0", "--products", "0", "--orders", "0"),
        *("--search-lag", "0"),  # `written` counts the shop right after the run
        *(("--fault", f"slow:every=1:seconds={round_trip:g}") if round_trip else ()),
    ]
    with emulator(args) as shop:
        config = work / "config.json"
        write_json(
            config,
            {
                **connection(shop.url, plan),
                "bulk_threshold": 1 if bulk else 0,
                **({"concurrent_writes": concurrent_writes} if concurrent_writes else {}),
                "streams": {
                    "customers": {"object": "customer", "action": "upsert", "match_on": "email"},
                    "products": {"object": "product", "action": "upsert", "match_on": "handle"},
                },
            },
        )
        result = {
            "mode": mode,
            "records_in": 2 * n,
            "n": n,
            "plan": plan,
            "emulator": "shopify-admin-emulator " + " ".join(args),
            **run_target(
                shop, config, messages, work / "target.log", plan, round_trip, concurrent_writes or CONCURRENT_WRITES
            ),
            "written": {k: v for k, v in shop.counts().items() if k in ("customers", "products")},
        }
    return result


def run_target(
    shop: Any, config: Path, messages: Path, log: Path, plan: str, round_trip: float = 0.0, in_flight: int = 1
) -> dict[str, Any]:
    """Run the target on `messages` against `shop`, whose stats start afresh: what every target row reports.
    `round_trip` and `in_flight` (requests at once) set the row's floor with its budget."""
    shop.reset_stats()
    command = [str(BIN / "target-shopify-admin"), "--config", str(config)]
    with messages.open("rb") as stdin:
        run = run_process(command, stdin=stdin, log=log)
    return {
        "command": " ".join(command) + f" < {messages.name}",
        "returncode": run.returncode,
        "wall_s": run.wall_s,
        "peak_rss_mb": run.peak_rss_mb,
        **cost_summary(shop.stats(), run.wall_s, plan, round_trip, in_flight),
        "error": run.stderr_tail if run.returncode else None,
    }


def target_join(n: int, plan: str, seed: int) -> dict[str, Any]:
    """Upsert n customers into a shop that already holds them (a first bulk run creates them), once with
    `bulk_lookup: lookups` and once with `auto`, which the cost model turns into an export of the shop
    joined by email. Every record comes out unchanged either way."""
    work = work_dir(f"target-join-{n}")
    messages = write_messages(work / "input.jsonl", n, seed, (("customers", "email"),))
    args = [
        *("--plan", plan, "--seed", str(seed), "--access-token", TOKEN),
        *("--customers", "0", "--products", "0", "--orders", "0", "--search-lag", "0"),
    ]
    command = [str(BIN / "target-shopify-admin"), "--config"]
    result: dict[str, Any] = {"n": n, "plan": plan, "emulator": "shopify-admin-emulator " + " ".join(args)}
    with emulator(args) as shop:
        for mode in ("create", "lookups", "auto"):
            config = work / f"config-{mode}.json"
            streams = {"customers": {"object": "customer", "action": "upsert", "match_on": "email"}}
            lookup = "lookups" if mode == "create" else mode
            write_json(
                config, {**connection(shop.url, plan), "bulk_threshold": 1, "bulk_lookup": lookup, "streams": streams}
            )
            time.sleep(BUCKET[plan] / RESTORE_RATE[plan])  # each run starts with a full bucket
            shop.reset_stats()
            log = work / f"target-{mode}.log"
            with messages.open("rb") as stdin:
                run = run_process([*command, str(config)], stdin=stdin, log=log)
            if mode == "create":
                continue
            logged = log.read_text().splitlines()
            result[mode] = {
                "command": " ".join([*command, config.name]) + f" < {messages.name}",
                "returncode": run.returncode,
                "wall_s": run.wall_s,
                "cpu_s": run.cpu_s,
                "outcomes": next((line.split("| ")[-1] for line in logged if "| customers: " in line), ""),
                "chose": "export" if any(": export (lookups" in line for line in logged) else "lookups",
                **cost_summary(shop.stats(), run.wall_s, plan),
                "error": run.stderr_tail if run.returncode else None,
            }
    result["returncode"] = max(result["lookups"]["returncode"], result["auto"]["returncode"])
    return result


STOCK_LOCATIONS = ("Shop location", "Warehouse 2")  # the seeded shop's active locations
ITEMS_PAGE = "{{ inventoryItems(first: 250{after}) {{ nodes {{ sku }} pageInfo {{ hasNextPage endCursor }} }} }}"
AVAILABLE = """{ inventoryItems { edges { node { id sku inventoryLevels { edges { node { id
  location { name } quantities(names: ["available"]) { quantity } } } } } } } }"""


def inventory_pages(shop: Any, query: str) -> list[dict[str, Any]]:
    """Every inventory item, read 250 at a time with `query`."""
    items: list[dict[str, Any]] = []
    after = ""
    while True:
        page = shop.graphql(query.format(after=after))["inventoryItems"]
        items += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = f', after: "{page["pageInfo"]["endCursor"]}"'


def stock_rows(skus: list[str], n: int) -> list[dict[str, Any]]:
    """n stock-table rows (sku, location name, a new available quantity), each item at both locations."""
    pairs = [(sku, location) for sku in skus for location in STOCK_LOCATIONS][:n]
    return [{"sku": sku, "location": location, "available": 1000 + i} for i, (sku, location) in enumerate(pairs)]


def target_inventory(n: int, plan: str, seed: int, bulk: bool) -> dict[str, Any]:
    """Set the available quantity of n inventory levels (sku, location name) in a seeded shop: a warehouse's
    stock table, as `inventory_level` records matched on sku."""
    mode = "bulk" if bulk else "per-record"
    work = work_dir(f"target-inventory-{mode}-{n}")
    args = [
        *("--plan", plan, "--seed", str(seed), "--access-token", TOKEN),
        *("--customers", "0", "--products", str(n // 2), "--orders", "0", "--search-lag", "0"),
    ]
    with emulator(args) as shop:
        rows = stock_rows([item["sku"] for item in inventory_pages(shop, ITEMS_PAGE)], n)
        messages = work / "input.jsonl"
        schema = {"type": "SCHEMA", "stream": "stock", "schema": {"properties": {}}, "key_properties": []}
        with messages.open("w") as out:
            out.write(json.dumps(schema) + "\n")
            out.writelines(json.dumps({"type": "RECORD", "stream": "stock", "record": row}) + "\n" for row in rows)
        config = work / "config.json"
        stream = {"object": "inventory_level", "match_on": "sku", "location_match_on": "name"}
        write_json(
            config, {**connection(shop.url, plan), "bulk_threshold": 1 if bulk else 0, "streams": {"stock": stream}}
        )
        result = {
            "mode": f"inventory levels, {mode}",
            "records_in": len(rows),
            "n": n,
            "plan": plan,
            "emulator": "shopify-admin-emulator " + " ".join(args),
            **run_target(shop, config, messages, work / "target.log", plan),
            "written": {"levels": levels_as_asked(shop, plan, rows)},
        }
    return result


def levels_as_asked(shop: Any, plan: str, rows: list[dict[str, Any]]) -> int:
    """How many of the rows' levels hold the quantity the row asked for, read back after the run."""
    client = ShopifyAdminClient(**connection(shop.url, plan))
    held = {
        (item["sku"], level["location"]["name"]): level["quantities"][0]["quantity"]
        for item in exported(client, AVAILABLE, {"InventoryItem": {"InventoryLevel": "inventoryLevels"}})
        for level in item["inventoryLevels"]
    }
    return sum(held.get((row["sku"], row["location"])) == row["available"] for row in rows)


METAFIELD = {"namespace": "bench", "key": "score", "type": "number_integer"}  # the metafield every row sets
CUSTOMER_EMAILS = "{ customers { edges { node { defaultEmailAddress { emailAddress } } } } }"
CUSTOMER_SCORES = (
    '{ customers { edges { node { defaultEmailAddress { emailAddress } metafield(namespace: "bench", key: "score")'
    " { value } } } } }"
)
METAFIELD_WAYS = {  # a way of writing the metafields → the stream's object and the target's own settings
    "metafield": ({"object": "metafield", "match_on": "email"}, {}),
    "metafield, per call": ({"object": "metafield", "match_on": "email"}, {"bulk_threshold": 0}),
    "customer, per record": ({"object": "customer", "action": "update", "match_on": "email"}, {"bulk_threshold": 0}),
}


def target_metafields(n: int, plan: str, seed: int, way: str) -> dict[str, Any]:
    """Set one integer metafield on each of n customers the shop holds, matched by email: as `metafield`
    records at the target's defaults (a bulk mutation from `bulk_threshold` records on), as `metafield`
    records written by a `metafieldsSet` per call, or as `customer` records carrying it in `metafields`."""
    stream, settings = METAFIELD_WAYS[way]
    work = work_dir(f"target-metafields-{way.replace(', ', '-').replace(' ', '_')}-{n}")
    args = [
        *("--plan", plan, "--seed", str(seed), "--access-token", TOKEN),
        *("--customers", str(n), "--products", "0", "--orders", "0", "--search-lag", "0"),
    ]
    with emulator(args) as shop:
        client = ShopifyAdminClient(**connection(shop.url, plan))
        emails = [c["defaultEmailAddress"]["emailAddress"] for c in exported(client, CUSTOMER_EMAILS, {})][:n]
        values = {email: 1000 + i for i, email in enumerate(emails)}
        if stream["object"] == "metafield":
            rows = [{"email": email, **METAFIELD, "value": str(value)} for email, value in values.items()]
        else:
            rows = [{"email": email, "metafields": [{**METAFIELD, "value": str(v)}]} for email, v in values.items()]
        messages = work / "input.jsonl"
        schema = {"type": "SCHEMA", "stream": "scores", "schema": {"properties": {}}, "key_properties": []}
        with messages.open("w") as out:
            out.write(json.dumps(schema) + "\n")
            out.writelines(json.dumps({"type": "RECORD", "stream": "scores", "record": row}) + "\n" for row in rows)
        config = work / "config.json"
        write_json(config, {**connection(shop.url, plan), **settings, "streams": {"scores": stream}})
        time.sleep(BUCKET[plan] / RESTORE_RATE[plan])  # reading the emails spent points: start with a full bucket
        result = {
            "mode": way,
            "records_in": len(rows),
            "n": n,
            "plan": plan,
            "emulator": "shopify-admin-emulator " + " ".join(args),
            **run_target(shop, config, messages, work / "target.log", plan),
        }
        held = exported(client, CUSTOMER_SCORES, {})
        result["written"] = {
            "metafields": sum(
                (c.get("metafield") or {}).get("value") == str(values.get(c["defaultEmailAddress"]["emailAddress"]))
                for c in held
            )
        }
    return result


def exported(client: ShopifyAdminClient, query: str, connections: dict[str, Any]) -> list[dict[str, Any]]:
    """Every object `query` names, read by one bulk export (paged reads would wait on the budget)."""
    runner = BulkRunner(client, first_poll=0.2, max_poll=2)
    return list(runner.records(runner.wait(runner.start(query)), connections))
