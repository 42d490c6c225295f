"""Market hours never raise on a time, however absurd: outside the sane range (2000 to 2099)
the market is closed and a time is shown at the nearest end of the range."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from core.market_hours import SANE_FROM_NS, SANE_UNTIL_NS, MarketHours, is_sane_market_time

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HOURS = MarketHours(IST, datetime.time(9, 15), datetime.time(15, 30))
SECOND = 1_000_000_000


def _ns(text: str) -> int:
    moment = datetime.datetime.fromisoformat(text)
    return int(moment.timestamp()) * SECOND


def test_the_sane_range_is_2000_to_the_end_of_2099_utc():
    assert _ns("2000-01-01T00:00:00+00:00") == SANE_FROM_NS
    assert _ns("2100-01-01T00:00:00+00:00") == SANE_UNTIL_NS
    assert is_sane_market_time(SANE_FROM_NS) and is_sane_market_time(SANE_UNTIL_NS - 1)
    assert not is_sane_market_time(SANE_FROM_NS - 1) and not is_sane_market_time(SANE_UNTIL_NS)


def test_inside_the_range_hours_are_judged_in_the_exchange_zone():
    assert HOURS.is_open(_ns("2026-11-20T09:15:00+05:30"))  # a Friday
    assert not HOURS.is_open(_ns("2026-11-20T15:30:00+05:30"))
    assert not HOURS.is_open(_ns("2026-11-21T10:00:00+05:30"))  # Saturday
    assert HOURS.trading_day(_ns("2026-11-20T23:59:00+05:30")) == datetime.date(2026, 11, 20)


@pytest.mark.parametrize(
    "at_ns",
    [
        # 9999-12-31T23:59:59Z is year 10000 in IST: datetime raised OverflowError here.
        253_402_300_799 * SECOND,
        10**30,
        -(10**30),
        -1,
        0,
        SANE_UNTIL_NS,
        # A weekday during market hours, but in 2100: outside the range, so closed.
        _ns("2100-01-04T10:00:00+05:30"),
    ],
)
def test_an_absurd_time_is_closed_and_never_raises(at_ns: int):
    assert HOURS.is_open(at_ns) is False
    shown = HOURS.local(at_ns)
    assert datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC) <= shown
    assert shown < datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
    assert HOURS.trading_day(at_ns) == shown.date()
