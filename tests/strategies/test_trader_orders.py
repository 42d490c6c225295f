"""SymbolTrader, the orders it asks for: entries, deterministic ids, one working order per
symbol, and what each signal means given the position."""

from __future__ import annotations

import pytest

from config.symbols import ExitsConfig
from messages.orders import (
    OrderEvent,
    OrderIntent,
    OrderRejected,
    OrderStatus,
    OrderType,
    Product,
    RejectReason,
    Side,
)
from strategies.base import Signal
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

# -- entries and ids -----------------------------------------------------------------------


def test_long_when_flat_buys_the_configured_quantity_at_market():
    trader, strategy = make_trader(next_seq=7)
    intent = on_tick(trader, strategy, 100_000, Signal.LONG, at_s=1)
    assert intent == OrderIntent(
        client_id="T1INFY000007",
        symbol=INFY,
        side=Side.BUY,
        quantity=10,
        order_type=OrderType.MARKET,
        product=Product.MIS,
        reason="entry: scripted long",
        origin_ns=T0 + SECOND + 1,  # the tick's receive time
        market_price=100_000,  # what the tick said, and when: RiskGate judges the session by it
        market_ns=T0 + SECOND,
    )
    assert trader.pending_client_id == "T1INFY000007"
    assert trader.next_seq == 8


def test_short_when_flat_sells_the_configured_quantity():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.SHORT)
    assert (intent.side, intent.quantity, intent.reason) == (Side.SELL, 10, "entry: scripted short")


def test_ids_are_deterministic_and_the_sequence_increases():
    def run() -> list[str]:
        trader, strategy = make_trader(next_seq=41, prefix="S")
        ids = []
        for index, signal in enumerate([Signal.LONG, Signal.SHORT, Signal.SHORT]):
            intent = on_tick(trader, strategy, 100_000, signal)
            execute(trader, intent, 100_000, f"t{index}")
            ids.append(intent.client_id)
        return ids

    # long entry, close on the short, then a short entry
    assert run() == run() == ["S000041", "S000042", "S000043"]


def test_a_rejected_intent_still_consumed_its_sequence_number():
    trader, strategy = make_trader()
    first = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_rejected(
        OrderRejected(client_id=first.client_id, symbol=INFY, reason=RejectReason.MAX_POSITION)
    )
    second = on_tick(trader, strategy, 100_000, Signal.LONG, at_s=5.0)
    assert (first.client_id, second.client_id) == ("T1INFY000001", "T1INFY000002")


def test_after_a_rejection_the_symbol_stays_quiet_for_five_seconds_of_market_time():
    """An exit refused while HALTED must not be re-sent on every tick its condition holds."""
    trader, strategy = make_trader()
    first = on_tick(trader, strategy, 100_000, Signal.LONG, at_s=10.0)
    trader.on_rejected(
        OrderRejected(client_id=first.client_id, symbol=INFY, reason=RejectReason.HALTED)
    )
    assert on_tick(trader, strategy, 100_000, Signal.LONG, at_s=14.999) is None
    assert on_tick(trader, strategy, 100_000, Signal.LONG, at_s=15.0) is not None


def refuse(trader, intent: OrderIntent, reason: RejectReason) -> None:
    trader.on_rejected(OrderRejected(client_id=intent.client_id, symbol=INFY, reason=reason))


def next_intent(trader, strategy, at_s: float) -> tuple[float, OrderIntent]:
    """A tick every half second from ``at_s``, the signal holding: when the next intent goes."""
    while (intent := on_tick(trader, strategy, 100_000, Signal.LONG, at_s=at_s)) is None:
        at_s += 0.5
    return at_s, intent


