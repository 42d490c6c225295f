"""The recovery model, pure: what each actor knows after a start is a function of the journal's
records for the trading day — the same records give the same state, whether the stop was
clean or a kill. Expected figures are worked out by hand in each test."""

from __future__ import annotations

import datetime

from core.pnl import PnLLedger
from core.records import OrderRecord, StateRecord
from core.recovery import (
    carried_quantities,
    local_positions,
    restore_pnl,
    restore_risk,
    restore_router,
    restore_strategy,
    resume_state,
    since_flat,
)
from messages import (
    Fill,
    OrderStatus,
    OrderType,
    Product,
    Side,
    StateSource,
    TradingState,
    TradingStateChanged,
)

FRI = datetime.date(2026, 11, 27)
MON = datetime.date(2026, 11, 30)
INFY, ITC = "NSE:INFY", "NSE:ITC"


def fill(trade_id: str, symbol: str, side: Side, qty: int, price: int, product: Product,
         client_id: str = "S1") -> Fill:  # fmt: skip
    return Fill(trade_id=trade_id, client_id=client_id, symbol=symbol, side=side, quantity=qty,
                price=price, product=product)  # fmt: skip


def order(client_id: str, day: datetime.date, status: OrderStatus, *, qty: int = 10,
          filled: int = 0, symbol: str = INFY) -> OrderRecord:  # fmt: skip
    return OrderRecord(
        client_id=client_id, symbol=symbol, side=Side.BUY, quantity=qty,
        order_type=OrderType.MARKET, limit_price=None, trigger_price=None, product=Product.MIS,
        status=status, broker_order_id=None if status is OrderStatus.NEW else f"B{client_id}",
        filled_quantity=filled, reason="", created_ns=0, updated_ns=0, day=day,
    )  # fmt: skip


def state(s: TradingState, source: StateSource, day: datetime.date) -> StateRecord:
    change = TradingStateChanged(state=s, previous=TradingState.ACTIVE, source=source, reason="r")
    return StateRecord(change=change, day=day)


# Friday: INFY MIS bought 10 (left open: the broker squares it off), ITC CNC bought 20, sold 5.
FRIDAY_CARRIED = [  # what the journal returns for "carried products before Monday"
    fill("T2", ITC, Side.BUY, 20, 40_000, Product.CNC),
    fill("T3", ITC, Side.SELL, 5, 40_500, Product.CNC),
]


def test_carried_positions_are_the_carried_products_net_and_mis_never_carries():
    assert carried_quantities(FRIDAY_CARRIED) == {ITC: 15}
    # Even handed MIS fills (the journal never should), they do not carry.
    assert carried_quantities([fill("T1", INFY, Side.BUY, 10, 150_000, Product.MIS)]) == {}


def test_local_positions_are_exact_fifo_per_symbol_and_product():
    monday = [
        fill("T4", INFY, Side.SELL, 4, 151_000, Product.MIS),
        fill("T5", ITC, Side.SELL, 10, 41_000, Product.CNC),
    ]
    # ITC: 20@400.00 in, 5 out (FIFO leaves 15@400.00), 10 out: 5@400.00 = 200000 paise.
    assert local_positions(FRIDAY_CARRIED, monday) == {
        (INFY, Product.MIS): (-4, -604_000),
        (ITC, Product.CNC): (5, 200_000),
    }


def test_since_flat_keeps_the_fills_of_the_open_position_only():
    fills = [
        fill("a", ITC, Side.BUY, 10, 1, Product.CNC),
        fill("b", ITC, Side.SELL, 10, 2, Product.CNC),  # flat here
        fill("c", ITC, Side.BUY, 5, 3, Product.CNC),
        fill("d", ITC, Side.BUY, 5, 4, Product.CNC),
    ]
    assert [f.trade_id for f in since_flat(fills)] == ["c", "d"]
    assert since_flat(fills[:2]) == []


def test_risk_restore_counts_the_day_and_what_was_carried_and_forgets_old_orders():
    day_fills = [fill("T4", INFY, Side.BUY, 4, 150_000, Product.MIS, client_id="M1")]
    restored = restore_risk(
        MON,
        FRIDAY_CARRIED,
        day_fills,
        [order("M1", MON, OrderStatus.PARTIALLY_FILLED, filled=4)],
        [
            order("F9", FRI, OrderStatus.OPEN),
            order("M1", MON, OrderStatus.PARTIALLY_FILLED, filled=4),
        ],
        last_state=None,
        flatten_seq=12,
    )
    assert restored.positions == {ITC: 15, INFY: 4}
    assert restored.trade_ids == {"T4"}
    assert [(w.client_id, w.remaining) for w in restored.working] == [("M1", 6)]
    assert restored.seen_ids == {"M1"}
    assert restored.flatten_seq == 12
    assert restored.resume_to is TradingState.ACTIVE


