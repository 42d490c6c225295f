"""``bench.full_subscription`` runs the real daemon on a tiny subscription and reports what it
watched. Not a timed test: no figure is judged beyond "the daemon traded, its feed lag was
read, it stopped cleanly" — the benchmark must measure a daemon that does the work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_tiny_subscription_trades_reports_its_lag_and_stops_cleanly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.full_subscription", "--symbols", "20", "--rate", "400",
         "--seconds", "4", "--scrape-every", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert done.returncode == 0, (report, done.stderr[-3000:])
    assert report["holds"] is True and report["exit_code"] == 0
    assert report["orders_sent"] > 0 and report["fills"] > 0
    assert report["delivered_ticks_per_s"] > 0
    assert len(report["feed_lag"]["samples_s"]) == 5  # a scrape a second for 4 s, and at 0
    assert 0 < report["rss_mb"]["peak"] <= 300
