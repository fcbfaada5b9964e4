"""The demo, both ways through Meltano: a seeded `shopify-admin-emulator` is loaded by
`meltano run tap-shopify-admin target-jsonl` into a file warehouse (output/warehouse/, one JSONL file per
stream: no server needed); the warehouse side derives a CRM table of customers and a catalog of products in
its own column names and changes some rows, and counts one item's stock anew; `meltano run tap-jsonl-…
target-shopify-admin` (stream maps rename the columns) writes them back into the shop, which is read back
to show what changed."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from shopify_admin_emulator.launch import emulator_process

ROOT = Path(__file__).resolve().parent.parent
MELTANO = ROOT / ".venv-meltano" / "bin" / "meltano"
OUTPUT = ROOT / "output"
WAREHOUSE = OUTPUT / "warehouse"  # target-jsonl's destination_path and tap-jsonl's paths in meltano.yml
LOGS = OUTPUT / "demo"
TOKEN = "shpat_demo"
STOCK = "tap-jsonl-warehouse-stock"
PLUGINS = ("tap-shopify-admin", "target-jsonl", "tap-jsonl-crm-customers", "tap-jsonl-catalog-products", STOCK)
REVERSE = (
    *("tap-jsonl-crm-customers", "target-shopify-admin", "tap-jsonl-catalog-products", "target-shopify-admin"),
    *(STOCK, "target-shopify-admin"),
)
SUMMARY = re.compile(r"target-shopify-admin\s+(?:\|\s+)?(crm_customers|catalog_products|warehouse_stock): (.+)$", re.M)

CUSTOMER = """query($email: String!) {
  customerByIdentifier(identifier: { emailAddress: $email }) { id firstName lastName note tags updatedAt }
}"""
PRODUCT = """query($handle: String!) {
  productByIdentifier(identifier: { handle: $handle }) { id title status vendor productType tags updatedAt }
}"""
AVAILABLE = """query($item: ID!, $location: ID!) {
  inventoryItem(id: $item) { inventoryLevel(locationId: $location) { quantities(names: ["available"]) { quantity } } }
}"""


class Meltano:
    def __init__(self, url: str) -> None:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "TARGET_", "MELTANO_", "VIRTUAL_ENV"))}
        self.env = keep | {
            "SHOPIFY_EMULATOR_URL": url,
            "SHOPIFY_EMULATOR_TOKEN": TOKEN,
            "MELTANO_ENVIRONMENT": "dev",
            # the demo's own state: each demo starts a new shop, so no bookmark of an earlier one applies
            "MELTANO_DATABASE_URI": f"sqlite:///{LOGS / 'meltano.db'}",
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "TARGET_SHOPIFY_ADMIN_DEAD_LETTER_PATH": str(LOGS / "failed.jsonl"),
            "NO_COLOR": "1",
            "UV_COMPILE_BYTECODE": "1",  # `meltano install`: plugins start from compiled modules
        }
        self.step = 0

    def __call__(self, *args: str) -> str:
        """Runs meltano, its log kept in output/demo/; the log's tail is the error if it fails."""
        self.step += 1
        log = LOGS / f"{self.step}-meltano-{args[0]}.log"
        started = time.monotonic()
        done = subprocess.run([str(MELTANO), *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        output = done.stdout + done.stderr
        log.write_text(output)
        if done.returncode:
            tail = "\n".join(output.splitlines()[-25:])
            raise RuntimeError(f"meltano {' '.join(args)} exited {done.returncode} (log: {log}):\n{tail}")
        print(f"   $ meltano {' '.join(args)}   ({time.monotonic() - started:.1f}s, log {log.relative_to(ROOT)})")
        return output


class Shop:
    def __init__(self, url: str) -> None:
        self.endpoint = f"{url}/admin/api/2026-07/graphql.json"
        self.session = requests.Session()
        self.session.headers["X-Shopify-Access-Token"] = TOKEN

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.session.post(self.endpoint, json={"query": document, "variables": variables or {}}, timeout=60)
        response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(json.dumps(body["errors"]))
        return body["data"]

    def customer(self, email: str) -> dict[str, Any] | None:
        return self.query(CUSTOMER, {"email": email})["customerByIdentifier"]

    def product(self, handle: str) -> dict[str, Any] | None:
        return self.query(PRODUCT, {"handle": handle})["productByIdentifier"]

    def available(self, level: dict[str, Any]) -> int:
        variables = {"item": level["item"]["id"], "location": level["location_id"]}
        return self.query(AVAILABLE, variables)["inventoryItem"]["inventoryLevel"]["quantities"][0]["quantity"]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def warehouse_side() -> tuple[list[str], list[str]]:
    """The warehouse's own tables, derived from what was loaded (live rows only, its own column names), with
    5 customers and 3 products changed and one of each added. The emails and handles written back."""
    customers = [
        {
            "email_address": c["defaultEmailAddress"]["emailAddress"],
            "given_name": c["firstName"],
            "family_name": c["lastName"],
            "notes": c["note"],
            "segments": ", ".join(c["tags"] or []),
        }
        for c in read_jsonl(WAREHOUSE / "customers.jsonl")
        if not c.get("_sdc_deleted_at") and (c.get("defaultEmailAddress") or {}).get("emailAddress")
    ]
    for i, row in enumerate(customers[:5]):
        row["notes"] = f"Lifetime value tier {'ABCDE'[i]}, from the warehouse"
        row["segments"] = ", ".join(filter(None, [row["segments"], "vip"]))
    customers.append({"email_address": "ada.lovelace@example.com", "given_name": "Ada", "family_name": "Lovelace",
                      "notes": "Signed up at the trade fair", "segments": "lead"})  # fmt: skip
    products = [
        {
            "sku_handle": p["handle"],
            "product_name": p["title"],
            "lifecycle": p["status"],
            "brand": p["vendor"],
            "category": p["productType"],
            "labels": ", ".join(p["tags"] or []),
        }
        for p in read_jsonl(WAREHOUSE / "products.jsonl")
        if not p.get("_sdc_deleted_at")
    ]
    for row in products[:3]:
        row["product_name"] = f"{row['product_name']} (2027 edition)"
        row["labels"] = ", ".join(filter(None, [row["labels"], "new-season"]))
    products.append({"sku_handle": "warehouse-tote", "product_name": "Warehouse tote", "lifecycle": "DRAFT",
                     "brand": "Acme", "category": "Bags", "labels": "gift"})  # fmt: skip
    write_jsonl(WAREHOUSE / "crm_customers.jsonl", customers)
    write_jsonl(WAREHOUSE / "catalog_products.jsonl", products)
    print(
        f"   crm_customers.jsonl: {len(customers)} rows (5 changed, 1 new); "
        f"catalog_products.jsonl: {len(products)} rows (3 changed, 1 new)"
    )
    return [c["email_address"] for c in [*customers[:5], customers[-1]]], [
        p["sku_handle"] for p in [*products[:3], products[-1]]
    ]


def stock_count() -> dict[str, Any]:
    """The warehouse counts one item again at one location: a stock table of one row (sku, location name,
    available), 5 more than the shop holds. The level (as the tap read it) is returned."""
    skus = {item["id"]: item["sku"] for item in read_jsonl(WAREHOUSE / "inventory_items.jsonl") if item.get("sku")}
    names = {location["id"]: location["name"] for location in read_jsonl(WAREHOUSE / "locations.jsonl")}
    level = next(lv for lv in read_jsonl(WAREHOUSE / "inventory_levels.jsonl") if lv["item"]["id"] in skus)
    row = {
        "sku": skus[level["item"]["id"]],
        "location": names[level["location_id"]],
        "available": level["available"] + 5,
    }
    write_jsonl(WAREHOUSE / "warehouse_stock.jsonl", [row])
    print(
        f"   warehouse_stock.jsonl: {row['sku']} at {row['location']}:"
        f" {level['available']} counted as {row['available']}"
    )
    return level


def show(label: str, before: dict[str, Any] | None, after: dict[str, Any] | None, fields: tuple[str, ...]) -> None:
    if after is None:
        print(f"   {label}: missing!")
        return
    if before is None:
        print(f"   {label}: created {after['id']}: " + ", ".join(f"{f}={after[f]!r}" for f in fields))
        return
    changes = [f"{f}: {before[f]!r} → {after[f]!r}" for f in fields if before[f] != after[f]]
    print(f"   {label}: " + ("; ".join(changes) if changes else "unchanged"))


def summaries(output: str) -> str:
    return "; ".join(f"{stream}: {counts.strip()}" for stream, counts in SUMMARY.findall(output))


def demo(url: str, meltano: Meltano) -> None:
    shop = Shop(url)
    print("\n== meltano install (plugins in their own venvs under .meltano/; quick once installed)")
    meltano("install", *PLUGINS, "target-shopify-admin")

    print("\n== Shop → warehouse")
    meltano("run", "tap-shopify-admin", "target-jsonl")
    total = 0
    for path in sorted(WAREHOUSE.glob("*.jsonl")):
        rows = read_jsonl(path)
        deleted = sum(1 for row in rows if row.get("_sdc_deleted_at"))
        total += len(rows)
        print(f"   output/warehouse/{path.name}: {len(rows)} rows" + (f" ({deleted} deletions)" if deleted else ""))
    print(f"   {total} rows moved shop → warehouse")

    print("\n== Warehouse side: its own tables, some rows changed")
    emails, handles = warehouse_side()
    level = stock_count()
    customers_before = {e: shop.customer(e) for e in emails}
    products_before = {h: shop.product(h) for h in handles}
    available_before = shop.available(level)

    print("\n== Warehouse → shop (reverse ETL; stream maps rename the columns to the API's field names)")
    output = meltano("run", *REVERSE)
    print(f"   target-shopify-admin: {summaries(output)}")
    written = {
        stream: len(read_jsonl(WAREHOUSE / f"{stream}.jsonl"))
        for stream in ("crm_customers", "catalog_products", "warehouse_stock")
    }
    print(f"   {sum(written.values())} rows moved warehouse → shop")

    print("\n== Read back from the shop")
    for email in emails:
        show(email, customers_before[email], shop.customer(email), ("firstName", "lastName", "note", "tags"))
    for handle in handles:
        show(handle, products_before[handle], shop.product(handle), ("title", "status", "vendor", "tags"))
    print(
        f"   available of {level['item']['id']} at {level['location_id']}: {available_before} → {shop.available(level)}"
    )

    print("\n== Reverse ETL again: nothing left to write")
    output = meltano("run", *REVERSE)
    print(f"   target-shopify-admin: {summaries(output)}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--customers", type=int, default=300)
    p.add_argument("--products", type=int, default=60)
    p.add_argument("--orders", type=int, default=300)
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the emulator is stopped on SIGTERM too
    started = time.monotonic()
    shutil.rmtree(WAREHOUSE, ignore_errors=True)
    shutil.rmtree(LOGS, ignore_errors=True)
    WAREHOUSE.mkdir(parents=True)
    LOGS.mkdir(parents=True)
    sizes = ["--customers", str(args.customers), "--products", str(args.products), "--orders", str(args.orders)]
    try:
        with emulator_process(*sizes, "--access-token", TOKEN, "--plan", "unlimited") as child:
            print(f"shopify-admin-emulator serving {child.url} ({child.log[-1].split(') ', 1)[-1]})")
            demo(child.url, Meltano(child.url))
    except (RuntimeError, requests.RequestException, KeyError, TypeError, OSError) as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print(f"\nemulator stopped; demo done in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
