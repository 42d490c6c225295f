"""Configs for runs of the real daemon: the paper default's shape, a replay of the sample day."""

from __future__ import annotations

from pathlib import Path

SYMBOLS = {
    # symbol: (strategy, params, quantity); NSE:SBIN is left out on purpose: its ticks in the
    # sample are "for a symbol not in the config", dropped and counted.
    "NSE:INFY": ("ema_cross", "{ fast = 9, slow = 21 }", 10),
    "NSE:TCS": ("rsi_reversion", "{ period = 14, oversold = 30.0, overbought = 70.0 }", 5),
    "NSE:RELIANCE": ("channel_breakout", "{ lookback = 40 }", 10),
    "NSE:HDFCBANK": ("ema_cross", "{ fast = 5, slow = 30 }", 15),
}


def roomy_limits(*, max_daily_loss: int = 10_000_000, per_day: int | None = None) -> str:
    """``[risk]`` and ``[orders]`` that let a test's strategies trade freely (paper simulates
    any rate): each test states only the limit it is about."""
    day_cap = f"per_day = {per_day}\n" if per_day is not None else ""
    return f"""[risk]
max_order_quantity = 100
max_order_value = 10000000
max_position_quantity = 1000
max_gross_exposure = 100000000
max_open_orders = 50
max_orders_per_minute = 10000
price_band_bps = 500
max_daily_loss = {max_daily_loss}
max_drawdown = 10000000
[orders]
per_second = 1000
per_minute = 100000
{day_cap}"""


def replay_config(replay: Path, port: int, *, faults: str = "", extra: str = "") -> str:
    symbols = "\n".join(
        f'[[symbols]]\nsymbol = "{s}"\nstrategy = "{name}"\nparams = {params}\nquantity = {qty}\n'
        for s, (name, params, qty) in SYMBOLS.items()
    )
    return f"""
[system]
mode = "paper"
state_dir = "state"
log_level = "info"
[system.metrics]
bind = "127.0.0.1"
port = {port}

[feed]
source = "replay"
[feed.replay]
path = "{replay}"
speed = "max"
exit_at_end = false  # the test reads the metrics and stops it

{symbols}

[risk]
max_order_quantity = 100
max_order_value = 1000000
max_position_quantity = 1000
max_gross_exposure = 10000000
max_open_orders = 50
max_orders_per_minute = 600
price_band_bps = 500
max_daily_loss = 1000000
max_drawdown = 1000000

[broker.paper]
fill_model = "ltp"
slippage_bps = 1.0

[supervision]
max_restarts = 200
within_seconds = 60.0
backoff_min_seconds = 0.0
backoff_max_seconds = 0.05

[heartbeat]
interval_seconds = 0.5
timeout_seconds = 5.0

[position_sync]
interval_seconds = 0.2
policy = "alert"
{extra}
{faults}
"""


def slow_replay_config(replay: Path, port: int) -> str:
    """Real-time-ish replay (600x): the sample day lasts ~40 s, long enough to steer it."""
    return replay_config(replay, port).replace('speed = "max"', "speed = 600.0")
