"""The journal on real SQLite files: every writer round-trips through the readers, duplicates
are no-ops that say so, writes are atomic and visible to other connections, and nothing is lost
by closing and reopening."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest

from core.clock import VirtualClock
from journal import AdjustmentRecord, IntentRecord, Journal, OrderRecord
from journal.schema import SCHEMA_VERSION, JournalError
from messages.control import StateSource, TradingState, TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus, OrderType, Product, Side

SECOND = 1_000_000_000
DAY_START_NS = 1_795_113_000 * SECOND  # 2026-11-20 00:00 IST (2026-11-19 18:30 UTC)
OPEN_NS = DAY_START_NS + (9 * 3600 + 15 * 60) * SECOND  # 09:15 IST
DAY = date(2026, 11, 20)


@pytest.fixture
def clock():
    return VirtualClock(start_ns=OPEN_NS)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "journal.sqlite"


@pytest.fixture
def journal(path, clock):
    with Journal.open(path, clock) as opened:
        yield opened


def _intent(client_id: str = "ema:NSE:INFY:1", **fields: object) -> OrderIntent:
    values: dict[str, object] = {"symbol": "NSE:INFY", "side": Side.BUY, "quantity": 10}
    values.update(fields)
    return OrderIntent(client_id=client_id, **values)  # type: ignore[arg-type]


def _event(client_id: str, status: OrderStatus, at_ns: int, **fields: object) -> OrderEvent:
    values: dict[str, object] = {"symbol": "NSE:INFY", "side": Side.BUY, "quantity": 10}
    values.update(fields)
    return OrderEvent(client_id=client_id, status=status, at_ns=at_ns, **values)  # type: ignore[arg-type]


def _fill(trade_id: str, **fields: object) -> Fill:
    values: dict[str, object] = {
        "client_id": "ema:NSE:INFY:1", "symbol": "NSE:INFY", "side": Side.BUY,
        "quantity": 10, "price": 152345, "at_ns": OPEN_NS,
    }  # fmt: skip
    values.update(fields)
    return Fill(trade_id=trade_id, **values)  # type: ignore[arg-type]


def test_the_file_is_in_wal_mode_with_normal_synchronous(journal, path):
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()
    assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # 1 = NORMAL
    # Writers wait for each other in Journal._begin, not in SQLite's coarse busy handler.
    assert journal._db.execute("PRAGMA busy_timeout").fetchone()[0] == 0


def test_a_writer_waits_for_another_writers_transaction_instead_of_failing(path, clock):
    first = Journal.open(path, clock, any_thread=True)  # committed from a timer thread
    second = Journal.open(path, clock)
    try:
        first._db.execute("BEGIN IMMEDIATE")  # hold the write lock, as a busy writer would
        released = threading.Timer(0.05, lambda: first._db.execute("COMMIT"))
        started = time.monotonic()
        released.start()
        assert second.record_intent(_intent(), strategy_seq=1, day=DAY)
        waited = time.monotonic() - started
        released.join()
    finally:
        first.close()
        second.close()
    assert 0.04 <= waited < 1.0  # it waited for the lock, and not much longer


def test_an_intent_round_trips_with_its_sequence_and_creation_time(journal, clock):
    intent = _intent(
        side=Side.SELL, quantity=3, order_type=OrderType.SL, limit_price=152300,
        trigger_price=152350, product=Product.CNC, reason="ema cross down", origin_ns=OPEN_NS - 7,
    )  # fmt: skip
    clock.advance(2)
    assert journal.record_intent(intent, strategy_seq=7, day=DAY) is True
    assert journal.intent(intent.client_id) == IntentRecord(
        intent=intent, strategy_seq=7, created_ns=OPEN_NS + 2 * SECOND, day=DAY
    )
    assert journal.intent("nobody") is None


def test_a_repeated_intent_is_a_no_op_that_says_so(journal):
    first = _intent(quantity=10)
    assert journal.record_intent(first, 1, DAY) is True
    assert journal.record_intent(_intent(quantity=99), 2, DAY) is False
    assert journal.intent(first.client_id).intent == first
    assert journal.max_strategy_seq("NSE:INFY") == 1


def test_max_strategy_seq_is_per_symbol_and_zero_when_none(journal):
    journal.record_intent(_intent("a:1"), 1, DAY)
    journal.record_intent(_intent("a:5"), 5, DAY)
    journal.record_intent(_intent("a:3"), 3, DAY)
    journal.record_intent(_intent("b:9", symbol="NSE:SBIN"), 9, DAY)
    assert journal.max_strategy_seq("NSE:INFY") == 5
    assert journal.max_strategy_seq("NSE:SBIN") == 9
    assert journal.max_strategy_seq("NSE:TCS") == 0


def test_an_order_is_recorded_new_once_with_its_first_event(journal, clock):
    intent = _intent(order_type=OrderType.LIMIT, limit_price=152300, reason="entry")
    assert journal.record_order(intent, DAY) is True
    assert journal.record_order(intent, DAY) is False
    assert journal.order(intent.client_id) == OrderRecord(
        client_id=intent.client_id, symbol="NSE:INFY", side=Side.BUY, quantity=10,
        order_type=OrderType.LIMIT, limit_price=152300, trigger_price=None, product=Product.MIS,
        status=OrderStatus.NEW, broker_order_id=None, filled_quantity=0, reason="entry",
        created_ns=OPEN_NS, updated_ns=OPEN_NS, day=DAY, sent=False,
    )  # fmt: skip
    assert journal.order_events(intent.client_id) == [
        _event(intent.client_id, OrderStatus.NEW, OPEN_NS, reason="entry")
    ]


def test_order_events_update_the_order_and_append_to_its_history(journal):
    intent = _intent()
    journal.record_order(intent, DAY)
    cid = intent.client_id
    events = [
        _event(cid, OrderStatus.SUBMITTED, OPEN_NS + 1, broker_order_id="2511200001"),
        _event(cid, OrderStatus.PARTIALLY_FILLED, OPEN_NS + 2, filled_quantity=4),
        _event(cid, OrderStatus.FILLED, OPEN_NS + 3, filled_quantity=10, reason="done"),
    ]
    for event in events:
        journal.record_order_event(event)
    order = journal.order(cid)
    assert (order.status, order.filled_quantity, order.reason) == (OrderStatus.FILLED, 10, "done")
    assert order.broker_order_id == "2511200001"  # kept although later events had none
    assert (order.created_ns, order.updated_ns) == (OPEN_NS, OPEN_NS + 3)
    assert journal.order_events(cid)[1:] == events


def test_an_event_for_an_unknown_order_creates_its_row_from_the_event(journal):
    event = _event("found-at-broker", OrderStatus.OPEN, OPEN_NS + 5, broker_order_id="B9")
    journal.record_order_event(event)
    order = journal.order("found-at-broker")
    assert (order.order_type, order.product, order.limit_price) == (None, None, None)
    assert (order.status, order.broker_order_id, order.created_ns) == (
        OrderStatus.OPEN, "B9", OPEN_NS + 5,
    )  # fmt: skip
    assert journal.order_events("found-at-broker") == [event]


def test_an_order_and_its_event_are_written_together_or_not_at_all(journal, path):
    journal.record_order(_intent(), DAY)
    raw = sqlite3.connect(path)
    raw.execute("DROP TABLE order_events")  # make the second statement of the write fail
    raw.commit()
    raw.close()
    with pytest.raises(sqlite3.OperationalError):
        journal.record_order_event(_event("ema:NSE:INFY:1", OrderStatus.OPEN, OPEN_NS + 1))
    assert journal.order("ema:NSE:INFY:1").status is OrderStatus.NEW


def test_open_orders_are_the_non_terminal_ones_unknown_included(journal):
    for n, status in enumerate(OrderStatus):
        cid = f"o{n}"
        journal.record_order(_intent(cid), DAY)
        if status is not OrderStatus.NEW:
            journal.record_order_event(_event(cid, status, OPEN_NS + n))
    assert {o.status for o in journal.open_orders()} == {
        OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.OPEN,
        OrderStatus.PARTIALLY_FILLED, OrderStatus.UNKNOWN,
    }  # fmt: skip


def test_orders_of_a_day_are_those_placed_for_that_trading_day_whatever_the_wall_clock(path):
    # A replay of the 20th run on the 1st of the next month: the wall clock says nothing about
    # which trading day an order belongs to; its writer does.
    clock = VirtualClock(start_ns=DAY_START_NS + 11 * 86_400 * SECOND)
    journal = Journal.open(path, clock)
    journal.record_order(_intent("late-on-the-19th"), date(2026, 11, 19))
    journal.record_order(_intent("first-of-the-20th"), DAY)
    journal.record_order(_intent("last-of-the-20th"), DAY)
    journal.record_order(_intent("the-21st"), date(2026, 11, 21))
    assert [o.client_id for o in journal.orders(DAY)] == ["first-of-the-20th", "last-of-the-20th"]
    assert journal.order("the-21st").day == date(2026, 11, 21)
    assert len(journal.orders()) == 4
    journal.close()


def test_a_fill_belongs_to_the_ist_date_of_its_execution(path):
    clock = VirtualClock(start_ns=OPEN_NS)
    with Journal.open(path, clock) as journal:
        journal.record_fill(_fill("T19", at_ns=DAY_START_NS - 1))  # 23:59:59.999999999 IST
        journal.record_fill(_fill("T20", at_ns=DAY_START_NS))  # 00:00 IST
        assert [f.trade_id for f in journal.fills_of_day(DAY)] == ["T20"]
        assert [f.trade_id for f in journal.fills_of_day(date(2026, 11, 19))] == ["T19"]


def test_a_fill_is_recorded_once_and_a_duplicate_trade_id_reports_false(journal):
    fill = _fill("T1", broker_order_id="B1", product=Product.NRML)
    assert journal.record_fill(fill) is True
    assert journal.record_fill(_fill("T1", quantity=99)) is False
    assert journal.fills() == [fill]


def test_fills_come_back_in_time_order_and_filter_by_symbol_and_time(journal):
    late = _fill("T1", at_ns=OPEN_NS + 3)
    early = _fill("T2", at_ns=OPEN_NS + 1, symbol="NSE:SBIN", side=Side.SELL, price=80005)
    tie = _fill("T3", at_ns=OPEN_NS + 3, quantity=1)
    for fill in (late, early, tie):
        journal.record_fill(fill)
    assert journal.fills() == [early, late, tie]
    assert journal.fills(symbol="NSE:INFY") == [late, tie]
    assert journal.fills(since_ns=OPEN_NS + 2) == [late, tie]
    assert journal.fills(until_ns=OPEN_NS + 3) == [early]


def test_the_last_trading_state_is_the_last_one_written(journal):
    assert journal.last_trading_state() is None
    reconciling = TradingStateChanged(
        state=TradingState.RECONCILING, previous=TradingState.ACTIVE,
        source=StateSource.STARTUP, reason="start", at_ns=OPEN_NS,
    )  # fmt: skip
    halted = TradingStateChanged(
        state=TradingState.HALTED, previous=TradingState.RECONCILING,
        source=StateSource.LIMIT, reason="max_daily_loss: -5001.00", at_ns=OPEN_NS - 1,
    )  # fmt: skip
    journal.record_trading_state(reconciling, DAY)
    journal.record_trading_state(halted, DAY)
    assert journal.last_trading_state() == halted
    assert journal.trading_states() == [reconciling, halted]


def test_an_adjustment_and_its_fill_are_written_together_once(journal):
    fill = _fill("ADJ-2026-11-20-NSE:INFY-MIS-1", client_id="RECONCILE", side=Side.SELL)
    record = AdjustmentRecord(
        symbol="NSE:INFY", quantity_delta=-10, cost_delta=-1_523_450, reason="adopt broker book",
        at_ns=OPEN_NS, day=DAY, product=Product.MIS, trade_id=fill.trade_id,
    )  # fmt: skip
    assert journal.record_adjustment(fill, record) is True
    assert journal.record_adjustment(fill, record) is False  # made before: nothing written
    assert journal.adjustments() == [record]
    assert journal.fills_of_day(DAY) == [fill]
    big = AdjustmentRecord(
        symbol="NSE:SBIN", quantity_delta=5, cost_delta=10**15 + 1, reason="big",
        at_ns=OPEN_NS + 9, day=DAY, product=Product.CNC, trade_id="ADJ-x",
    )  # fmt: skip
    assert journal.record_adjustment(_fill("ADJ-x", symbol="NSE:SBIN"), big) is True
    assert [a.symbol for a in journal.adjustments("NSE:SBIN")] == ["NSE:SBIN"]
    assert journal.adjustments("NSE:SBIN", DAY) == [big]


def test_an_adjustment_interrupted_between_its_writes_leaves_nothing(journal):
    fill = _fill("ADJ-1", client_id="RECONCILE")
    record = AdjustmentRecord(
        symbol="NSE:INFY", quantity_delta=10, cost_delta=1_523_450, reason="adopt",
        at_ns=OPEN_NS, day=DAY, trade_id="ADJ-1",
    )  # fmt: skip

    def die() -> None:
        raise KeyboardInterrupt  # what a kill between the writes leaves: the transaction open

    with pytest.raises(KeyboardInterrupt):
        journal.record_adjustment(fill, record, between=die)
    assert journal.fills() == [] and journal.adjustments() == []
    assert journal.record_adjustment(fill, record) is True  # made again, whole


def test_money_columns_refuse_anything_but_integers(journal, path):
    raw = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO fills VALUES "
                "('T9','c',NULL,'NSE:INFY','BUY',1,1523.45,'MIS',0,'2026-11-20')"
            )
    finally:
        raw.close()


def test_two_journals_on_one_file_see_each_others_commits(path, clock):
    with Journal.open(path, clock) as router, Journal.open(path, clock) as risk:
        assert router.record_fill(_fill("T1")) is True
        assert risk.fills() == [_fill("T1")]
        assert risk.record_fill(_fill("T1")) is False
        change = TradingStateChanged(
            state=TradingState.HALTED, previous=TradingState.ACTIVE,
            source=StateSource.OPERATOR, reason="halt", at_ns=OPEN_NS,
        )  # fmt: skip
        risk.record_trading_state(change, DAY)
        assert router.last_trading_state() == change


def test_everything_survives_closing_and_reopening(path, clock):
    with Journal.open(path, clock) as journal:
        journal.record_intent(_intent(), 1, DAY)
        journal.record_order(_intent(), DAY)
        journal.record_order_event(_event("ema:NSE:INFY:1", OrderStatus.OPEN, OPEN_NS + 1))
        journal.record_fill(_fill("T1"))
        journal.record_adjustment(
            _fill("ADJ-1", client_id="RECONCILE"),
            AdjustmentRecord(symbol="NSE:INFY", quantity_delta=10, cost_delta=1_523_450,
                             reason="x", at_ns=OPEN_NS, day=DAY, trade_id="ADJ-1"),
        )  # fmt: skip
        before = (journal.intent("ema:NSE:INFY:1"), journal.orders(), journal.order_events(),
                  journal.fills(), journal.adjustments())  # fmt: skip
    with Journal.open(path, clock) as reopened:
        after = (reopened.intent("ema:NSE:INFY:1"), reopened.orders(),
                 reopened.order_events(), reopened.fills(), reopened.adjustments())  # fmt: skip
        assert reopened.max_strategy_seq("NSE:INFY") == 1
    assert after == before
    assert len(before[2]) == 2


def test_a_file_from_a_newer_schema_is_refused(path, clock):
    Journal.open(path, clock).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(JournalError):
        Journal.open(path, clock)


def test_a_journal_used_from_another_thread_fails_loudly(journal):
    errors: list[BaseException] = []

    def use() -> None:
        try:
            journal.fills()
        except sqlite3.ProgrammingError as error:
            errors.append(error)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert len(errors) == 1
