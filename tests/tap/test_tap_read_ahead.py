"""Paged reads with several requests in flight: the same records in the same order as one at a time,
resumable when killed at any moment, and slices and read-ahead that keep their order."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tap_shopify_admin.read_ahead import in_order
from tap_shopify_admin.windows import time_slices

from ..conftest import Running, start
from ..helpers import last_state, records, run_killed, run_tap, tap_config


@pytest.fixture(scope="module")
def slow_shop() -> Iterator[Running]:
    """1,200 customers (five pages), every answer 0.1 s late."""
    running = start(plan="standard", customers=1200, products=2, orders=2)
    rules = [{"kind": "slow", "every": 1, "seconds": 0.1}]
    requests.post(f"{running.url}/__emulator/faults", json=rules, timeout=5).raise_for_status()
    yield running
    running.server.shutdown()
    running.server.server_close()


def ids(messages: list[dict]) -> list[str]:
    return [r["id"] for r in records(messages, "customers")]


def test_concurrent_pages_give_the_same_records_in_the_same_order(slow_shop: Running, tmp_path: Path) -> None:
    requests.post(f"{slow_shop.url}/__emulator/stats/reset", timeout=5)
    one = [
        r["id"]
        for r in records(run_tap(tmp_path, tap_config(slow_shop, page_concurrency=1, bulk="never")), "customers")
    ]
    assert requests.get(f"{slow_shop.url}/__emulator/stats", timeout=5).json()["peak_concurrent_graphql"] == 1
    requests.post(f"{slow_shop.url}/__emulator/stats/reset", timeout=5)
    four = [
        r["id"]
        for r in records(run_tap(tmp_path, tap_config(slow_shop, page_concurrency=4, bulk="never")), "customers")
    ]
    assert requests.get(f"{slow_shop.url}/__emulator/stats", timeout=5).json()["peak_concurrent_graphql"] >= 2
    assert len(one) == len(set(one)) > 1000
    assert four == one


def test_a_run_killed_while_slices_are_in_flight_resumes_without_loss(slow_shop: Running, tmp_path: Path) -> None:
    cfg = tap_config(slow_shop, page_concurrency=4, bulk="never")
    complete = {r["id"] for r in records(run_tap(tmp_path, cfg), "customers")}
    seen = run_killed(tmp_path, cfg, after=700)  # past the first page, slices in flight
    state = last_state(seen)
    resumed = records(run_tap(tmp_path, cfg, state), "customers")
    assert {r["id"] for r in records(seen, "customers")} | {r["id"] for r in resumed} == complete
    assert len(resumed) < len(complete)


def test_time_slices_are_contiguous_and_sized_by_the_first_page() -> None:
    # a first page that covered 10 days, 40 days left: four slices, up to 4 per concurrent read
    slices = time_slices("2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z", "2026-02-20T00:00:00Z", 4)
    assert len(slices) == 4
    assert slices[0][0] == "2026-01-11T00:00:00Z" and slices[-1][1] == "2026-02-20T00:00:00Z"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
    assert len(time_slices("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-12-01T00:00:00Z", 2)) == 8
    assert time_slices("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:03Z", 4) == [
        ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
        ("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"),
        ("2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z"),
    ]


def test_in_order_keeps_order_overlaps_sources_and_raises_in_turn() -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def source(n: int):
        def read() -> Iterator[int]:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05 * (5 - n))  # later sources finish first
            yield from (n * 10 + i for i in range(3))
            with lock:
                running[0] -= 1

        return read

    assert list(in_order([source(n) for n in range(5)], workers=3)) == [n * 10 + i for n in range(5) for i in range(3)]
    assert peak[0] == 3

    def broken() -> Iterator[int]:
        raise ValueError("page 2 failed")
        yield 0

    got: list[int] = []
    with pytest.raises(ValueError, match="page 2 failed"):
        for item in in_order([source(0), broken, source(2)], workers=2):
            got.append(item)
    assert got == [0, 1, 2]
