"""A checkout without `../shared` beside it: the tests that need Shopify's schema or captures skip with the
reason, and under CI they fail (each an error), every one with the same clear message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

# one test of each kind: a capture replay, a parametrized capture replay, a check against the real schema
NEEDS_SHARED = (
    "tests/conformance/test_conformance_reads.py::test_missing_records_are_null",
    "tests/emulator/test_bulk_operations.py::test_bulk_query_validation_matches_shopify",
    "tests/conformance/test_schema_subset.py::test_served_schema_is_a_subset_of_the_real_one",
)


def run_without_shared(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "tests", checkout / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", checkout)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs", *NEEDS_SHARED],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(("ci", "outcome"), [("true", "3 errors"), ("", "3 skipped")])
def test_missing_shared_fails_under_ci_and_skips_elsewhere(tmp_path: Path, ci: str, outcome: str) -> None:
    done = run_without_shared(tmp_path, ci)
    output = done.stdout + done.stderr
    shared = tmp_path / "shared"
    reason = "is missing: the tests need Shopify's schema and captures in ../shared beside the checkout"
    assert "FileNotFoundError" not in output
    assert output.count(f"{shared}/shopify-captures {reason}") >= 2, output
    assert f"{shared}/shopify-admin-schema/admin-2026-07.graphql {reason}" in output, output
    assert output.splitlines()[-1].startswith(outcome), output
    assert done.returncode == (1 if ci else 0), output
