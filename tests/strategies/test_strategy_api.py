"""SymbolTrader on the strategy API, without threads: LIMIT entries priced on the tick grid
and never more aggressive than asked, timed out and cancelled; a strategy's cancel, lots, its
own stop and target; bars handed over when complete; the three built-ins with LIMIT entries."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from config.symbols import EntryConfig, ExitsConfig
from messages.market import Tick
from messages.orders import (
    CancelIntent,
    ModifyIntent,
    OrderIntent,
    OrderModified,
    OrderStatus,
    OrderType,
    Product,
    Side,
)
from strategies.api import Bar, Cancel, Decision, Enter, Exit, Modify, View, WorkingOrder
from strategies.bars import BarAggregator
from strategies.params import STRATEGY_PARAMS
from strategies.registry import make_strategy
from strategies.trader import SymbolTrader
from tests.strategies.trading import INFY, SECOND, T0, event_of, fill_of, make_trader, tick

LIMIT = EntryConfig(order_type="LIMIT", offset_ticks=2, timeout_seconds=10)


class Scripted:
    """Returns ``next`` once on the next tick (or bar); records what it was shown."""

    name = "scripted"
    warmup_ticks = 1

    def __init__(self, bar_seconds: float | None = None) -> None:
        self.next: Decision | None = None
        self.next_on_bar: Decision | None = None
        self.views: list[View] = []
        self.bars: list[Bar] = []
        if bar_seconds is not None:
            self.bar_seconds = bar_seconds

    def on_tick(self, tick: Tick, view: View) -> Decision | None:
        self.views.append(view)
        decision, self.next = self.next, None
        return decision

    def on_bar(self, bar: Bar, view: View) -> Decision | None:
        self.bars.append(bar)
        decision, self.next_on_bar = self.next_on_bar, None
        return decision

    def warm_up(self, prices: Iterable[int]) -> None:
        pass


def trader_for(strategy: Scripted, lot_size: int = 1, exits: ExitsConfig | None = None):
    return SymbolTrader(
        symbol=INFY, quantity=10 * lot_size, lot_size=lot_size, product=Product.MIS,
        strategy=strategy, exits=exits or ExitsConfig(), client_id_prefix="T1INFY", next_seq=1,
        tick_size_paise=5, entry_timeout_ns=10 * SECOND,
    )  # fmt: skip


def decide(trader: SymbolTrader, strategy: Scripted, decision: Decision | None, price: int,
           at_s: float = 0.0):  # fmt: skip
    strategy.next = decision
    return trader.on_tick(tick(price, at_s))


def test_a_limit_buy_rounds_down_and_a_limit_sell_up_to_the_tick():
    strategy = Scripted()
    trader = trader_for(strategy)
    buy = decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.LIMIT,
                                         limit_price=100_003), 100_010)  # fmt: skip
    assert isinstance(buy, OrderIntent)
    assert (buy.order_type, buy.limit_price) == (OrderType.LIMIT, 100_000)
    strategy2 = Scripted()
    trader2 = trader_for(strategy2)
    sell = decide(trader2, strategy2, Enter(side=Side.SELL, order_type=OrderType.LIMIT,
                                            limit_price=100_003), 100_000)  # fmt: skip
    assert isinstance(sell, OrderIntent) and sell.limit_price == 100_005


def test_a_limit_without_a_price_is_at_the_last_price_and_lots_are_whole_lots():
    strategy = Scripted()
    trader = trader_for(strategy, lot_size=25)
    intent = decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.LIMIT, lots=3),
                    100_000)  # fmt: skip
    assert isinstance(intent, OrderIntent)
    assert (intent.limit_price, intent.quantity) == (100_000, 75)


@pytest.mark.parametrize("lots", [0, -1])
def test_no_lots_is_dropped_and_counted_not_sent(lots: int):
    strategy = Scripted()
    trader = trader_for(strategy)
    assert decide(trader, strategy, Enter(side=Side.BUY, lots=lots), 100_000) is None
    assert trader.dropped_decisions == 1 and trader.pending_client_id is None


def test_a_stop_order_from_a_strategy_is_dropped():
    strategy = Scripted()
    trader = trader_for(strategy)
    assert (
        decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.SL_M), 100_000) is None
    )
    assert trader.dropped_decisions == 1


def test_a_limit_entry_that_waits_past_its_timeout_is_cancelled_once():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.LIMIT), 100_000)
    assert isinstance(entry, OrderIntent)
    assert decide(trader, strategy, None, 100_000, at_s=9.9) is None
    cancel = decide(trader, strategy, None, 100_000, at_s=10)
    assert cancel == CancelIntent(client_id=entry.client_id, symbol=INFY, reason="entry timed out")
    assert decide(trader, strategy, None, 100_000, at_s=11) is None  # asked once
    trader.on_order_event(event_of(entry, OrderStatus.CANCELLED))
    again = decide(trader, strategy, Enter(side=Side.BUY), 100_000, at_s=12)
    assert isinstance(again, OrderIntent)  # the symbol is free again


def test_a_strategy_may_move_its_working_limit_once_the_broker_has_it():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.LIMIT), 100_000)
    assert isinstance(entry, OrderIntent) and entry.limit_price == 100_000
    chase = Modify(limit_price=100_013, reason="chase")
    assert decide(trader, strategy, chase, 100_020, at_s=1) is None  # not acknowledged yet
    trader.on_order_event(event_of(entry, OrderStatus.OPEN))
    modify = decide(trader, strategy, chase, 100_020, at_s=2)
    assert modify == ModifyIntent(
        client_id=entry.client_id, symbol=INFY, limit_price=100_010, reason="modify: chase"
    )  # a buy rounds down: never more aggressive than asked
    trader.on_modified(
        OrderModified(client_id=entry.client_id, symbol=INFY, accepted=True, limit_price=100_010)
    )
    assert trader.view().working.limit_price == 100_010
    assert decide(trader, strategy, Modify(limit_price=100_010), 100_020, at_s=3) is None  # same


def test_a_modify_of_a_market_order_is_dropped_and_counted():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY), 100_000)
    assert isinstance(entry, OrderIntent)
    trader.on_order_event(event_of(entry, OrderStatus.OPEN))
    assert decide(trader, strategy, Modify(limit_price=99_000), 100_000, at_s=1) is None
    assert trader.dropped_decisions == 1


def test_a_market_entry_never_times_out_and_the_strategy_may_cancel_its_order():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY), 100_000)
    assert decide(trader, strategy, None, 100_000, at_s=60) is None
    assert isinstance(entry, OrderIntent)
    cancel = decide(trader, strategy, Cancel(reason="changed my mind"), 100_000, at_s=61)
    assert isinstance(cancel, CancelIntent) and cancel.reason == "cancel: changed my mind"


def test_the_view_shows_the_position_and_the_working_order():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY, order_type=OrderType.LIMIT), 100_000)
    decide(trader, strategy, None, 100_000)
    working = strategy.views[-1].working
    assert working is not None and working.client_id == entry.client_id and working.entry
    trader.on_fill(fill_of(entry, 100_000, "t1"))
    trader.on_order_event(event_of(entry, OrderStatus.FILLED, 10))
    decide(trader, strategy, None, 100_000)
    view = strategy.views[-1]
    assert (view.position, view.average_entry, view.working) == (10, 100_000.0, None)


def test_the_strategys_own_stop_and_target_close_the_position():
    for price, reason in ((99_000, "exit: strategy stop"), (102_000, "exit: strategy target")):
        strategy = Scripted()
        trader = trader_for(strategy)
        entry = decide(trader, strategy, Enter(side=Side.BUY, stop_price=99_000,
                                               target_price=102_000), 100_000)  # fmt: skip
        trader.on_fill(fill_of(entry, 100_000, "t1"))
        trader.on_order_event(event_of(entry, OrderStatus.FILLED, 10))
        assert decide(trader, strategy, None, 100_500) is None
        close = decide(trader, strategy, None, price)
        assert isinstance(close, OrderIntent) and close.side is Side.SELL
        assert close.reason == reason


def test_an_exit_decision_may_be_a_limit():
    strategy = Scripted()
    trader = trader_for(strategy)
    entry = decide(trader, strategy, Enter(side=Side.BUY), 100_000)
    trader.on_fill(fill_of(entry, 100_000, "t1"))
    trader.on_order_event(event_of(entry, OrderStatus.FILLED, 10))
    close = decide(trader, strategy, Exit(order_type=OrderType.LIMIT, limit_price=100_502), 100_400)
    assert isinstance(close, OrderIntent) and close.side is Side.SELL
    assert (close.order_type, close.limit_price) == (OrderType.LIMIT, 100_505)


def test_bars_reach_the_strategy_when_complete_and_may_decide():
    strategy = Scripted(bar_seconds=60)
    trader = trader_for(strategy)
    start = T0 - T0 % (60 * SECOND)
    for offset, price in ((1, 100_000), (20, 100_500), (40, 99_500), (59, 100_200)):
        trader.on_tick(tick(price, (start - T0) / SECOND + offset))
    assert strategy.bars == []
    strategy.next_on_bar = Enter(side=Side.BUY)
    intent = trader.on_tick(tick(100_300, (start - T0) / SECOND + 61))
    (bar,) = strategy.bars
    assert (bar.open, bar.high, bar.low, bar.close, bar.ticks) == (100_000, 100_500, 99_500,
                                                                   100_200, 4)  # fmt: skip
    assert (bar.start_ns, bar.end_ns) == (start, start + 60 * SECOND)
    assert isinstance(intent, OrderIntent) and intent.side is Side.BUY


def test_bar_volume_is_what_traded_inside_it():
    bars = BarAggregator(INFY, 60 * SECOND)
    start = T0 - T0 % (60 * SECOND)

    def t(offset_s: int, volume: int) -> Tick:
        at = start + offset_s * SECOND
        return Tick(symbol=INFY, ltp=100_000, exchange_ns=at, receive_ns=at, volume=volume)

    assert bars.on_tick(t(1, 1_000)) is None
    assert bars.on_tick(t(30, 1_400)) is None
    first = bars.on_tick(t(61, 1_500))
    second = bars.on_tick(t(125, 2_000))
    assert first is not None and first.volume == 400
    assert second is not None and second.volume == 100


@pytest.mark.parametrize("name", sorted(STRATEGY_PARAMS))
def test_each_built_in_enters_with_a_limit_offset_from_the_last_price(name: str):
    trader, _ = make_trader(entry=LIMIT)
    trader.rewarm(make_strategy(name, STRATEGY_PARAMS[name](), LIMIT), [])
    prices = [100_000 - 100 * i for i in range(40)] + [96_000 + 300 * i for i in range(40)]
    for i, price in enumerate(prices):
        intent = trader.on_tick(tick(price, at_s=i))
        if intent is not None:
            break
    assert isinstance(intent, OrderIntent), "the series made the strategy enter"
    assert intent.order_type is OrderType.LIMIT and intent.reason.startswith(f"entry: {name}")
    offset = 10 if intent.side is Side.BUY else -10  # 2 ticks of 5 paise, on the passive side
    assert intent.limit_price == price - offset


def test_a_restored_limit_entry_times_out_counting_from_the_first_tick_after_the_restart():
    strategy = Scripted()
    trader = trader_for(strategy)
    working = WorkingOrder(client_id="T1INFY000009", side=Side.BUY, quantity=10,
                           order_type=OrderType.LIMIT, limit_price=99_500, entry=True)  # fmt: skip
    trader.restore([], pending_client_id="T1INFY000009", pending=working)
    assert decide(trader, strategy, None, 100_000, at_s=500) is None  # its wait starts here
    assert decide(trader, strategy, None, 100_000, at_s=509) is None
    cancel = decide(trader, strategy, None, 100_000, at_s=510)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == "T1INFY000009"


def test_a_restored_exit_or_unknown_order_never_times_out():
    for working in (
        WorkingOrder(client_id="T1INFY000009", side=Side.SELL, quantity=10,
                     order_type=OrderType.LIMIT, limit_price=100_500, entry=False),
        None,
    ):  # fmt: skip
        strategy = Scripted()
        trader = trader_for(strategy)
        trader.restore([], pending_client_id="T1INFY000009", pending=working)
        assert decide(trader, strategy, None, 100_000, at_s=0) is None
        assert decide(trader, strategy, None, 100_000, at_s=3_600) is None
        assert trader.pending_client_id == "T1INFY000009"
