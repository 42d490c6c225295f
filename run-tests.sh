#!/usr/bin/env bash
# The whole test suite: lint, format check, then every test. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
source scripts/tools.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
