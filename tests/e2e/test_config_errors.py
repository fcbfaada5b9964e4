"""Mistakes in the config of the tap and the target: one clear line and exit 1, never a traceback,
and never a secret's text, whatever its shape. The command lines run in this process (`exit_code`), but for
a config file that is no JSON object, read by a process as a user's shell would start it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_shopify_admin.tap import TapShopifyAdmin
from target_shopify_admin.target import TargetShopifyAdmin

from ..conftest import TOKEN, Running, start
from ..helpers import exit_code, plugin_output

PLUGINS = ("tap_shopify_admin.tap", "target_shopify_admin.target")
SECRET = "shpat_d0n0tpr1ntme"
GRANT = {"client_id": "emulator-client", "client_secret": "emulator-secret"}
TARGET_INPUT = [
    {"type": "SCHEMA", "stream": "crm", "schema": {"type": "object", "properties": {}}, "key_properties": ["email"]},
    {"type": "RECORD", "stream": "crm", "record": {"email": "someone@example.com", "note": "x"}},
    {"type": "STATE", "value": {"done": True}},
]
TARGET_STREAMS = {"crm": {"object": "customer", "match_on": "email"}}


@pytest.fixture(scope="module")
def small_shop() -> Iterator[Running]:
    running = start(customers=2, products=2, orders=2)
    yield running
    running.server.shutdown()
    running.server.server_close()


def run(plugin: str, tmp_path: Path, cfg: Any) -> subprocess.CompletedProcess:
    """The plugin's command line run in this process; the target upserts one customer."""
    args = ["--config", str(tmp_path / "config.json")]
    if "target" in plugin:
        cfg = {**cfg, "streams": TARGET_STREAMS}
        (tmp_path / "input.jsonl").write_text("".join(json.dumps(m) + "\n" for m in TARGET_INPUT))
        args += ["--input", str(tmp_path / "input.jsonl")]
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with plugin_output() as output:
        returncode = exit_code(TargetShopifyAdmin if "target" in plugin else TapShopifyAdmin, args)
    return output.completed(args, returncode)


def connection(shop: Running, **extra: Any) -> dict:
    return {"shop": "emulator", "base_url": shop.url, **extra}


def errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if "| ERROR" in line]


def assert_one_clear_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert any(all(word in line for word in words) for line in errors(result)), result.stderr


@pytest.mark.parametrize("plugin", PLUGINS)
@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("access_token", [SECRET]),
        ("access_token", {"token": SECRET}),
        ("access_token", f"{SECRET}\nshpat_second_line"),
        ("access_token", f"shpat_ {SECRET}"),
        ("client_secret", [SECRET]),
        ("client_secret", f"{SECRET}\x00"),
    ],
)
def test_a_secret_of_the_wrong_shape_is_named_never_printed(
    small_shop: Running, tmp_path: Path, plugin: str, setting: str, value: Any
) -> None:
    credentials = {"access_token": value} if setting == "access_token" else {**GRANT, setting: value}
    result = run(plugin, tmp_path, connection(small_shop, **credentials))
    assert_one_clear_error(result, setting)
    assert SECRET not in result.stderr + result.stdout


@pytest.mark.parametrize("plugin", PLUGINS)
@pytest.mark.parametrize(
    "credentials", [{"access_token": f"  {TOKEN}\n"}, {**GRANT, "client_secret": f"{GRANT['client_secret']}\r\n"}]
)
def test_whitespace_around_a_secret_is_stripped(
    small_shop: Running, tmp_path: Path, plugin: str, credentials: dict
) -> None:
    """A token copied with its line end, or read from a file that ends with one, works."""
    result = run(plugin, tmp_path, connection(small_shop, **credentials))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"done": True} in out if "target" in plugin else any(m["type"] == "RECORD" for m in out)


@pytest.mark.parametrize("plugin", PLUGINS)
@pytest.mark.parametrize(
    ("mistake", "words"),
    [
        ({"base_url": "ftp://127.0.0.1:1"}, ("base_url", "http")),
        ({"base_url": "localhost:8000"}, ("base_url", "http")),
        ({"request_timeout": -5}, ("request_timeout", "-5")),
        ({"request_timeout": 0}, ("request_timeout", "0")),
    ],
)
def test_a_setting_that_cannot_work_is_one_line(
    small_shop: Running, tmp_path: Path, plugin: str, mistake: dict, words: tuple[str, ...]
) -> None:
    result = run(plugin, tmp_path, connection(small_shop, access_token=TOKEN, **mistake))
    assert_one_clear_error(result, *words)


@pytest.mark.parametrize("plugin", PLUGINS)
@pytest.mark.parametrize(("text", "words"), [("[1, 2]", ("JSON object", "list")), ("{oops", ("JSON", "line 1"))])
def test_a_config_file_that_is_no_json_object_is_one_line(
    tmp_path: Path, plugin: str, text: str, words: tuple[str, ...]
) -> None:
    (tmp_path / "config.json").write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", plugin, "--config", str(tmp_path / "config.json")],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_clear_error(result, "config.json", *words)
