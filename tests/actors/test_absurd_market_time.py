"""A tick whose time no recording can have (year 9999) must not crash any actor, even if it got
past the feed's edge: the reader refuses such times, but Heartbeat, RiskGate and TickFeed must
not depend on it. Before, Heartbeat's market-hours check raised ``OverflowError`` every beat
(year 10000 in IST), and RiskGate's "market closed at ..." message would have too."""

from __future__ import annotations

from pathlib import Path

from config import load_config_text
from daemon.clock import WallClock
from daemon.topology import build
from feeds.base import Batch
from messages import Tick
from metrics import Metrics
from tests.actors.tree_harness import SYMBOLS, eventually, metric, synthetic_config

YEAR_9999_END_NS = 253_402_300_799 * 1_000_000_000  # 9999-12-31T23:59:59Z
ACTORS = ("PnLTracker", "RiskGate", "OrderRouter", "PositionSync", "TickFeed", "Heartbeat")


def test_a_tick_from_year_9999_crashes_no_actor_and_orders_are_judged_closed(tmp_path: Path):
    config = load_config_text(synthetic_config(tmp_path / "state"))
    daemon = build(config, clock=WallClock(), metrics=Metrics())
    source = daemon.market.source
    real_poll = source.poll
    injected: dict[str, float] = {}

    def poll(now_ns: int) -> Batch:
        batch = real_poll(now_ns)
        if not injected and metric(daemon, "shikra_risk_approvals_total") >= 1:
            # Trading is ACTIVE and the market open: now one tick from the end of time.
            absurd = Tick(symbol=SYMBOLS[0], ltp=100_000, exchange_ns=YEAR_9999_END_NS,
                          receive_ns=now_ns)  # fmt: skip
            injected["closed"] = metric(daemon, "shikra_risk_rejections_total", **_closed())
            return Batch([*batch.ticks, absurd], batch.next_due_ns, batch.skipped)
        return batch

    source.poll = poll  # type: ignore[method-assign]
    daemon.tree.start(timeout=30)
    try:
        eventually(lambda: bool(injected), timeout=30)
        # RiskGate now judges intents at the absurd market time: closed, said without raising.
        eventually(
            lambda: metric(daemon, "shikra_risk_rejections_total", **_closed()) > injected["closed"]
        )
        # Heartbeat keeps beating for several rounds after it saw the feed's absurd time.
        beat = metric(daemon, "shikra_heartbeat_last_round_timestamp_seconds")
        eventually(
            lambda: metric(daemon, "shikra_heartbeat_last_round_timestamp_seconds") >= beat + 1.0
        )
        assert metric(daemon, "shikra_market_open") == 0
        for actor in (*ACTORS, *(f"Strategy:{s}" for s in SYMBOLS)):
            assert metric(daemon, "shikra_actor_crashes_total", actor=actor) == 0, actor
        assert not daemon.tree.escalated
    finally:
        assert daemon.tree.stop(timeout=30)


def _closed() -> dict[str, str]:
    return {"reason": "market_closed"}
