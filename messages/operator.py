"""The operator's side channel: ``main.py status|halt|reduce|resume|flatten`` talking to the running
daemon over its control socket (a unix socket, mode 0600, in the state directory)."""

from __future__ import annotations

from typing import Literal

from messages.base import Message, Paise
from messages.portfolio import SymbolPnL


class OperatorRequest(Message, frozen=True, kw_only=True):
    command: Literal["status", "halt", "reduce", "resume", "flatten"]
    reason: str = ""


class PnLQuery(Message, frozen=True, kw_only=True):
    """Asked of PnLTracker (``ask``, not ``tell``): answered with a ``PnLUpdate``, with the
    per-symbol breakdown when ``per_symbol``."""

    per_symbol: bool = True


class ActorStatus(Message, frozen=True, kw_only=True):
    name: str
    up: bool
    healthy: bool
    restarts: int


class StatusReport(Message, frozen=True, kw_only=True):
    """What ``main.py status`` shows: exact money (paise), as PnLTracker holds it."""

    trading_state: str
    actors: tuple[ActorStatus, ...]
    symbols: tuple[SymbolPnL, ...]
    realized: Paise
    unrealized: Paise
    charges: Paise
    net: Paise
    open_orders: tuple[str, ...]
    """One line per working order (``daemon.status.order_line``)."""
    feed_age_seconds: float | None
    trading_day: str = ""
    foreign_holdings: int = 0
    """Holdings in the account that are not shikra's (reported, never traded or adopted)."""
    foreign_orders: int = 0
    multiplier_mismatches: int = 0


class OperatorReply(Message, frozen=True, kw_only=True):
    ok: bool
    text: str
    status: StatusReport | None = None
