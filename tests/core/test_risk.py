"""Every pre-trade check, at its boundary, with the reason it names; state transitions."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.market_hours import MarketHours
from core.recovery import RiskRestore
from core.risk import Instrument, RiskBook, RiskLimits
from messages import (
    DiffKind,
    Fill,
    ModifyIntent,
    OrderIntent,
    OrderType,
    PnLUpdate,
    PositionDiff,
    ReconcilePolicy,
    ReconciliationReport,
    RejectReason,
    Side,
    StateSource,
    TradingState,
)

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HOURS = MarketHours(IST, datetime.time(9, 15), datetime.time(15, 30))


def ist_ns(day: int, hour: int, minute: int, second: int = 0) -> int:
    """Epoch ns of 2026-11-<day> hh:mm:ss IST (Nov 20 is a Friday, Nov 21 a Saturday)."""
    moment = datetime.datetime(2026, 11, day, hour, minute, second, tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000


OPEN_NS = ist_ns(20, 10, 0)

LIMITS = RiskLimits(
    max_order_quantity=100,
    max_order_value=100_000_00,  # ₹1,00,000
    max_position_quantity=150,
    max_gross_exposure=200_000_00,  # ₹2,00,000
    max_open_orders=3,
    max_orders_per_minute=5,
    price_band_bps=200,  # 2 %
    max_daily_loss=5_000_00,
    max_drawdown=7_500_00,
)


def book(state: TradingState = TradingState.ACTIVE, **kw) -> RiskBook:
    b = RiskBook(
        limits=LIMITS,
        instruments={"NSE:INFY": Instrument(tick_size=5, lot_size=1)},
        hours=HOURS,
        state=state,
        **kw,
    )
    b.on_marks({"NSE:INFY": 1_000_00}, OPEN_NS)  # ₹1,000.00
    return b


_ids = iter(range(1_000_000))


def intent(qty: int = 10, side: Side = Side.BUY, **kw) -> OrderIntent:
    fields = {"client_id": f"t{next(_ids)}", "symbol": "NSE:INFY", "market_ns": OPEN_NS}
    fields.update(kw)
    return OrderIntent(side=side, quantity=qty, **fields)


_trades = itertools.count(1)


def fill(quantity: int, client_id: str, side: Side = Side.BUY) -> Fill:
    return Fill(trade_id=f"T{next(_trades)}", client_id=client_id, symbol="NSE:INFY", side=side,
                quantity=quantity, price=100_000)  # fmt: skip


def reason(b: RiskBook, i: OrderIntent) -> RejectReason | None:
    return b.evaluate(i).reason


def test_a_plain_intent_passes():
    assert reason(book(), intent()) is None


@pytest.mark.parametrize("qty", [0, -5])
def test_non_positive_quantity_is_rejected(qty):
    assert reason(book(), intent(qty)) is RejectReason.INVALID_QUANTITY


def test_quantity_must_be_whole_lots():
    b = book()
    b.instruments["NSE:INFY"] = Instrument(tick_size=5, lot_size=25)
    assert reason(b, intent(30)) is RejectReason.INVALID_QUANTITY
    assert reason(b, intent(50)) is None


def test_unknown_symbol():
    assert reason(book(), intent(symbol="NSE:NOPE")) is RejectReason.UNKNOWN_SYMBOL


def test_duplicate_client_id_is_never_approved_twice():
    b = book()
    first = intent()
    assert b.evaluate(first).approved
    assert reason(b, first) is RejectReason.DUPLICATE


def test_max_order_quantity_boundary():
    assert reason(book(), intent(100)) is None
    assert reason(book(), intent(101)) is RejectReason.MAX_ORDER_QUANTITY


def test_max_order_value_boundary():
    # 100 x ₹1,000.00 = ₹1,00,000 exactly: allowed; a limit one tick higher is over.
    b = book()
    at = intent(100, order_type=OrderType.LIMIT, limit_price=1_000_00)
    assert reason(b, at) is None
    over = intent(100, order_type=OrderType.LIMIT, limit_price=1_000_05)
    assert reason(book(), over) is RejectReason.MAX_ORDER_VALUE


def test_max_position_counts_position_and_working_orders():
    b = book()
    b.on_fill(fill(100, "earlier"))
    assert b.evaluate(intent(30)).approved  # working: 100 + 30
    assert reason(b, intent(20)) is None  # 150 exactly
    assert reason(b, intent(1)) is RejectReason.MAX_POSITION


def test_max_gross_exposure_boundary():
    b = book()
    b.limits = LIMITS.__class__(**{**LIMITS.__dict__, "max_position_quantity": 1_000})
    b.on_fill(fill(100, "earlier"))  # ₹1,00,000 held
    assert reason(b, intent(50)) is None  # ₹50,000 working: ₹1,50,000 in all
    assert reason(b, intent(50)) is None  # ₹2,00,000 exactly
    assert reason(b, intent(1)) is RejectReason.MAX_GROSS_EXPOSURE


def test_max_open_orders_boundary():
    b = book()
    for _ in range(3):
        assert b.evaluate(intent(1)).approved
    assert reason(b, intent(1)) is RejectReason.MAX_OPEN_ORDERS
    b.on_order_done(next(iter(b.working)))
    assert reason(b, intent(1)) is None


def test_resting_stops_and_exits_do_not_count_toward_max_open_orders():
    # A protective stop rests for as long as its position is open: three of them must not
    # stop a fourth symbol's entry (max_open_orders = 3).
    b = book()
    b.limits = LIMITS.__class__(**{**LIMITS.__dict__, "max_orders_per_minute": 100})
    b.instruments.update({s: Instrument(tick_size=5, lot_size=1) for s in ("NSE:A", "NSE:B")})
    b.on_marks({"NSE:A": 1_000_00, "NSE:B": 1_000_00}, OPEN_NS)
    for symbol in ("NSE:INFY", "NSE:A", "NSE:B"):
        b.on_fill(Fill(trade_id=f"T-{symbol}", client_id="e", symbol=symbol, side=Side.BUY,
                       quantity=10, price=100_000))  # fmt: skip
        stop = intent(10, Side.SELL, symbol=symbol, order_type=OrderType.SL_M,
                      trigger_price=99_000)  # fmt: skip
        verdict = b.evaluate(stop)
        assert verdict.approved and verdict.reduces
    assert len(b.working) == 3
    for _ in range(3):
        assert b.evaluate(intent(1)).approved  # three entries: the limit, stops not counted
    assert reason(b, intent(1)) is RejectReason.MAX_OPEN_ORDERS
    b.on_order_done(next(cid for cid, w in b.working.items() if w.reduces))
    assert reason(b, intent(1)) is RejectReason.MAX_OPEN_ORDERS  # a stop's end frees nothing
    b.on_order_done(next(cid for cid, w in b.working.items() if not w.reduces))
    assert reason(b, intent(1)) is None


def test_a_modification_must_be_of_a_working_order_of_its_symbol_on_the_tick_grid():
    b = book()
    b.on_fill(fill(10, "e"))
    stop = intent(10, Side.SELL, order_type=OrderType.SL_M, trigger_price=99_000)
    assert b.evaluate(stop).approved
    move = ModifyIntent(client_id=stop.client_id, symbol="NSE:INFY", trigger_price=99_100)
    assert b.modify_problem(move) is None
    assert "not a working order" in b.modify_problem(
        ModifyIntent(client_id="nope", symbol="NSE:INFY", trigger_price=99_100)
    )
    assert "not a working order" in b.modify_problem(
        ModifyIntent(client_id=stop.client_id, symbol="NSE:TCS", trigger_price=99_100)
    )
    assert "tick size" in b.modify_problem(
        ModifyIntent(client_id=stop.client_id, symbol="NSE:INFY", trigger_price=99_102)
    )
    assert "must change" in b.modify_problem(
        ModifyIntent(client_id=stop.client_id, symbol="NSE:INFY")
    )
    b.change(TradingState.HALTED, StateSource.OPERATOR, "stop", OPEN_NS)
    assert b.modify_problem(move) is None  # a resting stop may still be tightened
    b.on_order_done(stop.client_id)
    assert "not a working order" in b.modify_problem(move)


def test_max_orders_per_minute_is_a_sliding_minute_of_market_time():
    b = book()
    b.limits = LIMITS.__class__(**{**LIMITS.__dict__, "max_open_orders": 100})
    for second in range(5):
        assert b.evaluate(intent(1, market_ns=OPEN_NS + second * 10**9)).approved
    assert (
        reason(b, intent(1, market_ns=OPEN_NS + 59 * 10**9)) is RejectReason.MAX_ORDERS_PER_MINUTE
    )
    # 60 s after the first approval it has left the window.
    assert reason(b, intent(1, market_ns=OPEN_NS + 60 * 10**9)) is None


def test_price_band_boundary():
    # 2 % of ₹1,000.00 = ₹20.00: ₹1,020.00 is inside, ₹1,020.05 outside; below mirrors.
    def limit(price: int) -> OrderIntent:
        return intent(1, order_type=OrderType.LIMIT, limit_price=price)

    assert reason(book(), limit(1_020_00)) is None
    assert reason(book(), limit(1_020_05)) is RejectReason.PRICE_BAND
    assert reason(book(), limit(980_00)) is None
    assert reason(book(), limit(979_95)) is RejectReason.PRICE_BAND


def test_price_band_falls_back_to_the_intents_market_price_without_a_mark():
    b = book()
    b.marks.clear()
    inside = intent(1, order_type=OrderType.LIMIT, limit_price=500_00, market_price=500_00)
    assert reason(b, inside) is None
    unknown = intent(1, order_type=OrderType.LIMIT, limit_price=500_00)
    assert reason(b, unknown) is RejectReason.PRICE_BAND


@pytest.mark.parametrize(
    "kw",
    [
        {"order_type": OrderType.LIMIT},  # no limit price
        {"order_type": OrderType.SL_M},  # no trigger
        {"order_type": OrderType.MARKET, "limit_price": 1_000_00},
        {"order_type": OrderType.LIMIT, "limit_price": 1_000_03},  # off the 5-paise tick
        {"order_type": OrderType.SL, "limit_price": 1_000_00, "trigger_price": 0},
    ],
)
def test_invalid_prices(kw):
    assert reason(book(), intent(1, **kw)) is RejectReason.INVALID_PRICE


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (ist_ns(20, 9, 14, 59), False),
        (ist_ns(20, 9, 15, 0), True),
        (ist_ns(20, 15, 29, 59), True),
        (ist_ns(20, 15, 30, 0), False),
        (ist_ns(21, 10, 0, 0), False),  # Saturday
    ],
)
def test_market_hours_boundaries_in_ist(moment, open_):
    b = RiskBook(
        limits=LIMITS,
        instruments={"NSE:INFY": Instrument(tick_size=5, lot_size=1)},
        hours=HOURS,
        state=TradingState.ACTIVE,
    )
    b.marks["NSE:INFY"] = 1_000_00
    got = reason(b, intent(1, market_ns=moment))
    assert got is (None if open_ else RejectReason.MARKET_CLOSED)


def test_halted_rejects_everything_but_its_own_flatten_orders():
    b = book(TradingState.HALTED)
    b.on_fill(fill(10, "earlier"))
    assert reason(b, intent(10, Side.SELL)) is RejectReason.HALTED  # even a strategy's exit
    assert b.evaluate(intent(10, Side.SELL), own_flatten=True).approved


def stop(qty: int, side: Side, order_type: OrderType = OrderType.SL_M) -> OrderIntent:
    limit = 990_00 if order_type is OrderType.SL else None
    return intent(qty, side, order_type=order_type, trigger_price=995_00, limit_price=limit)


def test_halted_lets_a_protective_stop_through_and_nothing_else():
    # A position's stop at the venue only ever reduces it: a halt must not leave the position
    # bare (a stop cancelled for an exit that the halt then refused goes straight back).
    b = book(TradingState.HALTED)
    b.on_fill(fill(10, "earlier"))
    assert reason(b, stop(10, Side.SELL)) is None
    assert reason(b, stop(5, Side.SELL, OrderType.SL)) is RejectReason.HALTED  # 10 already
    assert reason(b, stop(10, Side.BUY)) is RejectReason.HALTED  # a stop that adds: an entry
    assert reason(b, intent(10, Side.SELL)) is RejectReason.HALTED  # a market exit: no


def test_riskgates_own_close_needs_no_mark_and_no_order_size_limit():
    # Right after a restart no mark is known yet; a position may have grown past one order's
    # limits by several fills. Its close goes anyway; a strategy's exit still has the limits.
    b = RiskBook(
        limits=LIMITS,
        instruments={"NSE:INFY": Instrument(tick_size=5, lot_size=1)},
        hours=HOURS,
        state=TradingState.HALTED,
    )
    for n in range(3):
        b.on_fill(fill(100, f"fill{n}"))
    close = OrderIntent(
        client_id="FLAT000001", symbol="NSE:INFY", side=Side.SELL, quantity=300,
        order_type=OrderType.MARKET, market_ns=OPEN_NS,
    )  # fmt: skip
    assert close.quantity > b.limits.max_order_quantity and "NSE:INFY" not in b.marks
    assert b.evaluate(close, own_flatten=True).approved
    b.change(TradingState.ACTIVE, StateSource.OPERATOR, "resumed", OPEN_NS)
    exit_ = msgspec.structs.replace(close, client_id="S1", quantity=b.limits.max_order_quantity)
    assert reason(b, exit_) is RejectReason.INVALID_PRICE  # a strategy's: no price, no value


def test_a_flatten_lets_no_stop_through_only_its_own_closes():
    # A fill that came after the flatten's close was decided: its strategy's stop would rest
    # for a position the close ends, and open a new one when it triggers.
    b = book(TradingState.HALTED)
    b.on_fill(fill(10, "late"))
    b.flattening = True
    assert reason(b, stop(10, Side.SELL)) is RejectReason.HALTED
    assert b.evaluate(intent(10, Side.SELL), own_flatten=True).approved
    b.flattening = False  # flat, or resumed: a halt's stop passes again
    b.on_fill(fill(10, "another"))
    assert reason(b, stop(10, Side.SELL)) is None


def test_a_halt_over_a_reconciliation_difference_lets_no_stop_through():
    # The positions shikra reckons from are the ones in doubt: "reduces" cannot be trusted.
    b = book()
    b.on_fill(fill(10, "earlier"))
    b.change(TradingState.HALTED, StateSource.RECONCILIATION, "positions differ", OPEN_NS)
    assert reason(b, stop(10, Side.SELL)) is RejectReason.HALTED
    reconciling = book(TradingState.RECONCILING)
    reconciling.on_fill(fill(10, "earlier"))
    assert reason(reconciling, stop(10, Side.SELL)) is RejectReason.RECONCILING


def test_reconciling_rejects_new_orders():
    assert reason(book(TradingState.RECONCILING), intent()) is RejectReason.RECONCILING


def test_reducing_lets_only_exposure_reducing_orders_through():
    b = book(TradingState.REDUCING)
    b.on_fill(fill(10, "earlier"))
    assert reason(b, intent(5, Side.BUY)) is RejectReason.REDUCING
    assert reason(b, intent(11, Side.SELL)) is RejectReason.REDUCING  # would flip short
    verdict = b.evaluate(intent(6, Side.SELL))
    assert verdict.approved and verdict.reduces
    # 6 already working to reduce: only 4 more can still reduce.
    assert reason(b, intent(5, Side.SELL)) is RejectReason.REDUCING
    assert reason(b, intent(4, Side.SELL)) is None


def pnl(net: int, drawdown: int = 0) -> PnLUpdate:
    return PnLUpdate(
        realized=net, unrealized=0, charges=0, net=net, peak_net=net + drawdown, drawdown=drawdown
    )


def test_daily_loss_boundary_halts_once():
    b = book()
    assert b.on_pnl(pnl(-4_999_99), OPEN_NS) is None
    assert b.state is TradingState.ACTIVE
    change = b.on_pnl(pnl(-5_000_00), OPEN_NS)
    assert change is not None and change.state is TradingState.HALTED
    assert change.source is StateSource.LIMIT and "max_daily_loss" in change.reason
    assert b.on_pnl(pnl(-6_000_00), OPEN_NS) is None  # already halted: one change only


def test_drawdown_boundary_halts():
    b = book()
    assert b.on_pnl(pnl(1_000_00, drawdown=7_499_99), OPEN_NS) is None
    change = b.on_pnl(pnl(1_000_00, drawdown=7_500_00), OPEN_NS)
    assert change is not None and "max_drawdown" in change.reason


def test_resumed_by_hand_beyond_a_loss_limit_still_rejects_entries_with_the_reason():
    b = book()
    b.on_pnl(pnl(-5_000_00), OPEN_NS)
    b.change(TradingState.ACTIVE, StateSource.OPERATOR, "resume", OPEN_NS)
    assert reason(b, intent()) is RejectReason.MAX_DAILY_LOSS
    b.on_fill(fill(10, "earlier"))
    assert reason(b, intent(10, Side.SELL)) is None  # exits still allowed


def test_operator_state_during_reconciling_applies_after_reconciliation():
    b = book(TradingState.RECONCILING)
    assert b.change(TradingState.HALTED, StateSource.OPERATOR, "halt", OPEN_NS) is None
    assert b.state is TradingState.RECONCILING and b.resume_to is TradingState.HALTED
    change = b.change(b.resume_to, StateSource.RECONCILIATION, "clean", OPEN_NS)
    assert change is not None and change.previous is TradingState.RECONCILING
    assert b.state is TradingState.HALTED


def test_fills_move_positions_and_retire_working_orders():
    b = book()
    i = intent(10)
    b.evaluate(i)
    b.on_fill(fill(4, i.client_id))
    assert b.working[i.client_id].remaining == 6
    b.on_fill(fill(6, i.client_id))
    assert i.client_id not in b.working
    assert b.positions["NSE:INFY"] == 10


# -- a fill counts once; the reconciliation's verdict; a new trading day -----------------------


def test_a_fill_delivered_again_after_a_restart_counts_once():
    b = book()
    again = fill(10, "earlier")
    assert b.on_fill(again) is True
    assert b.on_fill(again) is False
    assert b.positions["NSE:INFY"] == 10


def report(clean: bool, policy: ReconcilePolicy, kinds: tuple[DiffKind, ...] = ()) -> object:
    diffs = tuple(
        PositionDiff(
            symbol="NSE:INFY",
            kind=kind,
            local_quantity=1,
            broker_quantity=2,
            local_open_cost=1,
            broker_open_cost=2,
        )
        for kind in kinds
    )
    return ReconciliationReport(run=1, clean=clean, diffs=diffs, policy=policy)


@pytest.mark.parametrize(
    ("clean", "policy", "after"),
    [
        (True, ReconcilePolicy.ALERT, TradingState.ACTIVE),
        (True, ReconcilePolicy.HALT, TradingState.ACTIVE),
        (True, ReconcilePolicy.ADOPT, TradingState.ACTIVE),
        # alert reports and trades on: it must not be a halt in disguise
        (False, ReconcilePolicy.ALERT, TradingState.ACTIVE),
        (False, ReconcilePolicy.HALT, TradingState.HALTED),
        # adopt that could not adopt: stays reconciling until a clean run
        (False, ReconcilePolicy.ADOPT, TradingState.RECONCILING),
    ],
)
def test_the_start_up_verdict_by_policy(clean, policy, after):
    b = book(TradingState.RECONCILING)
    kinds = () if clean else (DiffKind.QUANTITY_MISMATCH,)
    b.on_reconciliation(report(clean, policy, kinds), OPEN_NS)
    assert b.state is after


def test_the_start_up_verdict_enters_the_journaled_state():
    b = book(TradingState.RECONCILING, resume_to=TradingState.HALTED)
    change = b.on_reconciliation(report(True, ReconcilePolicy.ALERT), OPEN_NS)
    assert change is not None and change.state is TradingState.HALTED
    assert change.source is StateSource.RECONCILIATION


def test_later_a_difference_halts_only_under_halt():
    for policy, after in ((ReconcilePolicy.ALERT, TradingState.ACTIVE),
                          (ReconcilePolicy.ADOPT, TradingState.ACTIVE),
                          (ReconcilePolicy.HALT, TradingState.HALTED)):  # fmt: skip
        b = book()
        b.on_reconciliation(report(False, policy, (DiffKind.MISSING_LOCALLY,)), OPEN_NS)
        assert b.state is after


def _empty_day() -> RiskRestore:
    return RiskRestore(
        positions={"NSE:TCS": 3},
        trade_ids=frozenset(),
        working=(),
        seen_ids=frozenset(),
        resume_to=TradingState.ACTIVE,
        flatten_seq=0,
    )


def test_a_new_day_lifts_a_daily_limits_halt_and_forgets_yesterdays_loss():
    b = book()
    b.on_fill(fill(10, "earlier"))
    halt = b.on_pnl(pnl(-5_000_00), OPEN_NS)
    assert halt is not None and b.state is TradingState.HALTED
    change = b.new_day(_empty_day(), OPEN_NS + 86_400 * 10**9)
    assert change is not None and change.state is TradingState.ACTIVE
    assert change.reason == "a new trading day: daily limits reset"
    assert b.pnl is None and b.positions == {"NSE:TCS": 3}
    assert reason(b, intent()) is None  # trades again, judged by today's loss


def test_a_new_day_keeps_an_operators_halt():
    b = book()
    b.change(TradingState.HALTED, StateSource.OPERATOR, "lunch", OPEN_NS)
    assert b.new_day(_empty_day(), OPEN_NS + 86_400 * 10**9) is None
    assert b.state is TradingState.HALTED


def test_a_restore_keeps_orders_approved_but_not_yet_journaled():
    b = book()
    in_flight = intent(5)
    assert reason(b, in_flight) is None
    b.restore(_empty_day(), in_flight=frozenset({in_flight.client_id}))
    assert in_flight.client_id in b.working and in_flight.client_id in b.seen_ids


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("fill"), st.sampled_from(["A", "B", "C"]), st.integers(-50, 50)),
            st.tuples(st.just("mark"), st.sampled_from(["A", "B", "C"]), st.integers(1, 10**6)),
        ),
        max_size=60,
    )
)
def test_the_running_gross_exposure_is_the_sum_it_stands_for(steps):
    symbols = {s: Instrument(tick_size=1, lot_size=1, multiplier=m) for s, m in
               (("A", 1), ("B", 10), ("C", 1000))}  # fmt: skip
    b = RiskBook(limits=LIMITS, instruments=symbols, hours=HOURS, state=TradingState.ACTIVE)
    for n, (kind, symbol, number) in enumerate(steps):
        if kind == "fill" and number:
            side = Side.BUY if number > 0 else Side.SELL
            b.on_fill(Fill(trade_id=f"X{n}", client_id="c", symbol=symbol, side=side,
                           quantity=abs(number), price=1))  # fmt: skip
        elif kind == "mark":
            b.on_marks({symbol: number}, OPEN_NS)
        expected = sum(
            abs(q) * b.marks.get(s, 0) * symbols[s].multiplier for s, q in b.positions.items()
        )
        assert b.gross_exposure() == expected
