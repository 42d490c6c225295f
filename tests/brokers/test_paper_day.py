"""The paper venue's trading day, as a real venue has it: at a day change every working order
expires, every open MIS position is squared off by the venue's own (untagged) order, CNC carries;
``orders()`` and ``trades()`` list the current day's, ``positions()`` the open and today's. The
day change is durable like everything else. Real SQLite files in tmp_path."""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from brokers.base import BrokerOrder, BrokerPosition, BrokerTrade
from brokers.paper_day import EXPIRED, SQUARED_OFF, DayCalendar
from core.market_hours import MarketHours
from messages import OrderType, Product, Side
from tests.brokers.paper_helpers import SYM, S, make_broker, order, tick

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HOURS = MarketHours(IST, datetime.time(9, 15), datetime.time(15, 30))
FRIDAY = datetime.date(2026, 11, 20)
MONDAY = datetime.date(2026, 11, 23)
RELI = "NSE:RELI"


def at(day: datetime.date, hour: int, minute: int = 0) -> int:
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000


def close_ns(day: datetime.date) -> int:
    return at(day, 15, 30)


def friday_session(venue_file, pushed: list[BrokerOrder | BrokerTrade]):
    """Friday: 10 INFY bought MIS, 3 RELI bought CNC, a buy limit left resting; the last INFY
    tick of the day at 1000.50."""
    broker = make_broker(store=venue_file, hours=HOURS)
    broker.subscribe(pushed.append)
    broker.begin_day(FRIDAY)
    broker.observe(tick(100_000, exchange_ns=at(FRIDAY, 10)))
    broker.place(order("mis1", Side.BUY, quantity=10))
    broker.observe(tick(250_000, symbol=RELI, exchange_ns=at(FRIDAY, 10)))
    broker.place(order("cnc1", Side.BUY, quantity=3, symbol=RELI, product=Product.CNC))
    broker.place(order("lim1", Side.BUY, kind=OrderType.LIMIT, limit_price=99_000))
    broker.observe(tick(100_050, exchange_ns=at(FRIDAY, 15, 29)))
    return broker


