"""Soak of the tap (see soak.py): runs killed with SIGKILL then resumed through faults and search lag read
the same ids as a clean run, and every change made between the runs."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shopify_admin import ShopifyAdminClient

from ..conftest import TOKEN, Running
from ..helpers import advance_clock, inject, records, run_tap, tap_config
from .soak import FAULTS, KILLS, LAG, faults_fired, soak_shop  # noqa: F401 (fixture `shop`)

pytestmark = pytest.mark.slow

NOTE = "mutation($input: CustomerInput!) { customerUpdate(input: $input) { userErrors { message } } }"


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
    advance_clock(shop.url, LAG + 3)  # the last changes are searchable, and before the window of a run started now
    emitted += run_tap(tmp_path, cfg, state, started=shop.next_second())
    last_note = {r["id"]: r.get("note") for r in records(emitted, "customers")}
    fired = faults_fired(shop)
    inject(shop, [])
    print(
        f"tap soak: {sum(map(len, clean.values()))} ids in {len(clean)} streams, clean run {clean_seconds:.0f}s;"
        f" {KILLS} kills then a full resume in {time.monotonic() - began:.0f}s, {fired} faults fired"
    )
    assert fired > 50
    assert ids_by_stream(emitted) == clean
    assert {i: last_note[i] for i in notes} == notes
