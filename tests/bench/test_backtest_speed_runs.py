"""``bench.backtest_speed`` runs one tiny size to completion and its sides do the same work.
Not a timed test: no figure is judged, only that the benchmark's checks hold — the backtest and
the same-work loop sent the same orders and wrote the same trades, the plain loop traded — and
that it prints what the README says it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIDE_KEYS = {"ticks", "seconds", "ticks_per_s", "orders"}


def test_a_tiny_run_trades_the_same_on_the_backtest_and_the_same_work_loop() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.backtest_speed", "--symbols", "8", "--ticks", "4000"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert document["ok"] is True
    for side in ("plain_loop", "same_work_loop", "backtest"):
        assert document[side].keys() >= SIDE_KEYS, side
        assert document[side]["ticks"] == 4000, side
        assert document[side]["orders"] > 0, side
    assert document["same_work_loop"]["orders"] == document["backtest"]["orders"]
    assert document["same_work_loop"]["intents"] == document["backtest"]["intents"]
    assert document["same_trades"] is True
    assert document["backtest"]["exit_code"] == 0
    assert {"ratio_to_same_work", "ratio_to_plain", "machine"} <= document.keys()
