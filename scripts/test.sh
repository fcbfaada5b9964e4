#!/usr/bin/env bash
# Sets up .venv (Python 3.11 and pip are all it needs), then lints, type-checks and runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest -n auto --dist loadfile "$@"  # both cores, a module on one worker in its order
