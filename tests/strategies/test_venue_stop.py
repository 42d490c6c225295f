"""The protective stop at the venue, decided by SymbolTrader without threads: placed when the
entry fills, on the tick grid on the far side of the level; trailed by modification once per
step, only once the broker has it, never looser, and cancelled and placed again past Kite's 25
modifications; cancelled before any other exit, which goes only once the cancel is done; left
to the venue when the market reaches it; not placed again when someone else cancelled it;
known again after a restart."""

from __future__ import annotations

from config.symbols import ExitsConfig, VenueStopConfig
from messages.control import TradingState
from messages.orders import (
    CancelIntent,
    ModifyIntent,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderStatus,
    OrderType,
    RejectReason,
    Side,
)
from strategies.api import WorkingOrder
from strategies.base import Signal
from strategies.venue_stop import MAX_MODIFICATIONS
from tests.strategies.trading import (
    INFY,
    event_of,
    execute,
    fill_of,
    go_long,
    make_trader,
    on_tick,
)

SL_M = VenueStopConfig(order_type="SL-M")
STOP_50 = ExitsConfig(stop_loss_bps=50)


def placed_stop(trader, strategy, price=100_000, at_s=0.0) -> OrderIntent:
    """Go long at ``price``; the stop that follows the entry's fill."""
    go_long(trader, strategy, price, at_s)
    stop = trader.follow_up()
    assert isinstance(stop, OrderIntent)
    return stop


def acknowledge(trader, stop: OrderIntent) -> None:
    trader.on_order_event(event_of(stop, OrderStatus.SUBMITTED))


def accept(trader, modify: ModifyIntent) -> None:
    trader.on_modified(
        OrderModified(
            client_id=modify.client_id,
            symbol=modify.symbol,
            accepted=True,
            trigger_price=modify.trigger_price,
            limit_price=modify.limit_price,
        )
    )


def resting_stop_with_a_take_profit():
    """Long 10 with its SL-M resting 50 bps below the entry, a take profit 100 bps above."""
    trader, strategy = make_trader(
        ExitsConfig(stop_loss_bps=50, take_profit_bps=100), venue_stop=SL_M
    )
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    return trader, strategy, stop


def refuse_halted(trader, intent: OrderIntent | None) -> None:
    """RiskGate's answer to ``intent`` while halted."""
    assert intent is not None
    trader.on_rejected(
        OrderRejected(client_id=intent.client_id, symbol=INFY, reason=RejectReason.HALTED)
    )


# -- placed ------------------------------------------------------------------------------------


def test_the_stop_goes_to_the_venue_as_soon_as_the_entry_fills():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    assert (stop.side, stop.quantity, stop.order_type) == (Side.SELL, 10, OrderType.SL_M)
    assert (stop.trigger_price, stop.limit_price) == (99_500, None)  # 100000 - 0.5 %
    assert stop.reason == "stop: stop_loss" and stop.origin_ns == 0  # no tick caused it
    working = trader.view().working
    assert working is not None and working.protective and working.trigger_price == 99_500
    assert trader.follow_up() is None  # one stop: it is the working order now


def test_the_trigger_is_on_the_tick_grid_beyond_the_level_and_a_stop_limit_past_it():
    # 100005 x (1 - 0.33 %) = 99674.9835: a sell stop at or below it, on the 5-paise grid.
    stop_limit = VenueStopConfig(order_type="SL", limit_offset_ticks=2)
    trader, strategy = make_trader(ExitsConfig(stop_loss_bps=33), venue_stop=stop_limit)
    stop = placed_stop(trader, strategy, price=100_005)
    assert (stop.order_type, stop.trigger_price, stop.limit_price) == (OrderType.SL, 99_670, 99_660)

    # A short's buy stop: 100005 x 1.0033 = 100335.0165, at or above it: 100340, limit above.
    trader, strategy = make_trader(ExitsConfig(stop_loss_bps=33), venue_stop=stop_limit)
    entry = on_tick(trader, strategy, 100_005, Signal.SHORT)
    execute(trader, entry, 100_005, "short-1")
    stop = trader.follow_up()
    assert stop is not None and stop.side is Side.BUY
    assert (stop.trigger_price, stop.limit_price) == (100_340, 100_350)


