"""The shipped exchange calendars: a TOML data file per exchange and year in
``config/calendars/`` (``NSE-2026.toml``), read into ``core.exchange_calendar`` calendars.

Derivatives segments trade on their cash exchange's days (NFO on NSE's, BFO on BSE's); an
exchange with no file (MCX today) has a calendar of weekdays that covers no year, and
check-config warns about it (``calendar_warnings``) rather than let a daemon trade blind
through a holiday. A data file that does not parse is a broken installation: it fails loudly
with the file's name.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from core.exchange_calendar import ExchangeCalendar

if TYPE_CHECKING:
    from config.schema import Config
    from core.clock import Clock

CALENDAR_DIR = Path(__file__).resolve().parent / "calendars"

CALENDAR_OF: dict[str, str] = {"NSE": "NSE", "NFO": "NSE", "BSE": "BSE", "BFO": "BSE", "MCX": "MCX"}
"""Exchange (as symbols name it) -> whose trading days it follows."""


class Holiday(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    date: datetime.date
    name: str


class CalendarFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    exchange: str
    year: int
    holidays: list[Holiday]
    special_sessions: list[datetime.date] = []


class CalendarDataError(Exception):
    """A shipped calendar file is unreadable or contradicts its own name."""


def load_calendar(
    exchange: str,
    *,
    weekdays_only: bool = True,
    extra_holidays: Iterable[datetime.date] = (),
    directory: Path = CALENDAR_DIR,
    shipped: bool = True,
) -> ExchangeCalendar:
    """The calendar ``exchange`` trades by: every year's file of its calendar (none unless
    ``shipped``), plus the configured ``extra_holidays``."""
    name = CALENDAR_OF.get(exchange, exchange)
    holidays: dict[datetime.date, str] = {}
    special: set[datetime.date] = set()
    years: set[int] = set()
    for path in sorted(directory.glob(f"{name}-*.toml")) if shipped else ():
        data = _read(path)
        if data.exchange != name or path.stem != f"{name}-{data.year}":
            raise CalendarDataError(f"{path}: says {data.exchange} {data.year}")
        for day in [h.date for h in data.holidays] + data.special_sessions:
            if day.year != data.year:
                raise CalendarDataError(f"{path}: {day} is not in {data.year}")
        holidays.update({h.date: h.name for h in data.holidays})
        special.update(data.special_sessions)
        years.add(data.year)
    calendar = ExchangeCalendar(
        exchange=name,
        holidays=holidays,
        special_sessions=frozenset(special),
        years=frozenset(years),
        weekdays_only=weekdays_only,
    )
    return calendar.with_holidays(extra_holidays)


def _read(path: Path) -> CalendarFile:
    try:
        return msgspec.toml.decode(path.read_bytes(), type=CalendarFile)
    except (OSError, msgspec.DecodeError) as exc:
        raise CalendarDataError(f"{path}: {exc}") from exc


def calendar_warnings(exchanges: Iterable[str], today: datetime.date) -> list[str]:
    """One line per traded exchange whose shipped calendar does not cover ``today``'s year."""
    warnings: list[str] = []
    for exchange in sorted(set(exchanges)):
        calendar = load_calendar(exchange)
        name = CALENDAR_OF.get(exchange, exchange)
        if not calendar.covers(today.year):
            warnings.append(
                f"market.holidays: no {name} holiday list for {today.year} "
                f"(config/calendars/{name}-{today.year}.toml): {exchange} is treated as open on "
                "every weekday; add the exchange's holidays to [market] holidays"
            )
    return warnings


def calendar_problems(config: Config, clock: Clock) -> list[str]:
    """Warnings about the traded exchanges' calendars at today's date in the market's zone (a
    year with no holiday list): said by check-config and logged at start, never fatal — a
    daemon must still start on the 1st of January before the file is updated."""
    if not config.market.shipped_calendar:
        return []
    today = datetime.datetime.fromtimestamp(clock.now_ns() / 1e9, tz=config.market.zone).date()
    return calendar_warnings([s.exchange for s in config.symbols], today)
