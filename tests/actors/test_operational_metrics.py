"""The metrics an operator's dashboard and alerts are built on, read off the real tree: handler
latency per role, strategy signals, order round trips, the exported risk limits, the build, and
the two heartbeat timestamps an alert compares with the time."""

from __future__ import annotations

import tomllib
from pathlib import Path

from metrics.build import version
from tests.actors.test_health import HANG_ONE_STRATEGY
from tests.actors.tree_harness import SYMBOLS, eventually, metric, running_daemon

REPO = Path(__file__).resolve().parents[2]


def test_handler_latency_is_recorded_per_role_not_per_strategy(tmp_path: Path):
    with running_daemon(tmp_path) as daemon:
        count = "shikra_actor_handler_seconds_count"
        eventually(lambda: metric(daemon, count, role="Strategy") > 0)
        eventually(lambda: metric(daemon, count, role="Heartbeat") > 0)
        eventually(lambda: metric(daemon, count, role="RiskGate") > 0)
        roles = {
            sample.labels["role"]
            for family in daemon.tree.metrics.registry.collect()
            if family.name == "shikra_actor_handler_seconds"
            for sample in family.samples
        }
        assert not any(":" in role for role in roles), roles


def test_signals_and_order_round_trips_are_counted(tmp_path: Path):
    with running_daemon(tmp_path) as daemon:
        eventually(lambda: metric(daemon, "shikra_orders_total", status="filled") >= 3)
        daemon.tree.stop(timeout=30)  # freeze the figures: stopping twice is harmless
        signals = sum(
            metric(daemon, "shikra_strategy_signals_total", symbol=s, signal=kind)
            for s in SYMBOLS
            for kind in ("long", "short", "exit")
        )
        intents = sum(
            metric(daemon, "shikra_strategy_intents_total", symbol=s, side=side)
            for s in SYMBOLS
            for side in ("BUY", "SELL")
        )
        # Every intent of an EMA cross with no exit rules comes from a signal; some signals
        # are ignored (an order already working, or already positioned that way).
        assert signals >= intents > 0
        round_trips = metric(daemon, "shikra_order_round_trip_seconds_count")
        ended = {
            s: metric(daemon, "shikra_orders_total", status=s)
            for s in ("filled", "rejected", "cancelled")
        }
        assert ended["filled"] <= round_trips <= sum(ended.values())


def test_limits_and_build_are_exported(tmp_path: Path):
    with running_daemon(tmp_path) as daemon:
        limit = "shikra_risk_limit_rupees"
        assert metric(daemon, limit, limit="max_daily_loss") == 10_000_000  # from the config
        assert metric(daemon, limit, limit="max_drawdown") == 10_000_000
        with (REPO / "pyproject.toml").open("rb") as f:
            expected = tomllib.load(f)["project"]["version"]
        info = daemon.tree.metrics.registry.get_sample_value
        labels = {"version": expected, "mode": "paper"}
        found = [
            sample
            for family in daemon.tree.metrics.registry.collect()
            if family.name == "shikra_build"
            for sample in family.samples
        ]
        assert len(found) == 1 and labels.items() <= found[0].labels.items()
        assert info("shikra_build_info", found[0].labels) == 1


def test_version_is_unknown_without_a_pyproject(tmp_path: Path):
    assert version(tmp_path / "missing.toml") == "unknown"
    (tmp_path / "bad.toml").write_text("[project\n")
    assert version(tmp_path / "bad.toml") == "unknown"


def test_the_watchdog_timestamp_stops_while_an_actor_hangs(tmp_path: Path):
    with running_daemon(tmp_path, extra=HANG_ONE_STRATEGY) as daemon:
        pet = "shikra_watchdog_last_pet_timestamp_seconds"
        round_ = "shikra_heartbeat_last_round_timestamp_seconds"
        eventually(lambda: metric(daemon, pet) > 0)
        # While every actor answers, both are set in the same round (0.2 s apart at most).
        # Heartbeat's rounds going on 0.5 s past the last "all answered" round can only mean
        # some round found an actor silent.
        eventually(lambda: metric(daemon, round_) - metric(daemon, pet) > 0.5, timeout=10)
        frozen = metric(daemon, pet)
        eventually(lambda: metric(daemon, pet) > frozen, timeout=10)  # it answers again
        # The hung strategy's series, made when it was found stuck, says it answers again.
        assert metric(daemon, "shikra_actor_healthy", actor="Strategy:NSE:INFY") == 1
        assert metric(daemon, "shikra_market_open") == 1  # the synthetic session is open
