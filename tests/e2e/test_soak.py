"""Soak: the tap and the target through 10% after-commit and 10% before-commit faults, 10% of Shopify's
internal errors (half before, half after commit), search lag, and runs killed with SIGKILL then
resumed, on shops of a few thousand objects. The tap's ids equal a clean run's and it reads every
change made between its runs; the shop holds no duplicate. Figures go to the log
(`pytest -m slow -s tests/e2e/test_soak.py`)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shopify_admin import ShopifyAdminClient

from ..conftest import TOKEN, Running, start
from ..helpers import (
    count,
    inject,
    messages,
    new_order,
    orders_by_source,
    records,
    run_tap,
    tap_config,
    target_config,
)

pytestmark = pytest.mark.slow

KILLS = 20  # SIGKILL-and-resume cycles per program
FAULTS = [  # 10% of answers lost after the shop applied the request, 10% refused or lost before
    {"kind": "truncated", "rate": 0.04, "after": True},
    {"kind": "reset", "rate": 0.03, "after": True},
    {"kind": "http_503", "rate": 0.03, "after": True},
    {"kind": "throttled", "rate": 0.03},
    {"kind": "reset", "rate": 0.03},
    {"kind": "http_502", "rate": 0.04},
    {"kind": "internal_error", "rate": 0.05},  # Shopify's INTERNAL_SERVER_ERROR, on top of the above
    {"kind": "internal_error", "rate": 0.05, "after": True},
]
LAG = 2.0
NOTE = "mutation($input: CustomerInput!) { customerUpdate(input: $input) { userErrors { message } } }"


@pytest.fixture
def shop() -> Iterator[Running]:
    running = start(customers=2000, products=200, orders=2000, search_lag=LAG)
    yield running
    running.server.shutdown()
    running.server.server_close()


def ids_by_stream(lines: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for m in lines:
        if m["type"] == "RECORD":
            found.setdefault(m["stream"], set()).add(str(m["record"].get("id")))
    return found


def killed_tap_run(tmp_path: Path, cfg: dict[str, Any], state: dict | None, after: int) -> list[dict[str, Any]]:
    """A tap run killed after `after` messages: what it wrote to stdout by then."""
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    args = [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tmp_path / "config.json")]
    if state is not None:
        (tmp_path / "state.json").write_text(json.dumps(state))
        args += ["--state", str(tmp_path / "state.json")]
    tap = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert tap.stdout is not None
    seen: list[dict[str, Any]] = []
    for line in tap.stdout:
        seen.append(json.loads(line))
        if len(seen) == after:
            tap.kill()
            break
    tap.wait(timeout=60)
    return seen


def test_tap_soak(shop: Running, tmp_path: Path) -> None:
    cfg = tap_config(shop, search_lag=int(LAG) + 1)
    began = time.monotonic()
    clean = ids_by_stream(run_tap(tmp_path, cfg))
    clean_seconds = time.monotonic() - began
    inject(shop, FAULTS)
    rng = random.Random(12)
    began = time.monotonic()
    emitted: list[dict[str, Any]] = []
    state: dict | None = None
    customers = sorted(shop.emulator.store.all("Customer"), key=lambda r: r["_n"])
    client = ShopifyAdminClient("emulator", access_token=TOKEN, base_url=shop.url)
    notes: dict[str, str] = {}  # the last note each customer was given while the tap ran
    for kill in range(KILLS):
        for customer in rng.sample(customers, 10):  # changes just before a run, not searchable yet
            notes[customer["id"]] = f"before kill {kill}"
            client.execute(NOTE, {"input": {"id": customer["id"], "note": notes[customer["id"]]}})  # resent: same note
        cut = killed_tap_run(tmp_path, cfg, state, rng.randrange(500, 4000))
        emitted += cut
        state = next((m["value"] for m in reversed(cut) if m["type"] == "STATE"), state)
    time.sleep(LAG + 3)  # the last changes are past the tap's margin
    emitted += run_tap(tmp_path, cfg, state)
    last_note = {r["id"]: r.get("note") for r in records(emitted, "customers")}
    fired = sum(r["fired"] for r in requests.get(f"{shop.url}/__emulator/faults", timeout=10).json())
    inject(shop, [])
    print(
        f"tap soak: {sum(map(len, clean.values()))} ids in {len(clean)} streams, clean run {clean_seconds:.0f}s;"
        f" {KILLS} kills then a full resume in {time.monotonic() - began:.0f}s, {fired} faults fired"
    )
    assert fired > 50
    assert ids_by_stream(emitted) == clean
    assert {i: last_note[i] for i in notes} == notes


def killed_target_run(tmp_path: Path, cfg: dict[str, Any], lines: list[dict], seconds: float | None) -> int | None:
    """The target fed `lines`, killed after `seconds` (None: run to the end); its exit code."""
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    (tmp_path / "input.jsonl").write_text("".join(json.dumps(m) + "\n" for m in lines))
    args = [sys.executable, "-m", "target_shopify_admin.target", "--config", str(tmp_path / "config.json")]
    with (tmp_path / "input.jsonl").open() as stdin, (tmp_path / "stderr.log").open("w") as stderr:
        target = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            return target.wait(timeout=seconds if seconds is not None else 1800)
        except subprocess.TimeoutExpired:
            target.kill()
            target.wait(timeout=60)
            return None


def soak_target(tmp_path: Path, cfg: dict[str, Any], lines: list[dict], rng: random.Random) -> None:
    """Kill the target `KILLS` times part-way, then run it to the end: exit 0, no record failed."""
    for _ in range(KILLS):
        killed_target_run(tmp_path, cfg, lines, rng.uniform(2, 6))
    assert killed_target_run(tmp_path, cfg, lines, None) == 0, (tmp_path / "stderr.log").read_text()[-3000:]


def test_target_soak(shop: Running, tmp_path: Path) -> None:
    streams = {
        "c": {"object": "customer", "match_on": "email"},
        "p": {"object": "product", "match_on": "handle"},
        "o": {"object": "order", "match_on": "source_identifier"},
    }
    consent = {"marketingState": "SUBSCRIBED"}
    customers = [
        {"email": f"soak-{n}@example.com", "tags": ["soak"], "defaultEmailAddress": consent} for n in range(800)
    ]
    products = [{"title": f"Soak {n}", "handle": f"soak-{n}", "tags": ["soak"]} for n in range(200)]
    orders = [new_order(shop, f"soak-{n}") for n in range(1000)]
    lines = messages("c", customers) + messages("p", products) + messages("o", orders)
    cfg = target_config(shop, tmp_path, streams=streams)
    inject(shop, FAULTS)
    rng = random.Random(21)
    began = time.monotonic()
    soak_target(tmp_path, cfg, lines, rng)
    wrote = time.monotonic() - began

    requests.post(f"{shop.url}/__emulator/clock", json={"advance": LAG + 2}, timeout=10).raise_for_status()
    inject(shop, [])
    found = orders_by_source(shop, "soak-")
    fulfil = [{"orderId": found[f"soak-{n}"][0]["id"]} for n in range(0, 1000, 3)]
    inject(shop, FAULTS)
    cfg = target_config(shop, tmp_path, streams={"f": {"object": "fulfillment", "match_on": "order"}})
    began = time.monotonic()
    soak_target(tmp_path, cfg, messages("f", fulfil), rng)
    fulfilled = time.monotonic() - began
    fired = sum(r["fired"] for r in requests.get(f"{shop.url}/__emulator/faults", timeout=10).json())
    inject(shop, [])
    requests.post(f"{shop.url}/__emulator/clock", json={"advance": LAG + 2}, timeout=10).raise_for_status()

    print(
        f"target soak: 2,000 records with {KILLS} kills then a full run in {wrote:.0f}s, {len(fulfil)} fulfillments"
        f" likewise in {fulfilled:.0f}s, {fired} faults fired"
    )
    assert fired > 100
    assert count(shop, "customersCount", "tag:soak") == 800 and count(shop, "productsCount", "tag:soak") == 200
    found = orders_by_source(shop, "soak-")
    assert sorted(found) == sorted(f"soak-{n}" for n in range(1000))
    assert [s for s, held in found.items() if len(held) != 1] == []
    fulfilled_ids = {f["orderId"] for f in fulfil}
    for held in found.values():
        assert len(held[0]["fulfillments"]) == (1 if held[0]["id"] in fulfilled_ids else 0)
