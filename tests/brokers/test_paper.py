"""PaperBroker behaviour over time: partial fills, latency, cancel/modify, refusals, pushed
updates, threads, and its own position book. Tick size 5 paise (0.05)."""

from __future__ import annotations

import threading

import pytest

from brokers.base import BrokerOrder, BrokerPosition, BrokerTrade
from brokers.errors import OrderRefused
from brokers.paper import PaperBroker
from core.clock import VirtualClock
from messages import OrderType, Product, Side
from tests.brokers.paper_helpers import (
    EXCHANGE_NS,
    SYM,
    S,
    fill_prices,
    make_broker,
    order,
    status,
    tick,
)

MIS = Product.MIS  # the default product of an intent

# -- partial fills and latency --------------------------------------------------------------


def test_partial_fills_take_half_the_remainder_rounded_up_once_per_update():
    broker = make_broker(partial_fill_ratio=0.5)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY, quantity=10))  # 5 of 10 at placement
    assert status(broker, oid) is S.PARTIALLY_FILLED
    broker.observe(tick(100_005))  # ceil(5/2) = 3
    broker.observe(tick(100_010))  # ceil(2/2) = 1
    assert status(broker, oid) is S.PARTIALLY_FILLED
    broker.observe(tick(100_015))  # the last 1
    assert [(t.quantity, t.price) for t in broker.trades()] == [
        (5, 100_000),
        (3, 100_005),
        (1, 100_010),
        (1, 100_015),
    ]
    final = broker.order_by_tag("b1")
    assert (final.status, final.filled_quantity) == (S.FILLED, 10)
    # (500000 + 300015 + 100010 + 100015) / 10 = 1000040 / 10 = 100004
    assert final.average_price_paise == 100_004


def test_latency_holds_an_order_back_until_it_has_elapsed_on_the_clock():
    clock = VirtualClock()
    broker = make_broker(clock, latency_seconds=0.5)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY))
    assert broker.trades() == []
    clock.advance(0.25)
    broker.observe(tick(100_005))
    assert status(broker, oid) is S.OPEN and broker.trades() == []
    clock.advance(0.25)
    broker.observe(tick(100_010))
    assert fill_prices(broker) == [100_010]
    assert broker.trades()[0].at_ns == EXCHANGE_NS  # the exchange's time, not the clock's


# -- cancel and modify -----------------------------------------------------------------------


def test_cancel_stops_a_resting_order_and_refuses_twice():
    broker = make_broker()
    oid = broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    broker.cancel(oid)
    assert status(broker, oid) is S.CANCELLED
    broker.observe(tick(99_000))
    assert broker.trades() == []
    with pytest.raises(OrderRefused):
        broker.cancel(oid)
    with pytest.raises(OrderRefused):
        broker.cancel("PO999")


def test_cancel_and_modify_of_a_filled_order_are_refused():
    broker = make_broker()
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY))
    with pytest.raises(OrderRefused):
        broker.cancel(oid)
    with pytest.raises(OrderRefused):
        broker.modify(oid, quantity=20)


def test_cancel_after_a_partial_fill_keeps_what_was_filled():
    broker = make_broker(partial_fill_ratio=0.5)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY, quantity=4))
    broker.cancel(oid)
    cancelled = broker.order_by_tag("b1")
    assert (cancelled.status, cancelled.filled_quantity) == (S.CANCELLED, 2)
    assert broker.positions() == [
        BrokerPosition(symbol=SYM, product=MIS, quantity=2, open_cost=200_000)
    ]


def test_modify_moves_a_limit_through_the_market_and_it_fills():
    broker = make_broker()
    broker.observe(tick(100_050))
    oid = broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    broker.modify(oid, quantity=12)
    assert broker.order_by_tag("b1").quantity == 12 and broker.trades() == []
    broker.modify(oid, limit_price=100_050)
    assert [(t.quantity, t.price) for t in broker.trades()] == [(12, 100_050)]


