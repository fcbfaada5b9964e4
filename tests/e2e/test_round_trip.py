"""The round trip: tap-shopify-admin reads shop A, its stdout is piped into target-shopify-admin writing an
empty shop B, and then both shops hold the same customers and products."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from ..conftest import TOKEN, Running, start

STREAMS = ("customers", "products")
WRITES = ("TargetCustomerSet", "TargetCustomerDelete", "TargetProductSet", "TargetProductDelete")
TARGET_STREAMS = {
    "customers": {"object": "customer", "match_on": "email"},
    "products": {"object": "product", "match_on": "handle"},
}


@dataclass
class Shops:
    source: Running
    destination: Running


@dataclass
class Piped:
    returncode: int
    stderr: str
    messages: list[dict[str, Any]]  # what the tap emitted
    state: list[dict[str, Any]]  # the STATE values the target relayed


def stop(shop: Running) -> None:
    shop.server.shutdown()
    shop.server.server_close()


@pytest.fixture(scope="module")
def shops() -> Iterator[Shops]:
    source = start(customers=60, products=15, orders=8)
    destination = start(customers=0, products=0, orders=0)
    yield Shops(source, destination)
    stop(source)
    stop(destination)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("round_trip")


def connection(shop: Running) -> dict[str, Any]:
    return {"shop": "emulator", "access_token": TOKEN, "base_url": shop.url}


def catalog(workdir: Path, source: Running) -> Path:
    """The tap's discovered catalog with only the customers and products streams selected."""
    config = workdir / "tap.json"
    config.write_text(json.dumps(connection(source)))
    discovered = subprocess.run(
        [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(config), "--discover"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    document = json.loads(discovered.stdout)
    for stream in document["streams"]:
        for item in stream["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = stream["tap_stream_id"] in STREAMS
    path = workdir / "catalog.json"
    path.write_text(json.dumps(document))
    return path


def pipe(workdir: Path, shops: Shops, name: str) -> Piped:
    """`tap-shopify-admin --catalog … | tee … | target-shopify-admin`: the tap's stdout is kept for the test."""
    listed = catalog(workdir, shops.source)
    tap_config, target_config = workdir / "tap.json", workdir / f"target-{name}.json"
    tap_config.write_text(json.dumps(connection(shops.source)))
    target_config.write_text(
        json.dumps(
            {
                **connection(shops.destination),
                "dead_letter_path": str(workdir / f"dead-{name}.jsonl"),
                "streams": TARGET_STREAMS,
            }
        )
    )
    emitted = workdir / f"tap-{name}.jsonl"
    with (workdir / f"tap-{name}.log").open("w") as tap_log:
        tap = subprocess.Popen(
            [sys.executable, "-m", "tap_shopify_admin.tap", "--config", str(tap_config), "--catalog", str(listed)],
            stdout=subprocess.PIPE,
            stderr=tap_log,
        )
        tee = subprocess.Popen(["tee", str(emitted)], stdin=tap.stdout, stdout=subprocess.PIPE)
        target = subprocess.Popen(
            [sys.executable, "-m", "target_shopify_admin.target", "--config", str(target_config)],
            stdin=tee.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert tap.stdout is not None and tee.stdout is not None
        tap.stdout.close()  # the pipe's ends now belong to tee and the target alone
        tee.stdout.close()
        out, err = target.communicate(timeout=60)
        assert tap.wait(timeout=10) == 0, (workdir / f"tap-{name}.log").read_text()
        assert tee.wait(timeout=10) == 0
    return Piped(
        target.returncode,
        err,
        [json.loads(line) for line in emitted.read_text().splitlines() if line.startswith("{")],
        [json.loads(line) for line in out.splitlines() if line.startswith("{")],
    )


def summary(piped: Piped, stream: str) -> str:
    """The target's closing count for a stream, such as `58 created, 2 failed`."""
    lines = [line for line in piped.stderr.splitlines() if f" {stream}: " in line and "failed:" not in line]
    return lines[-1].split(f" {stream}: ", 1)[1]


def dead_letters(workdir: Path, name: str) -> list[dict[str, Any]]:
    path = workdir / f"dead-{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def records(piped: Piped, stream: str) -> list[dict[str, Any]]:
    return [m["record"] for m in piped.messages if m["type"] == "RECORD" and m["stream"] == stream]


def write_requests(shop: Running) -> dict[str, int]:
    operations = requests.get(f"{shop.url}/__emulator/stats", timeout=10).json()["operations"]
    return {name: stats["requests"] for name, stats in operations.items() if name in WRITES}


CUSTOMERS = """query Customers($after: String) { customers(first: 100, after: $after) {
  nodes { firstName lastName note tags defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
    addresses { address1 city countryCodeV2 zip } }
  pageInfo { hasNextPage endCursor } } }"""
PRODUCTS = """query Products($after: String) { products(first: 20, after: $after) {
  nodes { handle title vendor productType status tags options { name values }
    variants(first: 10) { nodes { sku price selectedOptions { name value } } } }
  pageInfo { hasNextPage endCursor } } }"""


def everything(shop: Running, query: str, root: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        answer = shop.graphql(query, {"after": after})
        assert "errors" not in answer, answer
        page = answer["data"][root]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def customers_of(shop: Running) -> dict[str, dict[str, Any]]:
    """Customers by email, in a shape that does not depend on the shop's ids or orders."""
    shaped: dict[str, dict[str, Any]] = {}
    for c in everything(shop, CUSTOMERS, "customers"):
        email = (c["defaultEmailAddress"] or {}).get("emailAddress")
        assert email, c  # every seeded customer has an email, which the target matches on
        shaped[email] = {
            "firstName": c["firstName"],
            "lastName": c["lastName"],
            "note": c["note"] or None,
            "tags": sorted(c["tags"]),
            "phone": (c["defaultPhoneNumber"] or {}).get("phoneNumber"),
            "addresses": {(a["address1"], a["city"], a["countryCodeV2"], a["zip"]) for a in c["addresses"]},
        }
    return shaped


def products_of(shop: Running) -> dict[str, dict[str, Any]]:
    """Products by handle: options in order, variants by their option values. Prices compare as numbers:
    the emulator's seeded variants render `132.3` where productSet's render `132.30`."""
    shaped: dict[str, dict[str, Any]] = {}
    for p in everything(shop, PRODUCTS, "products"):
        variants = {
            tuple(sorted((s["name"], s["value"]) for s in v["selectedOptions"])): (v["sku"], Decimal(v["price"]))
            for v in p["variants"]["nodes"]
        }
        assert len(variants) == len(p["variants"]["nodes"]), p  # option values name each variant
        shaped[p["handle"]] = {
            **{k: p[k] for k in ("title", "vendor", "productType", "status")},
            "tags": sorted(p["tags"]),
            "options": [(o["name"], o["values"]) for o in p["options"]],
            "variants": variants,
        }
    return shaped


def test_round_trip_copies_customers_and_products_then_changes_nothing(shops: Shops, workdir: Path) -> None:
    source_customers, source_products = customers_of(shops.source), products_of(shops.source)
    assert len(source_customers) == 58 and len(source_products) == 14  # two customers, one product destroyed
    assert any(len(p["variants"]) > 1 for p in source_products.values())
    assert any(len(p["options"]) > 1 for p in source_products.values())
    assert any(c["addresses"] for c in source_customers.values()) and any(c["phone"] for c in source_customers.values())
    assert customers_of(shops.destination) == {} and products_of(shops.destination) == {}

    first = pipe(workdir, shops, "first")
    assert {m["stream"] for m in first.messages if m["type"] == "RECORD"} == set(STREAMS)
    deleted = {s: [r for r in records(first, s) if r.get("_sdc_deleted_at")] for s in STREAMS}
    assert len(deleted["customers"]) == 2 and len(deleted["products"]) == 1
    assert all(set(r) == {"id", "updatedAt", "_sdc_deleted_at"} for rows in deleted.values() for r in rows)

    # Soft deletes from the source: with allow_deletes off each one is refused (dead-lettered, exit 1)
    # before its match key is read, and creates nothing; everything else is created.
    assert first.returncode == 1, first.stderr
    assert summary(first, "customers") == "58 created, 2 failed"
    assert summary(first, "products") == "14 created, 1 failed"
    letters = dead_letters(workdir, "first")
    assert sorted((d["stream"], d["operation"], d["key"], d["record"]["id"]) for d in letters) == sorted(
        (s, "delete", None, r["id"]) for s, rows in deleted.items() for r in rows
    )
    assert {d["error"] for d in letters} == {
        "delete refused: set streams.customers.allow_deletes to true",
        "delete refused: set streams.products.allow_deletes to true",
    }
    assert not any(d["record"].get("email") or d["record"].get("handle") for d in letters)
    assert first.state and "bookmarks" in first.state[-1]  # the tap's state is relayed at the end
    assert write_requests(shops.destination) == {"TargetCustomerSet": 58, "TargetProductSet": 14}

    assert customers_of(shops.destination) == source_customers
    assert products_of(shops.destination) == source_products

    # The same records again: every live one is unchanged and no write is sent.
    before = write_requests(shops.destination)
    second = pipe(workdir, shops, "second")
    assert summary(second, "customers") == "2 failed, 58 unchanged"
    assert summary(second, "products") == "1 failed, 14 unchanged"
    assert write_requests(shops.destination) == before
    assert len(dead_letters(workdir, "second")) == 3
    assert customers_of(shops.destination) == source_customers
    assert products_of(shops.destination) == source_products


def test_the_source_shop_read_back_into_itself_changes_nothing(shops: Shops, workdir: Path) -> None:
    """tap A | target A: every live record is found by email or handle and is unchanged."""
    before = write_requests(shops.source)
    piped = pipe(workdir, Shops(shops.source, shops.source), "self")
    assert summary(piped, "customers") == "2 failed, 58 unchanged"
    assert summary(piped, "products") == "1 failed, 14 unchanged"
    assert write_requests(shops.source) == before == {}
