"""kill -9 at random instants, on the real daemon in paper mode, twenty times on one state
directory while orders are working, then a clean run: no client id reaches the venue twice,
broker ids and client ids are one-to-one, every trade is in the journal exactly once, the
journal's positions are the venue's, nothing is left working, and every restart traded again
(the issue's drill: after 3-4 kills the old venue reused an order id and the router crashed
at every start from then on)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.daemon_process import total, value
from tests.e2e.kill_drill import SYMBOLS, restarts, run


def test_twenty_kills_at_random_instants_break_no_invariant(tmp_path: Path):
    report = run(tmp_path, cycles=20, seed=20261201)
    assert len(report.cycles) == 20
    assert all(cycle.placed >= 1 for cycle in report.cycles)  # it traded after every restart
    assert report.clean_exit == 0, report.log
    assert report.problems == [], "\n".join(report.problems)
    samples = report.clean_samples
    assert restarts(samples) == 0, report.log  # no actor crashed on what the kills left behind
    assert total(samples, "shikra_reconciliation_mismatches_total") == 0, report.log
    assert value(samples, "shikra_trading_state", state="HALTED") == 1
    assert report.orders >= 40 and report.fills >= report.orders
    # Every trade applied once by the actors too: the restarted PnLTracker's and RiskGate's
    # positions are the journal's (an MIS day: no carried positions).
    journal = tmp_path / "state" / "journal.sqlite"
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        net = dict(db.execute(
            "SELECT symbol, SUM(CASE side WHEN 'BUY' THEN quantity ELSE -quantity END) "
            "FROM fills GROUP BY symbol"))  # fmt: skip
    for symbol in SYMBOLS:
        assert value(samples, "shikra_position_quantity", symbol=symbol) == net.get(symbol, 0)
        assert value(samples, "shikra_broker_position_quantity", symbol=symbol) == net.get(
            symbol, 0
        )
