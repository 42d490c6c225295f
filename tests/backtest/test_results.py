"""The results of a run from its fills, against figures worked out by hand: trades flat to
flat (a fill through zero closes one and opens the next), each with its share of its fills'
charges (to the paisa, adding up to the fills' own), its exit reason from the closing order's
intent; and per symbol and in total the wins, losses, profit factor, average trade, max
drawdown and exposure."""

from __future__ import annotations

from fractions import Fraction

from backtest.results import exit_reason, max_drawdown, table, trades_from
from messages.orders import Fill, Side

S = 1_000_000_000
T0 = 1_795_146_300 * S  # 2026-11-20 09:15 IST


def fill(trade_id: str, client_id: str, symbol: str, side: Side, qty: int, price: int, at_s: int):
    return Fill(trade_id=trade_id, client_id=client_id, symbol=symbol, side=side, quantity=qty,
                price=price, at_ns=T0 + at_s * S)  # fmt: skip


FILLS = [
    fill("T1", "E1", "NSE:INFY", Side.BUY, 10, 100_000, 0),  # long 10 @ 1000.00
    fill("T2", "X1", "NSE:INFY", Side.SELL, 10, 101_000, 60),  # +10,000 gross
    fill("T3", "E2", "NSE:TCS", Side.SELL, 5, 200_000, 30),  # short 5 @ 2000.00
    fill("T4", "X2", "NSE:TCS", Side.BUY, 5, 198_000, 90),  # +10,000 gross
    fill("T5", "E3", "NSE:INFY", Side.BUY, 10, 100_000, 120),  # long 10 @ 1000.00
    fill("T6", "X3", "NSE:INFY", Side.SELL, 15, 99_000, 180),  # -10,000; opens short 5 @ 990
    fill("T7", "X4", "NSE:INFY", Side.BUY, 5, 100_000, 240),  # -5,000
]
CHARGES = {"T1": 10, "T2": 12, "T3": 7, "T4": 9, "T5": 11, "T6": 31, "T7": 4}
REASONS = {
    "X1": "exit: take_profit",
    "X2": "stop: stop_loss",
    "X3": "exit: ema_cross short",
    "X4": "square-off",
}


def test_trades_flat_to_flat_with_their_share_of_charges_and_exit_reasons():
    trades = trades_from(FILLS, CHARGES, REASONS)
    got = [(t.symbol, t.side, t.quantity, t.gross, t.charges, t.net, t.exit_reason) for t in trades]
    assert got == [
        ("NSE:INFY", Side.BUY, 10, 10_000, 22, 9_978, "take_profit"),
        ("NSE:TCS", Side.SELL, 5, 10_000, 16, 9_984, "stop_loss (venue stop)"),
        # T6 is 15 units: 10 close this trade (31 x 10 // 15 = 20 paise), 5 open the next (11).
        ("NSE:INFY", Side.BUY, 10, -10_000, 11 + 20, -10_031, "ema_cross short"),
        ("NSE:INFY", Side.SELL, 5, -5_000, 11 + 4, -5_015, "square-off"),
    ]
    assert sum(t.charges for t in trades) == sum(CHARGES.values())  # every paisa, once
    short = trades[3]
    assert (short.entry_price, short.exit_price) == (Fraction(99_000), Fraction(100_000))
    assert (short.entry_ns - T0, short.exit_ns - T0) == (180 * S, 240 * S)


def test_the_figures_per_symbol_and_in_total():
    rows = table(trades_from(FILLS, CHARGES, REASONS))
    assert [row.name for row in rows] == ["NSE:INFY", "NSE:TCS", "TOTAL"]
    infy, tcs, total = rows
    assert (infy.trades, infy.wins, infy.losses, infy.net) == (3, 1, 2, 9_978 - 10_031 - 5_015)
    assert infy.profit_factor == Fraction(9_978, 10_031 + 5_015)
    assert infy.average_trade == round(Fraction(9_978 - 10_031 - 5_015, 3))
    # INFY's equity: 9,978 -> -53 -> -5,068: the fall from the 9,978 peak.
    assert infy.max_drawdown == 9_978 + 5_068
    assert infy.exposure_seconds == 60 + 60 + 60  # 0-60, 120-180, 180-240
    assert tcs.profit_factor is None and tcs.win_rate == 1  # no loss: no factor
    assert total.trades == 4 and total.net == infy.net + tcs.net
    assert total.gross == 5_000 and total.charges == 22 + 16 + 31 + 15
    # In the order they closed: +9,978 (60 s), +9,984 (90 s), -10,031, -5,015.
    assert total.max_drawdown == 10_031 + 5_015
    assert total.exposure_seconds == 90 + 120  # 0-90 (INFY and TCS overlap), 120-240
    assert total.win_rate == Fraction(1, 2)


def test_an_open_position_at_the_end_is_not_a_trade():
    trades = trades_from(FILLS[:1], CHARGES, REASONS)
    assert trades == [] and table(trades)[-1].trades == 0


def test_drawdown_and_reasons_at_their_edges():
    assert max_drawdown([]) == 0 and max_drawdown([-5, 3]) == 5 and max_drawdown([5, 3]) == 0
    assert exit_reason("") == "unknown" and exit_reason("flatten: eod") == "flatten: eod"
