"""What every benchmark job shares: a seeded emulator of its own, a child process measured for wall
time and peak RSS, its Singer output counted per stream, and the emulator's request and cost counts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

from shopify_admin_emulator.launch import emulator_process

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TOKEN = "shpat_bench"
RESTORE_RATE = {"standard": 100, "advanced": 200, "plus": 1000, "enterprise": 2000, "unlimited": 1_000_000}
BUCKET = {"standard": 2000, "advanced": 4000, "plus": 20000, "enterprise": 40000, "unlimited": 1_000_000}
STREAM = re.compile(rb'"stream":\s*"([^"]+)"')
MESSAGE_TYPE = re.compile(rb'"type":\s*"([A-Z_]+)"')
WORK = [OUT / "work"]  # where jobs keep their configs, catalogs, logs and files; next to the raw results


RUNTIME_VENV = OUT / "ours-runtime-venv"


def runtime_venv() -> Path:
    """A virtual environment with this checkout (editable) and its runtime dependencies only, as a user
    installs it, without the development tools (matplotlib brings numpy, which singer-sdk's joblib then
    imports at start-up); its `bin` directory."""
    if not (RUNTIME_VENV / "bin" / "tap-shopify-admin").exists():
        uv = [sys.executable, "-m", "uv", "-q"]  # seconds, where pip took twenty
        subprocess.run([*uv, "venv", "--clear", str(RUNTIME_VENV)], check=True)
        python = str(RUNTIME_VENV / "bin" / "python")
        # compiled at install, as pip does for a user: the start-up measured is not a first import's
        subprocess.run([*uv, "pip", "install", "--python", python, "--compile-bytecode", "-e", str(ROOT)], check=True)
    return RUNTIME_VENV / "bin"


def work_dir(name: str) -> Path:
    path = WORK[0] / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Store:
    """A seeded store: `orders` orders, half as many customers and a tenth as many products."""

    orders: int
    plan: str
    seed: int
    round_trip: float = 0.0  # seconds the emulator takes over every request (its `slow` fault)
    bulk_speed: float | None = None  # objects a bulk export writes per simulated second (emulator default)

    @property
    def customers(self) -> int:
        return self.orders // 2

    @property
    def products(self) -> int:
        return max(self.orders // 10, 1)

    def args(self, shop: str = "emulator") -> list[str]:
        return [
            *("--plan", self.plan, "--seed", str(self.seed), "--access-token", TOKEN, "--shop", shop),
            *("--orders", str(self.orders), "--customers", str(self.customers), "--products", str(self.products)),
            *(("--fault", f"slow:every=1:seconds={self.round_trip:g}") if self.round_trip else ()),
            *(("--bulk-speed", f"{self.bulk_speed:g}") if self.bulk_speed else ()),
        ]


class Emulator:
    """A running emulator: its URL, statistics and a few GraphQL reads."""

    def __init__(self, url: str, args: Sequence[str], pid: int) -> None:
        self.url = url
        self.args = list(args)
        self.pid = pid

    def cpu_s(self) -> float:
        """User and system CPU seconds the emulator's process has spent so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def graphql(self, query: str) -> dict[str, Any]:
        """The answer's data. A row's run may leave the bucket empty: a THROTTLED answer is asked again once
        the bucket holds the query's cost."""
        while True:
            answer = requests.post(
                f"{self.url}/admin/api/2026-07/graphql.json",
                json={"query": query},
                headers={"X-Shopify-Access-Token": TOKEN},
                timeout=600,
            ).json()
            if not any(e.get("extensions", {}).get("code") == "THROTTLED" for e in answer.get("errors", [])):
                break
            cost = answer["extensions"]["cost"]
            bucket = cost["throttleStatus"]
            time.sleep((cost["requestedQueryCost"] - bucket["currentlyAvailable"]) / bucket["restoreRate"] + 0.1)
        if "data" not in answer:
            raise RuntimeError(f"the emulator answered {answer.get('errors')}")
        return answer["data"]

    def stats(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/__emulator/stats", timeout=60).json()

    def reset_stats(self) -> None:
        requests.post(f"{self.url}/__emulator/stats/reset", timeout=60).raise_for_status()

    def counts(self) -> dict[str, int]:
        """Objects a full sync must deliver per stream where a count says so: the live ones, and apart
        (`deleted_<stream>`) the destroyed ones the tap emits as deletion records."""
        live = " ".join(f'{stream}: {root}(query: "", limit: null) {{ count }}' for stream, root in COUNTED.items())
        deleted = " ".join(
            f'deleted_{stream}: eventsCount(query: "action:destroy AND subject_type:{subject}") {{ count }}'
            for stream, subject in DELETIONS.items()
        )
        return {name: value["count"] for name, value in self.graphql(f"{{ {live} {deleted} }}").items()}


# The tap's streams whose objects a count root of the Admin API counts.
COUNTED = {
    "customers": "customersCount",
    "products": "productsCount",
    "product_variants": "productVariantsCount",
    "orders": "ordersCount",
    "collections": "collectionsCount",
    "draft_orders": "draftOrdersCount",
    "abandoned_checkouts": "abandonedCheckoutsCount",
    "gift_cards": "giftCardsCount",
    "locations": "locationsCount",
    "discounts": "discountNodesCount",
}
DELETIONS = {  # streams with deletion records → the subject of their destroy events
    "customers": "CUSTOMER",
    "products": "PRODUCT",
    "orders": "ORDER",
    "collections": "COLLECTION",
    "draft_orders": "DRAFT_ORDER",
}


@contextmanager
def emulator(args: Sequence[str]) -> Iterator[Emulator]:
    with emulator_process(*args, timeout=900) as child:
        yield Emulator(child.url, args, child.process.pid)


class LoadSampler:
    """The 1-minute load average every few seconds while a job runs."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            if self._stop.wait(every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        s = self.samples or [os.getloadavg()[0]]
        return {"min": round(min(s), 2), "mean": round(sum(s) / len(s), 2), "max": round(max(s), 2)}


@dataclass
class Run:
    """A finished child process: exit code, wall time, peak RSS and what it wrote."""

    command: list[str]
    returncode: int
    wall_s: float
    peak_rss_mb: float
    records: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=dict)  # per stream: first and last RECORD, from start
    last_state: dict[str, Any] | None = None
    stderr_tail: list[str] = field(default_factory=list)
    cpu_s: float = 0.0  # user and system CPU seconds of the process
    bytes_by_type: Counter[str] = field(default_factory=Counter)  # its output's bytes per message type


class PeakRss:
    """A process's peak resident memory: its VmHWM (/proc/PID/status), read every 0.1 s until it exits.
    Not ru_maxrss from wait4(2): on Linux a child's counts the parent's RSS at fork (the old mm's
    high-water mark is kept at exec), so every child would look at least as big as this harness."""

    def __init__(self, pid: int) -> None:
        self.path = Path(f"/proc/{pid}/status")
        self.kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                status = self.path.read_text()
            except OSError:
                return
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:  # a zombie has no memory left to report
                self.kb = max(self.kb, int(found.group(1)))
            if self._stop.wait(0.1):
                return

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.kb / 1024


def run_process(
    command: Sequence[str],
    *,
    stdin: IO[bytes] | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run `command` to its end, counting the RECORD messages on its stdout per stream, with its peak
    RSS (PeakRss)."""
    log_file = (log or Path(os.devnull)).open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        stdin=stdin or subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log_file,
        env=env,
        cwd=cwd,
    )
    peak = PeakRss(process.pid)
    records: Counter[str] = Counter()
    seconds: dict[str, list[float]] = {}
    last_state = None
    bytes_by_type: Counter[str] = Counter()
    assert process.stdout is not None
    for line in process.stdout:
        head = line[:40]
        kind = MESSAGE_TYPE.search(line, 0, 200)
        bytes_by_type[kind.group(1).decode() if kind else "?"] += len(line)
        if b'"RECORD"' in head:
            match = STREAM.search(line, 0, 200)
            stream = match.group(1).decode() if match else "?"
            records[stream] += 1
            now = time.monotonic() - started
            seconds.setdefault(stream, [now, now])[1] = now
        elif b'"STATE"' in head:
            last_state = json.loads(line)["value"]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = peak.stop()
    wall = time.monotonic() - started
    log_file.close()
    tail = log.read_text(errors="replace").splitlines()[-15:] if log else []
    cpu = usage.ru_utime + usage.ru_stime
    return Run(list(command), process.returncode, wall, peak_mb, records, seconds, last_state, tail, cpu, bytes_by_type)


