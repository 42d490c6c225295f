"""The order state machine: which status may follow which, and one order's tracked state.

Why a table and not scattered ``if``s: the lifecycle of a real Kite order is small and fixed, and
every way an order can go wrong (a lost placement reply, a fill reported twice, a status that
goes backwards) shows up as a transition that is not in it. Making the table the only authority
means an impossible report fails loudly at the moment it arrives instead of quietly corrupting
the books (DESIGN.md rules 2 and 6).

The table, modelled on Kite's lifecycle::

    NEW ──► SUBMITTED ──► OPEN ──► PARTIALLY_FILLED ──► FILLED
     │          │  │        │  │           │ ▲ (more fills)
     │          │  │        │  └─► FILLED  └─┴─► CANCELLED
     ▼          │  ▼        └─► CANCELLED / REJECTED
    REJECTED    │  UNKNOWN ──► OPEN / PARTIALLY_FILLED / FILLED / CANCELLED (found by tag)
    (refused    │          └─► REJECTED (found rejected, or confirmed absent after the lookup)
    before      └─► PARTIALLY_FILLED / FILLED / REJECTED / CANCELLED (reported before OPEN)
    sending)

FILLED, CANCELLED and REJECTED are terminal: nothing leaves them. A repeated report of the same
status (Kite re-sends OPEN after a modify) is not a transition: callers compare first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from messages.orders import OrderIntent, OrderStatus

_S = OrderStatus

LEGAL_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    _S.NEW: frozenset({_S.SUBMITTED, _S.REJECTED}),
    _S.SUBMITTED: frozenset(
        {_S.OPEN, _S.PARTIALLY_FILLED, _S.FILLED, _S.REJECTED, _S.CANCELLED, _S.UNKNOWN}
    ),
    _S.UNKNOWN: frozenset({_S.OPEN, _S.PARTIALLY_FILLED, _S.FILLED, _S.REJECTED, _S.CANCELLED}),
    _S.OPEN: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED, _S.REJECTED}),
    _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED}),
    _S.FILLED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.REJECTED: frozenset(),
}
"""Every legal (from, to) pair. Anything else raises ``IllegalTransition``."""


def is_legal(current: OrderStatus, new: OrderStatus) -> bool:
    return new in LEGAL_TRANSITIONS[current]


class OrderStateError(Exception):
    """Base of the order book's refusals: each one means a report contradicts what we know."""


class IllegalTransition(OrderStateError):
    """A status change not in ``LEGAL_TRANSITIONS``. Carries both states so the log line says
    exactly which report was impossible."""

    def __init__(self, client_id: str, current: OrderStatus, new: OrderStatus) -> None:
        super().__init__(f"order {client_id}: illegal transition {current.name} -> {new.name}")
        self.client_id = client_id
        self.current = current
        self.new = new


class DuplicateOrder(OrderStateError):
    """An order with this client id is already tracked. Adding it again is how an order gets
    sent twice, so it is refused outright (DESIGN.md rule 6)."""


class UnknownOrder(OrderStateError, KeyError):
    """No tracked order has this client id (or broker order id)."""


class Overfill(OrderStateError):
    """A fill would take the filled quantity past the order's quantity: the broker's report and
    our order disagree, and guessing which is right would invent or lose a position."""


class FillMismatch(OrderStateError):
    """A fill whose symbol, side or broker order id does not match the order it names."""


class StatusChange(NamedTuple):
    """One entry of an order's history: what it became, when, and why (for a person)."""

    status: OrderStatus
    at_ns: int
    reason: str


@dataclass(slots=True)
class TrackedOrder:
    """One order as its owning actor knows it. Mutable, and never shared: other actors learn
    about it through ``OrderEvent`` messages built by ``OrderBook.to_event``.

    ``filled_value`` is the exact sum of price x quantity over the applied fills, in paise, so
    the average fill price is a derived exact ratio, never a rounded stored number (rule 8).
    """

    client_id: str
    intent: OrderIntent
    status: OrderStatus = OrderStatus.NEW
    broker_order_id: str | None = None
    filled_quantity: int = 0
    filled_value: int = 0
    history: list[StatusChange] = field(default_factory=list)
    applied_trade_ids: set[str] = field(default_factory=set)

    @property
    def quantity(self) -> int:
        return self.intent.quantity

    @property
    def remaining_quantity(self) -> int:
        return self.intent.quantity - self.filled_quantity

    @property
    def average_price(self) -> Fraction | None:
        """Exact average fill price in paise, or None before the first fill."""
        if self.filled_quantity == 0:
            return None
        return Fraction(self.filled_value, self.filled_quantity)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def last_reason(self) -> str:
        return self.history[-1].reason if self.history else ""
