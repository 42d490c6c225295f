"""The trading day: the unit of every daily limit, count and export (DESIGN: Zerodha's day)."""

from __future__ import annotations

import datetime

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