def test_refused_for_a_busy_account_the_quiet_spell_doubles_up_to_a_minute():
    """Thousands of symbols and 400 orders a minute: asking again every 5 s only repeats the
    refusal (each one journaled, checked and answered)."""
    trader, strategy = make_trader()
    at, intent = next_intent(trader, strategy, 0.0)
    waits = []
    for _ in range(6):
        refuse(trader, intent, RejectReason.MAX_ORDERS_PER_MINUTE)
        again, intent = next_intent(trader, strategy, at)
        waits.append(again - at)
        at = again
    assert waits == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_an_accepted_order_ends_the_busy_spell_and_other_refusals_keep_five_seconds():
    trader, strategy = make_trader()
    at, intent = next_intent(trader, strategy, 0.0)
    for expected_wait in (5.0, 10.0):
        refuse(trader, intent, RejectReason.MAX_OPEN_ORDERS)
        again, intent = next_intent(trader, strategy, at)
        assert again - at == expected_wait
        at = again
    trader.on_order_event(event_of(intent, OrderStatus.SUBMITTED))  # this one got through
    trader.on_order_event(event_of(intent, OrderStatus.CANCELLED))  # (and ended unfilled)
    at, intent = next_intent(trader, strategy, at)
    refuse(trader, intent, RejectReason.MAX_ORDERS_PER_MINUTE)
    again, intent = next_intent(trader, strategy, at)
    assert again - at == 5.0  # the spell starts over
    refuse(trader, intent, RejectReason.MAX_ORDERS_PER_MINUTE)  # busy, in a row: next is 10 s
    at, intent = next_intent(trader, strategy, again)
    refuse(trader, intent, RejectReason.HALTED)
    again, _ = next_intent(trader, strategy, at)
    assert again - at == 5.0  # a halt never backs off: an exit must go soon after a resume


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [("A" * 15, "longer than 14"), ("T1-INFY", "alphanumeric"), ("", "alphanumeric")],
)
def test_client_id_prefix_must_fit_kites_tag(prefix, problem):
    with pytest.raises(ValueError, match=problem):
        make_trader(prefix=prefix)


def test_the_longest_prefix_gives_a_twenty_character_id():
    trader, strategy = make_trader(prefix="A" * 14)
    assert len(on_tick(trader, strategy, 100_000, Signal.LONG).client_id) == 20


def test_quantity_must_be_whole_lots():
    with pytest.raises(ValueError, match="multiple of lot 25"):
        make_trader(quantity=30, lot_size=25)


# -- one working order -----------------------------------------------------------------------


def test_no_new_intent_while_an_order_is_working_but_the_strategy_keeps_warming_up():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    assert on_tick(trader, strategy, 100_010, Signal.SHORT) is None
    assert on_tick(trader, strategy, 100_020, Signal.LONG) is None
    assert strategy.prices == [100_000, 100_010, 100_020]
    assert trader.pending_client_id == intent.client_id


def test_order_is_finished_only_when_terminal_and_all_its_fills_are_applied():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_order_event(event_of(intent, OrderStatus.OPEN))
    trader.on_order_event(event_of(intent, OrderStatus.UNKNOWN))
    assert trader.pending_client_id == intent.client_id  # not terminal
    trader.on_order_event(event_of(intent, OrderStatus.FILLED, 10))
    assert trader.pending_client_id == intent.client_id  # FILLED, but the fill is not here yet
    trader.on_fill(fill_of(intent, 100_000, "a", quantity=4))
    assert trader.pending_client_id == intent.client_id  # 4 of 10
    trader.on_fill(fill_of(intent, 100_000, "b", quantity=6))
    assert trader.pending_client_id is None
    assert trader.position == 10


def test_fills_before_the_terminal_event_finish_the_order_with_it():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_fill(fill_of(intent, 100_000, "a"))
    assert trader.pending_client_id == intent.client_id
    trader.on_order_event(event_of(intent, OrderStatus.FILLED, 10))
    assert trader.pending_client_id is None


def test_a_cancel_after_a_partial_fill_waits_for_that_fill():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    trader.on_order_event(event_of(intent, OrderStatus.CANCELLED, filled_quantity=3))
    assert trader.pending_client_id == intent.client_id
    trader.on_fill(fill_of(intent, 100_000, "a", quantity=3))
    assert (trader.pending_client_id, trader.position) == (None, 3)


