"""Round trips from fills: flat to flat per symbol, exact paise, FIFO through a flip."""

from __future__ import annotations

from journal.trades import RoundTrip, round_trips
from messages.orders import Fill, Side

N = 0


def _fill(symbol: str, side: Side, quantity: int, price: int, at_ns: int) -> Fill:
    global N
    N += 1
    return Fill(trade_id=f"T{N}", client_id="c", symbol=symbol, side=side,
                quantity=quantity, price=price, at_ns=at_ns)  # fmt: skip


def test_a_long_closed_in_two_partial_fills_is_one_trip():
    trips = round_trips([
        _fill("NSE:INFY", Side.BUY, 10, 150_000, 1),
        _fill("NSE:INFY", Side.SELL, 4, 151_050, 2),
        _fill("NSE:INFY", Side.SELL, 6, 150_995, 3),
    ])  # fmt: skip
    assert trips == [RoundTrip("NSE:INFY", Side.BUY, 10, 1, 3, 1_500_000, 1_510_170, 3)]
    assert trips[0].gross_pnl == 4 * 1_050 + 6 * 995  # 10170 paise


def test_a_short_trip_gains_when_bought_back_lower_and_loses_when_higher():
    [loss] = round_trips([
        _fill("NSE:SBIN", Side.SELL, 5, 80_005, 1),
        _fill("NSE:SBIN", Side.BUY, 5, 80_010, 2),
    ])  # fmt: skip
    assert loss.gross_pnl == -25


def test_a_fill_through_zero_closes_one_trip_and_opens_the_next_at_its_price():
    trips = round_trips([
        _fill("NSE:TCS", Side.BUY, 10, 100, 1),
        _fill("NSE:TCS", Side.SELL, 15, 110, 2),  # closes 10 long, opens 5 short
        _fill("NSE:TCS", Side.BUY, 5, 105, 3),
    ])  # fmt: skip
    assert trips == [
        RoundTrip("NSE:TCS", Side.BUY, 10, 1, 2, 1_000, 1_100, 2),
        RoundTrip("NSE:TCS", Side.SELL, 5, 2, 3, 550, 525, 2),
    ]
    assert [t.gross_pnl for t in trips] == [100, 25]


def test_symbols_are_independent_and_an_open_position_is_not_a_trip():
    trips = round_trips([
        _fill("NSE:A", Side.BUY, 1, 100, 1),
        _fill("NSE:B", Side.BUY, 2, 200, 2),
        _fill("NSE:A", Side.BUY, 1, 102, 3),
        _fill("NSE:B", Side.SELL, 2, 190, 4),
        _fill("NSE:A", Side.SELL, 1, 105, 5),  # A still long 1: no trip yet
    ])  # fmt: skip
    assert trips == [RoundTrip("NSE:B", Side.BUY, 2, 2, 4, 400, 380, 2)]
    assert trips[0].gross_pnl == -20
