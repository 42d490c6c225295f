"""The trading day: the unit of every daily limit, count and export (DESIGN: Zerodha's day)."""

from __future__ import annotations

import datetime
import enum

from messages.base import Message, Nanos


class DayStarted(Message, frozen=True, kw_only=True):
    """Market time has entered a new trading day. Sent by TickFeed (which owns market time) to
    every actor that keeps daily figures, *before* any tick of the new day, so each of them
    rebuilds for the day exactly as a restart on that day would: the daily loss and drawdown
    start again from zero, the day's order count restarts, MIS positions are flat and carried
    products carry, and yesterday's exports are written.

    Held while a recipient is down: a day boundary must never be missed. Idempotent: a
    recipient already in ``day`` (or a later one) ignores it, so a restarted feed may announce
    a day again."""

    day: datetime.date
    previous: datetime.date | None = None
    market_ns: Nanos = 0


class Phase(enum.Enum):
    """Where a segment's trading session is (``core.session``): closed, the pre-open auction,
    open, past the entry cut-off (only exposure-reducing orders), past the intraday
    square-off time (MIS closed by shikra, before the broker does it for a fee)."""

    CLOSED = "closed"
    PRE_OPEN = "pre_open"
    OPEN = "open"
    ENTRIES_CLOSED = "entries_closed"
    SQUARE_OFF = "square_off"

    def __str__(self) -> str:
        return self.value

    @property
    def trading(self) -> bool:
        """Orders can reach the exchange's continuous session."""
        return self in (Phase.OPEN, Phase.ENTRIES_CLOSED, Phase.SQUARE_OFF)

    @property
    def entries_closed(self) -> bool:
        """Past the entry cut-off: only exposure-reducing orders."""
        return self in (Phase.ENTRIES_CLOSED, Phase.SQUARE_OFF)


class SessionPhase(Message, frozen=True, kw_only=True):
    """A segment (``exchange``) entered ``phase`` at market time ``market_ns`` of ``day``.

    Sent by TickFeed, which owns market time, to RiskGate before any tick past the boundary:
    the entry cut-off turns trading REDUCING, the square-off time closes MIS. Also sent for
    the phase a feed finds at its start, so a restart in the afternoon knows where it is.
    Held while RiskGate is down; idempotent (the same phase again changes nothing)."""

    exchange: str
    phase: Phase
    day: datetime.date
    market_ns: Nanos = 0
