"""Heartbeat on the real tree: a hung actor is reported unhealthy within the timeout and healthy
again once it answers; a feed without ticks while the market is open is reported stale."""

from __future__ import annotations

from pathlib import Path

from tests.actors.tree_harness import eventually, metric, running_daemon

HANG_ONE_STRATEGY = """
[faults]
enabled = true
[[faults.rules]]
actor = "Strategy:NSE:INFY"
action = "hang"
every_nth = 20
message = "Tick"
hang_seconds = 2.5
max_times = 1
"""


def test_a_hung_actor_is_reported_and_recovers_when_it_answers(tmp_path: Path):
    with running_daemon(tmp_path, extra=HANG_ONE_STRATEGY) as daemon:
        hung = {"actor": "Strategy:NSE:INFY"}
        eventually(lambda: metric(daemon, "shikra_faults_injected_total", action="hang", **hung))
        # A pooled actor has a healthy series once it has been found stuck, none before.
        healthy = daemon.tree.metrics.registry.get_sample_value
        eventually(lambda: healthy("shikra_actor_healthy", hung) == 0, timeout=5)
        # The other strategies kept answering: one hung actor does not hide the others.
        assert healthy("shikra_actor_healthy", {"actor": "Strategy:NSE:TCS"}) is None
        eventually(lambda: healthy("shikra_actor_healthy", hung) == 1, timeout=10)
        assert metric(daemon, "shikra_heartbeat_round_trip_seconds_count") > 0


def test_a_feed_without_ticks_in_market_hours_is_stale(tmp_path: Path):
    with running_daemon(tmp_path, ticks_per_second=0.001, stale_after_seconds=0.5) as daemon:
        eventually(lambda: metric(daemon, "shikra_feed_stale") == 1, timeout=10)
        assert metric(daemon, "shikra_feed_last_tick_age_seconds") > 0.5
