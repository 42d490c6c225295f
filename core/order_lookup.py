"""What the router does with what the broker says about one of its orders, decided without I/O.

The broker speaks about an order three ways: a lookup by tag (after a placement whose reply was
lost, and for every order open at a restart), its whole order book (the working-order check,
which catches updates the WebSocket lost), and pushed updates. Each answer is a ``BrokerOrder``
(or "none found"); these functions turn it into what the router must do, so the rules of "never
send twice, never lose a fill" can be read, and tested, in one place:

* a lookup that finds nothing proves nothing unless it is asked enough times — except for an
  order still NEW, which the journal says was never handed to the broker: not found means never
  sent, and it is closed as REJECTED, never re-sent;
* a status the broker reports is taken when the order state machine allows it; filled states
  are driven by fills (trade ids), never by a status, so a filled quantity the broker reports
  beyond ours means "fetch the trades", not "believe the number".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.order_state import TrackedOrder, is_legal
from messages import OrderStatus

FILL_DRIVEN = frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})
NEVER_SENT = "not sent before a restart; not re-sent"


class LookupVerdict(enum.Enum):
    ADOPT = "adopt"
    """Found: take what the broker says (``reconcile_order``)."""
    NEVER_SENT = "never_sent"
    """Not found, and the journal never handed it to the broker: REJECTED, not re-sent."""
    RETRY = "retry"
    """Not found yet: it may still appear (the broker lists it a moment late); ask again."""
    GIVE_UP = "give_up"
    """Not found after every attempt: it does not exist; REJECTED."""


def after_lookup(
    status: OrderStatus, found: bool, attempts_before: int, max_attempts: int
) -> LookupVerdict:
    """The verdict on one successful lookup (a lookup that *failed* says nothing: retry)."""
    if found:
        return LookupVerdict.ADOPT
    if status is OrderStatus.NEW:
        return LookupVerdict.NEVER_SENT
    if attempts_before + 1 >= max_attempts:
        return LookupVerdict.GIVE_UP
    return LookupVerdict.RETRY


def gave_up_reason(max_attempts: int) -> str:
    return f"not found at the broker after {max_attempts} lookups"


@dataclass(frozen=True)
class Adoption:
    """What to do with a broker's report of an order, in this order: record it as sent with
    ``submitted_as`` (an order the journal had as NEW, found at the broker), learn its
    ``broker_order_id``, fetch the trades if the broker filled more than we know, then move to
    ``move_to`` (None: nothing to change)."""

    submitted_as: str | None = None
    broker_order_id: str | None = None
    fetch_trades: bool = False
    move_to: OrderStatus | None = None


def reconcile_order(
    order: TrackedOrder, status: OrderStatus, broker_order_id: str, filled_quantity: int
) -> Adoption:
    """Compare our order with the broker's account of it (a lookup, the order book or a push)."""
    submitted_as = broker_order_id if order.status is OrderStatus.NEW else None
    learn = broker_order_id if order.broker_order_id is None and submitted_as is None else None
    current = OrderStatus.SUBMITTED if submitted_as is not None else order.status
    fetch = filled_quantity > order.filled_quantity
    changed = status not in FILL_DRIVEN and status is not current
    move_to = status if changed and is_legal(current, status) else None
    return Adoption(
        submitted_as=submitted_as, broker_order_id=learn, fetch_trades=fetch, move_to=move_to
    )


def to_check(open_orders: Iterable[TrackedOrder], looking_up: Mapping[str, int]) -> list[str]:
    """Orders the working-order check compares with the broker's book: those at the broker
    (they have its id) that are not already being looked up by tag."""
    return [
        order.client_id
        for order in open_orders
        if order.broker_order_id is not None and order.client_id not in looking_up
    ]
