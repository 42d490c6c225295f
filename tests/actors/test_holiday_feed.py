"""A holiday is closed everywhere: a feed that goes silent at 10:00 on a trading day is stale
within ``stale_after_seconds``; the same silence on a day the calendar closes is not, and the
market is reported closed. (The real tree on a real-time replay: two ticks a minute apart.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_config_text
from daemon.clock import WallClock
from daemon.topology import build
from metrics import Metrics
from tests.actors.tree_harness import eventually, metric
from tests.e2e.configs import roomy_limits

SILENT_MINUTE = """exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume
2026-11-24T10:00:00.000+05:30,NSE:INFY,1500.00,1499.95,1500.05,10,10,100
2026-11-24T10:01:00.000+05:30,NSE:INFY,1500.05,1500.00,1500.10,10,10,200
"""


def config(state_dir: Path, replay: Path, holidays: str) -> str:
    return f"""
[system]
mode = "paper"
state_dir = "{state_dir}"
[system.metrics]
port = 0
[market]
holidays = {holidays}
shipped_calendar = false
[feed]
source = "replay"
stale_after_seconds = 0.5
[feed.replay]
path = "{replay}"
speed = 1.0
[[symbols]]
symbol = "NSE:INFY"
strategy = "ema_cross"
quantity = 5
{roomy_limits()}[heartbeat]
interval_seconds = 0.1
timeout_seconds = 1.0
"""


@pytest.mark.parametrize(
    ("holidays", "stale", "market_open"),
    [("[]", 1, 1), ("[2026-11-24]", 0, 0)],
    ids=["trading-day", "holiday"],
)
def test_a_silent_feed_is_stale_only_on_a_trading_day(
    tmp_path: Path, holidays: str, stale: int, market_open: int
):
    replay = tmp_path / "silent.csv"
    replay.write_text(SILENT_MINUTE, encoding="utf-8")
    daemon = build(
        load_config_text(config(tmp_path / "state", replay, holidays)),
        clock=WallClock(),
        metrics=Metrics(),
    )
    daemon.tree.start(timeout=30)
    try:
        eventually(lambda: metric(daemon, "shikra_feed_last_tick_age_seconds") > 1.5, timeout=10)
        eventually(lambda: metric(daemon, "shikra_heartbeat_last_round_timestamp_seconds") > 0)
        assert metric(daemon, "shikra_feed_stale") == stale
        assert metric(daemon, "shikra_market_open") == market_open
        assert metric(daemon, "shikra_session_phase", exchange="NSE", phase="closed") == 1 - stale
    finally:
        assert daemon.tree.stop(timeout=30)
        daemon.journal.close()
