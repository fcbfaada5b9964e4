#!/usr/bin/env bash
# The README's demo: sets up .venv (Python 3.11 and pip are all it needs), then runs scripts/demo.py.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