def test_no_stop_is_placed_when_the_market_is_already_past_it():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    go_long(trader, strategy, 100_000)
    on_tick(trader, strategy, 99_400)  # the in-process rule closes it on this tick instead
    assert trader.pending_client_id is not None
    assert trader.view().working is not None and not trader.view().working.protective


def test_without_a_venue_stop_the_stop_stays_in_shikra():
    trader, strategy = make_trader(STOP_50)
    go_long(trader, strategy, 100_000)
    assert trader.follow_up() is None
    exit_ = on_tick(trader, strategy, 99_500)
    assert exit_ is not None and exit_.order_type is OrderType.MARKET
    assert exit_.reason == "exit: stop_loss"


# -- trailed -----------------------------------------------------------------------------------


def trailing(step_ticks=2):
    exits = ExitsConfig(trailing_stop_bps=100)
    return make_trader(exits, venue_stop=VenueStopConfig(trail_step_ticks=step_ticks))


def test_a_trailing_stop_moves_by_modification_once_per_step_and_never_back():
    trader, strategy = trailing(step_ticks=2)
    stop = placed_stop(trader, strategy)
    assert stop.trigger_price == 99_000 and stop.reason == "stop: trailing_stop"
    assert on_tick(trader, strategy, 100_020, at_s=1) is None  # not acknowledged yet
    acknowledge(trader, stop)
    modify = on_tick(trader, strategy, 100_010, at_s=2)  # best 100020: 99019.8 -> 99015
    assert isinstance(modify, ModifyIntent)
    assert (modify.client_id, modify.trigger_price, modify.limit_price) == (
        stop.client_id,
        99_015,
        None,
    )
    assert on_tick(trader, strategy, 100_500, at_s=3) is None  # one change on its way at a time
    accept(trader, modify)
    assert trader.view().working.trigger_price == 99_015
    trader, strategy = trailing(step_ticks=2)
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    assert on_tick(trader, strategy, 100_005, at_s=1) is None  # 99004.95 -> 99000: no move
    assert on_tick(trader, strategy, 100_010, at_s=2) is None  # 99009.9 -> 99005: one tick
    step = on_tick(trader, strategy, 100_015, at_s=3)  # 99014.85 -> 99010: two ticks
    assert isinstance(step, ModifyIntent) and step.trigger_price == 99_010
    accept(trader, step)
    assert on_tick(trader, strategy, 100_020, at_s=4) is None  # 99015: one tick past 99010
    assert on_tick(trader, strategy, 99_900, at_s=5) is None  # the market falls: it stays
    again = on_tick(trader, strategy, 100_500, at_s=6)
    assert isinstance(again, ModifyIntent) and again.trigger_price == 99_495


def test_a_refused_modification_keeps_the_old_trigger_and_waits_before_trying_again():
    trader, strategy = trailing()
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    modify = on_tick(trader, strategy, 100_500, at_s=1)
    assert isinstance(modify, ModifyIntent)
    trader.on_modified(
        OrderModified(client_id=stop.client_id, symbol=INFY, accepted=False, detail="no")
    )
    assert trader.view().working.trigger_price == 99_000
    assert on_tick(trader, strategy, 100_500, at_s=2) is None  # quiet
    assert isinstance(on_tick(trader, strategy, 100_500, at_s=6.5), ModifyIntent)


