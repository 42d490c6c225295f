"""Three trading days in market time, a weekend between the first two: the daemon runs across
the Friday -> Monday boundary, then stops, and is started again on Tuesday. Each day starts its
PnL at zero (realized is that day's fills only; a carried position is valued from its reference
price of the day), MIS is flat at each start (the venue squared Friday's off), CNC is carried,
the per-day order cap starts again, and each day has its exports. A second test: a daily loss
limit's halt on Friday does not stop Monday.

The independent arithmetic (FIFO realized of a day) is written here from the rules."""

from __future__ import annotations

import csv
import datetime
import sqlite3
from collections import deque
from pathlib import Path

from tests.e2e.daemon_process import DaemonProcess, Samples, free_port, total, value
from tests.e2e.days import (
    CNC_SYMBOL,
    FRIDAY,
    MIS_SYMBOL,
    MONDAY,
    TUESDAY,
    days_config,
    write_days,
)

PER_DAY = 4


def _run_to_the_end(workdir: Path, config: str, port: int, ticks: int) -> Samples:
    daemon = DaemonProcess(workdir, config, port).start()
    try:
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= ticks, timeout=120)
        daemon.wait_for(lambda s: value(s, "shikra_orders_queued") == 0, timeout=60)
        runs = value(daemon.scrape(), "shikra_reconciliation_runs_total")
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_reconciliation_runs_total") >= runs + 3, timeout=60
        )
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    return samples


def _fills(state: Path, day: datetime.date | None = None) -> list[tuple]:
    """(trade_id, symbol, side, quantity, price, product, day), in the order journaled."""
    query = "SELECT trade_id, symbol, side, quantity, price, product, day FROM fills"
    with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
        if day is None:
            return list(db.execute(query + " ORDER BY rowid"))
        return list(db.execute(query + " WHERE day = ? ORDER BY rowid", (day.isoformat(),)))


def _net(fills: list[tuple], symbol: str) -> int:
    return sum(q if side == "BUY" else -q for _, s, side, q, *_ in fills if s == symbol)


def _realized(fills: list[tuple], carried: dict[str, tuple[int, int]]) -> int:
    """FIFO realized paise of one day's fills, positions carried in as one lot at their
    reference price: ``carried[symbol] = (quantity, reference)``."""
    lots: dict[str, deque[list[int]]] = {s: deque([[p, q]]) for s, (q, p) in carried.items() if q}
    realized = 0
    for _, symbol, side, quantity, price, _, _ in fills:
        sign = 1 if side == "BUY" else -1
        book = lots.setdefault(symbol, deque())
        left = quantity
        while left and book and (book[0][1] > 0) != (sign > 0):
            used = min(left, abs(book[0][1]))
            direction = 1 if book[0][1] > 0 else -1
            realized += (price - book[0][0]) * used * direction
            book[0][1] -= used * direction
            left -= used
            if book[0][1] == 0:
                book.popleft()
        if left:
            book.append([price, left * sign])
    return realized


def _carry_marks(state: Path, day: datetime.date) -> dict[str, int]:
    with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT symbol, price FROM carry_marks WHERE day = ?", (day.isoformat(),))
        return dict(rows)


