"""Soak of the target (see soak.py): runs killed with SIGKILL part-way then run to the end through faults
create every customer, product, order and fulfillment once."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ..conftest import Running
from ..helpers import advance_clock, count, inject, messages, new_order, orders_by_source, target_config
from .soak import FAULTS, KILLS, LAG, faults_fired, soak_shop  # noqa: F401 (fixture `shop`)

pytestmark = pytest.mark.slow


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

    advance_clock(shop.url, LAG + 2)
    inject(shop, [])
    found = orders_by_source(shop, "soak-")
    fulfil = [{"orderId": found[f"soak-{n}"][0]["id"]} for n in range(0, 1000, 3)]
    inject(shop, FAULTS)
    cfg = target_config(shop, tmp_path, streams={"f": {"object": "fulfillment", "match_on": "order"}})
    began = time.monotonic()
    soak_target(tmp_path, cfg, messages("f", fulfil), rng)
    fulfilled = time.monotonic() - began
    fired = faults_fired(shop)
    inject(shop, [])
    advance_clock(shop.url, LAG + 2)

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