def cost_summary(
    stats: dict[str, Any], wall_s: float, plan: str, round_trip: float = 0.0, in_flight: int = 1
) -> dict[str, Any]:
    """Requests and points from the emulator's statistics, the share of the plan's restore rate that the
    run used over its wall time, and the run's floor: the longer of the time the budget needs to restore
    the points spent beyond a full bucket, and the time the requests take at `round_trip` each,
    `in_flight` at a time. `of_limit` is that floor over the wall time (1.0: at the limit)."""
    graphql = stats["graphql"]
    points = graphql["actual_cost"]
    budget_s = max(0, points - BUCKET[plan]) / RESTORE_RATE[plan]
    round_trips_s = graphql["requests"] * round_trip / in_flight
    floor_s = max(budget_s, round_trips_s)
    return {
        "round_trip_s": round_trip,
        "limit_s": round(floor_s, 1),
        "floor_by": "budget" if budget_s >= round_trips_s else "round trips",
        "of_limit": floor_s / wall_s if wall_s else 0.0,
        "http_requests": stats["http_requests"],
        "peak_concurrent_requests": stats["peak_concurrent_graphql"],
        "graphql_requests": graphql["requests"],
        "throttled": graphql["throttled"],
        "requested_points": graphql["requested_cost"],
        "points": points,
        "utilization": points / (RESTORE_RATE[plan] * wall_s) if wall_s else 0.0,
        "operations": {name: op["requests"] for name, op in stats.get("operations", {}).items()},
    }


def sync_result(
    contender: str,
    mode: str,
    store: Store,
    command: Sequence[str],
    emulator_args: Sequence[str],
    run: Run,
    stats: dict[str, Any],
    expected: dict[str, Any],
    in_flight: int = 1,
    emulator_cpu_s: float | None = None,
) -> dict[str, Any]:
    """One full-sync row: the store, the commands behind it, what the run took and delivered, its cost,
    the CPU time of the connector's process and of the emulator's (during the run) apart."""
    result: dict[str, Any] = {
        "contender": contender,
        "mode": mode,
        "orders": store.orders,
        "customers": store.customers,
        "products": store.products,
        "plan": store.plan,
        "command": " ".join(command),
        "emulator": "shopify-admin-emulator " + " ".join(emulator_args),
        "returncode": run.returncode,
        "wall_s": run.wall_s,
        "peak_rss_mb": run.peak_rss_mb,
        "records": dict(run.records),
        "stream_seconds": run.seconds,
        "cpu_s": run.cpu_s,
        "emulator_cpu_s": emulator_cpu_s,
        "bytes_by_type": dict(run.bytes_by_type),
        "expected": expected,
        **cost_summary(stats, run.wall_s, store.plan, store.round_trip, in_flight),
    }
    if run.returncode:
        result["error"] = run.stderr_tail
    return result


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, sort_keys=True))
