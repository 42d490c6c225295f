"""Trading days and times in the exchange's zone. Inside shikra a time is UTC epoch
nanoseconds; the journal's day filters and the CSV exports speak IST, where a day is a day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.market_hours import NS_PER_SECOND, trading_day_of
from core.market_hours import day_bounds_ns as _day_bounds_ns

DEFAULT_TZ = "Asia/Kolkata"


def day_bounds_ns(day: date, tz: str = DEFAULT_TZ) -> tuple[int, int]:
    """``[start, end)`` of ``day`` in ``tz`` as epoch nanoseconds (exact integers)."""
    return _day_bounds_ns(day, ZoneInfo(tz))


def day_of(at_ns: int, tz: str = DEFAULT_TZ) -> date:
    """The trading day (local date in ``tz``) that ``at_ns`` falls on."""
    return trading_day_of(at_ns, ZoneInfo(tz))


def format_time(ns: int, tz: str = DEFAULT_TZ) -> str:
    """``2026-11-20T09:15:00.250+05:30``: ISO-8601 in ``tz`` to the millisecond (truncated;
    the journal keeps the nanoseconds)."""
    seconds, rest = divmod(ns, NS_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, ZoneInfo(tz)).replace(microsecond=rest // 1_000)
    return moment.isoformat(timespec="milliseconds")