def test_rejection_frees_the_symbol_and_other_orders_events_do_not():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG)
    other = OrderRejected(client_id="OTHER000001", symbol=INFY, reason=RejectReason.HALTED)
    trader.on_rejected(other)
    trader.on_order_event(
        OrderEvent(
            client_id="OTHER000001",
            symbol=INFY,
            side=Side.BUY,
            status=OrderStatus.CANCELLED,
            quantity=10,
        )
    )
    assert trader.pending_client_id == intent.client_id
    trader.on_rejected(
        OrderRejected(client_id=intent.client_id, symbol=INFY, reason=RejectReason.HALTED)
    )
    assert trader.pending_client_id is None
    assert on_tick(trader, strategy, 100_000, Signal.LONG, at_s=5.0) is not None


# -- signal semantics ------------------------------------------------------------------------


def test_an_opposite_signal_only_closes_the_position():
    trader, strategy = make_trader()
    go_long(trader, strategy)
    close = on_tick(trader, strategy, 100_000, Signal.SHORT)
    # closes the 10 held; does not sell 20 to reverse in one order
    assert (close.side, close.quantity, close.reason) == (Side.SELL, 10, "exit: scripted short")
    execute(trader, close, 100_000, "close")
    assert trader.position == 0
    entry = on_tick(trader, strategy, 100_000, Signal.SHORT)
    assert (entry.side, entry.quantity, entry.reason) == (Side.SELL, 10, "entry: scripted short")


def test_long_signal_closes_a_short_with_a_buy():
    trader, strategy = make_trader()
    entry = on_tick(trader, strategy, 100_000, Signal.SHORT)
    execute(trader, entry, 100_000, "e")
    close = on_tick(trader, strategy, 100_000, Signal.LONG)
    assert (close.side, close.quantity, close.reason) == (Side.BUY, 10, "exit: scripted long")


def test_signals_agreeing_with_the_position_do_nothing():
    trader, strategy = make_trader()
    go_long(trader, strategy)
    assert on_tick(trader, strategy, 100_000, Signal.LONG) is None
    assert trader.pending_client_id is None


def test_exit_signal_closes_any_position_and_is_ignored_when_flat():
    trader, strategy = make_trader()
    assert on_tick(trader, strategy, 100_000, Signal.EXIT) is None
    entry = on_tick(trader, strategy, 100_000, Signal.SHORT)
    execute(trader, entry, 100_000, "e")
    close = on_tick(trader, strategy, 100_000, Signal.EXIT)
    assert (close.side, close.quantity, close.reason) == (Side.BUY, 10, "exit: scripted exit")


def test_exits_take_priority_over_entries_and_signals():
    trader, strategy = make_trader(ExitsConfig(stop_loss_bps=50))
    go_long(trader, strategy)
    # stop = 100000 * (1 - 0.005) = 99500; a SHORT signal arrives on the same tick
    intent = on_tick(trader, strategy, 99_500, Signal.SHORT)
    assert (intent.side, intent.quantity, intent.reason) == (Side.SELL, 10, "exit: stop_loss")


def test_warmed_up_after_the_strategy_warmup_ticks():
    trader, strategy = make_trader()
    strategy.warmup_ticks = 3
    seen = []
    for price in (100, 101, 102):
        trader.on_tick(tick(price))
        seen.append(trader.warmed_up)
    assert seen == [False, False, True]


def test_ticks_of_other_symbols_are_ignored():
    trader, strategy = make_trader()
    strategy.upcoming = Signal.LONG
    assert trader.on_tick(tick(100_000, symbol="NSE:TCS")) is None
    assert strategy.prices == []


def test_the_last_signal_is_kept_even_when_it_is_ignored_and_cleared_by_the_next_tick():
    trader, strategy = make_trader()
    intent = on_tick(trader, strategy, 100_000, Signal.LONG, at_s=1)
    assert intent is not None and trader.last_signal is Signal.LONG
    # An order is working, so the next signal is ignored, but it is still what the rule said.
    assert on_tick(trader, strategy, 100_100, Signal.SHORT, at_s=2) is None
    assert trader.last_signal is Signal.SHORT
    assert on_tick(trader, strategy, 100_200, None, at_s=3) is None
    assert trader.last_signal is None
    trader.on_tick(tick(100_000, at_s=4, symbol="NSE:TCS"))  # another symbol's tick: no signal
    assert trader.last_signal is None
