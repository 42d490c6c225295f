"""Which dates an exchange trades on: weekdays, less its published holidays, plus the rare
weekend session it announces (NSE's Saturday session on a Union Budget day).

Weekends alone are not the calendar (DESIGN: Zerodha's trading day): on a holiday nothing is
open, so a silent feed is not stale, no order can go, and no session boundary (entry cut-off,
square-off) happens. The dates come from a data file per exchange and year
(``config/calendars/``, read by ``config.calendars``) and from the user's own additions; this
module only answers questions about them, without I/O.

A calendar knows which years it *covers*: a year with no data file is not a year without
holidays, and check-config says so rather than let a daemon trade through Republic Day.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExchangeCalendar:
    """Trading dates of one exchange.

    ``holidays``: date -> what it is (as the exchange names it). ``special_sessions``:
    weekend dates that trade. ``years``: the years the shipped data covers.
    ``weekdays_only``: Saturday and Sunday are closed unless a special session.
    """

    exchange: str = ""
    holidays: Mapping[datetime.date, str] = field(default_factory=dict)
    special_sessions: frozenset[datetime.date] = frozenset()
    years: frozenset[int] = frozenset()
    weekdays_only: bool = True

    def is_trading_day(self, day: datetime.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.special_sessions:
            return True
        return not (self.weekdays_only and day.weekday() >= 5)

    def covers(self, year: int) -> bool:
        return year in self.years

    def with_holidays(self, extra: Iterable[datetime.date]) -> ExchangeCalendar:
        """This calendar with the user's own closed dates added."""
        added = {day: "holiday (from the config)" for day in extra if day not in self.holidays}
        if not added:
            return self
        return ExchangeCalendar(
            exchange=self.exchange,
            holidays={**self.holidays, **added},
            special_sessions=self.special_sessions - set(added),
            years=self.years,
            weekdays_only=self.weekdays_only,
        )
