"""The real daemon, end to end: ``main.py run`` on a replay of the sample day through the paper
broker, checked from the outside — its journal (SQLite) and its metrics endpoint."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from daemon.clock import WallClock
from journal import Journal
from messages import OrderStatus
from tests.e2e.configs import SYMBOLS, replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port, settled, total, value
from tests.e2e.reckoning import Reckoning, read_replay


@pytest.fixture
def paper_run(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, replay_config(SAMPLE, port), port).start()
    yield daemon
    daemon.kill()


def test_replayed_day_trades_and_the_books_agree(paper_run: DaemonProcess, tmp_path: Path):
    facts = read_replay(SAMPLE)
    expected_ticks = sum(n for s, n in facts.ticks.items() if s in SYMBOLS)
    samples = paper_run.wait_for(settled(expected_ticks), timeout=90)
    assert paper_run.terminate() == 0, paper_run.log()

    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        orders = journal.orders()
        fills = journal.fills()
    # Orders were placed and filled.
    assert len(orders) >= 10
    assert sum(o.status is OrderStatus.FILLED for o in orders) >= 10
    assert all(o.status.is_terminal for o in orders)
    assert len(fills) >= 10

    # PnL equals an independent recomputation from the journaled fills.
    book = Reckoning()
    for fill in fills:
        book.apply(fill)
    assert value(samples, "shikra_pnl_realized_rupees") == pytest.approx(book.realized / 100)
    assert value(samples, "shikra_pnl_charges_rupees") == pytest.approx(book.charges / 100)
    unrealized = book.unrealized(facts.last_price)
    assert value(samples, "shikra_pnl_unrealized_rupees") == pytest.approx(unrealized / 100)

    # Positions equal the paper broker's (as PositionSync read them) and the tracker's.
    for symbol in SYMBOLS:
        quantity = book.positions.get(symbol, 0)
        assert value(samples, "shikra_broker_position_quantity", symbol=symbol) == quantity
        assert value(samples, "shikra_position_quantity", symbol=symbol) == quantity
    assert total(samples, "shikra_reconciliation_mismatches_total") == 0

    # Bad input was skipped and counted, not fatal.
    assert value(samples, "shikra_feed_ticks_dropped_total", reason="bad_price") == 1
    dropped = value(samples, "shikra_feed_ticks_dropped_total", reason="unknown_symbol")
    assert dropped == facts.ticks["NSE:SBIN"]

    # The daily export was written at the clean stop.
    exports = list((tmp_path / "state" / "exports").glob("*/fills.csv"))
    assert len(exports) == 1
    assert len(exports[0].read_text().splitlines()) == len(fills) + 1


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_run_stops_cleanly_and_leaves_no_order_in_doubt(tmp_path: Path, sig):
    port = free_port()
    slow = SAMPLE.read_text()
    replay = tmp_path / "slow.csv"
    replay.write_text(slow)
    config = replay_config(replay, port).replace('speed = "max"', "speed = 600.0")
    daemon = DaemonProcess(tmp_path, config, port).start()
    try:
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 2, timeout=60)
        assert daemon.terminate(sig=sig) == 0, daemon.log()
    finally:
        daemon.kill()
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM orders")]
    assert statuses
    assert "unknown" not in statuses
    assert "stopped cleanly" in daemon.log()


CRASH_RISKGATE_ALWAYS = """
[faults]
enabled = true
[[faults.rules]]
actor = "RiskGate"
action = "raise"
every_nth = 1
"""


def test_the_process_exits_non_zero_when_the_root_supervisor_gives_up(tmp_path: Path):
    port = free_port()
    config = replay_config(SAMPLE, port, faults=CRASH_RISKGATE_ALWAYS).replace(
        "max_restarts = 200", "max_restarts = 3"
    )
    daemon = DaemonProcess(tmp_path, config, port).start()
    try:
        code = daemon.wait(timeout=60)
    finally:
        daemon.kill()
    log = daemon.log()
    assert code == 1, log
    assert "root supervisor gave up" in log
    assert "more than 3 restarts" in log
