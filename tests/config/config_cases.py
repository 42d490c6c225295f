"""Shared by the config tests: a known-good minimal config, a way to break it in exactly one
place, and a runner for ``main.py check-config`` as a real subprocess.

(Named so as not to clash: tests/ has no ``__init__.py``, so pytest imports test helpers by
their bare module names.)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

MINIMAL_TOML = """\
[system]
mode = "paper"

[market]
timezone = "Asia/Kolkata"
open = "09:15"
close = "15:30"

[feed]
source = "synthetic"

[[symbols]]
symbol = "NSE:INFY"
strategy = "ema_cross"
params = { fast = 9, slow = 21 }
quantity = 7

[[symbols]]
symbol = "NSE:TCS"
strategy = "rsi_reversion"
quantity = 5

[risk]
max_order_quantity = 100
max_order_value = 200000
max_position_quantity = 500
max_gross_exposure = 1000000
max_open_orders = 10
max_orders_per_minute = 60
price_band_bps = 200
max_daily_loss = 5000
max_drawdown = 7500

[broker.kite]
api_key_env = "KITE_API_KEY"
access_token_env = "KITE_ACCESS_TOKEN"

[supervision]
backoff_min_seconds = 0.05
backoff_max_seconds = 5.0

[heartbeat]
interval_seconds = 1.0
timeout_seconds = 3.0

[faults]
enabled = false
"""
"""Valid as it stands (a test checks it): every bad config below is this with one change."""


def changed(*replacements: tuple[str, str], append: str = "") -> str:
    """``MINIMAL_TOML`` with each ``(old, new)`` applied (``old`` must occur exactly once, so a
    case cannot silently change nothing or too much) and ``append`` added at the end."""
    text = MINIMAL_TOML
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in MINIMAL_TOML"
        text = text.replace(old, new)
    return text + append


def run_check_config(
    path: Path | str, *, env: Mapping[str, str] | None = None, cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess[str]:
    """``python main.py check-config PATH`` (from the repo root unless ``cwd`` says otherwise),
    as an operator would run it; ``env`` replaces the environment (default: this one)."""
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "main.py"), "check-config", str(path)],
        cwd=cwd,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
