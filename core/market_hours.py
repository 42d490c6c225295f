"""Market hours and trading days, judged in the exchange's own time zone from market time
(exchange timestamps), never from the machine's wall clock: a replay of last Tuesday is "open"
at 10:00 IST last Tuesday, whatever the hour now.

A **trading day** is the exchange-local calendar date (IST for NSE): the unit of every daily
limit, count and export. Its bounds are local midnight to local midnight, so a record belongs to
exactly one day whatever the session hours are (pre-open, an AMO placed at night).
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

NS_PER_SECOND = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def trading_day_of(at_ns: int, zone: datetime.tzinfo) -> datetime.date:
    """The exchange-local date of ``at_ns`` (integer arithmetic: exact to the nanosecond at a
    midnight, and no float rounding of a time 1 ns before it into the next day)."""
    seconds = at_ns // NS_PER_SECOND
    moment = _EPOCH + datetime.timedelta(seconds=seconds)
    return moment.astimezone(zone).date()


def day_bounds_ns(day: datetime.date, zone: datetime.tzinfo) -> tuple[int, int]:
    """``[start, end)`` of ``day`` in ``zone`` as epoch nanoseconds (exact integers)."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
    return _to_ns(start), _to_ns(end)


def _to_ns(moment: datetime.datetime) -> int:
    return (moment - _EPOCH) // datetime.timedelta(microseconds=1) * 1_000


@dataclass(frozen=True)
class MarketHours:
    zone: zoneinfo.ZoneInfo
    open: datetime.time
    close: datetime.time
    weekdays_only: bool = True

    def local(self, at_ns: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(at_ns / 1e9, tz=self.zone)

    def is_open(self, at_ns: int) -> bool:
        """Open from ``open`` (inclusive) to ``close`` (exclusive) on a trading day."""
        local = self.local(at_ns)
        if self.weekdays_only and local.weekday() >= 5:
            return False
        return self.open <= local.time() < self.close

    def trading_day(self, at_ns: int) -> datetime.date:
        """The exchange-local date of ``at_ns``: what "today" means for daily limits and ids."""
        return trading_day_of(at_ns, self.zone)

    def day_bounds(self, day: datetime.date) -> tuple[int, int]:
        """``[start, end)`` of the trading day ``day``, epoch nanoseconds."""
        return day_bounds_ns(day, self.zone)

    def session_start_ns(self, day: datetime.date) -> int:
        """The market open of ``day`` as epoch nanoseconds."""
        start = datetime.datetime.combine(day, self.open, tzinfo=self.zone)
        return int(start.timestamp()) * 1_000_000_000
