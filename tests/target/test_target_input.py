"""target-shopify-admin on input that breaks off or is no Singer message: what came before is applied and
its STATE emitted, then one line names the input line and what is wrong, and the target exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Running
from ..helpers import NEW_CUSTOMER, customer, dead_letters, messages, run_target, summary, target_config, writes_sent

CRM = {"crm": {"object": "customer", "match_on": "email"}}
BEFORE = {**NEW_CUSTOMER, "email": "before@example.com"}
AFTER = {**NEW_CUSTOMER, "email": "after@example.com"}


def text(*lines: dict | str) -> str:
    return "".join(line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "| ERROR" in line]


BAD_LINES = [
    ('{"type": "RECORD", "stream": "crm", "record": {"email": \n', "input line 4: not valid JSON"),
    (json.dumps({"type": "RECORD", "stream": "ghost", "record": {}}) + "\n", "line 4: A record for stream 'ghost' was"),
    (json.dumps({"type": "RECORD", "stream": "crm"}) + "\n", "input line 4: a RECORD message without record"),
    (json.dumps({"type": "SHEMA", "stream": "crm"}) + "\n", "input line 4: unknown message type 'SHEMA'"),
    ("[1, 2]\n", "input line 4: a JSON array, not a message"),
    ("\n", "input line 4: not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "error"), BAD_LINES)
def test_a_bad_line_ends_the_run_after_what_came_before_is_applied(
    shop: Running, tmp_path: Path, bad: str, error: str
) -> None:
    head, *_ = messages("crm", [])
    lines = text(head, {"type": "RECORD", "stream": "crm", "record": BEFORE}, {"type": "STATE", "value": {"n": 1}})
    lines += bad + text(*messages("crm", [AFTER], {"n": 2}))
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=CRM), lines)
    assert result.returncode == 1
    assert error in error_lines(result.stderr)[-1], result.stderr
    assert "Traceback" not in result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"n": 1}]
    assert customer(shop, emailAddress=BEFORE["email"]) and not customer(shop, emailAddress=AFTER["email"])


def test_a_truncated_last_line_is_named_so(shop: Running, tmp_path: Path) -> None:
    whole = text(*messages("crm", [BEFORE], {"n": 1}))
    cut = json.dumps({"type": "RECORD", "stream": "crm", "record": AFTER})[:-9]
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=CRM), whole + cut)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "input line 4: not valid JSON" in error_lines(result.stderr)[-1]
    assert error_lines(result.stderr)[-1].endswith("(the input ends inside this line: truncated?)")
    assert result.stdout.splitlines() == ['{"n": 1}']
    assert customer(shop, emailAddress=BEFORE["email"]) and not customer(shop, emailAddress=AFTER["email"])


@pytest.mark.parametrize(("value", "kind"), [(None, "null"), ("a string", "string"), ([1], "array")])
def test_a_record_that_is_no_object_is_a_failed_record(shop: Running, tmp_path: Path, value: object, kind: str) -> None:
    lines = messages("crm", [BEFORE])
    lines.insert(2, {"type": "RECORD", "stream": "crm", "record": value})
    result = run_target(tmp_path, target_config(shop, tmp_path, streams=CRM), lines)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "crm: 1 created, 1 failed" in summary(result, "crm")
    [letter] = dead_letters(tmp_path)
    assert letter["record"] == value and letter["key"] is None
    assert letter["error"] == f"the record is a JSON {kind}, not an object"
    assert customer(shop, emailAddress=BEFORE["email"])


@pytest.mark.parametrize("where", [".", "missing/dead.jsonl", "config.json/dead.jsonl"])
def test_an_unwritable_dead_letter_path_stops_before_any_write(shop: Running, tmp_path: Path, where: str) -> None:
    cfg = {**target_config(shop, tmp_path, streams=CRM), "dead_letter_path": str(tmp_path / where)}
    result = run_target(tmp_path, cfg, messages("crm", [BEFORE]))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"dead_letter_path {tmp_path / where}" in error_lines(result.stderr)[-1]
    assert writes_sent(shop) == 0
