"""Trading state and the operator's (or a limit's) commands that change it."""

from __future__ import annotations

import enum

from messages.base import Message, Nanos


class TradingState(enum.Enum):
    """What RiskGate lets through.

    ``ACTIVE``: every order that passes the checks. ``REDUCING``: only orders that shrink
    exposure. ``HALTED``: no new orders; cancels still go. ``RECONCILING``: at start-up, until the
    local books agree with the broker's; entries are denied, as in HALTED.
    """

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"
    RECONCILING = "RECONCILING"


class StateSource(enum.Enum):
    """Who changed the trading state: kept with every change so a halt can be explained."""

    OPERATOR = "operator"
    LIMIT = "limit"
    ESCALATION = "escalation"
    RECONCILIATION = "reconciliation"
    BROKER = "broker"
    STARTUP = "startup"
    SCHEDULE = "schedule"
    """The session's entry cut-off (``SessionPhase``)."""

    @property
    def ends_with_day(self) -> bool:
        """A state set for the day's sake (a daily limit, the session's cut-off) lifts when the
        trading day it was about is over; any other lasts until someone resumes."""
        return self in (StateSource.LIMIT, StateSource.SCHEDULE)


class TradingStateChanged(Message, frozen=True, kw_only=True):
    """Published by RiskGate whenever the state changes; journaled, so it survives a restart."""

    state: TradingState
    previous: TradingState
    source: StateSource
    reason: str
    at_ns: Nanos = 0


class Halt(Message, frozen=True, kw_only=True):
    """Stop new orders now. Cancels still go out."""

    reason: str
    source: StateSource = StateSource.OPERATOR


class Reduce(Message, frozen=True, kw_only=True):
    """Let only exposure-reducing orders through."""

    reason: str
    source: StateSource = StateSource.OPERATOR


class Resume(Message, frozen=True, kw_only=True):
    """Return to ACTIVE trading (the operator's call; a limit never resumes by itself)."""

    reason: str
    source: StateSource = StateSource.OPERATOR


class Flatten(Message, frozen=True, kw_only=True):
    """Cancel every open order and close every position through the normal risk and routing
    path, then stay HALTED."""

    reason: str
    source: StateSource = StateSource.OPERATOR
