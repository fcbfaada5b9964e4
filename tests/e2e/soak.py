"""Soak: the tap (test_soak_tap.py) and the target (test_soak_target.py) through 10% after-commit and 10%
before-commit faults, 10% of Shopify's internal errors (half before, half after commit), search lag, and
runs killed with SIGKILL then resumed, on shops of a few thousand objects. The tap's ids equal a clean
run's and it reads every change made between its runs; the shop holds no duplicate. Figures go to the log
(`pytest -m slow -s tests/e2e/test_soak_tap.py tests/e2e/test_soak_target.py`). Two modules, so that the
two soaks, each minutes long, run on two workers at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from ..conftest import Running, start

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


@pytest.fixture(name="shop")  # imported by both soak modules under this name: their shop, not conftest's
def soak_shop() -> Iterator[Running]:
    running = start(customers=2000, products=200, orders=2000, search_lag=LAG)
    yield running
    running.server.shutdown()
    running.server.server_close()


def faults_fired(shop: Running) -> int:
    return sum(rule["fired"] for rule in requests.get(f"{shop.url}/__emulator/faults", timeout=10).json())
