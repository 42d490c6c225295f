"""The order state machine: the transition table, at-most-once adds and fills, exact averages."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from core.order_book import OrderBook
from core.order_state import (
    DuplicateOrder,
    FillMismatch,
    IllegalTransition,
    Overfill,
    UnknownOrder,
)
from messages import Fill, OrderEvent, OrderIntent, OrderStatus, Side

S = OrderStatus

# The lifecycle as the brief states it, written out independently of core.order_state's table.
EXPECTED_LEGAL = {
    (S.NEW, S.SUBMITTED),
    (S.NEW, S.REJECTED),
    (S.SUBMITTED, S.OPEN),
    (S.SUBMITTED, S.PARTIALLY_FILLED),
    (S.SUBMITTED, S.FILLED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.CANCELLED),
    (S.SUBMITTED, S.UNKNOWN),
    (S.UNKNOWN, S.OPEN),
    (S.UNKNOWN, S.PARTIALLY_FILLED),
    (S.UNKNOWN, S.FILLED),
    (S.UNKNOWN, S.REJECTED),
    (S.UNKNOWN, S.CANCELLED),
    (S.OPEN, S.PARTIALLY_FILLED),
    (S.OPEN, S.FILLED),
    (S.OPEN, S.CANCELLED),
    (S.OPEN, S.REJECTED),
    (S.PARTIALLY_FILLED, S.PARTIALLY_FILLED),
    (S.PARTIALLY_FILLED, S.FILLED),
    (S.PARTIALLY_FILLED, S.CANCELLED),
}
ALL_PAIRS = set(itertools.product(S, S))
ILLEGAL = sorted(ALL_PAIRS - EXPECTED_LEGAL, key=lambda p: (p[0].value, p[1].value))

# A legal route from NEW to each status, used to put an order in the "from" state.
ROUTE = {
    S.NEW: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.UNKNOWN: [S.SUBMITTED, S.UNKNOWN],
    S.OPEN: [S.SUBMITTED, S.OPEN],
    S.PARTIALLY_FILLED: [S.SUBMITTED, S.OPEN, S.PARTIALLY_FILLED],
    S.FILLED: [S.SUBMITTED, S.FILLED],
    S.CANCELLED: [S.SUBMITTED, S.CANCELLED],
    S.REJECTED: [S.REJECTED],
}


def intent(client_id: str = "c1", quantity: int = 10, side: Side = Side.BUY) -> OrderIntent:
    return OrderIntent(client_id=client_id, symbol="NSE:INFY", side=side, quantity=quantity)


def fill(trade_id: str, quantity: int, price: int, client_id: str = "c1", **kw) -> Fill:
    return Fill(
        trade_id=trade_id,
        client_id=client_id,
        symbol=kw.pop("symbol", "NSE:INFY"),
        side=kw.pop("side", Side.BUY),
        quantity=quantity,
        price=price,
        at_ns=kw.pop("at_ns", 0),
        **kw,
    )


def book_with_order_in(status: OrderStatus) -> OrderBook:
    book = OrderBook()
    book.add(intent())
    for step, next_status in enumerate(ROUTE[status], start=1):
        book.transition("c1", next_status, at_ns=step)
    assert book.get("c1").status is status
    return book


def test_there_are_twenty_legal_and_forty_four_illegal_pairs():
    assert len(EXPECTED_LEGAL) == 20
    assert len(ILLEGAL) == 64 - 20


@pytest.mark.parametrize(("current", "new"), sorted(EXPECTED_LEGAL, key=str), ids=str)
def test_every_legal_transition_succeeds_and_is_recorded(current, new):
    book = book_with_order_in(current)
    order = book.transition("c1", new, at_ns=99, reason="because")
    assert order.status is new
    assert order.history[-1] == (new, 99, "because")


@pytest.mark.parametrize(("current", "new"), ILLEGAL, ids=str)
def test_every_illegal_transition_raises_naming_both_states_and_changes_nothing(current, new):
    book = book_with_order_in(current)
    history_before = list(book.get("c1").history)
    with pytest.raises(IllegalTransition) as raised:
        book.transition("c1", new, at_ns=99)
    assert f"{current.name} -> {new.name}" in str(raised.value)
    assert book.get("c1").status is current
    assert book.get("c1").history == history_before


def test_terminal_states_have_no_exits():
    for terminal in (S.FILLED, S.CANCELLED, S.REJECTED):
        assert not [pair for pair in EXPECTED_LEGAL if pair[0] is terminal]


def test_a_second_add_with_the_same_client_id_is_refused_even_after_the_first_ended():
    book = OrderBook()
    book.add(intent())
    with pytest.raises(DuplicateOrder):
        book.add(intent(quantity=99))
    book.transition("c1", S.REJECTED, at_ns=1)
    with pytest.raises(DuplicateOrder):
        book.add(intent())
    assert book.get("c1").quantity == 10


def test_transition_of_an_untracked_order_raises_unknown_order():
    with pytest.raises(UnknownOrder):
        OrderBook().transition("nope", S.SUBMITTED, at_ns=0)


def test_fills_move_status_by_cumulative_quantity_and_keep_an_exact_average():
    book = book_with_order_in(S.OPEN)
    assert book.apply_fill(fill("T1", 3, 100_00, at_ns=5)) is True
    order = book.get("c1")
    assert (order.status, order.filled_quantity) == (S.PARTIALLY_FILLED, 3)
    assert book.apply_fill(fill("T2", 4, 101_00)) is True
    assert (order.status, order.filled_quantity) == (S.PARTIALLY_FILLED, 7)
    assert book.apply_fill(fill("T3", 3, 102_00)) is True
    assert (order.status, order.filled_quantity) == (S.FILLED, 10)
    # 3 x 10000 + 4 x 10100 + 3 x 10200 = 30000 + 40400 + 30600 = 101000
    assert order.filled_value == 101_000
    assert order.average_price == Fraction(101_000, 10)
    assert order.history[-3].reason == "fill T1" and order.history[-3].at_ns == 5


def test_an_average_that_is_not_a_whole_paisa_stays_exact():
    book = book_with_order_in(S.OPEN)
    book.apply_fill(fill("T1", 3, 100))
    book.apply_fill(fill("T2", 4, 101))
    assert book.get("c1").average_price == Fraction(704, 7)


def test_a_fill_is_applied_once_by_trade_id():
    book = book_with_order_in(S.OPEN)
    assert book.apply_fill(fill("T1", 4, 100)) is True
    assert book.apply_fill(fill("T1", 4, 100)) is False
    order = book.get("c1")
    assert (order.filled_quantity, order.filled_value, order.status) == (4, 400, S.PARTIALLY_FILLED)
    assert order.applied_trade_ids == {"T1"}


def test_a_fill_beyond_the_order_quantity_raises_and_changes_nothing():
    book = book_with_order_in(S.OPEN)
    book.apply_fill(fill("T1", 8, 100))
    with pytest.raises(Overfill):
        book.apply_fill(fill("T2", 3, 100))
    order = book.get("c1")
    assert (order.filled_quantity, order.applied_trade_ids) == (8, {"T1"})


def test_a_fill_for_another_symbol_or_side_or_broker_order_is_refused():
    book = book_with_order_in(S.OPEN)
    book.transition("c1", S.PARTIALLY_FILLED, at_ns=3, broker_order_id="B1")
    with pytest.raises(FillMismatch):
        book.apply_fill(fill("T1", 1, 100, symbol="NSE:TCS"))
    with pytest.raises(FillMismatch):
        book.apply_fill(fill("T2", 1, 100, side=Side.SELL))
    with pytest.raises(FillMismatch):
        book.apply_fill(fill("T3", 1, 100, broker_order_id="B2"))
    with pytest.raises(FillMismatch):
        book.apply_fill(fill("T4", 0, 100))
    assert book.get("c1").filled_quantity == 0


@pytest.mark.parametrize("status", [S.NEW, S.REJECTED])
def test_a_fill_on_an_order_that_never_reached_the_broker_raises(status):
    book = book_with_order_in(status)
    with pytest.raises(IllegalTransition):
        book.apply_fill(fill("T1", 1, 100))
    assert book.get("c1").filled_quantity == 0


def test_a_fill_found_while_unknown_resolves_the_order_and_adopts_its_broker_id():
    book = book_with_order_in(S.UNKNOWN)
    book.apply_fill(fill("T1", 10, 100, broker_order_id="B7"))
    order = book.get("c1")
    assert order.status is S.FILLED
    assert book.by_broker_id("B7") is order


def test_a_late_fill_on_a_cancelled_order_is_counted_without_reopening_it():
    book = book_with_order_in(S.CANCELLED)
    assert book.apply_fill(fill("T1", 4, 100)) is True
    order = book.get("c1")
    assert (order.status, order.filled_quantity) == (S.CANCELLED, 4)


def test_fills_after_a_filled_report_that_overtook_them_are_counted():
    book = book_with_order_in(S.FILLED)
    book.apply_fill(fill("T1", 6, 100))
    book.apply_fill(fill("T2", 4, 100))
    order = book.get("c1")
    assert (order.status, order.filled_quantity) == (S.FILLED, 10)


def test_lookup_by_broker_id_and_conflicting_broker_ids():
    book = OrderBook()
    book.add(intent("c1"))
    book.add(intent("c2"))
    book.transition("c1", S.SUBMITTED, at_ns=1, broker_order_id="B1")
    assert book.by_broker_id("B1") is book.get("c1")
    assert book.by_broker_id("B2") is None
    with pytest.raises(Exception, match="already belongs to c1"):
        book.transition("c2", S.SUBMITTED, at_ns=1, broker_order_id="B1")
    assert book.get("c2").status is S.NEW


def test_open_orders_are_the_non_terminal_ones_in_insertion_order():
    book = OrderBook()
    for client_id in ("a", "b", "c", "d"):
        book.add(intent(client_id))
    book.transition("b", S.REJECTED, at_ns=1)
    book.transition("c", S.SUBMITTED, at_ns=1)
    book.transition("c", S.UNKNOWN, at_ns=2)
    assert [order.client_id for order in book.open_orders()] == ["a", "c", "d"]


def test_to_event_is_a_snapshot_of_the_order():
    book = book_with_order_in(S.OPEN)
    book.transition("c1", S.PARTIALLY_FILLED, at_ns=4, reason="part", broker_order_id="B1")
    book.apply_fill(fill("T1", 4, 100))
    event = book.to_event("c1", at_ns=123)
    assert event == OrderEvent(
        client_id="c1",
        symbol="NSE:INFY",
        side=Side.BUY,
        status=S.PARTIALLY_FILLED,
        quantity=10,
        filled_quantity=4,
        broker_order_id="B1",
        reason="fill T1",
        at_ns=123,
    )
