"""Start-up: seconds from launching each tap to its first RECORD, ours and singer-io's, alternately
against one small store with only `customers` selected, pinned to one core; medians. Each tap runs from a
virtual environment holding only what it installs with: singer-io's from PyPI, ours from this checkout
(editable) without the development tools, whose matplotlib brings numpy, which singer-sdk's joblib then
imports at start-up. Ours from the development environment runs too, for comparison.

    python -m bench.startup [REPEAT] [CPU] [EARLIER_CHECKOUT]

With EARLIER_CHECKOUT (a directory holding another build of this project), that build's tap runs
too, from the same console script with PYTHONPATH pointing there.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import singer_io
from .harness import OUT, TOKEN, Run, Store, emulator, run_process, runtime_venv, work_dir, write_json
from .ours import BIN, _catalog, tap_config


def first_record(run: Run) -> float:
    return min(first for first, _last in run.seconds.values())


def startup(
    store: Store, repeat: int, cpu: int, earlier: Path | None = None, with_singer_io: bool = True
) -> dict[str, Any]:
    """Each tap's seconds to its first RECORD, and the floor: the runtime environment's Python started
    with nothing to do, alternately with them."""
    work = work_dir("startup")
    shop_name = f"bench{store.orders}"
    with emulator(store.args(shop_name)) as shop:
        ours_config = work / "ours.json"
        write_json(ours_config, {**tap_config(shop.url, store.plan, "paged"), "shop": shop_name})
        ours_arguments = ["--config", str(ours_config), "--catalog", str(_catalog(ours_config, "customers", work))]
        ours = ["taskset", "-c", str(cpu), str(runtime_venv() / "tap-shopify-admin"), *ours_arguments]
        ours_dev = ["taskset", "-c", str(cpu), str(BIN / "tap-shopify-admin"), *ours_arguments]
        bare = ["taskset", "-c", str(cpu), str(runtime_venv() / "python"), "-c", ""]
        if with_singer_io:
            env, theirs = singer_io_command(shop_name, shop.url, cpu, work)
        runs: dict[str, list[Run]] = {"ours": [], "singer-io": [], "ours, development environment": []}
        runs |= {"ours, earlier build": []} if earlier else {}
        floor: list[Run] = []
        for _ in range(repeat):
            runs["ours"].append(run_process(ours, log=work / "ours.log"))
            floor.append(run_process(bare))
            if with_singer_io:
                runs["singer-io"].append(run_process(theirs, env=env, log=work / "singer-io.log"))
            runs["ours, development environment"].append(run_process(ours_dev, log=work / "ours-dev.log"))
            if earlier:
                before = {**os.environ, "PYTHONPATH": str(earlier)}
                runs["ours, earlier build"].append(run_process(ours, env=before, log=work / "earlier.log"))
    taps = {
        name: {
            "first_record_s": statistics.median(first_record(r) for r in done),
            "cpu_s": statistics.median(r.cpu_s for r in done),
            "wall_s": statistics.median(r.wall_s for r in done),
            "records": statistics.median(sum(r.records.values()) for r in done),
            "returncodes": sorted({r.returncode for r in done}),
        }
        for name, done in runs.items()
        if done
    }
    return {
        "taps": taps,
        "floor_s": statistics.median(r.wall_s for r in floor),
        "repeat": repeat,
        "cpu": cpu,
        "store": store.args(shop_name),
        "command": f"python -m bench.startup {repeat} {cpu}",
        "returncode": max(r.returncode for done in [*runs.values(), floor] for r in done),
    }


def singer_io_command(shop_name: str, url: str, cpu: int, work: Path) -> tuple[dict[str, str], list[str]]:
    """singer-io's tap reaching the emulator at `url` through the TLS proxy, with only customers selected:
    its environment and command."""
    tap = str(singer_io.ensure_venv())
    ca, cert, key = singer_io.make_certificates(OUT / "tls")
    proxy = singer_io.Proxy(cert, key)
    proxy.routes[shop_name] = url
    env = singer_io.environment(proxy, ca)
    theirs_config = work / "singer-io.json"
    write_json(theirs_config, {"shop": shop_name, "access_token": TOKEN, "start_date": singer_io.start_date()})
    found = subprocess.run(
        [tap, "--config", str(theirs_config), "--discover"], env=env, check=True, capture_output=True
    ).stdout
    catalog = json.loads(found)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "customers"
    write_json(work / "singer-io-catalog.json", catalog)
    theirs = ["taskset", "-c", str(cpu), tap, "--config", str(theirs_config)]
    return env, [*theirs, "--catalog", str(work / "singer-io-catalog.json")]


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cpu = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    earlier = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(startup(Store(200, "unlimited", 1), repeat, cpu, earlier), indent=1))


if __name__ == "__main__":
    main()
