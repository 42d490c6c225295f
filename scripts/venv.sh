#!/usr/bin/env bash
# Ensure .venv exists and matches requirements.lock; sourced by the top-level commands.
# Re-installs when the lock changes, so a pulled dependency bump never runs on a stale venv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.lock-sha256"
want="$(sha256sum "$root/requirements.lock" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setting up $venv from requirements.lock" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/requirements.lock"
    echo "$want" > "$stamp"
fi
