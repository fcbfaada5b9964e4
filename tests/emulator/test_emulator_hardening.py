"""The emulator against requests no client should send: uploads to targets it did not issue, malformed
bodies, inverted time windows, and documents whose fragments expand without bound."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import requests

from shopify_admin import ShopifyAdminClient
from shopify_admin.bulk import BulkRunner

from ..conftest import TOKEN, Running
from ..helpers import records, run_tap, tap_config

GRAPHQL = "/admin/api/2026-07/graphql.json"
STAGE = """mutation($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) {
  stagedTargets { url parameters { name value } } } }"""


def staged_target(shop: Running, filename: str = "variables.jsonl") -> tuple[str, dict[str, str]]:
    item = {"resource": "BULK_MUTATION_VARIABLES", "filename": filename, "mimeType": "text/jsonl", "httpMethod": "POST"}
    [target] = shop.graphql(STAGE, {"input": [item]})["data"]["stagedUploadsCreate"]["stagedTargets"]
    return target["url"], {p["name"]: p["value"] for p in target["parameters"]}


def upload(url: str, form: dict[str, str]) -> requests.Response:
    return requests.post(url, data=form, files={"file": ("x.jsonl", b"{}\n", "text/jsonl")}, timeout=10)


def test_an_upload_goes_only_to_an_issued_target_and_inside_the_data_directory(shop: Running, tmp_path: Path) -> None:
    outside = tmp_path / "written-by-a-web-page"
    forged = upload(f"{shop.url}/__emulator/uploads/anything", {"key": str(outside)})
    url, form = staged_target(shop, filename="../../../escaped.jsonl")
    wrong_key = upload(url, {**form, "key": str(outside)})
    assert (forged.status_code, wrong_key.status_code) == (403, 403)
    assert not outside.exists()

    assert upload(url, form).status_code == 201
    [stored] = shop.emulator.uploads.values()
    assert stored.resolve().is_relative_to(shop.emulator.data_dir.resolve())
    assert not list(shop.emulator.data_dir.parent.glob("escaped.jsonl"))


def test_a_bulk_mutation_still_runs_through_its_staged_upload(shop: Running) -> None:
    runner = BulkRunner(ShopifyAdminClient("emulator", access_token=TOKEN, base_url=shop.url), first_poll=0.05)
    mutation = "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } } }"
    operation, answers = runner.run_mutation(mutation, [{"input": {"email": "staged@example.com"}}])
    assert operation.status == "COMPLETED" and answers[0]["data"]["customerCreate"]["customer"]["id"]


def raw_request(shop: Running, head: str, body: bytes = b"") -> bytes:
    """Send bytes as they are (requests would fix the framing) and read the answer until the server closes."""
    host, port = shop.server.server_address[:2]
    with socket.create_connection((str(host), port), timeout=10) as conn:
        conn.sendall(head.encode() + b"\r\n\r\n" + body)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "²"])
def test_a_bad_content_length_gets_a_400(shop: Running, length: str) -> None:
    head = f"POST {GRAPHQL} HTTP/1.1\r\nHost: x\r\nX-Shopify-Access-Token: {TOKEN}\r\nContent-Length: {length}"
    assert raw_request(shop, head, b"{}").startswith(b"HTTP/1.1 400 ")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{not json"),
        ("application/json", b'["a list"]'),
        ("application/json", b"\xff\xfe"),
        ("application/x-www-form-urlencoded", b"\xff\xfe"),
        ("application/x-www-form-urlencoded", b"no-equals-sign"),
    ],
)
def test_a_malformed_oauth_body_gets_a_400(shop: Running, content_type: str, body: bytes) -> None:
    answer = requests.post(
        f"{shop.url}/admin/oauth/access_token", data=body, headers={"Content-Type": content_type}, timeout=10
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", [GRAPHQL, "/admin/oauth/access_token", "/__emulator/faults", "/__emulator/clock"])
def test_json_nested_5000_deep_gets_a_400(shop: Running, path: str) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    headers = {"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/json"}
    assert requests.post(f"{shop.url}{path}", data=deep, headers=headers, timeout=10).status_code == 400


INVERTED = "updated_at:>='2026-02-01T00:00:00Z' AND updated_at:<'2026-01-01T00:00:00Z'"


@pytest.mark.parametrize("page", ["first: 10", "last: 10", "first: 10, reverse: true"])
def test_an_inverted_time_window_finds_nothing(shop: Running, page: str) -> None:
    query = f'{{ customers({page}, sortKey: UPDATED_AT, query: "{INVERTED}") {{ nodes {{ id }} }} }}'
    answer = shop.graphql(query)
    assert "errors" not in answer and answer["data"]["customers"]["nodes"] == []


def test_a_bookmark_after_the_end_date_reads_nothing(shop: Running, tmp_path: Path) -> None:
    bookmark = {"replication_key": "updatedAt", "replication_key_value": "2026-02-01T00:00:00Z"}
    cfg = tap_config(shop, bulk="never", end_date="2026-01-01T00:00:00Z")
    messages = run_tap(tmp_path, cfg, {"bookmarks": {"customers": bookmark}})
    assert records(messages, "customers") == []


def test_fragments_that_double_at_each_of_30_levels_are_refused_by_their_expanded_size(shop: Running) -> None:
    levels = 30
    document = "query Bomb { ...F0 }\n" + "".join(
        f"fragment F{i} on QueryRoot {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(levels)
    )
    document += f"fragment F{levels} on QueryRoot {{ shop {{ name }} }}\n"
    began = time.monotonic()
    answer = shop.graphql(document)
    assert time.monotonic() - began < 5
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 2 * 2**levels  # `shop` and `name`, 2^30 times
    assert "data" not in answer
