"""Progress lines: about every 10 s per stream, bulk operation and sink, one `key=value` line each on stderr."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopify_admin import CostThrottle, ShopifyAdminClient, ShopifyError, progress
from shopify_admin.progress import Progress
from target_shopify_admin.pipeline.outcomes import Ledger, Outcome

from ..conftest import TOKEN, Running, start
from ..helpers import singer_messages, tap_config, tap_process

LINE = re.compile(r"Progress: ((?:\w+=\S+ ?)+)$", re.MULTILINE)


def parsed(text: str) -> list[dict[str, str]]:
    return [dict(pair.split("=", 1) for pair in found.split()) for found in LINE.findall(text)]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client() -> ShopifyAdminClient:
    clock = Clock()

    def sleep(seconds: float) -> None:
        clock.now += seconds

    throttle = CostThrottle("standard", clock=clock, sleep=sleep)
    return ShopifyAdminClient("emulator", access_token=TOKEN, base_url="http://127.0.0.1:9", throttle=throttle)


def test_a_line_every_ten_seconds_with_rate_time_left_and_cost(
    client: ShopifyAdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    clock, asked = Clock(), []

    def total() -> int:
        asked.append(clock.now)
        return 1000

    counting = Progress(logging.getLogger("test-progress"), client, {"stream": "orders"}, total=total, clock=clock)
    with caplog.at_level(logging.INFO, logger="test-progress"):
        for _ in range(100):
            clock.now += 0.0625  # 100 records in 6.25 s (exact in binary): no line yet
            counting.advance()
        assert caplog.messages == []
        client.points_used += 500
        client.throttle.acquire(2000)
        client.throttle.acquire(250)  # the bucket empty: 2.5 s of waiting, on the throttle's own clock
        clock.now += 3.75  # 10 s in
        counting.advance()
        clock.now += 9  # 9 s after the first line: none due
        counting.advance()
        clock.now += 1
        counting.advance()
    first, second = parsed("\n".join(caplog.messages))
    assert first == {
        "stream": "orders",
        "records": "101",
        "of": "1000",
        "records_per_s": "10.2",  # since the first record, 0.0625 s in
        "left_s": "88",
        "elapsed_s": "10",
        "points_per_s": "50.0",
        "restore_rate": "100",
        "throttle_wait_s": "2.5",
    }
    assert second["records"] == "103" and second["elapsed_s"] == "20"
    assert asked == [1010.0]  # the count is asked once, when the first line is due


def test_time_spent_before_the_first_record_does_not_count_in_the_rate(
    client: ShopifyAdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    counting = Progress(
        logging.getLogger("test-progress"), client, {"stream": "orders"}, total=lambda: 1000, clock=clock
    )
    with caplog.at_level(logging.INFO, logger="test-progress"):
        clock.now += 30  # a bulk operation ran
        counting.advance()  # its first record: no rate yet, so no time left
        clock.now += 10
        counting.advance(99)
    first, second = parsed("\n".join(caplog.messages))
    assert (first["records_per_s"], "left_s" in first, first["elapsed_s"]) == ("0.0", False, "30")
    assert (second["records_per_s"], second["left_s"]) == ("10.0", "90")


def test_a_count_that_fails_leaves_the_total_out(client: ShopifyAdminClient, caplog: pytest.LogCaptureFixture) -> None:
    def refused() -> int:
        raise ShopifyError("Access denied for ordersCount field.")

    clock = Clock()
    counting = Progress(logging.getLogger("test-progress"), client, {"stream": "orders"}, total=refused, clock=clock)
    with caplog.at_level(logging.INFO, logger="test-progress"):
        clock.now += 10
        counting.advance()
    [line] = parsed("\n".join(caplog.messages))
    assert line["records"] == "1" and "of" not in line
    assert "No total for the progress of {'stream': 'orders'}: Access denied" in caplog.text


def test_target_lines_count_records_by_outcome(
    client: ShopifyAdminClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0.0)
    ledger = Ledger(None, None, logging.getLogger("test-ledger"), client)
    with caplog.at_level(logging.INFO, logger="test-ledger"):
        for outcome in (Outcome.CREATED, Outcome.CREATED, Outcome.UPDATED):
            ledger.note("crm_customers", outcome, "a@example.com", None)
        ledger.fail("crm_customers", "b@example.com", "customerSet", {}, "refused")
    last = parsed("\n".join(caplog.messages))[-1]
    assert {k: last[k] for k in ("stream", "records", "created", "updated", "failed")} == {
        "stream": "crm_customers",
        "records": "4",
        "created": "2",
        "updated": "1",
        "failed": "1",
    }
    assert ledger.counts == {"crm_customers": {"created": 2, "updated": 1, "failed": 1}}


@pytest.fixture
def slow_bulk_shop() -> Iterator[Running]:
    # a 33 s bulk operation: its first progress line, 10 s in, finds it part-way even when a loaded machine
    # starts the tap's process or its poll seconds late (at 16 s a run with every core busy saw it all done)
    running = start(customers=230, products=5, orders=5, bulk_objects_per_second=7)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.mark.slow
def test_a_long_bulk_read_shows_its_progress_on_stderr(slow_bulk_shop: Running, tmp_path: Path) -> None:
    done = tap_process(tmp_path, tap_config(slow_bulk_shop, bulk="always"))
    customers = [
        m["record"] for m in singer_messages(done.stdout) if m["type"] == "RECORD" and m["stream"] == "customers"
    ]
    live = [c for c in customers if c["_sdc_deleted_at"] is None]
    lines = parsed(done.stderr)
    bulk = [line for line in lines if "bulk_operation" in line]
    assert bulk and bulk[0]["status"] == "RUNNING" and 0 < int(bulk[0]["objects"]) < len(live), lines
    assert float(bulk[0]["objects_per_s"]) > 0 and "points_per_s" in bulk[0]
    stream = next(line for line in lines if line.get("stream") == "customers")
    assert stream["of"] == str(len(live)) and int(stream["elapsed_s"]) >= 10, lines