def test_past_kites_modification_limit_the_stop_is_cancelled_and_placed_again():
    trader, strategy = trailing(step_ticks=1)
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    price = 100_000
    for n in range(MAX_MODIFICATIONS):
        price += 100
        modify = on_tick(trader, strategy, price, at_s=n + 1)
        assert isinstance(modify, ModifyIntent), n
        accept(trader, modify)
    cancel = on_tick(trader, strategy, price + 100, at_s=30)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == stop.client_id
    assert "25 modifications" in cancel.reason
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    replaced = trader.follow_up()
    assert isinstance(replaced, OrderIntent) and replaced.client_id != stop.client_id
    assert (
        replaced.order_type is OrderType.SL_M and replaced.trigger_price == 101_570
    )  # 102600 x 0.99 = 101574


# -- cancelled before another exit -------------------------------------------------------------


def test_a_take_profit_cancels_the_stop_first_and_exits_once_the_cancel_is_done():
    trader, strategy, stop = resting_stop_with_a_take_profit()
    cancel = on_tick(trader, strategy, 101_000, at_s=1)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == stop.client_id
    assert cancel.reason.startswith("exit: take_profit")
    assert on_tick(trader, strategy, 101_050, at_s=2) is None  # nothing while it is cancelled
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    exit_ = trader.follow_up()
    assert isinstance(exit_, OrderIntent)
    assert (exit_.side, exit_.quantity, exit_.order_type) == (Side.SELL, 10, OrderType.MARKET)
    assert exit_.reason == "exit: take_profit"


def test_a_strategy_exit_cancels_the_stop_first_too():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    cancel = on_tick(trader, strategy, 100_100, Signal.EXIT, at_s=1)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == stop.client_id
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    exit_ = trader.follow_up()
    assert isinstance(exit_, OrderIntent) and exit_.side is Side.SELL and exit_.quantity == 10


def test_a_stop_that_fills_while_its_cancel_is_on_the_way_is_not_followed_by_the_exit():
    trader, strategy = make_trader(
        ExitsConfig(stop_loss_bps=50, time_stop_seconds=60), venue_stop=SL_M
    )
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    assert isinstance(on_tick(trader, strategy, 100_000, at_s=61), CancelIntent)  # time stop
    trader.on_fill(fill_of(stop, 99_500, "stop-fill"))  # the venue was faster
    trader.on_order_event(event_of(stop, OrderStatus.FILLED, 10))
    assert trader.position == 0 and trader.pending_client_id is None
    assert trader.follow_up() is None
    assert on_tick(trader, strategy, 99_000, at_s=62) is None  # nothing to sell: never short


def test_an_unanswered_cancel_is_asked_again():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    assert isinstance(on_tick(trader, strategy, 100_100, Signal.EXIT, at_s=1), CancelIntent)
    assert on_tick(trader, strategy, 100_100, at_s=30.5) is None  # 29.5 s: its answer may come
    again = on_tick(trader, strategy, 100_100, at_s=31)
    assert isinstance(again, CancelIntent) and again.client_id == stop.client_id
    assert on_tick(trader, strategy, 100_100, at_s=32) is None  # then again 30 s on


# -- left to the venue -------------------------------------------------------------------------


def test_the_stop_level_reached_is_the_venues_to_act_on_not_a_second_order():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    acknowledge(trader, stop)
    assert on_tick(trader, strategy, 99_450, at_s=1) is None  # no MARKET sell besides the stop
    trader.on_fill(fill_of(stop, 99_450, "stop-fill"))
    trader.on_order_event(event_of(stop, OrderStatus.FILLED, 10))
    assert trader.position == 0 and trader.follow_up() is None


def test_a_stop_cancelled_by_someone_else_is_not_placed_again_for_that_position():
    # The square-off, a flatten, or a person at Kite cancelled it: placing it again would race
    # whoever is closing the position. Shikra keeps the stop in-process meanwhile.
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    assert trader.follow_up() is None
    assert on_tick(trader, strategy, 100_000, at_s=1) is None
    exit_ = on_tick(trader, strategy, 99_500, at_s=2)
    assert exit_ is not None and exit_.order_type is OrderType.MARKET
    execute(trader, exit_, 99_500, "exit-1")
    # Flat: the next position has its stop at the venue again.
    again = placed_stop(trader, strategy, at_s=3)
    assert again.order_type is OrderType.SL_M