def test_a_tick_of_the_next_day_expires_working_orders_squares_off_mis_and_carries_cnc(
    tmp_path, caplog
):
    pushed: list[BrokerOrder | BrokerTrade] = []
    broker = friday_session(tmp_path / "venue.sqlite", pushed)
    assert [o.tag for o in broker.orders()] == ["mis1", "cnc1", "lim1"]
    limit_id = broker.order_by_tag("lim1").broker_order_id
    pushed.clear()
    with caplog.at_level(logging.WARNING, logger="brokers.paper"):
        broker.observe(tick(101_000, exchange_ns=at(MONDAY, 9, 15)))
    expired, square_off, trade, squared = pushed
    assert (expired.broker_order_id, expired.status) == (limit_id, S.CANCELLED)
    assert expired.status_message == EXPIRED and expired.updated_ns == close_ns(FRIDAY)
    # The venue's own order: no tag, selling the 10 MIS shares at the last price it saw on
    # Friday (the 15:29 tick, 1000.50), not at Monday's.
    assert isinstance(square_off, BrokerOrder) and square_off.tag == ""
    assert (square_off.side, square_off.quantity, square_off.product) == (
        Side.SELL,
        10,
        Product.MIS,
    )
    assert square_off.status_message == SQUARED_OFF
    assert isinstance(trade, BrokerTrade) and trade.tag == ""
    assert (trade.side, trade.quantity, trade.price) == (Side.SELL, 10, 100_050)
    assert trade.at_ns == close_ns(FRIDAY)
    assert squared.status is S.FILLED
    assert broker.trading_day == MONDAY
    assert broker.orders() == [] and broker.trades() == []
    assert broker.order_by_tag("mis1") is None  # Kite's order book is the day's
    # INFY MIS is flat and untraded today: not listed. RELI CNC carries at its cost.
    assert broker.positions() == [
        BrokerPosition(symbol=RELI, product=Product.CNC, quantity=3, open_cost=750_000)
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(EXPIRED in m and limit_id in m for m in warnings)
    assert any(SQUARED_OFF in m and SYM in m for m in warnings)


def test_the_new_day_lists_only_its_own_orders_trades_and_positions(tmp_path):
    pushed: list[BrokerOrder | BrokerTrade] = []
    broker = friday_session(tmp_path / "venue.sqlite", pushed)
    broker.begin_day(MONDAY)
    broker.observe(tick(101_000, exchange_ns=at(MONDAY, 10)))
    oid = broker.place(order("mis2", Side.SELL, quantity=4))
    assert [o.broker_order_id for o in broker.orders()] == [oid]
    assert [(t.tag, t.quantity, t.price) for t in broker.trades()] == [("mis2", 4, 101_000)]
    assert broker.positions() == [
        BrokerPosition(symbol=SYM, product=Product.MIS, quantity=-4, open_cost=-404_000),
        BrokerPosition(symbol=RELI, product=Product.CNC, quantity=3, open_cost=750_000),
    ]


def test_a_day_change_at_start_after_a_kill_uses_the_file_and_is_itself_durable(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    friday_session(venue_file, [])  # then "killed": abandoned, never closed
    restarted = make_broker(store=venue_file, hours=HOURS)
    pushed: list[BrokerOrder | BrokerTrade] = []
    restarted.subscribe(pushed.append)
    assert restarted.trading_day == FRIDAY
    assert [o.tag for o in restarted.orders()] == ["mis1", "cnc1", "lim1"]
    restarted.begin_day(MONDAY)  # what the daemon does at start with the run's day
    statuses = [(u.tag, u.status) for u in pushed if isinstance(u, BrokerOrder)]
    assert statuses == [("lim1", S.CANCELLED), ("", S.OPEN), ("", S.FILLED)]
    # This process saw no Friday tick: the last price it knows is its own last INFY trade's.
    (trade,) = [u for u in pushed if isinstance(u, BrokerTrade)]
    assert (trade.side, trade.quantity, trade.price) == (Side.SELL, 10, 100_000)
    after = (restarted.orders(), restarted.trades(), restarted.positions())
    again = make_broker(store=venue_file, hours=HOURS)
    assert again.trading_day == MONDAY
    assert (again.orders(), again.trades(), again.positions()) == after
    again.begin_day(MONDAY)  # the same day again changes nothing
    assert (again.orders(), again.trades(), again.positions()) == after
    again.observe(tick(101_000, exchange_ns=at(MONDAY, 10)))
    new_id = again.place(order("mis2", Side.BUY, quantity=1))
    assert int(new_id.removeprefix("PO")) == 5  # 3 on Friday, the square-off, then this


def test_the_day_never_goes_back(tmp_path, caplog):
    pushed: list[BrokerOrder | BrokerTrade] = []
    broker = friday_session(tmp_path / "venue.sqlite", pushed)
    broker.begin_day(MONDAY)
    broker.observe(tick(101_000, exchange_ns=at(MONDAY, 10)))
    resting = broker.place(order("lim2", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    with caplog.at_level(logging.WARNING, logger="brokers.paper"):
        broker.begin_day(FRIDAY)
    assert "not going back" in caplog.text
    broker.observe(tick(101_500, exchange_ns=at(FRIDAY, 11)))  # a stale tick: no day change
    assert broker.trading_day == MONDAY
    assert [o.status for o in broker.orders() if o.broker_order_id == resting] == [S.OPEN]


def test_the_calendar_changes_day_at_local_midnight():
    calendar = DayCalendar(HOURS, FRIDAY)
    last_friday_ns = at(FRIDAY, 23, 59) + 59_999_999_999
    assert calendar.later_day(last_friday_ns, FRIDAY) is None
    assert calendar.later_day(last_friday_ns + 1, FRIDAY) == datetime.date(2026, 11, 21)
    assert DayCalendar(None, FRIDAY).later_day(at(MONDAY, 10), FRIDAY) is None
