"""REPORT.md and its plots from the raw results (bench/out/results.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .harness import BUCKET, RESTORE_RATE, ROOT
from .ours import PAGE_CONCURRENCY

# Stream groups read one after the other: a parent with the streams nested in it (ours), or the
# streams singer-io reads for the same objects.
GROUPS = {
    "customers": ("customers",),
    "products": ("products", "product_variants"),
    "orders": ("orders", "order_line_items", "fulfillments"),
    "fulfillment_orders": ("fulfillment_orders",),
}
# What a group's rate counts: singer-io nests line items in its order records, ours emits them as
# records of their own, so orders are compared by orders.
COUNTED = {"customers": ("customers",), "products": ("products", "product_variants"), "orders": ("orders",)}
NOTES = Path(__file__).resolve().parent / "NOTES.md"
INVENTORY = "target/inventory/"  # the target's inventory rows, reported apart from its upserts


def _n(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _mb(value: float | None) -> str:
    return _n(value, 0) + " MB" if value is not None else "–"


def _group_rates(job: dict[str, Any]) -> dict[str, tuple[int, float]]:
    """Per stream group: the records it counts (COUNTED) and the seconds from the last record of the stream
    read before it (or the start) to the group's last record."""
    seconds = job.get("stream_seconds") or {}
    out = {}
    for group, streams in GROUPS.items():
        present = [s for s in streams if s in seconds]
        if present:
            first = min(seconds[s][0] for s in present)
            start = max((b for s, (_, b) in seconds.items() if s not in streams and b <= first), default=0.0)
            counted = sum(job["records"].get(s, 0) for s in COUNTED.get(group, streams))
            out[group] = (counted, max(max(seconds[s][1] for s in present) - start, 1e-3))
    return out


def _total(job: dict[str, Any]) -> int:
    return sum(job.get("records", {}).values())


def tap_rows(jobs: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (j | {"name": name} for name, j in jobs.items() if name.startswith("tap/") and "wall_s" in j),
        key=lambda j: (j["orders"], j["contender"], j["mode"]),
    )


