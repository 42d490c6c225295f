"""FIFO position accounting: every expected figure is worked by hand in the test (the arithmetic
is in the comment beside it), never taken from the code under test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.positions import Lot, PositionBook
from messages.orders import Fill, Side

INFY = "NSE:INFY"
TCS = "NSE:TCS"


def fill(trade_id: str, side: Side, quantity: int, price: int, symbol: str = INFY) -> Fill:
    return Fill(
        trade_id=trade_id,
        client_id=f"order-{trade_id}",
        symbol=symbol,
        side=side,
        quantity=quantity,
        price=price,
    )


def test_buys_open_lots_with_exact_open_cost():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10005))
    outcome = book.apply(fill("t2", Side.BUY, 5, 10010))
    # open_cost = 10*10005 + 5*10010 = 100050 + 50050 = 150100
    assert outcome.realized == 0
    assert outcome.position.quantity == 15
    assert outcome.position.open_cost == 150100
    assert outcome.position.lots == (Lot(10005, 10), Lot(10010, 5))
    assert not outcome.round_trip_closed
    assert outcome.round_trip_realized is None


def test_partial_close_realizes_oldest_lots_first():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10005))
    book.apply(fill("t2", Side.BUY, 5, 10010))
    outcome = book.apply(fill("t3", Side.SELL, 12, 10050))
    # closes all 10 of lot 1 and 2 of lot 2: (10050-10005)*10 + (10050-10010)*2 = 450 + 80 = 530
    assert outcome.realized == 530
    assert outcome.closed_quantity == 12
    assert outcome.opened_quantity == 0
    # left: 3 @ 10010 -> open_cost 30030
    assert outcome.position.quantity == 3
    assert outcome.position.open_cost == 30030
    assert outcome.position.lots == (Lot(10010, 3),)
    assert outcome.position.realized == 530
    assert not outcome.round_trip_closed


def test_closing_to_flat_reports_the_round_trip_gross_realized():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10005))
    book.apply(fill("t2", Side.BUY, 5, 10010))
    book.apply(fill("t3", Side.SELL, 12, 10050))  # realized 530 (see above)
    outcome = book.apply(fill("t4", Side.SELL, 3, 9990))
    # (9990-10010)*3 = -60; round trip = 530 - 60 = 470
    assert outcome.realized == -60
    assert outcome.round_trip_closed
    assert outcome.round_trip_realized == 470
    assert outcome.position.quantity == 0
    assert outcome.position.open_cost == 0
    assert outcome.position.lots == ()
    assert book.realized() == 470


def test_fifo_not_average_cost():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 1, 10001))
    book.apply(fill("t2", Side.BUY, 2, 10000))
    # avg would be 30001/3 = 10000.33..; it is derived, never stored rounded
    assert book.position(INFY).open_cost == 30001
    outcome = book.apply(fill("t3", Side.SELL, 1, 10000))
    # FIFO closes the 10001 lot: (10000-10001)*1 = -1 (an average-cost book would say -1/3)
    assert outcome.realized == -1
    assert book.position(INFY).open_cost == 20000


def test_short_then_cover_in_two_parts():
    book = PositionBook()
    opened = book.apply(fill("t1", Side.SELL, 20, 50000))
    # a short's open_cost is negative: -20*50000 = -1000000
    assert opened.position.quantity == -20
    assert opened.position.open_cost == -1000000
    first = book.apply(fill("t2", Side.BUY, 5, 49000))
    # (49000-50000)*5*(-1) = 5000
    assert first.realized == 5000
    assert first.position.quantity == -15
    assert first.position.open_cost == -750000  # -15*50000
    second = book.apply(fill("t3", Side.BUY, 15, 50200))
    # (50200-50000)*15*(-1) = -3000; round trip = 5000 - 3000 = 2000
    assert second.realized == -3000
    assert second.round_trip_closed
    assert second.round_trip_realized == 2000


def test_flip_long_to_short_closes_one_round_trip_and_opens_the_next():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10000))
    flip = book.apply(fill("t2", Side.SELL, 25, 10100))
    # closes 10: (10100-10000)*10 = 1000; opens a short of 15 @ 10100: open_cost -151500
    assert flip.realized == 1000
    assert (flip.closed_quantity, flip.opened_quantity) == (10, 15)
    assert flip.round_trip_closed
    assert flip.round_trip_realized == 1000
    assert flip.position.quantity == -15
    assert flip.position.open_cost == -151500
    assert flip.position.lots == (Lot(10100, -15),)
    cover = book.apply(fill("t3", Side.BUY, 15, 10000))
    # (10000-10100)*15*(-1) = 1500; the new round trip's own figure, not 1000 + 1500
    assert cover.round_trip_realized == 1500
    assert book.realized() == 2500


def test_flip_short_to_long():
    book = PositionBook()
    book.apply(fill("t1", Side.SELL, 4, 2000))
    flip = book.apply(fill("t2", Side.BUY, 10, 1900))
    # (1900-2000)*4*(-1) = 400; then long 6 @ 1900: open_cost 11400
    assert flip.realized == 400
    assert flip.round_trip_realized == 400
    assert flip.position.quantity == 6
    assert flip.position.open_cost == 11400


def test_a_trade_id_is_applied_at_most_once():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10000))
    again = book.apply(fill("t1", Side.BUY, 10, 10000))
    assert again.duplicate
    assert again.realized == 0
    assert again.position.quantity == 10
    # same id, different content: still the same trade, still ignored
    other = book.apply(fill("t1", Side.SELL, 10, 20000))
    assert other.duplicate
    assert book.position(INFY).quantity == 10
    assert book.position(INFY).open_cost == 100000
    assert book.realized() == 0


def test_symbols_are_booked_separately():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10000, INFY))
    book.apply(fill("t2", Side.SELL, 3, 350000, TCS))
    outcome = book.apply(fill("t3", Side.SELL, 10, 10100, INFY))
    # INFY: (10100-10000)*10 = 1000; TCS untouched
    assert outcome.realized == 1000
    assert book.position(TCS).quantity == -3
    assert book.position(TCS).open_cost == -1050000  # -3*350000
    assert book.symbols() == (INFY, TCS)


def test_unrealized_long_and_short_and_unknown():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10005, INFY))
    book.apply(fill("t2", Side.SELL, 20, 50000, TCS))
    # long: 10100*10 - 100050 = 950
    assert book.unrealized(INFY, 10100) == 950
    # short: 49500*(-20) - (-1000000) = 10000
    assert book.unrealized(TCS, 49500) == 10000
    assert book.unrealized("NSE:SBIN", 60000) == 0


def test_snapshot_lists_open_positions_only():
    book = PositionBook()
    book.apply(fill("t1", Side.BUY, 10, 10000, INFY))
    book.apply(fill("t2", Side.SELL, 10, 10100, INFY))
    book.apply(fill("t3", Side.SELL, 3, 350000, TCS))
    assert book.snapshot() == {TCS: (-3, -1050000)}


@pytest.mark.parametrize(
    ("quantity", "price", "error"),
    [(0, 10000, ValueError), (-5, 10000, ValueError), (5, 0, ValueError), (5, 100.5, TypeError)],
)
def test_invalid_fills_are_refused_and_leave_no_trace(quantity, price, error):
    book = PositionBook()
    with pytest.raises(error):
        book.apply(fill("t1", Side.BUY, quantity, price))
    assert book.position(INFY).quantity == 0
    assert not book.apply(fill("t1", Side.BUY, 1, 10000)).duplicate


fill_steps = st.lists(
    st.tuples(st.sampled_from(Side), st.integers(1, 1000), st.integers(1, 10**7)),
    min_size=1,
    max_size=50,
)


@settings(deadline=None)
@given(steps=fill_steps, mark=st.integers(1, 10**7), closing_price=st.integers(1, 10**7))
def test_realized_matches_the_cash_flow_identity(steps, mark, closing_price):
    book = PositionBook()
    cash = 0  # sells bring cash in, buys pay it out
    quantity = 0
    for number, (side, size, price) in enumerate(steps):
        book.apply(fill(f"t{number}", side, size, price))
        cash -= side.sign * size * price
        quantity += side.sign * size
        assert book.realized() + book.unrealized(INFY, mark) == cash + mark * quantity
    if quantity:
        closing_side = Side.SELL if quantity > 0 else Side.BUY
        book.apply(fill("close", closing_side, abs(quantity), closing_price))
        cash -= closing_side.sign * abs(quantity) * closing_price
    assert book.position(INFY).quantity == 0
    assert book.position(INFY).open_cost == 0
    assert book.realized() == cash
