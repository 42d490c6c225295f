"""ADOPT on the real PositionSync, a real journal and a real paper venue, with real
disagreements of every kind (made the way they arise: a fill the journal never got, a fill the
venue never made, a partial journal, a different price): each quantity is adopted by one
adjustment, written with its record in one transaction, under an id that a restarted
PositionSync neither repeats nor collides with; an average price alone is reported, not adopted;
what is not shikra's is never adopted."""

from __future__ import annotations

import datetime
from pathlib import Path

from actors.position_sync import PositionSync
from brokers.paper import PaperBroker
from config.actors import POSITION_SYNC
from daemon.clock import WallClock
from journal import Journal
from journal.writer import JournalWriter
from messages import Fill, OrderIntent, Product, ReconcilePolicy, Side, Tick
from metrics import Metrics
from supervisors import ChildSpec, SupervisionTree, SupervisorSpec
from tests.actors.tree_harness import NSE, eventually

SYMBOLS = ("NSE:INFY", "NSE:TCS", "NSE:SBIN", "NSE:RELI", "NSE:ITC")
SCOPE = {symbol: Product.MIS for symbol in SYMBOLS}


def start(journal_path: Path, venue: PaperBroker, day: datetime.date) -> SupervisionTree:
    spec = ChildSpec(
        name=POSITION_SYNC,
        factory=lambda link: PositionSync.start(
            link,
            broker=venue,
            journal=JournalWriter(journal_path),
            interval=0.1,
            policy=ReconcilePolicy.ADOPT,
            tolerance_bps=0.0,
            hours=NSE,
            start_day=day,
            scope=SCOPE,
            confirm_seconds=0.0,
            report_to=(),
            adjust_to=(),
        ),
    )
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=(spec,)), clock=WallClock(), metrics=Metrics()
    )
    tree.start()
    return tree


def trade_at_venue(venue: PaperBroker, tag: str, symbol: str, side: Side, qty: int, ltp: int):
    venue.observe(Tick(symbol=symbol, ltp=ltp, exchange_ns=0, receive_ns=0))
    venue.place(OrderIntent(client_id=tag, symbol=symbol, side=side, quantity=qty))


def journal_order_and_fill(journal: Journal, day: datetime.date, tag: str, symbol: str, qty: int,
                           price: int, *, trade_id: str | None = None) -> None:  # fmt: skip
    journal.record_order(
        OrderIntent(client_id=tag, symbol=symbol, side=Side.BUY, quantity=qty), day
    )
    if trade_id is not None:
        start_ns = NSE.day_bounds(day)[0] + 36_000 * 10**9
        journal.record_fill(Fill(trade_id=trade_id, client_id=tag, symbol=symbol, side=Side.BUY,
                                 quantity=qty, price=price, at_ns=start_ns))  # fmt: skip


def adjustments(journal_path: Path) -> list[tuple[str, int, str]]:
    with Journal.open(journal_path, WallClock()) as journal:
        return [(a.symbol, a.quantity_delta, a.trade_id) for a in journal.adjustments()]


def test_every_kind_is_adopted_once_and_a_restart_repeats_nothing(tmp_path: Path):
    clock = WallClock()
    day = NSE.trading_day(clock.now_ns())
    journal_path = tmp_path / "journal.sqlite"
    venue = PaperBroker(clock, dict.fromkeys(SYMBOLS, 5), store=tmp_path / "venue.sqlite")
    with Journal.open(journal_path, clock) as journal:
        # missing locally: the venue filled A (10 INFY), the journal never heard.
        journal_order_and_fill(journal, day, "A", "NSE:INFY", 10, 0)
        trade_at_venue(venue, "A", "NSE:INFY", Side.BUY, 10, 150_000)
        # missing at the broker: the journal has 5 TCS the venue never made.
        journal_order_and_fill(journal, day, "B", "NSE:TCS", 5, 340_000, trade_id="TB")
        # quantity: the venue filled 8 SBIN, the journal has 5 of them.
        journal_order_and_fill(journal, day, "C", "NSE:SBIN", 5, 80_000, trade_id="TC")
        trade_at_venue(venue, "C", "NSE:SBIN", Side.BUY, 8, 80_000)
        # average price: both hold 10 RELI, at 1000.00 here and 1010.00 there.
        journal_order_and_fill(journal, day, "D", "NSE:RELI", 10, 100_000, trade_id="TD")
        trade_at_venue(venue, "D", "NSE:RELI", Side.BUY, 10, 101_000)
        # foreign: ITC bought by hand (a tag the journal never made): not a difference.
        trade_at_venue(venue, "BYHAND", "NSE:ITC", Side.BUY, 7, 40_000)
    expected = [
        ("NSE:INFY", 10, f"ADJ-{day.isoformat()}-NSE:INFY-MIS-1"),
        ("NSE:SBIN", 3, f"ADJ-{day.isoformat()}-NSE:SBIN-MIS-1"),
        ("NSE:TCS", -5, f"ADJ-{day.isoformat()}-NSE:TCS-MIS-1"),
    ]
    tree = start(journal_path, venue, day)
    try:
        eventually(lambda: len(adjustments(journal_path)) == 3)
    finally:
        assert tree.stop()
    assert adjustments(journal_path) == expected
    with Journal.open(journal_path, clock) as journal:
        fills = {f.trade_id: f for f in journal.fills_of_day(day)}
    adopted = fills[f"ADJ-{day.isoformat()}-NSE:INFY-MIS-1"]
    assert (adopted.side, adopted.quantity, adopted.price, adopted.client_id) == (
        Side.BUY, 10, 150_000, "RECONCILE",
    )  # fmt: skip
    assert fills[f"ADJ-{day.isoformat()}-NSE:TCS-MIS-1"].side is Side.SELL

    # A restart: the books agree now; nothing is adopted again, no id is reused.
    tree = start(journal_path, venue, day)
    try:
        metrics = tree.metrics
        eventually(lambda: (metrics.registry.get_sample_value(
            "shikra_reconciliation_runs_total") or 0) >= 3)  # fmt: skip
        assert adjustments(journal_path) == expected
        # A new disagreement in INFY the same day: its second adjustment, a new id.
        with Journal.open(journal_path, clock) as journal:
            journal_order_and_fill(journal, day, "A2", "NSE:INFY", 2, 0)
        trade_at_venue(venue, "A2", "NSE:INFY", Side.BUY, 2, 150_500)
        eventually(lambda: len(adjustments(journal_path)) == 4)
    finally:
        assert tree.stop()
    assert adjustments(journal_path)[-1] == (
        "NSE:INFY", 2, f"ADJ-{day.isoformat()}-NSE:INFY-MIS-2",
    )  # fmt: skip
