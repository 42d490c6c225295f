"""kill -9 at each step of the order path, then a restart: the daemon kills itself (SIGKILL,
from inside, so nothing runs after it) the n-th time it reaches a named point
(``config.faults.CRASH_POINTS``), is started again on the same state directory, trades, flattens
and settles; the order-path invariants hold, and what was half done at the kill was finished
the way the recovery model says (``core.recovery``'s table)."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from daemon.clock import WallClock
from daemon.control_wire import request
from journal import Journal
from messages import Fill, Side
from tests.e2e.daemon_process import DaemonProcess, free_port, total
from tests.e2e.invariants import check, paper_venue
from tests.e2e.kill_drill import _wait_settled, paper_config, submitted


def _faults(actor: str, point: str, nth: int) -> str:
    return f"""
[faults]
enabled = true
seed = 1
[[faults.rules]]
actor = "{actor}"
action = "kill"
point = "{point}"
every_nth = {nth}
max_times = 1
"""


def _killed_at(workdir: Path, port: int, actor: str, point: str, nth: int, **kw: str) -> str:
    """Run until the fault kills the process; return its log."""
    daemon = DaemonProcess(
        workdir, paper_config(port, extra=_faults(actor, point, nth), **kw), port
    )
    try:
        code = daemon.start().wait(timeout=90)
    finally:
        daemon.kill()
    assert code == -9, daemon.log()  # SIGKILL: it died at the point, by its own hand
    return daemon.log()


def _clean_run(workdir: Path, port: int, **kw: str) -> tuple[dict, str]:
    """Start again, trade, flatten, settle, stop; return the last scrape and the log."""
    daemon = DaemonProcess(workdir, paper_config(port, **kw), port).start()
    try:
        daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
        assert request(workdir / "state" / "control.sock", "flatten").ok
        _wait_settled(workdir / "state", lambda p: paper_venue(p / "paper_venue.sqlite"), daemon)
        samples = daemon.scrape()
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    return samples, daemon.log()


def _rows(workdir: Path, query: str) -> list[tuple]:
    path = workdir / "state" / "journal.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return list(db.execute(query))


def _venue_rows(workdir: Path, query: str) -> list[tuple]:
    path = workdir / "state" / "paper_venue.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return list(db.execute(query))


def _invariants(workdir: Path) -> list[str]:
    state = workdir / "state"
    return check(state / "journal.sqlite", paper_venue(state / "paper_venue.sqlite"), settled=True)


def test_after_the_intent_is_journaled_its_client_id_is_spent_never_reused(tmp_path: Path):
    port = free_port()
    _killed_at(tmp_path, port, "Strategy:NSE:INFY", "strategy.intent_journaled", 3)
    orphans = _rows(
        tmp_path,
        "SELECT client_id, strategy_seq FROM intents WHERE symbol = 'NSE:INFY' "
        "AND client_id NOT IN (SELECT client_id FROM orders)",
    )
    assert [seq for _, seq in orphans] == [3]  # the third: journaled, never sent to RiskGate
    ((orphan, seq),) = orphans
    samples, log = _clean_run(tmp_path, port)
    assert _invariants(tmp_path) == []
    later = _rows(tmp_path, f"SELECT MIN(strategy_seq) FROM intents WHERE symbol = 'NSE:INFY' "
                            f"AND strategy_seq > {seq}")  # fmt: skip
    assert later[0][0] == seq + 1  # the sequence continues after the spent id
    assert not _venue_rows(tmp_path, f"SELECT 1 FROM orders WHERE tag = '{orphan}'")
    assert total(samples, "shikra_actor_restarts_total") == 0, log


def test_after_the_order_is_journaled_before_the_broker_call_it_is_never_sent(tmp_path: Path):
    port = free_port()
    _killed_at(tmp_path, port, "OrderRouter", "router.order_journaled", 4)
    ((cid,),) = _rows(tmp_path, "SELECT client_id FROM orders WHERE status = 'new'")
    assert not _venue_rows(tmp_path, f"SELECT 1 FROM orders WHERE tag = '{cid}'")
    _clean_run(tmp_path, port)
    assert _invariants(tmp_path) == []
    assert _rows(tmp_path, f"SELECT status, reason FROM orders WHERE client_id = '{cid}'") == [
        ("rejected", "not sent before a restart; not re-sent")
    ]
    assert not _venue_rows(tmp_path, f"SELECT 1 FROM orders WHERE tag = '{cid}'")  # not re-sent


def test_after_the_broker_accepted_before_its_reply_is_journaled_it_is_found_by_tag(
    tmp_path: Path,
):
    port = free_port()
    _killed_at(tmp_path, port, "OrderRouter", "router.placed", 4)
    ((cid,),) = _rows(tmp_path, "SELECT client_id FROM orders WHERE status = 'new'")
    ((venue_id,),) = _venue_rows(
        tmp_path, f"SELECT broker_order_id FROM orders WHERE tag = '{cid}'"
    )
    _clean_run(tmp_path, port)
    assert _invariants(tmp_path) == []
    ((status, broker_id),) = _rows(
        tmp_path, f"SELECT status, broker_order_id FROM orders WHERE client_id = '{cid}'"
    )
    assert broker_id == venue_id and status in ("filled", "cancelled")
    assert len(_venue_rows(tmp_path, f"SELECT 1 FROM orders WHERE tag = '{cid}'")) == 1


def test_after_a_fill_arrives_before_it_is_journaled_it_is_taken_from_the_venue(tmp_path: Path):
    port = free_port()
    _killed_at(tmp_path, port, "OrderRouter", "router.fill_received", 5)
    journaled = {row[0] for row in _rows(tmp_path, "SELECT trade_id FROM fills")}
    made = {row[0] for row in _venue_rows(tmp_path, "SELECT trade_id FROM trades WHERE tag != ''")}
    lost = made - journaled
    assert lost  # at least the fill in hand at the kill
    _samples, log = _clean_run(tmp_path, port)
    assert _invariants(tmp_path) == []
    for trade_id in lost:
        assert _rows(tmp_path, f"SELECT COUNT(*) FROM fills WHERE trade_id = '{trade_id}'") == [
            (1,)
        ]
    assert "taken from the broker's trades" in log


def test_between_the_two_writes_of_an_adjustment_neither_is_written(tmp_path: Path):
    port = free_port()
    # A first, ordinary run: the day and its files exist.
    daemon = DaemonProcess(tmp_path, paper_config(port), port).start()
    try:
        daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    # The journal now disagrees with the venue: 7 INFY it holds and the venue never had.
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        day = journal.current_day()
        assert day is not None
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=journal_zone())
        journal.record_fill(Fill(
            trade_id="BYHAND1", client_id="RECONCILE", symbol="NSE:INFY", side=Side.BUY,
            quantity=7, price=100_000, at_ns=int(noon.timestamp()) * 1_000_000_000,
        ))  # fmt: skip
    _killed_at(tmp_path, port, "PositionSync", "sync.adjustment_half_written", 1, policy="adopt")
    assert _rows(tmp_path, "SELECT * FROM position_adjustments") == []
    assert _rows(tmp_path, "SELECT * FROM fills WHERE trade_id LIKE 'ADJ-%'") == []
    _clean_run(tmp_path, port, policy="adopt")
    assert _invariants(tmp_path) == []
    adjusted = _rows(tmp_path, "SELECT quantity_delta, trade_id FROM position_adjustments")
    assert adjusted == [(-7, f"ADJ-{day.isoformat()}-NSE:INFY-MIS-1")]
    assert _rows(tmp_path, f"SELECT side, quantity FROM fills WHERE trade_id = '{adjusted[0][1]}'"
                 ) == [("SELL", 7)]  # fmt: skip


def journal_zone() -> datetime.tzinfo:
    return ZoneInfo("Asia/Kolkata")


def test_after_a_fill_is_journaled_before_its_orders_status_the_fills_win(tmp_path: Path):
    # Whole fills: the fill journaled at the kill is the one that completed its order, so
    # nothing more will come from the venue to move it (the drill that found this: the order
    # stayed PARTIALLY_FILLED in the journal, and its strategy waited on it for good).
    port = free_port()
    _killed_at(tmp_path, port, "OrderRouter", "router.fill_journaled", 4, fill_ratio="1.0")
    behind = _rows(
        tmp_path,
        "SELECT o.client_id FROM orders o JOIN fills f ON f.client_id = o.client_id "
        "GROUP BY o.client_id HAVING SUM(f.quantity) > MAX(o.filled_quantity)",
    )
    assert len(behind) == 1  # the fill in hand at the kill: journaled, its order not told
    ((cid,),) = behind
    _samples, log = _clean_run(tmp_path, port, fill_ratio="1.0")
    assert _invariants(tmp_path) == []  # nothing left non-final: the order is not stuck
    ((status, filled),) = _rows(
        tmp_path, f"SELECT status, filled_quantity FROM orders WHERE client_id = '{cid}'"
    )
    ((journaled,),) = _rows(tmp_path, f"SELECT SUM(quantity) FROM fills WHERE client_id = '{cid}'")
    assert (status, filled) == ("filled", journaled)
    assert f"order {cid} is" in log and "by its journaled fills" in log
