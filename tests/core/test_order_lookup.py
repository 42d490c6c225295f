"""What the router does with the broker's word on an order, pure: a lookup's verdict, and how a
report is adopted (filled states come from fills, never from a status)."""

from __future__ import annotations

import pytest

from core.order_book import OrderBook
from core.order_lookup import LookupVerdict, after_lookup, reconcile_order, to_check
from messages import OrderIntent, OrderStatus, Side

S = OrderStatus


@pytest.mark.parametrize(
    ("status", "found", "before", "verdict"),
    [
        (S.UNKNOWN, True, 0, LookupVerdict.ADOPT),
        (S.NEW, True, 0, LookupVerdict.ADOPT),
        # the journal never handed it over: not found is proof it was never sent
        (S.NEW, False, 0, LookupVerdict.NEVER_SENT),
        (S.UNKNOWN, False, 0, LookupVerdict.RETRY),
        (S.UNKNOWN, False, 3, LookupVerdict.RETRY),
        (S.UNKNOWN, False, 4, LookupVerdict.GIVE_UP),  # the fifth of five
        (S.SUBMITTED, False, 4, LookupVerdict.GIVE_UP),
    ],
)
def test_a_lookups_verdict(status, found, before, verdict):
    assert after_lookup(status, found, before, max_attempts=5) is verdict


def order(status: OrderStatus, *, broker_id: str | None = "B1", filled: int = 0):
    book = OrderBook()
    book.add(OrderIntent(client_id="C1", symbol="NSE:INFY", side=Side.BUY, quantity=10))
    path = {S.NEW: [], S.SUBMITTED: [S.SUBMITTED], S.OPEN: [S.SUBMITTED, S.OPEN],
            S.UNKNOWN: [S.SUBMITTED, S.UNKNOWN]}[status]  # fmt: skip
    for step in path:
        book.transition("C1", step, 0, broker_order_id=broker_id if step is S.SUBMITTED else None)
    tracked = book.get("C1")
    assert tracked is not None
    tracked.filled_quantity = filled
    return tracked


def test_a_new_order_found_at_the_broker_becomes_submitted_with_its_id_then_moves():
    adoption = reconcile_order(order(S.NEW), S.OPEN, "B9", 0)
    assert adoption.submitted_as == "B9" and adoption.move_to is S.OPEN
    assert not adoption.fetch_trades and adoption.broker_order_id is None


def test_an_unknown_order_learns_its_id_and_status():
    adoption = reconcile_order(order(S.UNKNOWN, broker_id=None), S.CANCELLED, "B7", 0)
    assert adoption.submitted_as is None and adoption.broker_order_id == "B7"
    assert adoption.move_to is S.CANCELLED


def test_more_filled_at_the_broker_means_fetch_the_trades_not_believe_the_status():
    adoption = reconcile_order(order(S.OPEN), S.FILLED, "B1", 10)
    assert adoption.fetch_trades and adoption.move_to is None


def test_a_repeat_or_an_impossible_status_changes_nothing():
    assert reconcile_order(order(S.OPEN), S.OPEN, "B1", 0).move_to is None
    assert reconcile_order(order(S.OPEN), S.SUBMITTED, "B1", 0).move_to is None  # backwards


def test_the_working_check_asks_about_orders_at_the_broker_not_being_looked_up():
    at_broker, unknown = order(S.OPEN), order(S.UNKNOWN, broker_id=None)
    assert to_check([at_broker], {}) == ["C1"]
    assert to_check([at_broker], {"C1": 2}) == []
    assert to_check([unknown], {}) == []