def test_modify_refuses_bad_changes_and_changes_nothing():
    broker = make_broker(partial_fill_ratio=0.5)
    broker.observe(tick(100_050))
    limit = broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    with pytest.raises(OrderRefused, match="multiple of the tick"):
        broker.modify(limit, limit_price=100_001)
    with pytest.raises(OrderRefused, match="no trigger"):
        broker.modify(limit, trigger_price=100_000)
    market = broker.place(order("m1", Side.BUY, quantity=10))  # 5 filled at once
    with pytest.raises(OrderRefused, match="exceed the filled"):
        broker.modify(market, quantity=5)
    with pytest.raises(OrderRefused, match="no limit"):
        broker.modify(market, limit_price=100_000)
    assert broker.order_by_tag("b1").limit_price == 100_000
    assert broker.order_by_tag("m1").quantity == 10


# -- refusals at placement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "reason"),
    [
        (order("q1", Side.BUY, quantity=0), "quantity"),
        (order("u1", Side.BUY, symbol="NSE:NOPE"), "unknown instrument"),
        (order("l1", Side.BUY, kind=OrderType.LIMIT), "needs a limit"),
        (order("l2", Side.BUY, kind=OrderType.LIMIT, limit_price=100_002), "multiple of the tick"),
        (order("m1", Side.BUY, limit_price=100_000), "takes no limit"),
        (order("s1", Side.BUY, kind=OrderType.SL, trigger_price=100_000), "needs a limit"),
        (order("s2", Side.BUY, kind=OrderType.SL_M), "needs a trigger"),
        (order("s:NSE:INFY:1", Side.BUY), "alphanumeric"),
        (order("a" * 21, Side.BUY), "alphanumeric"),
    ],
)
def test_orders_kite_would_refuse_are_refused_and_not_recorded(intent, reason):
    broker = make_broker()
    with pytest.raises(OrderRefused, match=reason):
        broker.place(intent)
    assert broker.orders() == []


def test_an_unknown_symbol_is_accepted_with_a_default_tick():
    broker = PaperBroker(VirtualClock(), {}, default_tick_paise=5)
    broker.observe(tick(100_000, symbol="NSE:NEW"))
    broker.place(order("b1", Side.BUY, symbol="NSE:NEW"))
    assert fill_prices(broker) == [100_000]


# -- pushed updates ---------------------------------------------------------------------------


def test_listeners_receive_the_order_then_each_trade_and_the_order_it_changed():
    clock = VirtualClock()
    broker = make_broker(clock)
    received: list[BrokerOrder | BrokerTrade] = []
    broker.subscribe(received.append)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY, quantity=3))
    opened, trade, filled = received
    assert isinstance(opened, BrokerOrder) and opened.status is S.OPEN and opened.tag == "b1"
    assert trade == BrokerTrade(
        trade_id="P1",
        broker_order_id=oid,
        tag="b1",
        symbol=SYM,
        side=Side.BUY,
        quantity=3,
        price=100_000,
        product=opened.product,
        at_ns=EXCHANGE_NS,
    )
    assert isinstance(filled, BrokerOrder) and filled.status is S.FILLED
    assert (filled.filled_quantity, filled.average_price_paise) == (3, 100_000)
    broker.place(order("b2", Side.BUY, kind=OrderType.LIMIT, limit_price=90_000))
    broker.cancel(broker.order_by_tag("b2").broker_order_id)
    assert [u.status for u in received[3:]] == [S.OPEN, S.CANCELLED]


def test_a_failing_listener_neither_breaks_the_call_nor_starves_other_listeners():
    broker = make_broker()
    received = []

    def broken(update):
        raise RuntimeError("listener bug")

    broker.subscribe(broken)
    broker.subscribe(received.append)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY))
    assert oid and len(received) == 3


