#!/usr/bin/env bash
# Sets up .venv (Python 3.11 and pip are all it needs), then lints, type-checks and runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# the Meltano plugins install into .meltano/ while ruff runs, so that the Meltano tests' own
# `meltano install` finds them installed
meltano_log=$(mktemp)
MELTANO_SEND_ANONYMOUS_USAGE_STATS=false UV_COMPILE_BYTECODE=1 .venv-meltano/bin/meltano install >"$meltano_log" 2>&1 &
meltano_install=$!
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# mypy type-checks beside the tests, on the CPU they leave idle while the Meltano and soak tests wait on
# other processes; its verdict comes after theirs and fails the run as well
mypy_log=$(mktemp)
.venv/bin/mypy >"$mypy_log" 2>&1 &
mypy=$!
wait "$meltano_install" || { cat "$meltano_log"; exit 1; }
rm "$meltano_log"
# a module on one worker in its order, the longest first (tests/conftest.py); two workers more than cores:
# the Meltano and soak tests spend much of their time waiting on other processes; the ten slowest named
status=0
.venv/bin/pytest -n "$(($(nproc) + 2))" --dist loadfile --no-loadscope-reorder --durations=10 "$@" || status=$?
wait "$mypy" || status=1
cat "$mypy_log"
rm "$mypy_log"
exit "$status"