def _sent(state: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT day, COUNT(*) FROM orders WHERE sent = 1 GROUP BY day"))


def _venue_net(state: Path, symbol: str, product: str) -> int:
    with sqlite3.connect(f"file:{state / 'paper_venue.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT side, quantity FROM trades WHERE symbol = ? AND product = ?", (symbol, product)
        )
        return sum(q if side == "BUY" else -q for side, q in rows)


def test_three_trading_days_each_start_at_zero_with_mis_flat_and_cnc_carried(tmp_path: Path):
    state = tmp_path / "state"
    port = free_port()
    first = tmp_path / "fri-mon.csv"
    # ITC rises all Friday (one entry, held overnight) and falls all Monday (its exit).
    ticks = write_days(
        first, [FRIDAY, MONDAY], trends={(FRIDAY, CNC_SYMBOL): 3, (MONDAY, CNC_SYMBOL): -3}
    )
    monday = _run_to_the_end(tmp_path, days_config(first, port, per_day=PER_DAY), port, ticks)

    friday_fills, monday_fills = _fills(state, FRIDAY), _fills(state, MONDAY)
    assert friday_fills and monday_fills
    # The day's order cap was spent on Friday and started again on Monday.
    assert _sent(state) == {FRIDAY.isoformat(): PER_DAY, MONDAY.isoformat(): PER_DAY}
    # MIS is flat at Monday's start: shikra's INFY is Monday's fills alone, and so is the
    # venue's (it squared Friday's off by an order of its own); CNC carries.
    assert value(monday, "shikra_position_quantity", symbol=MIS_SYMBOL) == _net(
        monday_fills, MIS_SYMBOL
    )
    assert _net(friday_fills, MIS_SYMBOL) != 0, "the data must leave an MIS position open"
    assert value(monday, "shikra_intraday_left_open_total") == 1  # said loudly, once
    assert _net(friday_fills, MIS_SYMBOL) + _friday_square_off(state) == 0
    assert _venue_net(state, MIS_SYMBOL, "MIS") == _net(monday_fills, MIS_SYMBOL)
    carried_itc = _net(friday_fills, CNC_SYMBOL)
    assert carried_itc != 0, "the data must leave a CNC position open on Friday"
    assert value(monday, "shikra_position_quantity", symbol=CNC_SYMBOL) == _net(
        friday_fills + monday_fills, CNC_SYMBOL
    )
    assert total(monday, "shikra_reconciliation_mismatches_total") == 0
    # Monday's PnL is Monday's: its fills, the carried ITC valued from Monday's reference.
    reference = _carry_marks(state, MONDAY)[CNC_SYMBOL]
    expected = _realized(monday_fills, {CNC_SYMBOL: (carried_itc, reference)})
    assert round(value(monday, "shikra_pnl_realized_rupees") * 100) == expected

    # Tuesday: a new process on the same state.
    second = tmp_path / "tue.csv"
    ticks = write_days(second, [TUESDAY])
    tuesday = _run_to_the_end(tmp_path, days_config(second, port, per_day=PER_DAY), port, ticks)
    tuesday_fills = _fills(state, TUESDAY)
    assert _sent(state)[TUESDAY.isoformat()] == PER_DAY
    carried_itc = _net(friday_fills + monday_fills, CNC_SYMBOL)
    assert value(tuesday, "shikra_position_quantity", symbol=MIS_SYMBOL) == _net(
        tuesday_fills, MIS_SYMBOL
    )
    assert value(tuesday, "shikra_position_quantity", symbol=CNC_SYMBOL) == carried_itc + _net(
        tuesday_fills, CNC_SYMBOL
    )
    carried = {CNC_SYMBOL: (carried_itc, _carry_marks(state, TUESDAY).get(CNC_SYMBOL, 0))}
    expected = _realized(tuesday_fills, carried if carried_itc else {})
    assert round(value(tuesday, "shikra_pnl_realized_rupees") * 100) == expected
    assert total(tuesday, "shikra_reconciliation_mismatches_total") == 0

    # Each day has its exports, each holding that day's fills and only those.
    for day, fills in ((FRIDAY, friday_fills), (MONDAY, monday_fills), (TUESDAY, tuesday_fills)):
        folder = state / "exports" / day.isoformat()
        with (folder / "fills.csv").open() as handle:
            exported = [row["trade_id"] for row in csv.DictReader(handle)]
        assert sorted(exported) == sorted(f[0] for f in fills), day
        assert (folder / "orders.csv").exists() and (folder / "trades.csv").exists()


def _friday_square_off(state: Path) -> int:
    """The venue's own (untagged) MIS orders: its square-off of what was left at the close."""
    with sqlite3.connect(f"file:{state / 'paper_venue.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT side, quantity FROM trades WHERE tag = '' AND symbol = ? AND product = 'MIS'",
            (MIS_SYMBOL,),
        )
        return sum(q if side == "BUY" else -q for side, q in rows)


def test_a_daily_loss_halt_on_friday_does_not_stop_monday(tmp_path: Path):
    state = tmp_path / "state"
    port = free_port()
    replay = tmp_path / "fri-mon.csv"
    ticks = write_days(replay, [FRIDAY, MONDAY])
    # ₹1: the first fill's charges halt the day. Intraday only, so nothing carries a loss in.
    config = days_config(replay, port, max_daily_loss=1, second_product="MIS")
    _run_to_the_end(tmp_path, config, port, ticks)
    with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
        states = list(db.execute("SELECT state, source, reason, day FROM trading_state"))
        orders = dict(db.execute("SELECT day, COUNT(*) FROM orders WHERE sent = 1 GROUP BY day"))
    friday_halt = [s for s in states if s[:2] == ("HALTED", "limit") and s[3] == str(FRIDAY)]
    assert friday_halt, states
    lifted = [s for s in states if s[:2] == ("ACTIVE", "limit") and s[3] == str(MONDAY)]
    assert lifted and lifted[0][2] == "a new trading day: daily limits reset", states
    assert orders.get(MONDAY.isoformat(), 0) > 0  # Monday traded: judged by Monday's loss
