#!/usr/bin/env bash
# Run the daemon in paper mode on the embedded default config (no credentials needed).
# Extra arguments go to `main.py run`, e.g. ./run-paper.sh --duration 60
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
exec .venv/bin/python main.py run --config config/paper.toml "$@"
