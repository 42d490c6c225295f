"""SymbolTrader, what it knows: its position from its own fills (each applied once), the exit
state that goes with it, and the same state rebuilt from the journal after a restart."""

from __future__ import annotations

from fractions import Fraction

from config.symbols import ExitsConfig
from messages.orders import Fill, OrderEvent, OrderStatus, Side
from strategies.base import Signal
from strategies.exits import ExitState
from strategies.signals import SignalTrading
from tests.strategies.trading import (
    INFY,
    SECOND,
    T0,
    event_of,
    execute,
    fill_of,
    go_long,
    make_trader,
    on_tick,
    tick,
)

# -- position from fills ---------------------------------------------------------------------


def test_position_and_average_entry_from_fills_with_duplicates_ignored():
    trader, strategy = make_trader(quantity=30)
    intent = on_tick(trader, strategy, 10_000, Signal.LONG)
    trader.on_fill(fill_of(intent, 10_000, "t1", quantity=10))
    trader.on_fill(fill_of(intent, 10_000, "t1", quantity=10))  # the same trade, reported twice
    trader.on_fill(fill_of(intent, 10_001, "t2", quantity=20))
    # 10 @ 10000 + 20 @ 10001 = 300020 over 30 = 30002/3; the duplicate did not add 10
    assert (trader.position, trader.average_entry) == (30, Fraction(30_002, 3))


def test_fills_of_other_symbols_and_other_orders_move_only_what_they_should():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_fill(
        Fill(trade_id="x", client_id="X1", symbol="NSE:TCS", side=Side.BUY, quantity=5, price=1)
    )
    assert trader.position == 0
    # an order not sent by this trader (an operator's flatten) still moves the position
    trader.on_fill(
        Fill(trade_id="y", client_id="OPS1", symbol=INFY, side=Side.SELL, quantity=5, price=9)
    )
    assert trader.position == -5
    assert trader.pending_client_id == intent.client_id


def test_a_new_position_restarts_the_exit_clock_from_its_fill():
    trader, strategy = make_trader(ExitsConfig(time_stop_seconds=60))
    go_long(trader, strategy, at_s=10)
    assert trader.exit_state == ExitState(entry_ns=T0 + 10 * SECOND, best_price=100_000)
    assert on_tick(trader, strategy, 100_000, at_s=69.999) is None
    close = on_tick(trader, strategy, 100_000, at_s=70)  # exactly 60 s after the entry fill
    assert close.reason == "exit: time_stop"
    execute(trader, close, 100_000, "close", at_s=70)
    assert trader.exit_state is None
    go_long(trader, strategy, price=100_100, at_s=100)
    assert trader.exit_state == ExitState(entry_ns=T0 + 100 * SECOND, best_price=100_100)
    assert on_tick(trader, strategy, 100_000, at_s=159) is None  # 59 s into the new position


def test_the_trailing_stop_keeps_following_while_an_order_is_working():
    trader, strategy = make_trader(ExitsConfig(trailing_stop_bps=100))
    entry = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_fill(fill_of(entry, 100_000, "e"))  # filled; the FILLED event is still to come
    assert on_tick(trader, strategy, 102_000) is None
    trader.on_order_event(event_of(entry, OrderStatus.FILLED, 10))
    assert trader.exit_state.best_price == 102_000
    # trail = 102000 * 0.99 = 100980
    assert on_tick(trader, strategy, 100_981) is None
    assert on_tick(trader, strategy, 100_980).reason == "exit: trailing_stop"


def test_partial_take_profit_then_break_even_through_the_trader():
    exits = ExitsConfig(take_profit_bps=100, partial_exit_fraction=0.5)
    trader, strategy = make_trader(exits, quantity=100, lot_size=25)
    go_long(trader, strategy)
    # target 101000: half of 100 = 50 (2 lots of 25)
    partial = on_tick(trader, strategy, 101_000)
    assert (partial.side, partial.quantity, partial.reason) == (
        Side.SELL,
        50,
        "exit: partial_take_profit",
    )
    execute(trader, partial, 101_000, "p")
    assert trader.position == 50
    assert trader.average_entry == 100_000  # a reduction keeps the entry
    assert trader.exit_state.partial_taken
    assert on_tick(trader, strategy, 102_000) is None  # take profit disarmed
    rest = on_tick(trader, strategy, 100_000)  # back to the entry price: break-even
    assert (rest.side, rest.quantity, rest.reason) == (Side.SELL, 50, "exit: break_even")


