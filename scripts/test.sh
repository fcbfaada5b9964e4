#!/usr/bin/env bash
# Sets up .venv (Python 3.11 and pip are all it needs), then lints, type-checks and runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# the Meltano plugins install into .meltano/ while ruff and mypy run, so that the Meltano tests' own
# `meltano install` finds them installed
meltano_log=$(mktemp)
MELTANO_SEND_ANONYMOUS_USAGE_STATS=false .venv-meltano/bin/meltano install >"$meltano_log" 2>&1 &
meltano_install=$!
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
wait "$meltano_install" || { cat "$meltano_log"; exit 1; }
rm "$meltano_log"
# a module on one worker in its order, the longest first (tests/conftest.py); a worker more than cores: the
# Meltano and soak tests spend much of their time waiting on other processes; the ten slowest tests named
.venv/bin/pytest -n "$(($(nproc) + 1))" --dist loadfile --no-loadscope-reorder --durations=10 "$@"
