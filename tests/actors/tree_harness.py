"""The daemon's real actor tree, in-process: built from a config like ``main.py run`` does,
on the synthetic feed, so a test can send it control messages and watch its metrics."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from config import load_config_text
from core.market_hours import MarketHours
from daemon.clock import WallClock
from daemon.topology import Daemon, build
from metrics import Metrics
from tests.e2e.configs import roomy_limits

SYMBOLS = ("NSE:INFY", "NSE:TCS", "NSE:RELIANCE")
NSE = MarketHours(ZoneInfo("Asia/Kolkata"), datetime.time(9, 15), datetime.time(15, 30))
"""NSE cash hours, for actors built by hand in a test."""


def synthetic_config(
    state_dir: Path,
    *,
    extra: str = "",
    ticks_per_second: float = 40.0,
    stale_after_seconds: float = 5.0,
) -> str:
    symbols = "\n".join(
        f'[[symbols]]\nsymbol = "{s}"\nstrategy = "ema_cross"\nparams = {{ fast = 2, slow = 5 }}\n'
        f"quantity = 5\ninitial_price_paise = {100_000 + 500 * i}\n"
        for i, s in enumerate(SYMBOLS)
    )
    return f"""
[system]
mode = "paper"
state_dir = "{state_dir}"
[feed]
source = "synthetic"
stale_after_seconds = {stale_after_seconds}
[feed.synthetic]
seed = 3
ticks_per_second = {ticks_per_second}
volatility_bps = 10.0
{symbols}
{roomy_limits()}[heartbeat]
interval_seconds = 0.2
timeout_seconds = 1.0
[position_sync]
interval_seconds = 0.5
{extra}
"""


@contextmanager
def running_daemon(state_dir: Path, **kw: object) -> Iterator[Daemon]:
    config = load_config_text(synthetic_config(state_dir, **kw))  # type: ignore[arg-type]
    daemon = build(config, clock=WallClock(), metrics=Metrics())
    daemon.tree.start(timeout=30)
    try:
        yield daemon
    finally:
        assert daemon.tree.stop(timeout=30)
        daemon.journal.close()


def metric(daemon: Daemon, name: str, **labels: str) -> float:
    value = daemon.tree.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(0.02)  # the polling interval of a deadline-bounded wait
