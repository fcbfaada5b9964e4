"""Meltano end to end: the project's meltano.yml run with a state database and a Postgres schema of a
test's own against an emulator, and the documents the end-to-end tests share."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from filelock import FileLock

from shopify_admin_emulator.launch import emulator_process

from ..postgres import Postgres

ROOT = Path(__file__).resolve().parents[2]
MELTANO = ROOT / ".venv-meltano" / "bin" / "meltano"
TOKEN = "shpat_e2e"
FORWARD = ("tap-shopify-admin", "target-postgres")
REVERSE = ("tap-postgres", "target-shopify-admin")
STREAMS = (
    "customers",
    "products",
    "product_variants",
    "orders",
    "order_line_items",
    "fulfillments",
    "fulfillment_orders",
)
# target-shopify-admin's summary line per stream, e.g. "reverse_etl-crm_customers: 2 created, 1 unchanged"
SUMMARY = re.compile(r"target-shopify-admin (reverse_etl-\w+): ((?:\d+ [\w-]+(?:, )?)+)")


@dataclass
class Meltano:
    """`meltano` in the repository's project, with a state database and Postgres schema of the test's own."""

    env: dict[str, str]

    def __call__(self, *args: str) -> str:
        returncode, output = self.attempt(*args)
        if returncode:
            raise AssertionError(f"meltano {' '.join(args)} exited {returncode}:\n{output[-6000:]}")
        return output

    def attempt(self, *args: str) -> tuple[int, str]:
        """`meltano` that may fail: its exit code and output."""
        done = subprocess.run(
            [str(MELTANO), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=900
        )
        return done.returncode, done.stdout + done.stderr

    def run(self, *plugins: str) -> dict[str, dict[str, int]]:
        """`meltano run`; target-shopify-admin's outcomes per stream, when it is the loader."""
        return outcomes(self("run", *plugins))

    def selecting(self, *streams: str) -> Meltano:
        """This Meltano with tap-shopify-admin reading only `streams` (its `select` extra, set by env), for a
        test that checks those alone."""
        return Meltano(self.env | {"TAP_SHOPIFY_ADMIN__SELECT": json.dumps([f"{stream}.*" for stream in streams])})


def outcomes(output: str) -> dict[str, dict[str, int]]:
    """target-shopify-admin's outcomes per stream in a run's output."""
    found: dict[str, dict[str, int]] = {}
    for stream, counts in SUMMARY.findall(output):
        found[stream] = {kind: int(n) for n, kind in (part.split(" ", 1) for part in counts.split(", "))}
    return found


def meltano_env(**settings: str) -> dict[str, str]:
    # the caller's own Meltano or plugin settings must not leak in
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_", "MELTANO_", "VIRTUAL_ENV"))}
    own = {
        "MELTANO_ENVIRONMENT": "dev",
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "NO_COLOR": "1",
        "MELTANO_SYS_DIR_ROOT": str(worker_sys_dir()),
    }
    return keep | own | settings


CHECKOUT_SYS_DIR = ROOT / ".meltano"
PLUGIN_TYPES = ("extractors", "loaders", "mappers", "utilities")


def worker_sys_dir() -> Path:
    """A `.meltano` of this test process's own: Meltano writes each plugin's config and catalog for a run
    into `run/<plugin>/`, which runs of one plugin on several test workers would overwrite under each
    other; the plugins' venvs are the checkout's, linked (`meltano install` puts them there once)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    own = Path(tempfile.gettempdir()) / f"meltano-{checkout_id()}-{worker}"
    own.mkdir(exist_ok=True)
    for plugin_type in PLUGIN_TYPES:
        link = own / plugin_type
        if not link.is_symlink():
            (CHECKOUT_SYS_DIR / plugin_type).mkdir(parents=True, exist_ok=True)
            link.symlink_to(CHECKOUT_SYS_DIR / plugin_type, target_is_directory=True)
    return own


def checkout_id() -> str:
    return hashlib.sha256(bytes(ROOT)).hexdigest()[:12]


def checkout_lock() -> FileLock:
    """What writes the checkout's `.meltano/` (`meltano install`) or runs from it (the demo) takes turns
    with the other test workers and test runs of this checkout."""
    return FileLock(Path(tempfile.gettempdir()) / f"meltano-{checkout_id()}.lock")


def install(*plugins: str) -> None:
    """`meltano install` into the checkout's `.meltano/`; plugins installed already are left as they are."""
    with checkout_lock():
        # compiled at install: under PYTHONDONTWRITEBYTECODE every plugin process would compile its imports
        Meltano(meltano_env(MELTANO_SYS_DIR_ROOT=str(CHECKOUT_SYS_DIR), UV_COMPILE_BYTECODE="1"))("install", *plugins)


