"""PnL and charges of a commodity contract: ``MCX:CRUDEOILM`` as Kite has it (counted in lots of
1, each 10 barrels quoted in ₹/bbl: positions' multiplier 10), beside a share (multiplier 1).
Every expected figure is worked here from the rule: money = price x quantity x multiplier;
charges on that turnover, each component rounded half-up to the paisa."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from core.charges import ChargeCalculator, ChargeRates, ProductRates
from core.pnl import PnLLedger
from messages.orders import Fill, Product, Side

CRUDE = "MCX:CRUDEOILM25DECFUT"
INFY = "NSE:INFY"
ZERO = Decimal(0)
FLAT_TENTH_PERCENT = ProductRates(
    brokerage=Decimal("0.001"), stt_buy=ZERO, stt_sell=ZERO, exchange=ZERO, stamp_buy=ZERO
)
SIMPLE = ChargeRates(
    mis=FLAT_TENTH_PERCENT, nrml=FLAT_TENTH_PERCENT, brokerage_cap=10**12, sebi=ZERO, gst=ZERO
)


def fill(trade_id: str, symbol: str, side: Side, quantity: int, price: int, at: int) -> Fill:
    return Fill(
        trade_id=trade_id, client_id=f"o-{trade_id}", symbol=symbol, side=side,
        quantity=quantity, price=price, product=Product.NRML, at_ns=at,
    )  # fmt: skip


def half_up(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_realized_unrealized_and_charges_of_a_crude_mini_round_trip():
    ledger = PnLLedger(SIMPLE, multipliers={CRUDE: 10})
    # Buy 2 lots at ₹5,400.00/bbl: turnover 540000 x 2 x 10 = 10,800,000 paise; 0.1% = 10800.
    ledger.apply_fill(fill("t1", CRUDE, Side.BUY, 2, 540_000, at=1))
    assert ledger.summary().charges == 10_800
    # Mark ₹5,450.00: unrealized (545000 - 540000) x 2 x 10 = 100,000 paise (₹1,000).
    ledger.mark(CRUDE, 545_000, at_ns=2)
    assert ledger.summary().unrealized == 100_000
    assert ledger.net == 100_000 - 10_800
    # Sell 2 at ₹5,480.00: realized (548000 - 540000) x 2 x 10 = 160,000; charge 10,960.
    ledger.apply_fill(fill("t2", CRUDE, Side.SELL, 2, 548_000, at=3))
    summary = ledger.summary()
    assert (summary.realized, summary.unrealized, summary.charges) == (160_000, 0, 21_760)
    assert summary.net == 160_000 - 21_760
    assert (summary.trades, summary.wins) == (1, 1)
    [figures] = summary.symbols
    assert (figures.realized, figures.charges, figures.quantity) == (160_000, 21_760, 0)


def test_the_book_stays_in_price_times_quantity_for_reconciliation():
    """What is compared with the broker's average price x quantity is not multiplied."""
    ledger = PnLLedger(SIMPLE, multipliers={CRUDE: 10})
    ledger.apply_fill(fill("t1", CRUDE, Side.BUY, 2, 540_000, at=1))
    assert ledger.snapshot() == {CRUDE: (2, 1_080_000)}
    assert ledger.position(CRUDE).open_cost == 1_080_000


def test_a_short_loses_with_the_multiplier_and_other_symbols_keep_theirs():
    ledger = PnLLedger(SIMPLE, multipliers={CRUDE: 10})
    ledger.apply_fill(fill("t1", CRUDE, Side.SELL, 1, 540_000, at=1))  # charge 5,400
    ledger.apply_fill(fill("t2", INFY, Side.BUY, 10, 150_000, at=2))  # charge 1,500
    ledger.mark(CRUDE, 541_000, at_ns=3)  # ₹10/bbl against the short: -10 x 100 x 1 x 10
    ledger.mark(INFY, 150_500, at_ns=4)  # +500 x 10, no multiplier
    crude, infy = ledger.symbol_pnl(CRUDE), ledger.symbol_pnl(INFY)
    assert (crude.unrealized, crude.charges) == (-10_000, 5_400)
    assert (infy.unrealized, infy.charges) == (5_000, 1_500)
    assert ledger.net == -10_000 + 5_000 - 5_400 - 1_500


def test_a_round_trip_loss_is_multiplied_before_its_charges_are_taken():
    ledger = PnLLedger(SIMPLE, multipliers={CRUDE: 10})
    ledger.apply_fill(fill("t1", CRUDE, Side.BUY, 1, 540_000, at=1))  # charge 5,400
    ledger.apply_fill(fill("t2", CRUDE, Side.SELL, 1, 540_300, at=2))  # charge 5,403
    # Gross +300 x 1 x 10 = 3,000, less 10,803 of charges: a trade losing 7,803.
    ledger.apply_fill(fill("t3", CRUDE, Side.BUY, 1, 540_000, at=3))  # charge 5,400
    ledger.apply_fill(fill("t4", CRUDE, Side.SELL, 1, 542_000, at=4))  # charge 5,420
    # Gross +2,000 x 1 x 10 = 20,000, less 10,820: a trade winning 9,180.
    summary = ledger.summary()
    assert (summary.realized, summary.charges) == (23_000, 21_623)
    assert (summary.trades, summary.wins, summary.losses) == (2, 1, 1)
    assert summary.profit_factor == Fraction(9_180, 7_803)


def test_charges_are_on_the_multiplied_turnover():
    """Real NRML-futures-style rates: the brokerage cap (₹20 an order) binds only because the
    turnover is multiplied (₹1,08,000 x 0.03% = ₹32.40; without it, ₹10,800 x 0.03% = ₹3.24)."""
    rates = ProductRates(
        brokerage=Decimal("0.0003"),
        stt_buy=ZERO,
        stt_sell=Decimal("0.0001"),
        exchange=Decimal("0.000021"),
        stamp_buy=Decimal("0.00002"),
    )
    calculator = ChargeCalculator(ChargeRates(nrml=rates))
    sold = fill("t1", CRUDE, Side.SELL, 2, 540_000, at=1)
    charges = calculator.charge(sold, multiplier=10)
    turnover = Decimal(540_000 * 2 * 10)
    brokerage = min(half_up(turnover * Decimal("0.0003")), 2000)
    exchange = half_up(turnover * Decimal("0.000021"))
    sebi = half_up(turnover * Decimal("0.000001"))
    assert brokerage == 2000
    assert charges.brokerage == brokerage
    assert charges.stt == half_up(turnover * Decimal("0.0001"))
    assert charges.exchange == exchange
    assert charges.sebi == sebi
    assert charges.stamp == 0
    assert charges.gst == half_up(Decimal(brokerage + exchange + sebi) * Decimal("0.18"))


@pytest.mark.parametrize("bad", [0, -10, 2.5])
def test_a_multiplier_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="multiplier"):
        ChargeCalculator(SIMPLE).charge(fill("t1", CRUDE, Side.BUY, 1, 1, at=1), bad)
    with pytest.raises(ValueError, match="multiplier"):
        PnLLedger(SIMPLE, multipliers={CRUDE: bad})
