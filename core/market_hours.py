"""Market hours and trading days, judged in the exchange's own time zone from market time
(exchange timestamps), never from the machine's wall clock: a replay of last Tuesday is "open"
at 10:00 IST last Tuesday, whatever the hour now.

A **trading day** is the exchange-local calendar date (IST for NSE): the unit of every daily
limit, count and export. Its bounds are local midnight to local midnight, so a record belongs to
exactly one day whatever the session hours are (pre-open, an AMO placed at night).

**A sane market time** lies in ``[SANE_FROM_NS, SANE_UNTIL_NS)``: from 2000-01-01 to the end of
2099 (UTC). Recorded ticks outside it are refused where they enter (the replay reader says
``bad_time``); here, a time outside it is never trading time, and is shown (and dated) at the
nearest end of the range rather than raised on. ``datetime`` cannot hold year 10000, and an
exception out of ``is_open`` would crash whichever actor asked (Heartbeat asks every beat),
again after each restart: one absurd tick must not cost the process.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

_UTC = datetime.UTC
NS_PER_SECOND = 1_000_000_000
SANE_FROM = datetime.datetime(2000, 1, 1, tzinfo=_UTC)
SANE_UNTIL = datetime.datetime(2100, 1, 1, tzinfo=_UTC)
SANE_FROM_NS = int(SANE_FROM.timestamp()) * NS_PER_SECOND
SANE_UNTIL_NS = int(SANE_UNTIL.timestamp()) * NS_PER_SECOND
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)


def is_sane_market_time(at_ns: int) -> bool:
    """True for an epoch-nanosecond time from 2000-01-01 (inclusive) to 2100-01-01 (exclusive)."""
    return SANE_FROM_NS <= at_ns < SANE_UNTIL_NS


def local_time(at_ns: int, zone: datetime.tzinfo) -> datetime.datetime:
    """``at_ns`` in ``zone``, by exact integer arithmetic (a float rounds the last nanosecond
    before a midnight into the next day); outside the sane range, at its nearest end."""
    clamped = min(max(at_ns, SANE_FROM_NS), SANE_UNTIL_NS - 1)
    seconds, rest = divmod(clamped, NS_PER_SECOND)
    utc = _EPOCH + datetime.timedelta(seconds=seconds, microseconds=rest // 1_000)
    return utc.astimezone(zone)


def trading_day_of(at_ns: int, zone: datetime.tzinfo) -> datetime.date:
    """The exchange-local date of ``at_ns``."""
    return local_time(at_ns, zone).date()


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
        """``at_ns`` in the exchange's zone; a time outside the sane range is shown at its
        nearest end (see the module doc), never raised on."""
        return local_time(at_ns, self.zone)

    def is_open(self, at_ns: int) -> bool:
        """Open from ``open`` (inclusive) to ``close`` (exclusive) on a trading day; never at a
        time outside the sane range."""
        if not is_sane_market_time(at_ns):
            return False
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
