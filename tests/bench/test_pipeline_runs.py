"""``bench.pipeline`` runs one tiny row to completion and both sides really trade. Not a timed
test: no figure is judged, only that the benchmark measures a pipeline that places orders (its
earlier baseline placed none) and prints what the README says it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIDE_KEYS = {
    "ticks", "sustained_ticks_per_s", "feed_lag", "tick_to_intent", "tick_to_order_sent",
    "orders", "journal", "cpu_s_per_1000_ticks", "peak_rss_mb", "gc", "start_s",
}  # fmt: skip


def test_one_tiny_row_runs_and_both_sides_place_orders() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.pipeline", "--symbols", "20", "--rates", "400",
         "--order-rate", "stress", "--seconds", "1", "--warmup", "0.5"],
        cwd=REPO, capture_output=True, text=True, timeout=100, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert document["ok"] is True
    (row,) = document["rows"]
    assert (row["symbols"], row["offered_ticks_per_s"], row["order_rate"]) == (20, 400, "stress")
    (run,) = row["runs"]
    for side in ("tree", "baseline"):
        assert run[side].keys() >= SIDE_KEYS, side
        assert run[side]["orders"]["placed"] > 0, side
        assert run[side]["feed_lag"]["start_s"] is not None, side
        # Every order journaled as the router does: the same events per order on both sides.
        assert run[side]["journal"]["events_per_order"] == 4.0, side
    assert run["checks"]["baseline_placed_orders"] and run["checks"]["tree_placed_orders"]
    assert "cpu_ratio" in run
