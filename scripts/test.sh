#!/usr/bin/env bash
# Sets up .venv (Python 3.11 and pip are all it needs), then lints, type-checks and runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# a module on one worker in its order, the Meltano ones together, the longest first (tests/conftest.py);
# a worker more than cores: the Meltano and soak tests spend much of their time waiting on other processes
.venv/bin/pytest -n "$(($(nproc) + 1))" --dist loadfile --no-loadscope-reorder "$@"