def test_a_stop_the_broker_rejects_is_kept_in_shikra():
    trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    trader.on_order_event(event_of(stop, OrderStatus.REJECTED))
    assert trader.follow_up() is None and on_tick(trader, strategy, 100_000, at_s=1) is None
    assert on_tick(trader, strategy, 99_500, at_s=2).reason == "exit: stop_loss"


def test_a_refusal_for_its_price_keeps_it_in_shikra_one_for_the_state_tries_again():
    for reason, again in ((RejectReason.PRICE_BAND, False), (RejectReason.HALTED, True)):
        trader, strategy = make_trader(STOP_50, venue_stop=SL_M)
        stop = placed_stop(trader, strategy)
        trader.on_rejected(OrderRejected(client_id=stop.client_id, symbol=INFY, reason=reason))
        assert on_tick(trader, strategy, 100_000, at_s=1) is None  # the quiet spell
        later = on_tick(trader, strategy, 100_000, at_s=6)
        assert (isinstance(later, OrderIntent) and later.order_type is OrderType.SL_M) is again


def test_an_exit_refused_after_its_stop_was_cancelled_puts_the_stop_straight_back():
    # A halt: the take profit cancels the stop first, then RiskGate refuses the exit. The
    # position must not sit at the venue without its stop until the halt is lifted.
    trader, strategy, stop = resting_stop_with_a_take_profit()
    assert isinstance(on_tick(trader, strategy, 101_000, at_s=1), CancelIntent)
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    exit_ = trader.follow_up()
    assert isinstance(exit_, OrderIntent) and exit_.reason == "exit: take_profit"
    refuse_halted(trader, exit_)
    again = trader.follow_up()  # at once: no quiet spell for the position's protection
    assert isinstance(again, OrderIntent) and again.order_type is OrderType.SL_M
    assert (again.side, again.quantity, again.trigger_price) == (Side.SELL, 10, 99_500)
    assert again.client_id != stop.client_id
    acknowledge(trader, again)
    # For a minute no exit cancels it again (each try would leave the position bare).
    assert on_tick(trader, strategy, 101_100, at_s=2) is None
    assert on_tick(trader, strategy, 101_100, at_s=60.5) is None
    cancel = on_tick(trader, strategy, 101_100, at_s=61.5)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == again.client_id
    # Still halted: refused again, back again, and now held twice as long (two minutes).
    trader.on_order_event(event_of(again, OrderStatus.CANCELLED))
    second = trader.follow_up()
    assert isinstance(second, OrderIntent) and second.reason == "exit: take_profit"
    refuse_halted(trader, second)
    third = trader.follow_up()
    assert isinstance(third, OrderIntent) and third.order_type is OrderType.SL_M
    acknowledge(trader, third)
    assert on_tick(trader, strategy, 101_100, at_s=181) is None
    assert isinstance(on_tick(trader, strategy, 101_100, at_s=182), CancelIntent)


def test_while_exits_are_refused_the_stop_rests_and_the_exit_goes_once_they_are_not():
    # The strategy hears RiskGate's state: halted, an exit would be refused, so the stop is
    # not cancelled for it; resumed, the exit goes at the next tick, whatever hold was on.
    trader, strategy, stop = resting_stop_with_a_take_profit()
    trader.on_trading_state(TradingState.HALTED)
    assert on_tick(trader, strategy, 101_000, at_s=1) is None  # the take profit: kept waiting
    assert on_tick(trader, strategy, 101_100, at_s=600) is None
    trader.on_trading_state(TradingState.RECONCILING)
    assert on_tick(trader, strategy, 101_100, at_s=601) is None
    trader.on_trading_state(TradingState.ACTIVE)
    cancel = on_tick(trader, strategy, 101_100, at_s=602)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == stop.client_id


