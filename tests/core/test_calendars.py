"""The shipped exchange calendars: every data file parses and says what its name says, the
published 2026 NSE list is what the daemon trades by, user dates are added, and check-config's
warning names an exchange whose year is not covered."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from config.calendars import (
    CALENDAR_DIR,
    CalendarDataError,
    calendar_warnings,
    load_calendar,
)

D = datetime.date


def test_every_shipped_file_loads_and_covers_its_year():
    files = sorted(CALENDAR_DIR.glob("*.toml"))
    assert {f.stem for f in files} >= {"NSE-2025", "NSE-2026", "BSE-2025", "BSE-2026"}
    for path in files:
        exchange, year = path.stem.split("-")
        assert load_calendar(exchange).covers(int(year)), path


def test_nse_2026_closes_its_fifteen_published_days_and_trades_the_others():
    nse = load_calendar("NSE")
    closed_2026 = sorted(day for day in nse.holidays if day.year == 2026)
    assert len(closed_2026) == 15
    assert all(day.weekday() < 5 for day in closed_2026)  # a weekend holiday is not listed
    assert not nse.is_trading_day(D(2026, 1, 26))  # Republic Day
    assert not nse.is_trading_day(D(2026, 11, 24))  # Guru Nanak Jayanti
    assert nse.is_trading_day(D(2026, 11, 23))
    assert not nse.is_trading_day(D(2026, 11, 22))  # a Sunday


def test_the_budget_saturday_of_2025_trades():
    assert load_calendar("NSE").is_trading_day(D(2025, 2, 1))


def test_derivatives_trade_on_their_cash_exchange_days():
    assert load_calendar("NFO").holidays == load_calendar("NSE").holidays
    assert load_calendar("BFO").holidays == load_calendar("BSE").holidays


def test_configured_dates_are_closed_on_top_of_the_shipped_ones():
    nse = load_calendar("NSE", extra_holidays=[D(2026, 12, 24)])
    assert not nse.is_trading_day(D(2026, 12, 24))
    assert not nse.is_trading_day(D(2026, 12, 25))  # the shipped Christmas stays


def test_an_exchange_without_data_is_weekdays_that_cover_no_year():
    mcx = load_calendar("MCX")
    assert mcx.is_trading_day(D(2026, 1, 26)) and not mcx.covers(2026)


def test_the_warning_names_the_exchange_and_year_not_covered():
    assert calendar_warnings(["NSE", "NFO"], D(2026, 12, 2)) == []
    (line,) = calendar_warnings(["NSE", "MCX"], D(2026, 12, 2))
    assert line.startswith("market.holidays: no MCX holiday list for 2026")
    (line,) = calendar_warnings(["NSE"], D(2027, 1, 4))
    assert "no NSE holiday list for 2027" in line


def test_a_file_that_contradicts_its_name_fails_with_its_path(tmp_path: Path):
    (tmp_path / "NSE-2030.toml").write_text(
        'exchange = "NSE"\nyear = 2031\nholidays = []\n', encoding="utf-8"
    )
    with pytest.raises(CalendarDataError, match=r"NSE-2030\.toml"):
        load_calendar("NSE", directory=tmp_path)
    (tmp_path / "NSE-2030.toml").write_text(
        'exchange = "NSE"\nyear = 2030\nholidays = [{ date = 2031-01-01, name = "x" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(CalendarDataError, match="not in 2030"):
        load_calendar("NSE", directory=tmp_path)