def projections(jobs: dict[str, Any], meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Paged rows not run: the largest measured paged run's points per order times the size, spent at
    that run's utilization (without its first bucket) of the restore rate."""
    options = meta["options"]
    out = []
    for contender, prefix in (("ours paged", "tap/ours/paged/"), ("singer-io", "tap/singer-io/")):
        if contender == "singer-io" and not options.get("singer_io"):
            continue
        measured = [j for name, j in jobs.items() if name.startswith(prefix) and "points" in j and not j["returncode"]]
        if not measured:
            continue
        base = max(measured, key=lambda j: j["orders"])
        rate, bucket = RESTORE_RATE[options["plan"]], BUCKET[options["plan"]]
        utilization = max((base["points"] - bucket) / (rate * base["wall_s"]), 0.01)
        for n in options["sizes"]:
            if n > options["paged_max_orders"]:
                points = base["points"] / base["orders"] * n
                out.append(
                    {
                        "contender": contender,
                        "orders": n,
                        "points": points,
                        "utilization": utilization,
                        "wall_s": (points - bucket) / (rate * utilization),
                        "records": _total(base) / base["orders"] * n,
                        "from": base["orders"],
                        "rate": rate,
                        "bucket": bucket,
                    }
                )
    return out


def plots(jobs: dict[str, Any], meta: dict[str, Any], directory: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = tap_rows(jobs)
    series: dict[str, list[dict[str, Any]]] = {}
    for j in rows:
        if not j["returncode"]:
            label = "singer-io tap-shopify 3.13.0" if j["contender"] == "singer-io" else f"ours ({j['mode']})"
            series.setdefault(label, []).append(j)
    made = []
    for key, title, unit, name in (
        ("wall_s", "Full sync wall time", "seconds", "wall_time.png"),
        ("peak_rss_mb", "Full sync peak RSS", "MB", "peak_rss.png"),
    ):
        figure, axes = plt.subplots(figsize=(7, 4.5))
        for label, points in series.items():
            axes.plot([p["orders"] for p in points], [p[key] for p in points], marker="o", label=label)
        if key == "wall_s":
            for p in projections(jobs, meta):
                axes.plot([p["orders"]], [p["wall_s"]], marker="x", linestyle="none", color="grey")
                axes.annotate(
                    f"{p['contender']} (projected)",
                    (p["orders"], p["wall_s"]),
                    xytext=(-6, 4),
                    textcoords="offset points",
                    ha="right",
                    fontsize=7,
                )
        axes.set_xscale("log")
        if key == "wall_s":
            axes.set_yscale("log")
        else:
            axes.set_ylim(bottom=0)
        axes.set_xlabel(
            f"orders in the store (customers = orders/2, products = orders/10), plan {meta['options']['plan']}"
        )
        axes.set_ylabel(unit)
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(directory / name, dpi=110)
        plt.close(figure)
        made.append(name)
    return made


HEADLINE_ORDERS = 10000  # the store size the headline compares at
LARGEST_TAP_ORDERS = 100000  # a store size the tap rows leave out by default
FLOOR_GOAL = 0.95  # the share of its floor the tap at its defaults should reach


def write(results: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    meta, jobs = results["meta"], results["jobs"]
    options = meta["options"]
    plan = options["plan"]
    rate = RESTORE_RATE[plan]
    images = plots(jobs, meta, directory)
    m = meta["machine"]
    lines = [
        "# Benchmarks: tap-shopify-admin and target-shopify-admin",
        "",
        f"Produced by one run of `{meta['command']}` (started {meta['started']}, last job ended "
        f"{meta.get('ended', '–')}"
        + ("" if meta.get("finished") else "; **the run had not finished when this was written**")
        + ").",
        *(
            f"Job `{r['job']}` was run again alone by `{r['command']}` ({r['started']}) and its row replaced."
            for r in meta.get("reruns", [])
        ),
        "",
        *headline(jobs, options),
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, Linux {m['kernel']} (load average "
        "per row: anything above the run's own jobs is other work on the machine).",
        f"- Versions: Python {m['python']}, singer-sdk {m['singer_sdk']}, this project {m['project']} "
        f"(git {m['git']})"
        + (
            "; singer-io: " + ", ".join(f"{k} {v}" for k, v in sorted(meta["singer_io"].items()))
            if meta.get("singer_io")
            else ""
        )
        + ".",
        f"- Emulator plan `{plan}` ({_n(rate)} points/s restore rate) with Shopify's cost rule "
        f"(`shopify_admin/cost.py`), `--seed {options['seed']}`; every request of the tap rows, ours and "
        f"singer-io's, takes {options.get('tap_round_trip', 0):g} s more (the emulator's `slow` fault), as a shop "
        "across the internet would. A store of N orders has N/2 customers and N/10 products.",
        "- Wall time: from starting the process to its exit. Peak RSS: the process's `VmHWM` (/proc/PID/status), "
        "read every 0.1 s. Requests and points: the emulator's `/__emulator/stats` (reset just before the run), "
        "`points` = actual query cost.",
        "- **Floor**: the least time the row could take. For a row against the shop, the longer of the budget's "
        "(the points spent beyond the full bucket a run starts with, at the restore rate) and the round trips' "
        "(the requests at the round trip each, as many at once as the contender keeps in flight: ours paged "
        "and auto `page_concurrency` 4, the target `concurrent_writes` 4, singer-io and bulk 1). For parsing, "
        "a minimal parser of the same file; for start-up, the interpreter started with nothing to do. "
        "**Of the floor** = floor ÷ wall time (100 %: as fast as the floor allows).",
        "- The tap at its defaults ran first, alone, one size after another. Then every budget-bound job (paged "
        "syncs, singer-io, per-record target rows), each with its own emulator, hence its own bucket, ran at the "
        "same time, and the CPU-bound jobs (bulk syncs, parsing, start-up, bulk target rows) one after the other "
        "alongside them.",
        "",
    ]
    lines += default_section(jobs, meta)
    lines += [f"![{name}]({name})" for name in images] + [""]
    lines += forced_section(jobs, meta)
    lines += stream_section(jobs)
    lines += output_section(jobs)
    lines += incremental_section(jobs)
    lines += cost_growth_section(jobs)
    lines += ["## 3. Parsing, start-up and the target", ""]
    lines += parse_section(jobs)
    lines += startup_section(jobs)
    lines += target_section(jobs)
    lines += join_section(jobs)
    lines += inventory_section(jobs)
    lines += metafield_section(jobs, options)
    lines += not_run_section(jobs, meta)
    lines += singer_io_section(meta)
    if NOTES.exists():
        lines += [NOTES.read_text().strip(), ""]
    text = "\n".join(lines).rstrip() + "\n"
    (directory / "REPORT.md").write_text(text.replace(f"{ROOT}/", ""))  # paths relative to the repository


def _label(job: dict[str, Any]) -> str:
    return "singer-io" if job["contender"] == "singer-io" else f"ours {job['mode']}"


def _floor(job: dict[str, Any]) -> str:
    """The row's floor and the share of it reached: two table cells."""
    by = f" ({job['floor_by']})" if "floor_by" in job else ""
    return f"{_n(job.get('limit_s', 0), 1)} s{by} | {job.get('of_limit', 0):.0%}"


def headline(jobs: dict[str, Any], options: dict[str, Any]) -> list[str]:
    """Ours at its defaults ÷ singer-io at its defaults at HEADLINE_ORDERS orders, end to end, and ours'
    share of its floor at every size."""
    ok = {n: j for n, j in jobs.items() if not j.get("returncode") and "wall_s" in j}
    size = HEADLINE_ORDERS if f"tap/ours/auto/{HEADLINE_ORDERS}" in ok else max(options["sizes"])
    mine, theirs = ok.get(f"tap/ours/auto/{size}"), ok.get(f"tap/singer-io/{size}")
    if mine and theirs:
        first = (
            f"**Headline: at {size:,} orders, end to end, ours at its defaults (`bulk: auto`) ÷ singer-io's "
            f"tap-shopify 3.13.0 at its defaults = {mine['wall_s'] / theirs['wall_s']:.3f} in wall time** "
            f"({_n(mine['wall_s'], 1)} s for {_n(_total(mine))} records against {_n(theirs['wall_s'], 1)} s for "
            f"{_n(_total(theirs))}: singer-io takes {theirs['wall_s'] / mine['wall_s']:.1f}× as long and delivers "
            f"{_total(theirs) / max(_total(mine), 1):.2f}× the records)."
        )
    else:
        first = f"**Headline: ours at its defaults ÷ singer-io at {size:,} orders: not measured in this run** " + (
            "(singer-io not run)." if not options.get("singer_io") else "(a row is missing or failed; see below)."
        )
    shares = [
        f"{_n(n)} orders {j['of_limit']:.0%}"
        for n in options["sizes"]
        if (j := ok.get(f"tap/ours/auto/{n}")) is not None
    ]
    below = [n for n in options["sizes"] if (j := ok.get(f"tap/ours/auto/{n}")) and j["of_limit"] < FLOOR_GOAL]
    return [
        first,
        "",
        f"Share of its floor ours at its defaults reached: {', '.join(shares) or '–'} (goal {FLOOR_GOAL:.0%}"
        + (
            f"; below it at {', '.join(f'{n:,}' for n in below)} orders: see *What holds it back* in section 1)."
            if below
            else ")."
        ),
        "",
    ]


def held_back(job: dict[str, Any]) -> str:
    """Where a row's time beyond its floor went, from what the run recorded: the time to its first record
    (start-up and the first answers), the longest stretches between streams' last records, the requests
    one after another at the round trip, the exit after the last record, and who spent the CPU."""
    seconds = job.get("stream_seconds") or {}
    if not seconds:
        return "no record arrived"
    first = min(a for a, _ in seconds.values())
    ends = sorted((b, stream) for stream, (_, b) in seconds.items())
    stretches = sorted(
        ((end - before, stream) for (before, _), (end, stream) in zip([(first, ""), *ends], ends, strict=False)),
        reverse=True,
    )[:3]
    emulator_cpu = job.get("emulator_cpu_s")
    round_trip = job.get("round_trip_s", 0)
    return (
        f"{_n(job['wall_s'] - job['limit_s'], 1)} s beyond its floor of {_n(job['limit_s'], 1)} s. The first record "
        f"came {_n(first, 1)} s after launch; the longest stretches up to a stream's last record: "
        + ", ".join(f"`{stream}` {_n(span, 1)} s" for span, stream in stretches)
        + f"; the exit {_n(job['wall_s'] - ends[-1][0], 1)} s after the last record. Its {_n(job['graphql_requests'])} "
        f"requests one after another take {_n(job['graphql_requests'] * round_trip, 1)} s at the round trip (the "
        f"floor counts them {PAGE_CONCURRENCY} at a time, as the pages of one stream go; streams are read one "
        f"after another). The tap spent {_n(job.get('cpu_s'), 1)} s of CPU"
        + (f", the emulator {_n(emulator_cpu, 1)} s" if emulator_cpu is not None else "")
        + f"; {job.get('throttled', 0)} requests came back THROTTLED."
    )


TAP_COLUMNS = (
    "| orders | contender | exit | wall | records | records/s | GraphQL req. | points | floor | of the floor "
    "| peak RSS | load avg (mean/max) |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
)


def tap_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = list(TAP_COLUMNS)
    for j in rows:
        total = _total(j)
        lines.append(
            f"| {_n(j['orders'])} | {_label(j)} | {j['returncode']} | {_n(j['wall_s'], 1)} s | {_n(total)} | "
            f"{_n(total / j['wall_s'], 1)} | {_n(j['graphql_requests'])} | {_n(j['points'])} | {_floor(j)} | "
            f"{_mb(j['peak_rss_mb'])} | {j['load']['mean']}/{j['load']['max']} |"
        )
    return lines


def commands(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["", "Commands (the config and catalog files are kept under `bench/out/work/`):", ""]
    for j in rows:
        lines.append(f"- `{j['name']}`: `{j['emulator']}` then `{j['command']}`")
        if j.get("error"):
            lines.append(f"  - failed: `{j['error'][-1]}`")
    return [*lines, ""]


def default_section(jobs: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    rows = [j for j in tap_rows(jobs) if j["mode"] in ("auto", "singer-io")]
    if not rows:
        return []
    lines = [
        "## 1. The tap at its defaults beside singer-io tap-shopify 3.13.0 at its defaults",
        "",
        "Ours: a config with the connection only, so every setting is at its default (`bulk: auto`: a stream "
        "whose backfill holds more objects than the cost model says a bulk export beats is exported, the rest "
        "paged; `page_concurrency` 4) and every stream the tap selects by default. singer-io: its defaults "
        "(see [How singer-io tap-shopify 3.13.0 was run](#how-singer-io-tap-shopify-3130-was-run)).",
        "",
        *tap_table(rows),
    ]
    behind = [j for j in rows if j["mode"] == "auto" and not j["returncode"] and j["of_limit"] < FLOOR_GOAL]
    if behind:
        lines += ["", "What holds it back (ours at its defaults under 95 % of its floor):", ""]
        lines += [f"- {_n(j['orders'])} orders: {held_back(j)}" for j in behind]
    lines += commands(rows)
    lines += group_section(jobs)
    return lines


def forced_section(jobs: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    rows = [j for j in tap_rows(jobs) if j["mode"] in ("paged", "bulk")]
    if not rows:
        return []
    lines = [
        "## 2. The tap paged (`bulk: never`) and bulk (`bulk: always`)",
        "",
        "The same stores and selection (every stream), with `bulk` forced one way or the other. Paged rows are "
        "bound by the budget; bulk rows by the exports and the CPU (an export costs a few points however large).",
        "",
        *tap_table(rows),
    ]
    for p in projections(jobs, meta):
        lines.append(
            f"| {_n(p['orders'])} | {p['contender']} — **projection** from {_n(p['from'])} orders, not measured "
            f"| | ≈{_n(p['wall_s'])} s | ≈{_n(p['records'])} | | | ≈{_n(p['points'])} | "
            f"≈{_n((p['points'] - p['bucket']) / p['rate'])} s | {p['utilization']:.0%} (as measured) | | |"
        )
    return lines + commands(rows)


def stream_section(jobs: dict[str, Any]) -> list[str]:
    """One table per store size: every stream any row delivered, per row, beside what the emulator holds
    where a count root says so."""
    rows = [j for j in tap_rows(jobs) if not j["returncode"]]
    if not rows:
        return []
    lines = [
        "### Records per stream",
        "",
        "`expected` is what the emulator holds where an Admin API count says so: live objects, `+` the destroyed "
        "ones, for which ours emits a deletion record each (singer-io reads no deletions); `–`: no count root. "
        "Every stream ours selects by default is listed, those that delivered nothing with 0.",
        "",
    ]
    for size in sorted({j["orders"] for j in rows}):
        found = [j for j in rows if j["orders"] == size]
        expected: dict[str, int] = next((j["expected"] for j in found if j.get("expected")), {})
        delivered = {s for j in found for s in [*j["records"], *j.get("selected_streams", [])]}
        streams = sorted(delivered, key=lambda s: (s not in expected, s))
        lines += [
            f"{_n(size)} orders:",
            "",
            "| stream | expected | " + " | ".join(_label(j) for j in found) + " |",
            "|---|---:|" + "---:|" * len(found),
        ]
        for stream in streams:
            held = expected.get(stream)
            deleted = expected.get(f"deleted_{stream}")
            cell = "–" if held is None else _n(held) + (f" + {_n(deleted)}" if deleted else "")
            counts = " | ".join(
                _n(j["records"].get(stream, 0)) if stream in j["records"] or j["contender"] == "ours" else "–"
                for j in found
            )
            lines.append(f"| {stream} | {cell} | {counts} |")
        lines.append("")
    return lines


def group_section(jobs: dict[str, Any]) -> list[str]:
    by_size: dict[int, dict[str, dict[str, Any]]] = {}
    for j in tap_rows(jobs):
        if not j["returncode"]:
            by_size.setdefault(j["orders"], {})[j["mode"]] = j
    if not any("singer-io" in found for found in by_size.values()):
        return []
    modes = ("auto", "paged", "bulk")
    lines = [
        "### Ours ÷ singer-io, per stream group",
        "",
        "A group is a stream with the streams nested in it; its time runs from the last record of the stream "
        "read before it (or the start) to its own last record. Records counted: customers; products and "
        "product_variants; orders (singer-io nests line items in its order records, ours emits them as records "
        "of their own, so they are not counted for either). The last column is the ratio of those records "
        "delivered (ours at its defaults ÷ singer-io).",
        "",
        "| orders | group | singer-io records/s | "
        + " | ".join(f"ours {m} records/s | {m} ÷ singer-io" for m in modes)
        + " | records ours ÷ singer-io |",
        "|---:|---|---:|" + "---:|---:|" * len(modes) + "---:|",
    ]
    for size, found in sorted(by_size.items()):
        if "singer-io" not in found:
            continue
        rates = {k: _group_rates(v) for k, v in found.items()}
        for group in ("customers", "products", "orders"):
            if group not in rates["singer-io"]:
                continue
            t_records, t_seconds = rates["singer-io"][group]
            t_rate = t_records / t_seconds
            cells: list[str] = []
            for mode in modes:
                if group in rates.get(mode, {}):
                    records, seconds = rates[mode][group]
                    cells += [_n(records / seconds, 1), f"{records / seconds / t_rate:.2f}×"]
                else:
                    cells += ["–", "–"]
            mine = rates.get("auto", {}).get(group)
            ratio = f"{mine[0] / t_records:.2f}" if mine and t_records else "–"
            lines.append(f"| {_n(size)} | {group} | {_n(t_rate, 1)} | {' | '.join(cells)} | {ratio} |")
    return [*lines, ""]


def parse_section(jobs: dict[str, Any]) -> list[str]:
    found = [(name, j) for name, j in jobs.items() if name.startswith("parse/") and "wall_s" in j]
    if not found:
        return []
    lines = [
        "### 3a. Bulk result parsing (one core, no network)",
        "",
        "The orders stream's bulk query is exported once and downloaded; then a child process pinned to CPU 0 "
        "(`sched_setaffinity`) reassembles the JSONL (`shopify_admin.bulk.reassemble`: SQLite index, children "
        "joined to parents, `updatedAt` order) and writes RECORD messages for orders, order_line_items and "
        "fulfillments through the tap's own streams as a sync does (with a STATE every 100 orders) to a pipe. "
        "Fulfillment line items, which a bulk query cannot nest under a list, are filled by requests in a real "
        "sync and are left out here. `CONNECTIONS` stands for the stream's map of nested connections as JSON, "
        '`{"Order": {"LineItem": "lineItems"}}`. The floor (`… floor`, the same file, the same core, alternating '
        "with ours) is the least any parser must do: msgspec decodes each line once, children are joined by "
        "`__parentId` with only line offsets in memory, one RECORD line is written per object. Rates are per "
        "second of the process's CPU (user + system, `wait4`), start-up included; medians of the runs.",
        "",
        "| orders | JSONL lines | JSONL size | wall | CPU | RECORD messages | records/s | floor (records/s) "
        "| of the floor | peak RSS | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _name, j in found:
        total = _total(j)
        cpu = j.get("cpu_s") or j["wall_s"]  # rows from before CPU time was measured: by wall time
        floor = j.get("floor")
        floor_rate = floor["records"] / floor["cpu_s"] if floor else None
        lines.append(
            f"| {_n(j['orders'])} | {_n(j['jsonl_lines'])} | {_n(j['jsonl_mb'], 1)} MB | {_n(j['wall_s'], 1)} s | "
            f"{_n(cpu, 1)} s | {_n(total)} | {_n(total / cpu)} | {_n(floor_rate) if floor_rate else '–'} | "
            f"{f'{total / cpu / floor_rate:.0%}' if floor_rate else '–'} | "
            f"{_mb(j['peak_rss_mb'])} | {j['load']['mean']}/{j['load']['max']} |"
        )
    lines += ["", *(f"- `{name}`: `{j['command']}`" for name, j in found)]
    return [*lines, ""]


def output_section(jobs: dict[str, Any]) -> list[str]:
    """Who spent the CPU of each sync, and what its output is made of."""
    found = [(name, j) for name, j in jobs.items() if name.startswith("tap/") and j.get("bytes_by_type")]
    if not found:
        return []
    kinds = ("RECORD", "STATE", "SCHEMA")
    lines = [
        "### CPU per process and output by message type",
        "",
        "CPU: user + system seconds of the tap's process (`wait4`) and of the emulator's during the run "
        "(`/proc/PID/stat`), apart, so that a reader can see who spent the time.",
        "",
        "| job | wall | tap CPU | emulator CPU | records/s of wall | output | "
        + " | ".join(f"{k} bytes" for k in kinds)
        + " | STATE share |",
        "|---|---:|---:|---:|---:|---:|" + "---:|" * len(kinds) + "---:|",
    ]
    for name, j in found:
        out = j["bytes_by_type"]
        size = sum(out.values())
        emulator_cpu = j.get("emulator_cpu_s")
        lines.append(
            f"| `{name}` | {_n(j['wall_s'], 1)} s | {_n(j['cpu_s'], 1)} s | "
            f"{_n(emulator_cpu, 1) + ' s' if emulator_cpu is not None else '–'} | {_n(_total(j) / j['wall_s'])} | "
            f"{_n(size / 2**20, 1)} MB | "
            + " | ".join(f"{_n(out.get(k, 0) / 2**20, 1)} MB" for k in kinds)
            + f" | {out.get('STATE', 0) / size:.2%} |"
        )
    return [*lines, ""]


def target_section(jobs: dict[str, Any]) -> list[str]:
    found = sorted(
        (
            (name, j)
            for name, j in jobs.items()
            if name.startswith(("target/per-record/", "target/bulk/")) and "wall_s" in j
        ),
        key=lambda item: (item[1]["n"], item[1]["mode"]),
    )
    if not found:
        return []
    lines = [
        "### 3c. Target: upserting customers and products",
        "",
        "N new customers (email, firstName, lastName, tags; `match_on: email`) and N new products (handle, "
        "title, status, vendor; `match_on: handle`) into an empty shop, `action: upsert`. `per-record` sets "
        "`bulk_threshold: 0` (a lookup and a `customerSet`/`productSet` per record); `bulk` sets "
        "`bulk_threshold: 1` (each batch: batched lookups, then stagedUploadsCreate + bulkOperationRunMutation).",
        "",
        "| N | mode | exit | records | wall | records/s | GraphQL req. | points | floor | of the floor "
        "| peak RSS | in the shop afterwards (customers / products) | load avg |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for _name, j in found:
        w = j.get("written") or {}
        lines.append(
            f"| {_n(j['n'])} | {j['mode']} | {j['returncode']} | {_n(j['records_in'])} | {_n(j['wall_s'], 1)} s | "
            f"{_n(j['records_in'] / j['wall_s'], 1)} | {_n(j['graphql_requests'])} | {_n(j['points'])} | "
            f"{_floor(j)} | {_mb(j['peak_rss_mb'])} | {w.get('customers')} / {w.get('products')} | "
            f"{j['load']['mean']}/{j['load']['max']} |"
        )
    if any("a request" in j["mode"] for _name, j in found):
        lines += [
            "",
            "The rows with seconds a request have the emulator answer every request that much later (its `slow` "
            "fault), as a shop across the internet would; the other rows answer within milliseconds. Written one "
            "at a time (`concurrent_writes: 1`), records wait on round trips and leave most of the budget unused; "
            "the default `concurrent_writes: 4` overlaps them, records with the same key still in order.",
        ]
    lines += ["", *(f"- `{name}`: `{j['emulator']}` then `{j['command']}`" for name, j in found)]
    return [*lines, ""]


def join_section(jobs: dict[str, Any]) -> list[str]:
    found = [(name, j) for name, j in sorted(jobs.items()) if name.startswith("target/join/") and "auto" in j]
    if not found:
        return []
    lines = [
        "### 3d. Target: upserting customers the shop already holds",
        "",
        "N customers (`match_on: email`, `bulk_threshold: 1`) into a shop that holds them, each run with a full "
        "bucket: `lookups` finds them by aliased `customerByIdentifier` queries; `auto` looks the first query's "
        "worth up, then lets the cost model choose, here one `bulkOperationRunQuery` export of the shop joined "
        "by email. Every record is unchanged, so nothing is written.",
        "",
        "| N | finding | chosen | exit | outcomes | wall | records/s | GraphQL req. | points | floor | of the floor "
        "| target CPU |",
        "|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _name, j in found:
        for mode in ("lookups", "auto"):
            r = j[mode]
            lines.append(
                f"| {_n(j['n'])} | `{mode}` | {r['chose']} | {r['returncode']} | {r['outcomes']} | "
                f"{_n(r['wall_s'], 1)} s | {_n(j['n'] / r['wall_s'], 1)} | {_n(r['graphql_requests'])} | "
                f"{_n(r['points'])} | {_floor(r)} | {_n(r['cpu_s'], 1)} s |"
            )
    lines += ["", *(f"- `{name}`: `{j['emulator']}`, then `{j['auto']['command']}`" for name, j in found)]
    return [*lines, ""]


def inventory_section(jobs: dict[str, Any]) -> list[str]:
    found = sorted((name, j) for name, j in jobs.items() if name.startswith(INVENTORY) and "wall_s" in j)
    if not found:
        return []
    lines = [
        "### 3e. Target: setting inventory levels",
        "",
        "A warehouse's stock table: N rows (sku, location name, a new `available`), each item at the seeded "
        "shop's two active locations, as `inventory_level` records (`match_on: sku`, `location_match_on: name`). "
        "`per-record` sets `bulk_threshold: 0` (batched lookups, then 250 rows per `inventorySetQuantities`); "
        "`bulk` sets `bulk_threshold: 1` (the same lookups, then one bulkOperationRunMutation, a line per 250 rows).",
        "",
        "| N | mode | exit | records | wall | records/s | GraphQL req. | points | floor | of the floor "
        "| levels as asked afterwards | peak RSS |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _name, j in found:
        lines.append(
            f"| {_n(j['n'])} | {j['mode']} | {j['returncode']} | {_n(j['records_in'])} | {_n(j['wall_s'], 1)} s | "
            f"{_n(j['records_in'] / j['wall_s'], 1)} | {_n(j['graphql_requests'])} | {_n(j['points'])} | "
            f"{_floor(j)} | {_n(j['written']['levels'])} | {_mb(j['peak_rss_mb'])} |"
        )
    lines += ["", *(f"- `{name}`: `{j['emulator']}` then `{j['command']}`" for name, j in found)]
    return [*lines, ""]


def startup_section(jobs: dict[str, Any]) -> list[str]:
    job = jobs.get("startup")
    if not job or "taps" not in job:
        return []
    floor = job["floor_s"]
    lines = [
        "### 3b. Start-up",
        "",
        f"Seconds from launching each tap to its first RECORD, against a small store with only `customers` "
        f"selected, on one core (CPU {job['cpu']}), alternately, medians of {job['repeat']}. Ours runs from an "
        "environment holding only what it installs with (as a user installs it); from the development "
        "environment (with the test and plotting tools) for comparison. The floor is that environment's Python "
        "started with nothing to do (`python -c ''`), measured alternately with them.",
        "",
        "| tap | first record | floor | of the floor | CPU | wall to exit | records | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, tap in job["taps"].items():
        lines.append(
            f"| {name} | {_n(tap['first_record_s'], 2)} s | {_n(floor, 2)} s | {floor / tap['first_record_s']:.0%} | "
            f"{_n(tap['cpu_s'], 2)} s | {_n(tap['wall_s'], 2)} s | {_n(tap['records'])} | "
            f"{', '.join(map(str, tap['returncodes']))} |"
        )
    return [
        *lines,
        "",
        f"- `startup`: `{job['command']}` (store: `shopify-admin-emulator {' '.join(job['store'])}`)",
        "",
    ]


METAFIELD_ROWS = (  # job name prefix → what the row is
    ("target/metafields/default/", "`object: metafield`, the target's defaults"),
    ("target/metafields/per-call/", "`object: metafield`, `bulk_threshold: 0` (a `metafieldsSet` per 25)"),
    ("target/metafields/customer/", "`object: customer` with `metafields`, `bulk_threshold: 0`"),
)


def projection(job: dict[str, Any], size: int) -> dict[str, float]:
    """A target row measured at job["records_in"] records, projected to `size`: its points per record times size,
    spent beyond the first bucket at the restore rate, at the share of that floor the measured row reached."""
    rate, bucket = RESTORE_RATE[job["plan"]], BUCKET[job["plan"]]
    points = job["points"] / job["records_in"] * size
    floor = max(points - bucket, 0) / rate
    share = job["of_limit"] or 1.0
    return {
        "points": points,
        "floor": floor,
        "wall_s": floor / share,
        "requests": job["graphql_requests"] / job["records_in"] * size,
    }


def metafield_section(jobs: dict[str, Any], options: dict[str, Any]) -> list[str]:
    size = options.get("metafields")
    found = [
        (label, name, j)
        for prefix, label in METAFIELD_ROWS
        for name, j in sorted(jobs.items())
        if name.startswith(prefix) and "wall_s" in j
    ]
    if not found or not size:
        return []
    lines = [
        f"### 3f. Target: {size:,} customer metafields",
        "",
        f"One integer metafield (`bench.score`) on each customer of a shop that holds them ({size:,} seeded, less "
        "the few the seed destroys), matched by email, each run from a full bucket. Rows that would take longer "
        "than the run allows are measured at a smaller size, named in the row, and projected to "
        f"{size:,}: the measured points per record times {size:,}, spent beyond the first bucket at the restore "
        "rate, at the share of that floor the measured row reached. `written`: customers holding the value "
        "afterwards (read back by a bulk export).",
        "",
        "| way | measured records | exit | wall | records/s | GraphQL req. | points | floor | of the floor | written "
        "| operations |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, _name, j in found:
        operations = ", ".join(f"{op} {count}" for op, count in sorted(j.get("operations", {}).items()))
        lines.append(
            f"| {label} | {_n(j['records_in'])} | {j['returncode']} | {_n(j['wall_s'], 1)} s | "
            f"{_n(j['records_in'] / j['wall_s'], 1)} | {_n(j['graphql_requests'])} | {_n(j['points'])} | {_floor(j)} "
            f"| {_n(j['written']['metafields'])} | {operations} |"
        )
        if j["n"] < size and not j["returncode"]:
            p = projection(j, size)
            lines.append(
                f"| {label} — **projection** to {size:,} from the {_n(j['records_in'])} measured | | | "
                f"≈{_n(p['wall_s'])} s (≈{p['wall_s'] / 3600:.1f} h) | | ≈{_n(p['requests'])} | ≈{_n(p['points'])} | "
                f"≈{_n(p['floor'])} s | "
                f"{j['of_limit']:.0%} (as measured) | | |"
            )
    lines += ["", *(f"- `{name}`: `{j['emulator']}` then `{j['command']}`" for _label, name, j in found)]
    return [*lines, ""]


def incremental_section(jobs: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for _name, j in sorted(jobs.items()):
        inc = j.get("incremental")
        if not inc:
            continue
        if not lines:
            lines = [
                "### No-change incremental run",
                "",
                "Right after the full sync, from its final state, with nothing changed in the shop.",
                "",
            ]
        if j["contender"] == "ours":
            lines += [
                f"Ours ({_n(j['orders'])} orders; one run per top-level stream, that stream and those nested in it "
                "selected, so that each stream's requests are counted alone):",
                "",
                "| stream | GraphQL requests | points | records | exit |",
                "|---|---:|---:|---:|---:|",
            ]
            for stream, row in inc.items():
                lines.append(
                    f"| {stream} | {row['graphql_requests']} | {row['points']} | {_total(row)} | {row['returncode']} |"
                )
            lines += ["", *(f"- `{stream}`: `{row['command']}`" for stream, row in inc.items()), ""]
        else:
            lines += [
                f"singer-io ({_n(j['orders'])} orders; one run, requests per GraphQL operation: `Customers` → "
                "customers, `GetProducts` → products, `GetProductVariants` → product_variants, "
                "`bulkOperationRunQuery` and the unnamed `node` polls → orders):",
                "",
                "| operation | requests |",
                "|---|---:|",
                *(f"| {op} | {count} |" for op, count in sorted(inc["operations"].items())),
                "",
                f"Total: {inc['graphql_requests']} GraphQL requests, {inc['http_requests']} HTTP requests "
                f"(with `shop.json` and bulk downloads), {inc['points']} points, {_n(inc['wall_s'], 1)} s, "
                f"{_total(inc)} records, exit {inc['returncode']}. Command: `{inc['command']}`",
                "",
            ]
    return lines


def cost_growth_section(jobs: dict[str, Any]) -> list[str]:
    rows = [j for j in tap_rows(jobs) if not j["returncode"]]
    if not rows:
        return []
    lines = [
        "### How cost grows with store size",
        "",
        "| contender | orders | points | points per order in the store | points per record "
        "| requests per 1,000 records |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for j in rows:
        total = _total(j)
        label = "singer-io" if j["contender"] == "singer-io" else f"ours {j['mode']}"
        lines.append(
            f"| {label} | {_n(j['orders'])} | {_n(j['points'])} | {_n(j['points'] / j['orders'], 2)} | "
            f"{_n(j['points'] / max(total, 1), 3)} | {_n(j['graphql_requests'] / max(total, 1) * 1000, 1)} |"
        )
    return [*lines, ""]


def not_run_section(jobs: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    options = meta["options"]
    missing = [name for name in meta.get("planned", []) if name not in jobs]
    lines = ["## Rows not run", ""]
    for n in options["sizes"]:
        if n > options["paged_max_orders"]:
            who = "ours paged" + (" and singer-io" if options.get("singer_io") else "")
            lines.append(
                f"- {who} at {n:,} orders: not run (`--paged-max-orders {options['paged_max_orders']}`); a paged "
                f"sync is bound by the {RESTORE_RATE[options['plan']]:,} points/s restore rate, so it would take many "
                "hours. The table shows a projection from the largest measured run's points per order."
            )
    if max(options["sizes"]) < LARGEST_TAP_ORDERS:
        lines.append(
            f"- The tap at {LARGEST_TAP_ORDERS:,} orders: not in the sizes (`--sizes`), to keep the run under 45 "
            "minutes: the bulk sync alone took 575 s on 2026-11-23 and a paged one would take hours; section 3a "
            f"parses the bulk result of a {options['parse_orders']:,}-order store."
        )
    per_record = [j for n, j in jobs.items() if n.startswith("target/per-record/") and n.count("/") == 2]
    for n in sorted(options["target_sizes"])[1:]:
        measured = next((j for j in per_record if not j["returncode"]), None)
        if measured:
            p = projection(measured, 2 * n)
            projected = f" (projected from the {_n(measured['n'])} measured: ≈{_n(p['points'])} points, "
            projected += f"≈{_n(p['wall_s'] / 60)} minutes on `{options['plan']}`)"
        else:
            projected = ""
        lines.append(
            f"- The target per record at {n:,} customers and products: not run{projected}; it is bound by the budget, "
            "so it shows what the smaller row shows, and it would be the run's longest job."
        )
    if not options.get("singer_io"):
        lines.append("- singer-io tap-shopify: not run (`--no-singer-io`, the default with `--quick`).")
    else:
        lines.append(
            "- singer-io's `fulfillment_orders` stream (its query costs more than the 1,000 points a query may) "
            "and the `fulfillments` inside its orders (a field Admin API 2026-07 no longer has): not run, see "
            "[How singer-io tap-shopify 3.13.0 was run]"
            "(#how-singer-io-tap-shopify-3130-was-run)."
        )
    if not options.get("target_bulk"):
        lines.append("- target bulk rows: not run (`--no-target-bulk`).")
    lines += [f"- `{name}`: had not finished when this report was written." for name in missing]
    lines += [
        f"- `{name}`: failed (exit {j.get('returncode')}): `{(j.get('error') or ['?'])[-1]}`"
        for name, j in jobs.items()
        if j.get("returncode")
    ]
    if len(lines) == 2:
        lines.append("- none")
    return [*lines, ""]


def singer_io_section(meta: dict[str, Any]) -> list[str]:
    if not meta["options"].get("singer_io"):
        return []
    from . import singer_io

    return [
        "## How singer-io tap-shopify 3.13.0 was run",
        "",
        f"- Installed from PyPI into its own virtual environment (`bench/out/venv-singer-io`, "
        f"`pip install tap-shopify=={singer_io.VERSION}`); its code is not changed.",
        "- Where it connects: it builds `https://{shop}.myshopify.com/admin/api/2025-07/…` itself (ShopifyAPI for "
        "`shop.json` and the paged GraphQL queries, `requests` for starting bulk operations). A `sitecustomize.py` "
        "on its PYTHONPATH (`bench/singer_io_site/`) makes `*.myshopify.com` resolve to a local TLS proxy "
        "(`socket.getaddrinfo`, nothing else); the proxy (in the benchmark process) presents a `*.myshopify.com` "
        "certificate from a CA generated for the run (`bench/out/tls/`), which the tap trusts through "
        "`SSL_CERT_FILE` and `REQUESTS_CA_BUNDLE`, and forwards `bench{N}.myshopify.com` to that store's own "
        "emulator (started with `--shop bench{N}`). Bulk result files are fetched from the emulator directly. The "
        "emulator accepts any API version in the path and answers with its 2026-07 schema.",
        "- Config: `shop`, `access_token` and `start_date` two days before the seeded data begins; everything else "
        "at its defaults (250 a page, `date_window_size` 30 days): under Shopify's cost rule "
        "(`shopify_admin/cost.py`) its pages fit the 1,000 points a query may cost.",
        f"- Catalog: from its own `--discover`; selected: {', '.join(singer_io.STREAMS)}, with every field, except "
        "`orders.fulfillments`: that selection asks for `FulfillmentService.permitsSkuSharing`, which Admin API "
        "2026-07 (the emulator's schema) no longer has, so the whole orders query would be refused. "
        "`fulfillment_orders` (the stream matching ours) is not selected (under the emulator's earlier, linear cost "
        "rule its query was refused with `MAX_COST_EXCEEDED`; it was not tried again). Its other streams "
        "(abandoned checkouts, collections, transactions, refunds, metafields, locations, inventory, events) have "
        "nothing matching ours.",
        "- Its orders stream always uses bulk operations, one per 30-day window, and polls each every 60 s; its "
        "other streams are paged.",
        "",
    ]
