"""Running the tap and the target against an emulated shop, and reading what they wrote.

Most tests run a connector in this process with its stdout, stderr and log captured (the target through
its command line, exit code included; the tap as its `invoke` runs it): a run costs no interpreter start
and no singer-sdk import. What only a process shows (SIGKILL, the entry point) has `run_killed` and
`tap_process`."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import click
import msgspec
import requests
from singer_sdk.logging import ConsoleFormatter
from singer_sdk.plugin_base import PluginBase

from shopify_admin_emulator.store import Store
from tap_shopify_admin.tap import MessageWriter, TapShopifyAdmin
from target_shopify_admin.target import TargetShopifyAdmin

from .conftest import TOKEN, Running

CUSTOMER_SCHEMA = {"type": "object", "properties": {"id": {"type": ["string", "null"]}}}
WRITES = (
    "TargetCustomerSet",
    "TargetCustomerDelete",
    "TargetCustomerEmailMarketingConsent",
    "TargetCustomerSmsMarketingConsent",
    "TargetProductSet",
    "TargetProductDelete",
)


@contextmanager
def logged_to(stream: io.StringIO) -> Iterator[None]:
    """The plugin's log lines, as its command line writes them to stderr, into `stream`. The emulator
    serving the run lives in this process too; its own log lines are not the plugin's."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ConsoleFormatter())
    handler.addFilter(lambda record: not record.name.startswith("shopify_admin_emulator"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class Output:
    """What a plugin run in this process wrote to stdout and stderr."""

    def __init__(self) -> None:
        self.bytes = io.BytesIO()
        self.stdout = io.TextIOWrapper(self.bytes, encoding="utf-8", write_through=True)  # the tap writes bytes
        self.stderr = io.StringIO()

    def completed(self, args: list[str], returncode: int) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, returncode, self.bytes.getvalue().decode(), self.stderr.getvalue())


@contextmanager
def plugin_output() -> Iterator[Output]:
    """stdout, stderr and the log of a plugin run in this process; the signal handlers it takes over
    (SIGINT, SIGTERM) are given back."""
    output = Output()
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with redirect_stdout(output.stdout), redirect_stderr(output.stderr), logged_to(output.stderr):
            yield output
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def exit_code(plugin: type[PluginBase], args: list[str]) -> int:
    """The exit code of `plugin`'s command line on `args`, run in this process; an exception that would
    end the process prints its traceback to stderr and exits 1, as Python does. click's `ctx.exit(n)` (the
    SDK's answer to a config that fails validation) comes back as main's return value."""
    try:
        returned = plugin.get_singer_command().main(args, prog_name=plugin.name, standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    except Exception:
        traceback.print_exc()
        return 1
    return returned if isinstance(returned, int) else 0


def tap_config(shop: Running, **extra: Any) -> dict:
    """The tap's config; these shops' search has no lag (see test_search_lag.py), nor do the windows."""
    base = {"shop": "emulator", "access_token": TOKEN, "base_url": shop.url, "user_tier": "standard", "search_lag": 0}
    return {**base, **extra}


def tap_args(tmp_path: Path, cfg: dict, state: dict | None = None, catalog: dict | None = None) -> list[str]:
    """The tap's command line arguments, its files written in `tmp_path`."""
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    args = ["--config", str(tmp_path / "config.json")]
    for name, value in (("state", state), ("catalog", catalog)):
        if value is not None:
            (tmp_path / f"{name}.json").write_text(json.dumps(value))
            args += [f"--{name}", str(tmp_path / f"{name}.json")]
    return args


def tap_process(
    tmp_path: Path, cfg: dict, state: dict | None = None, catalog: dict | None = None
) -> subprocess.CompletedProcess[str]:
    """The tap run as its own process, which must succeed."""
    args = [sys.executable, "-m", "tap_shopify_admin.tap", *tap_args(tmp_path, cfg, state, catalog)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)


def run_tap(
    tmp_path: Path, cfg: dict, state: dict | None = None, catalog: dict | None = None, started: datetime | None = None
) -> list[dict]:
    """The messages of a tap run in this process as its command line runs it (`invoke`), which must succeed.
    Its sync starts at `started`, by default in the next second: a window ends, exclusive, at the second
    its sync starts in, and a test reads the changes it has just made (a process would start later anyway)."""
    with plugin_output() as output:
        tap = TapShopifyAdmin(config=cfg, state=state, catalog=catalog, validate_config=True)
        tap.sync_started = started or next_second()
        tap.sync_all()
        cast("MessageWriter", tap.message_writer).flush()  # its last block, which a process writes at exit
    return singer_messages(output.completed([], 0).stdout)


def next_second() -> datetime:
    """A sync start in the second after this one, which takes in the changes made in this one."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)


def singer_messages(stdout: str) -> list[dict]:
    decode = msgspec.json.Decoder().decode
    return [decode(line) for line in stdout.splitlines() if line.startswith("{")]


def run_killed(tmp_path: Path, cfg: dict, after: int, stream: str = "customers") -> list[dict]:
    """The messages of a run killed (SIGKILL) once it has emitted `after` records of `stream`."""
    tap = subprocess.Popen(
        [sys.executable, "-m", "tap_shopify_admin.tap", *tap_args(tmp_path, cfg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert tap.stdout is not None
    seen: list[dict] = []
    for line in tap.stdout:
        seen.append(json.loads(line))
        if len(records(seen, stream)) == after:
            tap.kill()
            break
    tap.wait(timeout=30)
    return seen


def records(messages: list[dict], stream: str) -> list[dict]:
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def last_state(messages: list[dict]) -> dict:
    return [m["value"] for m in messages if m["type"] == "STATE"][-1]


def target_config(shop: Running, tmp_path: Path, **extra: Any) -> dict:
    return {
        "shop": "emulator",
        "access_token": TOKEN,
        "base_url": shop.url,
        "dead_letter_path": str(tmp_path / "dead.jsonl"),
        **extra,
    }


def messages(stream: str, rows: list[dict], state: dict | None = None) -> list[dict]:
    out: list[dict] = [{"type": "SCHEMA", "stream": stream, "schema": CUSTOMER_SCHEMA, "key_properties": ["id"]}]
    out += [{"type": "RECORD", "stream": stream, "record": row} for row in rows]
    return [*out, {"type": "STATE", "value": state or {"done": stream}}]


def run_target(tmp_path: Path, cfg: dict, lines: list[dict] | str) -> subprocess.CompletedProcess[str]:
    """The target's command line run in this process on `lines`: messages, or the input's text as it is."""
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    text = lines if isinstance(lines, str) else "".join(json.dumps(m) + "\n" for m in lines)
    (tmp_path / "input.jsonl").write_text(text)
    args = ["--config", str(tmp_path / "config.json"), "--input", str(tmp_path / "input.jsonl")]
    with plugin_output() as output:
        returncode = exit_code(TargetShopifyAdmin, args)
    return output.completed(args, returncode)


def dead_letters(tmp_path: Path) -> list[dict]:
    path = tmp_path / "dead.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def summary(result: subprocess.CompletedProcess, stream: str) -> str:
    """The stream's summary line (`| crm: 3 created, …`), not a warning that merely holds `crm: `."""
    return next(line for line in result.stderr.splitlines() if f"| {stream}: " in line and "failed:" not in line)


def writes_sent(shop: Running) -> int:
    operations = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return sum(stats["requests"] for name, stats in operations.items() if name in WRITES)


def requests_of(shop: Running, operation: str) -> int:
    operations = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return int(operations.get(operation, {}).get("requests", 0))


def settled(shop: Running, timeout: float = 30) -> None:
    """Waits until the shop answers no request: a late answer that nobody waits for any more (the `slow`
    fault) has been executed by then."""
    deadline = time.monotonic() + timeout
    while shop.emulator.in_flight:
        assert time.monotonic() < deadline, f"the shop is still answering {shop.emulator.in_flight} requests"
        time.sleep(0.01)


def advance_clock(url: str, seconds: float) -> None:
    """The emulator at `url` moves its clock (stamps, search lag, token expiry) by `seconds`."""
    requests.post(f"{url}/__emulator/clock", json={"advance": seconds}, timeout=10).raise_for_status()


def inject(shop: Running, rules: list[dict[str, Any]]) -> None:
    requests.post(f"{shop.url}/__emulator/faults", json=rules, timeout=10).raise_for_status()


def faults_fired(shop: Running) -> int:
    """How many times the fault rules in force have fired."""
    return sum(rule["fired"] for rule in requests.get(f"{shop.url}/__emulator/faults", timeout=10).json())


def customer(shop: Running, **identifier: Any) -> dict | None:
    query = """query($i: CustomerIdentifierInput!) { customerByIdentifier(identifier: $i) {
      id firstName lastName note tags numberOfOrders defaultEmailAddress { emailAddress } } }"""
    return shop.graphql(query, {"i": identifier})["data"]["customerByIdentifier"]


def product(shop: Running, **identifier: Any) -> dict | None:
    query = """query($i: ProductIdentifierInput!) { productByIdentifier(identifier: $i) {
      id title handle status vendor tags variants(first: 10) { nodes { id sku price } } } }"""
    return shop.graphql(query, {"i": identifier})["data"]["productByIdentifier"]


NEW_CUSTOMER = {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "tags": ["vip", "crm"]}


NEW_PRODUCT = {
    "title": "Analytical Engine",
    "handle": "analytical-engine",
    "vendor": "Babbage",
    "status": "ACTIVE",
    "tags": ["steam"],
    "options": [{"name": "Size", "values": ["S", "L"]}],
    "variants": [
        {"sku": "AE-S", "price": "10.00", "selectedOptions": [{"name": "Size", "value": "S"}]},
        {"sku": "AE-L", "price": 12.5, "selectedOptions": [{"name": "Size", "value": "L"}]},
    ],
}


def described(letter: dict) -> str:
    """A dead letter's error and Shopify's userError messages, for matching one expected message."""
    return " | ".join([letter["error"], *(e["message"] for e in letter["userErrors"] or [])])


def variant_id(shop: Running) -> str:
    query = "{ products(first: 1) { nodes { variants(first: 1) { nodes { id } } } } }"
    return str(shop.graphql(query)["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["id"])


def new_order(shop: Running, source: str = "erp-1", **extra: Any) -> dict[str, Any]:
    return {
        "sourceIdentifier": source,
        "email": "buyer@example.com",
        "tags": ["erp"],
        "note": "first",
        "lineItems": [
            {"variant": {"id": variant_id(shop)}, "quantity": 2},
            {"title": "Gift wrap", "quantity": 1, "originalUnitPriceSet": {
                "shopMoney": {"amount": "3.50", "currencyCode": "USD"}}},
        ],
        **extra,
    }  # fmt: skip


# an order's money through the Admin API (tests/tap/test_tap_money.py, tests/e2e/test_meltano_net_sales.py)
ORDER_CREATE = """mutation($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order { id transactions { id } }
    userErrors { field message }
  }
}"""
REFUND_CREATE = """mutation($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } }
}"""
ORDER_DELETE = """mutation($id: ID!) { orderDelete(orderId: $id) { deletedId userErrors { message } } }"""


def usd(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


# about 20% of answers lost after the shop applied the request, in each way an answer gets lost
AFTER_COMMIT = [
    {"kind": "truncated", "rate": 0.05, "after": True},
    {"kind": "reset", "rate": 0.05, "after": True},
    {"kind": "http_503", "rate": 0.05, "after": True},
    {"kind": "internal_error", "rate": 0.05, "after": True},  # Shopify failed on its side once it had run it
]


def count(shop: Running, root: str, query: str) -> int:
    return int(
        shop.graphql(f"query($q: String) {{ {root}(query: $q) {{ count }} }}", {"q": query})["data"][root]["count"]
    )


def orders_by_source(shop: Running, prefix: str) -> dict[str, list[dict[str, Any]]]:
    """The shop's orders whose sourceIdentifier starts with `prefix`, by sourceIdentifier."""
    query = """query($q: String!, $after: String) { orders(first: 250, after: $after, query: $q) {
      nodes { id sourceIdentifier fulfillments { id } } pageInfo { hasNextPage endCursor } } }"""
    found: dict[str, list[dict[str, Any]]] = {}
    after = None
    while True:
        page = shop.graphql(query, {"q": f"source_identifier:{prefix}*", "after": after})["data"]["orders"]
        for order in page["nodes"]:
            found.setdefault(order["sourceIdentifier"], []).append(order)
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def assert_big_lists_arrived_whole(store: Store, messages: list[dict], in_order: bool = True) -> None:
    """Orders with more than 250 line items and products with more than 250 variants arrived whole
    (in the shop's order, unless `in_order` is False: bulk children come in any order)."""
    arrange: Callable[[Iterable[str]], list[str]] = list if in_order else sorted
    big_orders = [o for o in store.all("Order") if len(o["_line_items"]) > 250]
    big_products = [p for p in store.all("Product") if len(p["_variants"]) > 250]
    assert big_orders and big_products
    orders = {r["id"]: r for r in records(messages, "orders")}
    products = {r["id"]: r for r in records(messages, "products")}
    for order in big_orders:
        emitted = orders[order["id"]]["lineItems"]
        assert arrange(li["id"] for li in emitted) == arrange(li["id"] for li in order["_line_items"])
    for product in big_products:
        emitted = products[product["id"]]["variants"]
        assert arrange(v["id"] for v in emitted) == arrange(v["id"] for v in product["_variants"])
    assert len(records(messages, "order_line_items")) == sum(len(o["_line_items"]) for o in store.all("Order"))