def shop_graphql(url: str, query: str, variables: dict[str, Any] | None = None, token: str = TOKEN) -> dict[str, Any]:
    """The emulator's answer's data; errors fail the test."""
    response = requests.post(
        f"{url}/admin/api/2026-07/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=60,
    )
    response.raise_for_status()
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def shop_counts(url: str) -> dict[str, int]:
    """What the shop holds per stream, counted through the Admin API."""
    data = shop_graphql(url, "{ customersCount { count } productsCount { count } ordersCount { count } "
                        "productVariantsCount { count } }")  # fmt: skip
    counts = {name: data[f"{name}Count"]["count"] for name in ("customers", "products", "orders", "productVariants")}
    line_items = fulfillments = fulfillment_orders = 0
    after = None
    while True:
        page = shop_graphql(
            url,
            """query($after: String) { orders(first: 5, after: $after) {
                 nodes { id lineItems(first: 150) { nodes { id } pageInfo { hasNextPage endCursor } }
                         fulfillments { id } }
                 pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
        )["orders"]
        for order in page["nodes"]:
            line_items += len(order["lineItems"]["nodes"]) + more_line_items(url, order)
            fulfillments += len(order["fulfillments"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    after = None
    while True:
        page = shop_graphql(
            url,
            """query($after: String) { fulfillmentOrders(first: 250, after: $after, includeClosed: true) {
                 nodes { id } pageInfo { hasNextPage endCursor } } }""",
            {"after": after},
        )["fulfillmentOrders"]
        fulfillment_orders += len(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return {
        "customers": counts["customers"],
        "products": counts["products"],
        "product_variants": counts["productVariants"],
        "orders": counts["orders"],
        "order_line_items": line_items,
        "fulfillments": fulfillments,
        "fulfillment_orders": fulfillment_orders,
    }


def more_line_items(url: str, order: dict[str, Any]) -> int:
    """The line items of a long order past its first page (a query may cost at most 1,000 points)."""
    count, page = 0, order["lineItems"]["pageInfo"]
    while page["hasNextPage"]:
        connection = shop_graphql(
            url,
            """query($id: ID!, $after: String) { order(id: $id) {
                 lineItems(first: 250, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }""",
            {"id": order["id"], "after": page["endCursor"]},
        )["order"]["lineItems"]
        count += len(connection["nodes"])
        page = connection["pageInfo"]
    return count


@dataclass
class Pipeline:
    meltano: Meltano
    postgres: Postgres
    schema: str
    url: str
    token: str = TOKEN

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return shop_graphql(self.url, query, variables, self.token)

    def mutate(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        data = self.graphql(document, variables)
        (payload,) = data.values()
        assert not payload["userErrors"], payload["userErrors"]
        return payload

    def rows(self, stream: str, where: str = "true") -> int:
        return int(self.postgres.value(f'SELECT count(*) FROM {self.schema}."{stream}" WHERE {where}'))

    def shop_counts(self) -> dict[str, int]:
        return shop_counts(self.url)

    def operation_requests(self, operation: str) -> int:
        """The requests the shop has had of a named operation (the emulator's stats)."""
        stats = requests.get(f"{self.url}/__emulator/stats", timeout=10).json()["operations"]
        return int(stats.get(operation, {}).get("requests", 0))

    def live_rows(self) -> dict[str, int]:
        return {stream: self.rows(stream, "_sdc_deleted_at IS NULL") for stream in STREAMS}


def pipeline_at(postgres: Postgres, workdir: Path, schema: str, url: str, token: str = TOKEN) -> Pipeline:
    """Meltano with a state database in `workdir` and a fresh Postgres schema, reading the shop at `url`, whose
    search shows writes at once (these tests change the shop a second before a run, and the tap's windows
    then end at the sync's start)."""
    postgres.psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    env = meltano_env(
        TAP_SHOPIFY_ADMIN_SEARCH_LAG="0",
        SHOPIFY_EMULATOR_URL=url,
        SHOPIFY_EMULATOR_TOKEN=token,
        MELTANO_DATABASE_URI=f"sqlite:///{workdir / 'meltano.db'}",
        TARGET_POSTGRES_PORT=str(postgres.port),
        TARGET_POSTGRES_PASSWORD="unused",  # trust auth; target-postgres insists on a password
        TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA=schema,
        TAP_POSTGRES_PORT=str(postgres.port),
        TAP_POSTGRES_PASSWORD="unused",
        TARGET_SHOPIFY_ADMIN_DEAD_LETTER_PATH=str(workdir / "failed.jsonl"),
    )
    return Pipeline(Meltano(env), postgres, schema, url, token)


@contextmanager
def open_pipeline(postgres: Postgres, workdir: Path, schema: str, *seed: str) -> Iterator[Pipeline]:
    """A fresh emulator seeded with `seed` (searching without lag), a Meltano state database in `workdir`
    and a Postgres schema."""
    with emulator_process(*seed, "--plan", "unlimited", "--access-token", TOKEN, "--search-lag", "0") as emulator:
        yield pipeline_at(postgres, workdir, schema, emulator.url)


CUSTOMER_UPDATE = """mutation($input: CustomerInput!) {
  customerUpdate(input: $input) { customer { id } userErrors { field message } }
}"""

CUSTOMER = """query($email: String!) {
  customerByIdentifier(identifier: { emailAddress: $email }) { id firstName lastName note tags updatedAt }
}"""

PRODUCT = """query($handle: String!) {
  productByIdentifier(identifier: { handle: $handle }) { id title status vendor productType tags updatedAt }
}"""