# -- restore ---------------------------------------------------------------------------------


def test_restore_from_fills_matches_the_live_trader():
    exits = ExitsConfig(take_profit_bps=100, partial_exit_fraction=0.5, stop_loss_bps=200)
    live, live_strategy = make_trader(exits, quantity=100, lot_size=25)
    fills = [go_long(live, live_strategy, at_s=5)]
    partial = on_tick(live, live_strategy, 101_000, at_s=6)
    fills.append(execute(live, partial, 101_000, "p", at_s=6))

    restored, restored_strategy = make_trader(
        exits, quantity=100, lot_size=25, next_seq=live.next_seq
    )
    restored.restore(fills + fills[:1])  # a fill journaled twice is still applied once

    assert restored.position == live.position == 50
    assert restored.average_entry == live.average_entry == 100_000
    # entry clock from the entry fill, best price from the partial exit's fill (101000), and the
    # reduction marks the partial exit as taken
    expected_state = ExitState(entry_ns=T0 + 5 * SECOND, best_price=101_000, partial_taken=True)
    assert restored.exit_state == live.exit_state == expected_state

    def intents(trader, strategy):
        return [on_tick(trader, strategy, price) for price in (100_500, 102_000, 100_000)]

    from_restore, from_live = intents(restored, restored_strategy), intents(live, live_strategy)
    assert from_restore == from_live
    # above break-even, then a disarmed take profit, then break-even at the entry price
    assert from_restore[:2] == [None, None]
    assert (from_restore[2].client_id, from_restore[2].reason) == (
        "T1INFY000003",
        "exit: break_even",
    )


def test_restore_with_an_unfinished_order_sends_nothing_until_it_is_finished():
    trader, strategy = make_trader(ExitsConfig(stop_loss_bps=50), next_seq=3)
    entry = Fill(
        trade_id="e",
        client_id="T1INFY000001",
        symbol=INFY,
        side=Side.BUY,
        quantity=10,
        price=100_000,
        at_ns=T0,
    )
    trader.restore([entry], pending_client_id="T1INFY000002")  # the stop loss sent before a crash
    assert on_tick(trader, strategy, 99_000) is None  # below the stop, but an order is out
    trader.on_order_event(
        OrderEvent(
            client_id="T1INFY000002",
            symbol=INFY,
            side=Side.SELL,
            status=OrderStatus.REJECTED,
            quantity=10,
        )
    )
    intent = on_tick(trader, strategy, 99_000)
    assert (intent.client_id, intent.reason) == ("T1INFY000003", "exit: stop_loss")


def test_rewarm_replaces_the_strategy_warmed_on_recent_prices_ignoring_their_signals():
    from strategies.params import EmaCrossParams
    from strategies.registry import make_strategy

    trader, _ = make_trader()
    # EMA(2) / EMA(3) over 100, 100, 100: no cross yet; warm-up of EMA cross is `slow` = 3.
    fresh = make_strategy("ema_cross", EmaCrossParams(fast=2, slow=3))
    trader.rewarm(fresh, [100_000, 100_000, 100_000])
    assert trader.warmed_up and trader.strategy is fresh
    # A rise crosses fast above slow: the very next live tick signals LONG, no cold start.
    intent = trader.on_tick(tick(100_500))
    assert intent is not None and intent.side is Side.BUY


def test_signals_during_rewarm_are_not_acted_on():
    trader, strategy = make_trader()
    replacement = type(strategy)()
    replacement.upcoming = Signal.LONG  # would fire on the first warm-up price
    trader.rewarm(SignalTrading(replacement), [100_000, 100_100])
    assert replacement.prices == [100_000, 100_100]
    assert trader.pending_client_id is None
    assert on_tick(trader, replacement, 100_200) is None  # the past's signal was not replayed
