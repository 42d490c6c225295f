"""Trading days and times in the exchange's zone. Inside shikra a time is UTC epoch
nanoseconds; the journal's day filters and the CSV exports speak IST, where a day is a day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Kolkata"
NS_PER_SECOND = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


def day_bounds_ns(day: date, tz: str = DEFAULT_TZ) -> tuple[int, int]:
    """``[start, end)`` of ``day`` in ``tz`` as epoch nanoseconds (exact integers)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return _to_ns(start), _to_ns(end)


def format_time(ns: int, tz: str = DEFAULT_TZ) -> str:
    """``2026-11-20T09:15:00.250+05:30``: ISO-8601 in ``tz`` to the millisecond (truncated;
    the journal keeps the nanoseconds)."""
    seconds, rest = divmod(ns, NS_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, ZoneInfo(tz)).replace(microsecond=rest // 1_000)
    return moment.isoformat(timespec="milliseconds")


def _to_ns(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1_000