def test_resumed_after_a_refused_exit_the_hold_ends_with_the_halt():
    trader, strategy, stop = resting_stop_with_a_take_profit()
    assert isinstance(on_tick(trader, strategy, 101_000, at_s=1), CancelIntent)
    trader.on_trading_state(TradingState.HALTED)  # the halt came while the cancel was out
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    exit_ = trader.follow_up()
    assert isinstance(exit_, OrderIntent)
    refuse_halted(trader, exit_)
    again = trader.follow_up()
    assert isinstance(again, OrderIntent) and again.order_type is OrderType.SL_M
    acknowledge(trader, again)
    trader.on_trading_state(TradingState.ACTIVE)  # resumed 5 s later: not a minute's wait
    cancel = on_tick(trader, strategy, 101_100, at_s=6)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == again.client_id


def test_a_held_exit_still_leaves_shikras_own_stop_to_act_when_the_venue_stop_cannot_go():
    trader, strategy, stop = resting_stop_with_a_take_profit()
    assert isinstance(on_tick(trader, strategy, 101_000, at_s=1), CancelIntent)
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    exit_ = trader.follow_up()
    refuse_halted(trader, exit_)
    again = trader.follow_up()
    assert isinstance(again, OrderIntent)
    trader.on_rejected(OrderRejected(client_id=again.client_id, symbol=INFY,
                                     reason=RejectReason.PRICE_BAND))  # fmt: skip
    # No stop at the venue for this position now: its own stop rule decides, held or not.
    late = on_tick(trader, strategy, 99_400, at_s=10)
    assert isinstance(late, OrderIntent) and late.reason == "exit: stop_loss"


def test_after_a_partial_take_profit_the_rest_gets_a_stop_at_break_even():
    exits = ExitsConfig(stop_loss_bps=50, take_profit_bps=100, partial_exit_fraction=0.5)
    trader, strategy = make_trader(exits, venue_stop=SL_M)
    stop = placed_stop(trader, strategy)
    assert isinstance(on_tick(trader, strategy, 101_000, at_s=1), CancelIntent)
    trader.on_order_event(event_of(stop, OrderStatus.CANCELLED))
    part = trader.follow_up()
    assert part is not None and part.quantity == 5 and part.reason == "exit: partial_take_profit"
    execute(trader, part, 101_000, "part-1", at_s=1)
    rest = trader.follow_up()
    assert isinstance(rest, OrderIntent) and rest.quantity == 5
    assert (rest.trigger_price, rest.reason) == (100_000, "stop: break_even")


# -- after a restart ---------------------------------------------------------------------------


def test_a_restored_stop_trails_and_is_cancelled_before_an_exit_as_before():
    trader, strategy = make_trader(
        ExitsConfig(trailing_stop_bps=100, take_profit_bps=300), venue_stop=SL_M
    )
    entry = OrderIntent(client_id="T1INFY000001", symbol=INFY, side=Side.BUY, quantity=10)
    resting = WorkingOrder(
        client_id="T1INFY000002",
        side=Side.SELL,
        quantity=10,
        order_type=OrderType.SL_M,
        limit_price=None,
        entry=False,
        trigger_price=99_000,
        protective=True,
    )
    trader.restore(
        [fill_of(entry, 100_000, "t-1")],
        pending_client_id=resting.client_id,
        pending=resting,
        acknowledged=True,
        modifications=3,
    )
    assert trader.follow_up() is None and trader.view().working is resting
    modify = on_tick(trader, strategy, 101_000, at_s=1)
    assert isinstance(modify, ModifyIntent) and modify.client_id == resting.client_id
    assert modify.trigger_price == 99_990
    accept(trader, modify)
    cancel = on_tick(trader, strategy, 103_000, at_s=2)
    assert isinstance(cancel, CancelIntent) and cancel.client_id == resting.client_id
