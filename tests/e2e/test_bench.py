"""The benchmark harness (bench/) in its tiny form: every job runs, and its numbers agree with the
emulator's and with each other. Never about speed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bench import harness
from bench.harness import COUNTED, RESTORE_RATE, ROOT

from ..conftest import TOKEN, Running, start


def measurement_tables(report: str) -> list[list[list[str]]]:
    """The report's tables of runs (those with a wall time, but not the CPU breakdown per job), each as its
    header's cells then each row's."""
    tables: list[list[list[str]]] = []
    rows: list[list[str]] = []
    for line in [*report.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if rows and ("wall" in rows[0] or "first record" in rows[0]) and rows[0][0] != "job":
            tables.append([rows[0], *rows[2:]])
        rows = []
    return tables


@pytest.mark.slow
def test_quick_benchmark_reports_consistent_numbers(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--report-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    jobs = results["jobs"]
    assert results["meta"]["finished"]
    assert set(jobs) == set(results["meta"]["planned"])
    assert {name: job["returncode"] for name, job in jobs.items()} == dict.fromkeys(jobs, 0)

    auto, paged, bulk = (jobs[f"tap/ours/{mode}/200"] for mode in ("auto", "paged", "bulk"))
    expected = paged["expected"]
    for job in (auto, paged, bulk):
        records = job["records"]
        for stream in COUNTED:  # every stream a count root counts, with its deletion records
            assert records[stream] == expected[stream] + expected.get(f"deleted_{stream}", 0), (job["mode"], stream)
        assert job["points"] > 0 and job["graphql_requests"] > 0 and job["peak_rss_mb"] > 20
        assert job["utilization"] == pytest.approx(job["points"] / (RESTORE_RATE["unlimited"] * job["wall_s"]))
    assert bulk["records"] == paged["records"] == auto["records"]
    assert set(auto["records"]) <= set(auto["selected_streams"]) == set(paged["selected_streams"])
    assert bulk["points"] < paged["points"]  # a bulk export costs a few points, not a query per page

    for stream, run in paged["incremental"].items():
        assert run["returncode"] == 0 and run["records"] == {}, stream
        assert 1 <= run["graphql_requests"] <= 2, stream

    parse = jobs["parse/200"]
    assert parse["records"]["orders"] == expected["orders"]
    for stream in ("order_line_items", "fulfillments"):
        assert parse["records"][stream] == paged["records"][stream], stream
    assert jobs["startup"]["taps"]["ours"]["first_record_s"] > jobs["startup"]["floor_s"] > 0

    for mode in ("per-record", "bulk", "per-record/20/round-trip/1", "per-record/20/round-trip/4"):
        target = jobs[f"target/{mode}" if "/" in mode else f"target/{mode}/20"]
        assert target["records_in"] == 40
        assert target["written"] == {"customers": 20, "products": 20}, mode
        assert target["points"] > 0
    for mode in ("per-record", "bulk"):
        levels = jobs[f"target/inventory/{mode}/20"]
        assert levels["records_in"] == 20 and levels["written"] == {"levels": 20}, mode
        assert levels["operations"].get("BulkOperationRunMutation", 0) == (mode == "bulk")
    assert jobs["target/per-record/20/round-trip/1"]["peak_concurrent_requests"] == 1
    join = jobs["target/join/20"]
    assert join["lookups"]["outcomes"] == join["auto"]["outcomes"] == "customers: 20 unchanged"
    assert 2 <= jobs["target/per-record/20/round-trip/4"]["peak_concurrent_requests"] <= 4
    for name, writes in (
        ("default/20", "TargetMetafieldsSet"),
        ("per-call/10", "TargetMetafieldsSet"),
        # customerSet's input has no metafields: the customer object reads them with its lookup, sets them apart
        ("customer/5", "TargetCustomerLookupWithMetafields"),
    ):
        metafields = jobs[f"target/metafields/{name}"]
        # every customer the shop holds (the seed destroys a few) got its value, by the way the row names
        assert 0 < metafields["records_in"] == metafields["written"]["metafields"], name
        assert metafields["operations"][writes] > 0, name

    report = (tmp_path / "REPORT.md").read_text()
    assert "Produced by one run of `.venv/bin/python -m bench --quick" in report
    assert "superseded" not in report.lower()
    assert "**Headline: ours at its defaults ÷ singer-io at 200 orders: not measured in this run**" in report
    assert (
        report.index("## 1. The tap at its defaults")
        < report.index("## 2. The tap paged")
        < report.index("## 3. Parsing, start-up and the target")
    )
    tables = measurement_tables(report)
    assert len(tables) >= 8
    for header, *rows in tables:
        assert "floor" in " ".join(header) and "of the floor" in header, header
        share = header.index("of the floor")
        for row in rows:
            assert re.fullmatch(r"\d+%( \(as measured\))?", row[share]), (header, row)
    for stream in auto["selected_streams"]:  # the records per stream cover every stream, empty ones too
        assert re.search(rf"^\| {stream} \| [^|]+ \| [\d,]+ \| [\d,]+ \| [\d,]+ \|$", report, re.MULTILINE), stream
    assert paged["floor_by"] == "budget" and "| 0.0 s (budget) | 0% |" in report  # what binds, named
    assert "| 200 | ours auto | 0 |" in report and "| 200 | ours paged | 0 |" in report
    assert "| 200 | ours bulk | 0 |" in report and "**projection** to 20 from the 4 measured" in report
    assert "singer-io tap-shopify: not run" in report
    for image in ("wall_time.png", "peak_rss.png"):
        assert (tmp_path / image).read_bytes().startswith(b"\x89PNG")

    again = [sys.executable, "-m", "bench", "--quick", "--report-dir", str(tmp_path), "--rerun", "target/bulk/20"]
    assert subprocess.run(again, cwd=ROOT, capture_output=True, timeout=600).returncode == 0
    rerun = json.loads((tmp_path / "out" / "results.json").read_text())
    assert rerun["jobs"]["target/bulk/20"]["started"] > jobs["target/bulk/20"]["started"]
    rest = set(jobs) - {"target/bulk/20"}
    assert {k: rerun["jobs"][k] for k in rest} == {k: jobs[k] for k in rest}
    assert "Job `target/bulk/20` was run again alone by" in (tmp_path / "REPORT.md").read_text()


def test_fields_singer_io_selects_agree_with_the_rest(shop: Running) -> None:
    """The fields served for singer-io's tap-shopify (tools/schema_subset/singer_io.spec) that the
    emulator computes agree with the fields they are derived from."""
    money = "{ shopMoney { amount } }"
    orders_query = (
        "query ($after: String) { orders(first: 10, after: $after) { pageInfo { endCursor hasNextPage }"
        " nodes { displayFinancialStatus cancelledAt closed displayFulfillmentStatus"
        f" totalPriceSet {money} subtotalPriceSet {money} totalTaxSet {money} currentSubtotalPriceSet {money}"
        f" totalReceivedSet {money} totalOutstandingSet {money} netPaymentSet {money} originalTotalPriceSet {money}"
        f" totalRefundedSet {money} currentTotalPriceSet {money} totalCapturableSet {money}"
        f" transactions {{ kind status gateway amountSet {money} }}"
        " refunds { refundLineItems(first: 5) { pageInfo { hasNextPage } nodes { quantity"
        f" subtotalSet {money} }} }} }}"
        f" taxLines {{ rate priceSet {money} }} fulfillable refundable canMarkAsPaid paymentGatewayNames"
        " subtotalLineItemsQuantity currentSubtotalLineItemsQuantity discountApplications(first: 5) { edges { node"
        " { index } } } lineItems(first: 10) { pageInfo { hasNextPage } nodes { quantity unfulfilledQuantity"
        f" originalUnitPriceSet {money} unfulfilledOriginalTotalSet {money}"
        " discountAllocations { discountApplication { index } } } } } } }"
    )
    pages = [shop.graphql(orders_query)]
    while pages[-1]["data"]["orders"]["pageInfo"]["hasNextPage"]:
        pages.append(shop.graphql(orders_query, {"after": pages[-1]["data"]["orders"]["pageInfo"]["endCursor"]}))
    assert all("errors" not in page for page in pages), pages

    def amount(value: dict[str, Any]) -> Decimal:
        return Decimal(value["shopMoney"]["amount"])

    orders = [o for page in pages for o in page["data"]["orders"]["nodes"]]
    for order in orders:
        total = amount(order["totalPriceSet"])
        assert amount(order["originalTotalPriceSet"]) == total
        assert sum(amount(line["priceSet"]) for line in order["taxLines"]) == amount(order["totalTaxSet"])
        transactions = order["transactions"]
        successful = [t for t in transactions if t["status"] == "SUCCESS"]
        received, net = amount(order["totalReceivedSet"]), amount(order["netPaymentSet"])
        assert received == sum(amount(t["amountSet"]) for t in successful if t["kind"] in ("SALE", "CAPTURE"))
        assert amount(order["totalRefundedSet"]) == sum(
            amount(t["amountSet"]) for t in successful if t["kind"] == "REFUND"
        )
        assert net == received - amount(order["totalRefundedSet"])
        if not order["cancelledAt"]:
            still_authorized = amount(order["totalCapturableSet"])
            assert (
                amount(order["totalOutstandingSet"]) == amount(order["currentTotalPriceSet"]) - net - still_authorized
            )
        assert order["refundable"] == (net > 0 and not order["cancelledAt"])
        assert order["fulfillable"] == (
            order["displayFulfillmentStatus"] != "FULFILLED" and not order["cancelledAt"] and not order["closed"]
        )
        # every gateway tried, once each: captured orders name the gateway of a failed authorization too
        assert order["paymentGatewayNames"] == list(dict.fromkeys(t["gateway"] for t in transactions))
        refunded_rows = [row for r in order["refunds"] for row in r["refundLineItems"]["nodes"]]
        if not any(r["refundLineItems"]["pageInfo"]["hasNextPage"] for r in order["refunds"]):
            assert order["currentSubtotalLineItemsQuantity"] == (
                order["subtotalLineItemsQuantity"] - sum(row["quantity"] for row in refunded_rows)
            )
            assert amount(order["currentSubtotalPriceSet"]) == (
                amount(order["subtotalPriceSet"]) - sum(amount(row["subtotalSet"]) for row in refunded_rows)
            )
        applications = [edge["node"]["index"] for edge in order["discountApplications"]["edges"]]
        lines = order["lineItems"]
        allocated = {a["discountApplication"]["index"] for li in lines["nodes"] for a in li["discountAllocations"]}
        assert applications == list(range(len(applications))) and allocated <= set(applications)
        if not lines["pageInfo"]["hasNextPage"]:  # the seeded discounts all go to line items
            assert allocated == set(applications)
        for line in lines["nodes"]:
            assert amount(line["unfulfilledOriginalTotalSet"]) == (
                amount(line["originalUnitPriceSet"]) * line["unfulfilledQuantity"]
            )
    # the seeded money is there to be checked: several gateways, refunds, captures and discounts
    kinds = {t["kind"] for o in orders for t in o["transactions"]}
    assert {"SALE", "AUTHORIZATION", "CAPTURE", "REFUND"} <= kinds
    assert len({g for o in orders for g in o["paymentGatewayNames"]}) > 1
    assert any(o["discountApplications"]["edges"] for o in orders)

    products = shop.graphql(
        "{ products(first: 20) { nodes { descriptionHtml description totalInventory hasOnlyDefaultVariant"
        " hasOutOfStockVariants media(first: 5) { edges { node { id } } }"
        " variants(first: 30) { nodes { title inventoryQuantity sellableOnlineQuantity } } } } }"
    )
    assert "errors" not in products, products["errors"]
    for product in products["data"]["products"]["nodes"]:
        variants = product["variants"]["nodes"]
        assert product["hasOnlyDefaultVariant"] == ([v["title"] for v in variants] == ["Default Title"])
        if len(variants) < 30:  # all of them
            assert product["totalInventory"] == sum(v["inventoryQuantity"] or 0 for v in variants)
            assert product["hasOutOfStockVariants"] == any((v["inventoryQuantity"] or 0) <= 0 for v in variants)
        assert "<" not in product["description"] and product["description"] in product["descriptionHtml"]
        assert product["media"] == {"edges": []}
        assert all(v["sellableOnlineQuantity"] == max(v["inventoryQuantity"] or 0, 0) for v in variants)

    customers = shop.graphql(
        "{ customers(first: 250) { nodes { email validEmailAddress lifetimeDuration createdAt } }"
        " currentAppInstallation { accessScopes { handle } } }"
    )
    assert "errors" not in customers, customers["errors"]
    for customer in customers["data"]["customers"]["nodes"]:
        assert customer["validEmailAddress"] == bool(customer["email"])
        assert customer["lifetimeDuration"].split()[-1].rstrip("s") in ("day", "month", "year")
    scopes = {s["handle"] for s in customers["data"]["currentAppInstallation"]["accessScopes"]}
    assert {"read_customers", "read_products", "read_orders"} <= scopes


def test_counts_after_a_run_that_left_the_bucket_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """A per-record target row on the standard plan can end with the bucket empty: the counts read after it
    were answered THROTTLED, and the row failed on the answer's missing data."""
    running = start(plan="standard", customers=3, products=2, orders=2)
    monkeypatch.setattr(harness, "TOKEN", TOKEN)
    shop = harness.Emulator(running.url, [], os.getpid())
    try:
        shop.graphql("{ shop { id } }")
        bucket = running.emulator.buckets[TOKEN]
        assert bucket.take(bucket.level)
        assert (
            shop.counts()["customers"]
            == running.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"]
        )
    finally:
        running.server.shutdown()
        running.server.server_close()
