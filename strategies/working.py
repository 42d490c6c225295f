"""The working order of one symbol, as ``SymbolTrader`` follows it: its fills, its end, and the
cancels and modifications asked of it — with the market-time rules for asking again.

One order works at a time per symbol (``strategies.trader``); this is that order's record. It
finishes when a terminal event has come *and* the fills it reports are applied (the event and
the fills travel separately, and acting on a stale position would double an exit). A cancel or
a modification is asked once, and again only after ``RETRY_NS`` with no answer: a cancel sent
before the broker knew the order, or lost on the way, must not hold the symbol for the day.
"""

from __future__ import annotations

from dataclasses import dataclass

from messages.orders import CancelIntent, OrderStatus, RejectReason
from strategies.api import Exit, WorkingOrder

REJECTION_QUIET_NS = 5_000_000_000
"""After a rejection, no new intent for this long in market time (5 s)."""

EXIT_HOLD_NS = 60_000_000_000
"""An exit that its venue stop was cancelled for, then refused (a halt): the stop goes straight
back, and for this long (60 s of market time) no exit cancels it again; twice as long after
each refusal in a row, up to ``EXIT_HOLD_MAX_NS``. Each try leaves the position without its
stop for a round trip to the venue and costs two orders (a cancel, a new stop): a minute apart
through a halt of hours, a few symbols would use up a day's order allowance (Kite's is per
account). The price: an exit waits up to that long after the halt is lifted."""

EXIT_HOLD_MAX_NS = 16 * EXIT_HOLD_NS

BUSY_QUIET_MAX_NS = 60_000_000_000
"""After a refusal because the account's capacity is used up (``BUSY_REASONS``), the quiet
spell doubles with each refusal in a row, up to a minute, until an order of the symbol is
accepted. Why: with thousands of symbols and an account that may send 400 orders a minute,
nearly every symbol is refused, and each refusal costs a journal write, a risk check and a
message; asking again every 5 s only repeats that (740 refused intents a second at 9,000
symbols). A refusal for anything else (a halt, a limit of the symbol itself) keeps 5 s: an exit
refused while halted must go soon after a resume."""

BUSY_REASONS = frozenset({RejectReason.MAX_ORDERS_PER_MINUTE, RejectReason.MAX_OPEN_ORDERS})

PASSING_REASONS = BUSY_REASONS | {
    RejectReason.HALTED,
    RejectReason.RECONCILING,
    RejectReason.MARKET_CLOSED,
    RejectReason.RATE_LIMITED,
}
"""Refusals of a venue stop that a later attempt may pass (the state, the clock, the account's
room): the stop is asked for again after the quiet spell. Any other refusal (its price, its
value) would meet the same answer every time: the position keeps its stop in shikra."""

RETRY_NS = 30_000_000_000
"""A cancel or modification with no answer after this long in market time is asked again.
Long enough that a replay at hundreds of times real time (where the broker's round trip is
seconds of market time) does not ask again while the answer is on its way."""

ACKNOWLEDGED = frozenset({OrderStatus.SUBMITTED, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})
"""Statuses that say the broker has the order: from here it can be modified."""


@dataclass(frozen=True, slots=True)
class PendingExit:
    """An exit waiting for the venue stop to be cancelled: how much, why, and how (MARKET
    when ``how`` is None)."""

    quantity: int
    reason: str
    how: Exit | None = None


@dataclass(slots=True)
class PendingOrder:
    """The one working order: how much of it has filled, and how much its terminal event says
    filled (None until that event arrives); what it is, as the strategy is shown it (None for
    an order restored without the journal's record of it), when it was decided (a LIMIT entry
    may time out), the stop and target its strategy gave it, and what was asked of it."""

    client_id: str
    filled: int = 0
    final_filled: int | None = None
    order: WorkingOrder | None = None
    decided_ns: int = 0
    """Market time of the decision; -1: restored, its wait starts at the first tick seen."""
    cancel_sent: bool = False
    cancel_ns: int = 0
    """Market time the cancel was (last) asked."""
    stop_price: int | None = None
    target_price: int | None = None
    acknowledged: bool = False
    """The broker has the order (SUBMITTED or later): it can be modified."""
    modifying: int | None = None
    """Market time a modification was asked, until its answer."""
    modifications: int = 0
    """Modifications the broker accepted (Kite allows ``venue_stop.MAX_MODIFICATIONS``)."""
    quiet_until_ns: int = 0
    """No modification before this market time (one was refused)."""
    then: PendingExit | None = None
    """A venue stop being cancelled for this exit: sent once the stop is done."""

    @property
    def finished(self) -> bool:
        return self.final_filled is not None and self.filled >= self.final_filled

    @property
    def protective(self) -> bool:
        """It is the position's stop, resting at the venue."""
        return self.order is not None and self.order.protective

    def cancel(self, symbol: str, reason: str, now_ns: int) -> CancelIntent:
        self.cancel_sent, self.cancel_ns = True, now_ns
        return CancelIntent(client_id=self.client_id, symbol=symbol, reason=reason)

    def cancel_again(self, symbol: str, now_ns: int) -> CancelIntent | None:
        """The cancel once more, when ``RETRY_NS`` passed with no end of the order."""
        if now_ns - self.cancel_ns < RETRY_NS:
            return None
        self.cancel_ns = now_ns
        return CancelIntent(client_id=self.client_id, symbol=symbol, reason="cancel again")

    def may_modify(self, now_ns: int) -> bool:
        """The broker has the order, no answer is awaited (or none came for ``RETRY_NS``), and
        no refusal asks for a pause."""
        if not self.acknowledged or now_ns < self.quiet_until_ns:
            return False
        return self.modifying is None or now_ns - self.modifying >= RETRY_NS
