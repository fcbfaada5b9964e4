"""The README's demo (scripts/demo.py): shop → files → shop through Meltano, then its emulator stops."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from ..conftest import ROOT
from .meltano import checkout_lock
from .test_cli import post

pytestmark = pytest.mark.meltano


def test_the_demo_runs_and_stops_its_emulator() -> None:
    sizes = ["--customers", "100", "--products", "30", "--orders", "200"]
    with checkout_lock():  # the demo installs into and runs from the checkout's .meltano/
        demo = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "demo.py"), *sizes],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            out, err = demo.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            demo.terminate()  # SIGTERM: the demo stops its emulator (a SIGKILL would leave it running)
            out, err = demo.communicate()
            pytest.fail(f"the demo took over 180 s:\n{out}\n{err}")
    assert demo.returncode == 0, err
    assert "customers.jsonl: 100 rows (1 deletions)" in out
    assert (
        "crm_customers: 1 created, 94 unchanged, 5 updated; catalog_products: 1 created, 25 unchanged, 3 updated" in out
    )
    assert "crm_customers: 100 unchanged; catalog_products: 29 unchanged" in out  # the second reverse run
    assert re.search(r"demo done in \d+s$", out.rstrip())
    url = re.search(r"serving (http://\S+)", out)
    assert url is not None
    with pytest.raises(requests.ConnectionError):
        post(url.group(1), "{ shop { name } }", "shpat_demo")