def test_a_daily_limits_halt_ends_with_its_day_an_operators_does_not():
    limit_friday = state(TradingState.HALTED, StateSource.LIMIT, FRI)
    assert resume_state(limit_friday, FRI) is TradingState.HALTED  # a restart the same day
    assert resume_state(limit_friday, MON) is TradingState.ACTIVE
    for source in (StateSource.OPERATOR, StateSource.BROKER, StateSource.RECONCILIATION):
        assert resume_state(state(TradingState.HALTED, source, FRI), MON) is TradingState.HALTED
    reducing = state(TradingState.REDUCING, StateSource.OPERATOR, FRI)
    assert resume_state(reducing, MON) is TradingState.REDUCING
    assert resume_state(state(TradingState.ACTIVE, StateSource.OPERATOR, FRI), MON) is (
        TradingState.ACTIVE
    )
    assert resume_state(None, MON) is TradingState.ACTIVE


def test_router_restore_looks_up_todays_orders_and_ends_earlier_days():
    open_orders = [
        order("F1", FRI, OrderStatus.OPEN),
        order("M1", MON, OrderStatus.NEW),
        order("M2", MON, OrderStatus.PARTIALLY_FILLED, filled=3),
    ]
    fills = [fill("T7", INFY, Side.BUY, 3, 150_000, Product.MIS, client_id="M2")]
    restored = restore_router(MON, open_orders, fills, sent_today=17)
    assert restored.look_up == ("M1", "M2")
    assert [o.client_id for o in restored.expired] == ["F1"]
    assert restored.sent_today == 17
    m2 = restored.book.get("M2")
    assert m2 is not None and m2.status is OrderStatus.PARTIALLY_FILLED and m2.filled_quantity == 3
    assert "F1" not in restored.book


def test_strategy_restore_is_its_carried_position_since_flat_then_the_day():
    carried = [
        fill("a", ITC, Side.BUY, 10, 39_000, Product.CNC),
        fill("b", ITC, Side.SELL, 10, 39_500, Product.CNC),
        *FRIDAY_CARRIED,
    ]
    day = [
        fill("T5", ITC, Side.SELL, 10, 41_000, Product.CNC),
        fill("x", INFY, Side.BUY, 1, 1, Product.MIS),
    ]
    working_today = [order("M3", MON, OrderStatus.OPEN, symbol=ITC)]
    restored = restore_strategy(MON, ITC, carried, day, working_today)
    assert [f.trade_id for f in restored.fills] == ["T2", "T3", "T5"]
    assert restored.pending_client_id == "M3"
    # Friday's order still open is not waited on: it ended with its day.
    working_friday = [order("F3", FRI, OrderStatus.OPEN, symbol=ITC)]
    assert restore_strategy(MON, ITC, carried, day, working_friday).pending_client_id is None


def test_the_pnl_of_a_day_starts_at_zero_with_carried_positions_at_their_reference():
    day = [fill("T5", ITC, Side.SELL, 10, 41_000, Product.CNC)]
    # Journaled reference 405.00 for the 15 ITC carried in: selling 10 at 410.00 realizes
    # 10 x 500 = 5000 paise; the 5 left are worth 0 until a mark (valued at the reference).
    ledger = restore_pnl(PnLLedger(), FRIDAY_CARRIED, {ITC: 40_500}, day)
    summary = ledger.summary()
    assert summary.realized == 5_000
    assert ledger.position(ITC).quantity == 5
    assert ledger.take_carry_references() == []  # the reference came from the journal
    ledger.mark(ITC, 40_400, at_ns=1)
    assert ledger.summary().unrealized == 5 * (40_400 - 40_500)


def test_without_a_journaled_reference_the_first_price_of_the_day_becomes_it():
    ledger = restore_pnl(PnLLedger(), FRIDAY_CARRIED, {}, [])
    assert ledger.summary().net == 0
    ledger.mark(ITC, 41_200, at_ns=1)
    assert ledger.take_carry_references() == [(ITC, 41_200)]  # to be journaled, once
    assert ledger.summary().net == 0  # valued from it: the day starts at zero
    ledger.mark(ITC, 41_300, at_ns=2)
    assert ledger.summary().unrealized == 15 * 100
    assert ledger.take_carry_references() == []


def test_an_order_whose_journaled_fills_passed_its_status_is_caught_up_not_looked_up():
    # Killed after its last fill was journaled and before its FILLED status was.
    behind = order("M4", MON, OrderStatus.PARTIALLY_FILLED, qty=6, filled=5)
    fills = [
        fill("a", INFY, Side.BUY, 3, 150_000, Product.MIS, client_id="M4"),
        fill("b", INFY, Side.BUY, 2, 150_000, Product.MIS, client_id="M4"),
        fill("c", INFY, Side.BUY, 1, 150_000, Product.MIS, client_id="M4"),
    ]
    restored = restore_router(MON, [behind, order("M5", MON, OrderStatus.OPEN)], fills, 2)
    assert restored.caught_up == ("M4",)
    assert restored.look_up == ("M5",)  # a filled order has nothing left to ask
    m4 = restored.book.get("M4")
    assert m4 is not None and m4.status is OrderStatus.FILLED and m4.filled_quantity == 6
