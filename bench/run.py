"""The benchmark command: runs every job, keeps the raw results in bench/out/results.json and
rewrites the report (REPORT.md and PNG plots) after each job, so that an interrupted run still
reports what finished.

    .venv/bin/python -m bench [--sizes 1000,3000,10000] [--quick] …
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from . import harness, ours, report, singer_io, startup
from .harness import OUT, ROOT, LoadSampler, Store, write_json

Job = tuple[str, Callable[[], dict[str, Any]]]


def sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=sizes, default=[1000, 3000, 10000], help="orders per store (tap rows)")
    parser.add_argument(
        "--paged-max-orders",
        type=int,
        default=10000,
        help="largest store read by paged syncs (ours paged, singer-io); larger ones are projected",
    )
    parser.add_argument("--target-sizes", type=sizes, default=[1000, 10000], help="customers and products upserted")
    parser.add_argument("--inventory-sizes", type=sizes, default=[10000], help="inventory levels set by the target")
    parser.add_argument("--parse-orders", type=int, default=100000, help="orders in the bulk parsing file")
    parser.add_argument("--parse-repeat", type=int, default=3, help="runs of the parser and of its floor (medians)")
    parser.add_argument("--startup-repeat", type=int, default=5, help="runs of each tap's start-up (medians)")
    parser.add_argument(
        "--metafields", type=int, default=100000, help="customer metafields set by the target at its defaults"
    )
    parser.add_argument(
        "--metafields-per-call",
        type=int,
        default=10000,
        help="customer metafields set by a metafieldsSet per call, projected to --metafields",
    )
    parser.add_argument(
        "--metafields-customer",
        type=int,
        default=1000,
        help="customers whose metafield the customer object writes, projected to --metafields",
    )
    parser.add_argument("--plan", default="standard")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--singer-io", action=argparse.BooleanOptionalAction, default=None, help="default: not in --quick"
    )
    parser.add_argument("--target-bulk", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--round-trip",
        type=float,
        default=0.15,
        help="seconds each request takes in the per-record target rows run 1 and 4 at a time (0: none)",
    )
    parser.add_argument(
        "--tap-round-trip",
        type=float,
        default=0.2,
        help="seconds every request takes in the tap rows, ours and singer-io's (0: none)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes on the unlimited plan: seconds, for the tests")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "bench", help="where REPORT.md and the plots go")
    parser.add_argument("--results", type=Path, default=None, help="raw results (default: REPORT-DIR/out/results.json)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the raw results")
    parser.add_argument(
        "--rerun",
        nargs="+",
        metavar="JOB",
        help="run these jobs of the run in --results again (same options), replacing their rows",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.target_sizes, args.parse_orders, args.plan = [200], [20], 200, "unlimited"
        args.inventory_sizes, args.startup_repeat, args.parse_repeat, args.round_trip = [20], 1, 1, 0.05
        args.metafields, args.metafields_per_call, args.metafields_customer = 20, 10, 5
        args.tap_round_trip = 0.0
        args.paged_max_orders = max(args.sizes)
    if args.singer_io is None:
        args.singer_io = not args.quick
    if args.results is None:
        args.results = (OUT if args.report_dir == ROOT / "bench" else args.report_dir / "out") / "results.json"
    return args


def machine() -> dict[str, Any]:
    import platform
    import subprocess

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal"))

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "singer_sdk": version("singer-sdk"),
        "project": version("shopify-admin-connectors"),
        "git": git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if git("status", "--porcelain") else ""),
    }


def jobs(args: argparse.Namespace, proxy: Any, ca: Any) -> tuple[list[Job], list[Job], list[Job]]:
    """(the tap at its defaults, run first and alone, one size after another, so that the headline's rows
    share the machine with nothing of the run's own; budget-bound jobs, which then run together, each on
    its own emulator; CPU-bound jobs, one at a time alongside them), in the order the report reads."""
    alone: list[Job] = []
    budget: list[Job] = []
    cpu: list[Job] = []
    paged = [n for n in args.sizes if n <= args.paged_max_orders]
    smallest = min(args.sizes)
    stores = {n: Store(n, args.plan, args.seed, args.tap_round_trip) for n in args.sizes}
    for n in args.sizes:
        alone.append((f"tap/ours/auto/{n}", partial(ours.tap_sync, stores[n], "auto")))
    for n in paged:
        if args.singer_io:
            budget.append((f"tap/singer-io/{n}", partial(singer_io.tap_sync, stores[n], proxy, ca, n == smallest)))
        budget.append((f"tap/ours/paged/{n}", partial(ours.tap_sync, stores[n], "paged", n == smallest)))
    for n in args.sizes:
        cpu.append((f"tap/ours/bulk/{n}", partial(ours.tap_sync, stores[n], "bulk")))
    parse_store = Store(args.parse_orders, args.plan, args.seed)
    cpu.append((f"parse/{args.parse_orders}", partial(ours.bulk_parse, parse_store, 0, args.parse_repeat)))
    startup_store = Store(200, "unlimited", args.seed)
    cpu.append(("startup", partial(startup.startup, startup_store, args.startup_repeat, 0, None, args.singer_io)))
    # per record at the smallest size only: it is bound by the budget (about 11 points a record), so a larger
    # size takes proportionally longer (10,000 customers and products: about 36 minutes) and shows nothing new
    n = min(args.target_sizes)
    budget.append((f"target/per-record/{n}", partial(ours.target_upsert, n, args.plan, args.seed, False)))
    if args.round_trip:
        n = min(args.target_sizes)
        for workers in (1, 4):
            upsert = partial(ours.target_upsert, n, args.plan, args.seed, False, args.round_trip, workers)
            budget.append((f"target/per-record/{n}/round-trip/{workers}", upsert))
    if args.target_bulk:
        for n in args.target_sizes:
            cpu.append((f"target/bulk/{n}", partial(ours.target_upsert, n, args.plan, args.seed, True)))
        n = max(args.target_sizes)
        cpu.append((f"target/join/{n}", partial(ours.target_join, n, args.plan, args.seed)))
    for n in args.inventory_sizes:
        budget.append(
            (f"target/inventory/per-record/{n}", partial(ours.target_inventory, n, args.plan, args.seed, False))
        )
        if args.target_bulk:
            cpu.append((f"target/inventory/bulk/{n}", partial(ours.target_inventory, n, args.plan, args.seed, True)))
    for name, n, way in (
        ("target/metafields/per-call", args.metafields_per_call, "metafield, per call"),
        ("target/metafields/customer", args.metafields_customer, "customer, per record"),
    ):
        budget.append((f"{name}/{n}", partial(ours.target_metafields, n, args.plan, args.seed, way)))
    metafields = partial(ours.target_metafields, args.metafields, args.plan, args.seed, "metafield")
    cpu.append((f"target/metafields/default/{args.metafields}", metafields))
    return alone, budget, cpu


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.report_only:
        report.write(json.loads(args.results.read_text()), args.report_dir)
        return
    command = ".venv/bin/python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: dict[str, Any] = {
        "meta": {
            "command": command,
            "started": started,
            "machine": machine(),
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        },
        "jobs": {},
    }
    if args.rerun:
        results = json.loads(args.results.read_text())
        results["meta"].setdefault("reruns", []).extend(
            {"job": name, "command": command, "started": started} for name in args.rerun
        )
    harness.WORK[0] = args.results.parent / "work"
    # The emulators keep their bulk result files in a temporary directory: one of the run's own, out of
    # reach of anything that cleans /tmp while a run takes an hour.
    (args.results.parent / "tmp").mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(args.results.parent / "tmp")
    lock = threading.Lock()
    proxy, ca = None, None
    if args.singer_io:
        singer_io.ensure_venv()
        results["meta"]["singer_io"] = singer_io.versions()
        ca, cert, key = singer_io.make_certificates(OUT / "tls")
        proxy = singer_io.Proxy(cert, key)
    alone, budget, cpu = jobs(args, proxy, ca)
    if args.quick:  # its numbers say nothing of speed: every job at once, for the shortest run
        alone, budget, cpu = [], alone + budget + cpu, []
    if args.rerun:
        unknown = set(args.rerun) - {name for name, _ in alone + budget + cpu}
        if unknown:
            sys.exit(f"no such job with these options: {', '.join(sorted(unknown))}")
        alone, budget, cpu = ([j for j in group if j[0] in args.rerun] for group in (alone, budget, cpu))
    else:
        results["meta"]["planned"] = [name for name, _ in alone + budget + cpu]

    def run(name: str, job: Callable[[], dict[str, Any]]) -> None:
        started = time.time()
        with LoadSampler() as load:
            try:
                result = job()
            except Exception:
                result = {"returncode": -1, "error": traceback.format_exc().splitlines()[-15:]}
        result.update(load=load.summary(), started=started, ended=time.time())
        with lock:
            results["jobs"][name] = result
            results["meta"]["ended"] = datetime.now(UTC).isoformat(timespec="seconds")
            write_json(args.results, results)
            report.write(results, args.report_dir)
        print(f"{datetime.now(UTC):%H:%M:%S} {name}: exit {result.get('returncode')}", flush=True)

    for name, job in alone:
        run(name, job)
    with ThreadPoolExecutor(max_workers=max(len(budget), 1)) as pool:
        running = [pool.submit(run, name, job) for name, job in budget]
        for name, job in cpu:
            run(name, job)
        for future in running:
            future.result()
    results["meta"]["finished"] = True
    write_json(args.results, results)
    report.write(results, args.report_dir)
