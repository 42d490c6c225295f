"""Market hours, judged in the exchange's own time zone from market time (exchange timestamps),
never from the machine's wall clock: a replay of last Tuesday is "open" at 10:00 IST last
Tuesday, whatever the hour now."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass


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
        return self.local(at_ns).date()

    def session_start_ns(self, day: datetime.date) -> int:
        """The market open of ``day`` as epoch nanoseconds."""
        start = datetime.datetime.combine(day, self.open, tzinfo=self.zone)
        return int(start.timestamp()) * 1_000_000_000