def test_a_listener_may_call_back_into_the_broker():
    broker = make_broker()
    seen_orders: list[int] = []
    broker.subscribe(lambda update: seen_orders.append(len(broker.orders())))
    broker.observe(tick(100_000))
    broker.place(order("b1", Side.BUY))
    assert seen_orders == [1, 1, 1]


def test_concurrent_placing_and_ticking_keeps_books_consistent_and_updates_in_order():
    broker = make_broker(partial_fill_ratio=0.5)
    updates: list[BrokerOrder | BrokerTrade] = []
    broker.subscribe(updates.append)
    broker.observe(tick(100_000))

    def place_many(prefix: str) -> None:
        for n in range(200):
            broker.place(order(f"{prefix}{n}", Side.BUY if n % 2 else Side.SELL, quantity=3))

    def tick_many() -> None:
        for n in range(400):
            broker.observe(tick(100_000 + 5 * (n % 7)))

    threads = [threading.Thread(target=place_many, args=(p,)) for p in "ab"]
    threads.append(threading.Thread(target=tick_many))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    trades = broker.trades()
    net = sum(t.side.sign * t.quantity for t in trades)
    assert broker.positions()[0].quantity == net
    assert [u for u in updates if isinstance(u, BrokerTrade)] == trades
    filled_seen: dict[str, int] = {}
    for update in updates:  # per order, filled quantity as pushed never goes backwards
        if isinstance(update, BrokerOrder):
            assert update.filled_quantity >= filled_seen.get(update.broker_order_id, 0)
            filled_seen[update.broker_order_id] = update.filled_quantity


# -- the broker's own position book ------------------------------------------------------------


def test_positions_after_a_sequence_of_fills_including_a_flip():
    broker = make_broker()
    fills = [("b1", Side.BUY, 10, 100_000), ("b2", Side.BUY, 5, 100_200)]
    fills += [("s1", Side.SELL, 12, 100_500), ("s2", Side.SELL, 8, 100_100)]
    for client_id, side, quantity, price in fills:
        broker.observe(tick(price))
        broker.place(order(client_id, side, quantity=quantity))
    broker.observe(tick(250_000, symbol="NSE:RELI"))
    broker.place(order("r1", Side.BUY, quantity=2, symbol="NSE:RELI"))
    broker.observe(tick(251_000, symbol="NSE:RELI"))
    broker.place(order("r2", Side.SELL, quantity=2, symbol="NSE:RELI"))
    # INFY lots: +10@100000, +5@100200; sell 12 closes the 10 and 2 of the 5 -> +3@100200;
    # sell 8 closes those 3 and opens -5@100100: quantity -5, open cost -5 x 100100 = -500500.
    # RELI: bought 2 and sold 2: flat, listed with quantity 0.
    assert broker.positions() == [
        BrokerPosition(symbol=SYM, product=MIS, quantity=-5, open_cost=-500_500),
        BrokerPosition(symbol="NSE:RELI", product=MIS, quantity=0, open_cost=0),
    ]


def test_trade_ids_are_unique_and_orders_are_found_by_tag():
    broker = make_broker(partial_fill_ratio=0.5)
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY, quantity=2))
    broker.observe(tick(100_000))
    assert [t.trade_id for t in broker.trades()] == ["P1", "P2"]
    assert broker.order_by_tag("b1").broker_order_id == oid
    assert broker.order_by_tag("zz") is None


def test_orders_tagged_answers_for_the_tags_asked_not_the_whole_day():
    broker = make_broker()
    broker.observe(tick(100_050))
    ids = {tag: broker.place(order(tag, Side.BUY)) for tag in ("b1", "b2", "b3")}
    found = broker.orders_tagged(["b3", "b1", "not-placed"])
    assert sorted((o.tag, o.broker_order_id) for o in found) == [
        ("b1", ids["b1"]), ("b3", ids["b3"])
    ]  # fmt: skip
    assert broker.orders_tagged([]) == []
