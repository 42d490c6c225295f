"""TickFeed exports the feed lag its source reports: the largest of a status round, so one
late poll shows for a second, and a lag that has cleared does not linger on the dashboard."""

from __future__ import annotations

from pathlib import Path

from config import load_config_text
from daemon.clock import WallClock
from daemon.topology import build
from feeds.base import Batch
from metrics import Metrics
from tests.actors.tree_harness import eventually, metric, synthetic_config

LATE_NS = 3_000_000_000


def test_a_late_poll_shows_as_the_feed_lag_and_clears_once_the_feed_is_back_on_time(
    tmp_path: Path,
):
    config = load_config_text(synthetic_config(tmp_path / "state"))
    daemon = build(config, clock=WallClock(), metrics=Metrics())
    source = daemon.market.source
    real_poll = source.poll
    late: dict[str, bool] = {}

    def poll(now_ns: int) -> Batch:
        batch = real_poll(now_ns)
        if batch.ticks and not late:
            late["sent"] = True  # one poll whose oldest tick had waited 3 s
            return Batch(batch.ticks, batch.next_due_ns, batch.skipped, LATE_NS)
        return batch

    source.poll = poll  # type: ignore[method-assign]
    daemon.tree.start(timeout=30)
    try:
        eventually(lambda: metric(daemon, "shikra_feed_lag_seconds") == 3.0, timeout=10)
        # The next rounds see only on-time polls (2 ms cadence, a few ticks a second).
        eventually(lambda: metric(daemon, "shikra_feed_lag_seconds") < 0.5, timeout=10)
    finally:
        assert daemon.tree.stop(timeout=30)
