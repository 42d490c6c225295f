"""The paper venue outlives the object (and the process) that ran it: reopened on its file it
has the same orders, trades, positions, resting orders, triggers and partial fills, and it never
hands out an id twice. "Killed" here means abandoned without a close; a real kill -9 of a
process is in test_paper_kill.py. Real SQLite files in tmp_path."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from brokers.base import BrokerOrder, BrokerTrade
from brokers.errors import OutcomeUnknown
from brokers.paper import PaperBroker
from brokers.paper_store import PaperStore, PaperStoreError
from core.clock import VirtualClock
from messages import OrderType, Product, Side
from tests.brokers.paper_helpers import S, make_broker, order, status, tick


def reads(broker: PaperBroker, tags: list[str]) -> tuple[object, ...]:
    """Everything the Broker interface can be asked, for a before/after comparison."""
    return (
        broker.orders(),
        broker.trades(),
        broker.positions(),
        [broker.order_by_tag(tag) for tag in tags],
    )


def test_ids_are_never_reused_when_the_venue_is_abandoned_and_reopened(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    clock = VirtualClock()
    seen_orders: set[str] = set()
    seen_trades: set[str] = set()
    for run in range(4):
        broker = make_broker(clock, store=venue_file)
        broker.observe(tick(100_000))
        seen_orders.add(broker.place(order(f"m{run}", Side.BUY, quantity=2)))
        # Resting at the "kill": its id is the last one handed out, and no trade has it.
        resting = broker.place(order(f"r{run}", Side.BUY, kind=OrderType.LIMIT, limit_price=90_000))
        assert resting not in seen_orders
        seen_orders.add(resting)
        seen_trades.update(t.trade_id for t in broker.trades())
        # Abandoned: no close, no clean stop. The next run opens the same file.
    assert len(seen_orders) == 8
    reopened = make_broker(clock, store=venue_file)
    assert {o.broker_order_id for o in reopened.orders()} == seen_orders
    assert {t.trade_id for t in reopened.trades()} == seen_trades
    reopened.observe(tick(100_000))
    new_id = reopened.place(order("last", Side.SELL, quantity=1))
    assert new_id not in seen_orders
    assert reopened.trades()[-1].trade_id not in seen_trades


def test_a_resting_limit_order_is_still_working_after_a_reopen_and_fills_on_a_crossing_tick(
    tmp_path,
):
    venue_file = tmp_path / "venue.sqlite"
    first = make_broker(store=venue_file)
    first.observe(tick(100_050))
    oid = first.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    assert status(first, oid) is S.OPEN
    second = make_broker(store=venue_file)
    pushed: list[BrokerOrder | BrokerTrade] = []
    second.subscribe(pushed.append)
    assert status(second, oid) is S.OPEN
    second.observe(tick(100_010))  # above the limit: still resting
    assert second.trades() == []
    second.observe(tick(99_995))
    # A buy limit fills at the better of market and limit: the market's 99_995.
    (trade,) = second.trades()
    assert (trade.broker_order_id, trade.quantity, trade.price) == (oid, 10, 99_995)
    assert status(second, oid) is S.FILLED
    assert [type(u).__name__ for u in pushed] == ["BrokerTrade", "BrokerOrder"]


def test_a_triggered_stop_stays_triggered_after_a_reopen(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    first = make_broker(store=venue_file, fill_model="bid_ask")
    first.observe(tick(100_000, bid=99_995, ask=100_005))
    oid = first.place(
        order("s1", Side.BUY, kind=OrderType.SL, trigger_price=100_100, limit_price=100_150)
    )
    # The last trade reaches the trigger, but the ask is above the limit: triggered, unfilled.
    first.observe(tick(100_100, bid=100_095, ask=100_200))
    assert first.trades() == [] and status(first, oid) is S.OPEN
    second = make_broker(store=venue_file, fill_model="bid_ask")
    # Below the trigger again: an untriggered stop would wait; a triggered one is a limit
    # order now and takes the ask at its limit.
    second.observe(tick(100_050, bid=100_145, ask=100_150))
    assert [(t.quantity, t.price) for t in second.trades()] == [(10, 100_150)]


def test_partial_fills_survive_a_reopen_and_the_order_goes_on_filling(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    first = make_broker(store=venue_file, partial_fill_ratio=0.5)
    first.observe(tick(100_000))
    oid = first.place(order("b1", Side.BUY, quantity=10))  # ceil(10 / 2) = 5 at placement
    second = make_broker(store=venue_file, partial_fill_ratio=0.5)
    found = second.order_by_tag("b1")
    assert found is not None
    assert (found.status, found.filled_quantity, found.average_price_paise) == (
        S.PARTIALLY_FILLED,
        5,
        100_000,
    )
    second.observe(tick(100_010))  # ceil(5 / 2) = 3 more
    assert [(t.trade_id, t.quantity, t.price) for t in second.trades()] == [
        ("P1", 5, 100_000),
        ("P2", 3, 100_010),
    ]
    again = second.order_by_tag("b1")
    assert again is not None and again.broker_order_id == oid and again.filled_quantity == 8


def test_every_read_after_a_reopen_equals_the_read_before(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    clock = VirtualClock()
    first = make_broker(clock, store=venue_file, partial_fill_ratio=0.5)
    first.observe(tick(100_000))
    first.place(order("a1", Side.BUY, quantity=6))
    first.place(order("a2", Side.SELL, quantity=9, product=Product.CNC))
    first.observe(tick(100_020))
    resting = first.place(order("a3", Side.SELL, kind=OrderType.LIMIT, limit_price=101_000))
    first.modify(resting, quantity=12, limit_price=100_900)
    cancelled = first.place(order("a4", Side.BUY, kind=OrderType.LIMIT, limit_price=99_000))
    first.cancel(cancelled)
    first.observe(tick(250_000, symbol="NSE:RELI"))
    first.place(order("a5", Side.BUY, quantity=3, symbol="NSE:RELI"))
    clock.advance(1.0)
    first.observe(tick(100_005))
    tags = ["a1", "a2", "a3", "a4", "a5", "none"]
    before = reads(first, tags)
    assert len(before[1]) >= 6 and len(before[2]) == 3  # trades; INFY MIS, INFY CNC, RELI MIS
    assert reads(make_broker(clock, store=venue_file), tags) == before


def test_eligibility_after_latency_is_wall_time_and_survives_a_reopen(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    clock = VirtualClock()
    first = make_broker(clock, store=venue_file, latency_seconds=0.5)
    first.observe(tick(100_000))
    oid = first.place(order("b1", Side.BUY))
    clock.advance(0.25)
    second = make_broker(clock, store=venue_file, latency_seconds=0.5)
    second.observe(tick(100_005))
    assert second.trades() == []  # still "on its way": 0.25 s of 0.5 s
    clock.advance(0.25)
    second.observe(tick(100_010))
    assert [(t.broker_order_id, t.price) for t in second.trades()] == [(oid, 100_010)]


def test_a_failed_write_raises_pushes_nothing_and_leaves_the_books_as_the_file_has_them(
    tmp_path,
):
    venue_file = tmp_path / "venue.sqlite"
    store = PaperStore.open(venue_file)
    broker = make_broker(store=store)
    pushed: list[object] = []
    broker.subscribe(pushed.append)
    broker.observe(tick(100_000))
    # A full disk, as SQLite reports one: no page may be added to the file any more.
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(1000):  # placements fill the last pages, then one fails
        tags = [f"b{n}", "b0"]
        before = reads(broker, tags)
        pushed.clear()
        try:
            broker.place(order(f"b{n}", Side.BUY, quantity=2))
        except OutcomeUnknown as exc:
            assert "could not record" in str(exc)
            break
    else:
        pytest.fail("the file never filled up")
    assert n > 0 and pushed == []  # the refused order and its fill were never heard of
    assert reads(broker, tags) == before
    assert reads(make_broker(store=venue_file), tags) == before


def test_the_venue_file_is_created_owner_only(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    old = os.umask(0o022)  # a permissive umask: the mode must come from the venue itself
    try:
        make_broker(store=venue_file).place(order("b1", Side.BUY))
    finally:
        os.umask(old)
    assert stat.S_IMODE(venue_file.stat().st_mode) == 0o600
    wal = tmp_path / "venue.sqlite-wal"
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_an_unknown_symbol_with_a_default_tick_survives_a_reopen(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    first = PaperBroker(VirtualClock(), {}, default_tick_paise=5, store=venue_file)
    first.observe(tick(100_000, symbol="NSE:NEW"))
    first.place(order("b1", Side.BUY, symbol="NSE:NEW", kind=OrderType.LIMIT, limit_price=99_000))
    second = PaperBroker(VirtualClock(), {}, default_tick_paise=5, store=venue_file)
    second.observe(tick(98_995, symbol="NSE:NEW"))
    assert [(t.symbol, t.price) for t in second.trades()] == [("NSE:NEW", 98_995)]


def test_a_file_that_is_not_a_venue_of_this_version_is_refused_with_its_path(tmp_path):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database, just bytes" * 100)
    with pytest.raises(PaperStoreError, match=r"garbage\.sqlite: not a usable venue file"):
        make_broker(store=garbage)
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(PaperStoreError, match="newer"):
        make_broker(store=newer)
