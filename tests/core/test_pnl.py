"""The PnL ledger over hand-worked days. Charges here use a simple rate (brokerage 0.1% of
turnover, no cap, nothing else) so each fill's charge can be worked in one line; the real rates
are tested in test_charges.py."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.charges import ChargeRates, ProductRates
from core.pnl import PnLLedger
from messages.orders import Fill, Product, Side
from messages.portfolio import PnLUpdate, SymbolPnL

A = "NSE:AAA"
B = "NSE:BBB"
ZERO = Decimal(0)


def simple_rates(brokerage: str = "0.001") -> ChargeRates:
    flat = ProductRates(
        brokerage=Decimal(brokerage), stt_buy=ZERO, stt_sell=ZERO, exchange=ZERO, stamp_buy=ZERO
    )
    return ChargeRates(mis=flat, cnc=flat, brokerage_cap=10**12, sebi=ZERO, gst=ZERO)


def fill(trade_id: str, symbol: str, side: Side, quantity: int, price: int, at_ns: int) -> Fill:
    return Fill(
        trade_id=trade_id,
        client_id=f"order-{trade_id}",
        symbol=symbol,
        side=side,
        quantity=quantity,
        price=price,
        at_ns=at_ns,
    )


def hand_worked_day() -> PnLLedger:
    ledger = PnLLedger(simple_rates())
    # 1: buy 100 A @ 10000; charge 0.001*1,000,000 = 1000; no mark yet -> net -1000
    ledger.apply_fill(fill("t1", A, Side.BUY, 100, 10000, at_ns=1))
    # 2: mark A 10100: unrealized 10100*100 - 1,000,000 = 10000; net 10000 - 1000 = 9000 (peak)
    ledger.mark(A, 10100, at_ns=2)
    # 3: sell 100 A @ 10050; charge 1005; realized 50*100 = 5000; net 5000 - 2005 = 2995
    #    round trip A1: 5000 - 1000 - 1005 = 2995 (win)
    ledger.apply_fill(fill("t2", A, Side.SELL, 100, 10050, at_ns=3))
    # 4: buy 50 B @ 20000; charge 1000; net 2995 - 1000 = 1995
    ledger.apply_fill(fill("t3", B, Side.BUY, 50, 20000, at_ns=4))
    # 5: sell 50 B @ 20010; charge 0.001*1,000,500 = 1000.5 -> 1001; realized 10*50 = 500
    #    round trip B1: 500 - 1000 - 1001 = -1501 (a loss although gross positive)
    #    net 5500 - 4006 = 1494
    ledger.apply_fill(fill("t4", B, Side.SELL, 50, 20010, at_ns=5))
    # 6: short 10 A @ 10000; charge 100; latest A mark is still 10100:
    #    unrealized 10100*(-10) - (-100000) = -1000; net 5500 - 1000 - 4106 = 394 (max drawdown)
    ledger.apply_fill(fill("t5", A, Side.SELL, 10, 10000, at_ns=6))
    # 7: cover 10 A @ 9900; charge 99; realized (9900-10000)*10*(-1) = 1000
    #    round trip A2: 1000 - 100 - 99 = 801 (win); net 6500 - 4205 = 2295
    ledger.apply_fill(fill("t6", A, Side.BUY, 10, 9900, at_ns=7))
    return ledger


def test_hand_worked_day_summary():
    summary = hand_worked_day().summary()
    assert summary.realized == 6500  # 5000 + 500 + 1000
    assert summary.unrealized == 0
    assert summary.charges == 4205  # 1000 + 1005 + 1000 + 1001 + 100 + 99
    assert summary.net == 2295
    assert summary.peak_net == 9000
    assert summary.drawdown == 6705  # 9000 - 2295
    assert summary.max_drawdown == 8606  # 9000 - 394, after fill 6
    assert summary.trades == 3
    assert (summary.wins, summary.losses) == (2, 1)
    assert summary.win_rate == Fraction(2, 3)
    assert summary.profit_factor == Fraction(2995 + 801, 1501)
    assert summary.equity_curve == (
        (1, -1000),
        (2, 9000),
        (3, 2995),
        (4, 1995),
        (5, 1494),
        (6, 394),
        (7, 2295),
    )
    assert summary.symbols == (
        # A: realized 5000 + 1000; charges 1000 + 1005 + 100 + 99
        SymbolPnL(symbol=A, realized=6000, unrealized=0, charges=2204, quantity=0),
        SymbolPnL(symbol=B, realized=500, unrealized=0, charges=2001, quantity=0),
    )


def test_to_update_carries_the_summary():
    update = hand_worked_day().to_update(at_ns=99)
    assert update == PnLUpdate(
        realized=6500,
        unrealized=0,
        charges=4205,
        net=2295,
        peak_net=9000,
        drawdown=6705,
        trades=3,
        symbols=(
            SymbolPnL(symbol=A, realized=6000, unrealized=0, charges=2204, quantity=0),
            SymbolPnL(symbol=B, realized=500, unrealized=0, charges=2001, quantity=0),
        ),
        at_ns=99,
    )


def test_peak_starts_at_zero_so_a_first_losing_step_is_a_drawdown():
    ledger = PnLLedger(simple_rates())
    ledger.apply_fill(fill("t1", A, Side.BUY, 100, 10000, at_ns=1))  # charge 1000
    summary = ledger.summary()
    assert (summary.net, summary.peak_net, summary.drawdown) == (-1000, 0, 1000)
    assert (summary.win_rate, summary.profit_factor, summary.trades) == (None, None, 0)


def test_an_unmarked_position_counts_at_cost_and_a_mark_that_changes_nothing_adds_no_point():
    ledger = PnLLedger(simple_rates("0"))
    ledger.apply_fill(fill("t1", A, Side.BUY, 10, 10000, at_ns=1))
    assert ledger.summary().unrealized == 0  # no mark yet: valued at its average cost
    ledger.mark(B, 5000, at_ns=2)  # no position in B: net unchanged
    ledger.mark(A, 10000, at_ns=3)  # at cost: 10000*10 - 100000 = 0, net unchanged
    ledger.mark(A, 10020, at_ns=4)  # 10020*10 - 100000 = 200
    summary = ledger.summary()
    assert summary.unrealized == 200
    assert summary.equity_curve == ((1, 0), (4, 200))
    assert summary.symbols[0].unrealized == 200


def test_a_mark_moves_peak_and_drawdown():
    ledger = PnLLedger(simple_rates("0"))
    ledger.apply_fill(fill("t1", A, Side.SELL, 10, 10000, at_ns=1))
    ledger.mark(A, 9900, at_ns=2)  # short: 9900*(-10) + 100000 = 1000
    ledger.mark(A, 10050, at_ns=3)  # 10050*(-10) + 100000 = -500
    summary = ledger.summary()
    assert (summary.peak_net, summary.net, summary.drawdown) == (1000, -500, 1500)
    assert summary.max_drawdown == 1500


def test_a_duplicate_fill_is_neither_booked_nor_charged():
    ledger = PnLLedger(simple_rates())
    ledger.apply_fill(fill("t1", A, Side.BUY, 100, 10000, at_ns=1))  # charge 1000
    again = ledger.apply_fill(fill("t1", A, Side.BUY, 100, 10000, at_ns=2))
    assert again.outcome.duplicate
    assert again.charges.total == 0
    summary = ledger.summary()
    assert summary.charges == 1000
    assert ledger.position(A).quantity == 100
    assert summary.equity_curve == ((1, -1000),)


def test_a_flipping_fill_splits_its_charges_between_two_round_trips():
    ledger = PnLLedger(simple_rates())
    ledger.apply_fill(fill("t1", A, Side.BUY, 10, 10000, at_ns=1))  # charge 100
    # sell 30 @ 10100: charge 303; closing share 303*10//30 = 101, the new short gets 202
    # round trip 1: (10100-10000)*10 - 100 - 101 = 799 (win)
    ledger.apply_fill(fill("t2", A, Side.SELL, 30, 10100, at_ns=2))
    # buy 20 @ 10200: charge 204; (10200-10100)*20*(-1) = -2000
    # round trip 2: -2000 - 202 - 204 = -2406 (loss)
    ledger.apply_fill(fill("t3", A, Side.BUY, 20, 10200, at_ns=3))
    summary = ledger.summary()
    assert (summary.trades, summary.wins, summary.losses) == (2, 1, 1)
    assert summary.profit_factor == Fraction(799, 2406)
    assert summary.charges == 607  # 100 + 303 + 204: nothing lost in the split


def test_the_equity_curve_keeps_only_the_newest_points_but_peak_survives():
    ledger = PnLLedger(simple_rates("0"), max_curve_points=2)
    ledger.apply_fill(fill("t1", A, Side.BUY, 1, 10000, at_ns=1))
    ledger.apply_fill(fill("t2", A, Side.SELL, 1, 10500, at_ns=2))  # net 500: the peak
    ledger.apply_fill(fill("t3", A, Side.BUY, 1, 10000, at_ns=3))
    ledger.apply_fill(fill("t4", A, Side.SELL, 1, 9800, at_ns=4))  # net 500 - 200 = 300
    summary = ledger.summary()
    assert summary.equity_curve == ((3, 500), (4, 300))
    assert (summary.peak_net, summary.drawdown) == (500, 200)


def test_an_uncharged_product_is_refused_before_it_is_booked():
    ledger = PnLLedger(simple_rates())
    nrml = Fill(
        trade_id="t1",
        client_id="o1",
        symbol=A,
        side=Side.BUY,
        quantity=1,
        price=100,
        product=Product.NRML,
    )
    with pytest.raises(ValueError, match="NRML"):
        ledger.apply_fill(nrml)
    assert ledger.position(A).quantity == 0
    assert ledger.summary().equity_curve == ()


def test_snapshot_feeds_reconciliation():
    ledger = PnLLedger(simple_rates())
    ledger.apply_fill(fill("t1", A, Side.BUY, 3, 10000, at_ns=1))
    assert ledger.snapshot() == {A: (3, 30000)}


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("fill"),
            st.sampled_from([A, B]),
            st.sampled_from(Side),
            st.integers(1, 1000),
            st.integers(1, 10**7),
        ),
        st.tuples(st.just("mark"), st.sampled_from([A, B]), st.integers(1, 10**7)),
    ),
    max_size=40,
)


@settings(deadline=None)
@given(steps=steps, first_marks=st.tuples(st.integers(1, 10**7), st.integers(1, 10**7)))
def test_net_is_the_cash_flow_plus_positions_at_their_marks(steps, first_marks):
    ledger = PnLLedger(simple_rates("0"))
    marks = dict(zip([A, B], first_marks, strict=True))
    for symbol, price in marks.items():
        ledger.mark(symbol, price, at_ns=0)
    cash = 0
    quantities = {A: 0, B: 0}
    for number, step in enumerate(steps):
        if step[0] == "fill":
            _, symbol, side, size, price = step
            ledger.apply_fill(fill(f"t{number}", symbol, side, size, price, at_ns=number))
            cash -= side.sign * size * price
            quantities[symbol] += side.sign * size
        else:
            _, symbol, price = step
            ledger.mark(symbol, price, at_ns=number)
            marks[symbol] = price
        summary = ledger.summary()
        assert summary.net == cash + sum(marks[s] * quantities[s] for s in (A, B))
        assert summary.peak_net >= max(0, summary.net)
        assert summary.max_drawdown >= summary.drawdown == summary.peak_net - summary.net
