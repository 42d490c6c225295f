"""The session schedule in market time: each phase from its boundary (inclusive) to the next,
holidays closed all day, the phase of another segment by its own times, and the next boundary
TickFeed waits for."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from core.exchange_calendar import ExchangeCalendar
from core.market_hours import MarketHours, Segment
from core.session import Session
from messages import Phase

IST = ZoneInfo("Asia/Kolkata")
T = datetime.time
NSE_CASH = Session(T(9, 0), T(9, 15), T(15, 0), T(15, 15), T(15, 30))
NFO = Session(T(9, 0), T(9, 15), T(15, 5), T(15, 20), T(15, 30))
FRIDAY = datetime.date(2026, 11, 20)
GURPURB = datetime.date(2026, 11, 24)  # a Tuesday the NSE calendar closes
CALENDAR = ExchangeCalendar(exchange="NSE", holidays={GURPURB: "Guru Nanak Jayanti"})
HOURS = MarketHours(
    IST,
    T(9, 15),
    T(15, 30),
    session=NSE_CASH,
    calendar=CALENDAR,
    segments={"NSE": Segment(NSE_CASH, CALENDAR), "NFO": Segment(NFO, CALENDAR)},
)


def at(day: datetime.date, hh: int, mm: int, ss: int = 0, us: int = 0) -> int:
    moment = datetime.datetime(day.year, day.month, day.day, hh, mm, ss, us, tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000 + us * 1_000


@pytest.mark.parametrize(
    ("hh", "mm", "ss", "phase"),
    [
        (8, 59, 59, Phase.CLOSED),
        (9, 0, 0, Phase.PRE_OPEN),
        (9, 14, 59, Phase.PRE_OPEN),
        (9, 15, 0, Phase.OPEN),
        (14, 59, 59, Phase.OPEN),
        (15, 0, 0, Phase.ENTRIES_CLOSED),
        (15, 14, 59, Phase.ENTRIES_CLOSED),
        (15, 15, 0, Phase.SQUARE_OFF),
        (15, 29, 59, Phase.SQUARE_OFF),
        (15, 30, 0, Phase.CLOSED),
    ],
)
def test_each_phase_runs_from_its_boundary_to_the_next(hh: int, mm: int, ss: int, phase: Phase):
    assert HOURS.phase(at(FRIDAY, hh, mm, ss), "NSE") is phase


def test_the_last_nanosecond_before_the_cutoff_is_still_open():
    cutoff = at(FRIDAY, 15, 0)
    assert HOURS.phase(cutoff - 1, "NSE") is Phase.OPEN
    assert HOURS.phase(cutoff, "NSE") is Phase.ENTRIES_CLOSED


def test_a_segment_keeps_its_own_times():
    moment = at(FRIDAY, 15, 17)
    assert HOURS.phase(moment, "NSE") is Phase.SQUARE_OFF
    assert HOURS.phase(moment, "NFO") is Phase.ENTRIES_CLOSED


def test_a_holiday_is_closed_all_day_in_every_segment():
    for hh, mm in ((9, 5), (10, 0), (15, 10), (15, 20)):
        assert HOURS.phase(at(GURPURB, hh, mm), "NSE") is Phase.CLOSED
        assert HOURS.phase(at(GURPURB, hh, mm), "NFO") is Phase.CLOSED
    assert not HOURS.is_open(at(GURPURB, 10, 0))
    assert not HOURS.is_trading_day(GURPURB)
    assert HOURS.segment("NSE").calendar.holidays[GURPURB] == "Guru Nanak Jayanti"
    assert HOURS.is_open(at(FRIDAY, 10, 0))


def test_weekends_are_closed_unless_the_calendar_lists_a_session():
    saturday = datetime.date(2026, 11, 21)
    assert HOURS.phase(at(saturday, 10, 0), "NSE") is Phase.CLOSED
    budget = ExchangeCalendar(special_sessions=frozenset({saturday}))
    hours = MarketHours(IST, T(9, 15), T(15, 30), session=NSE_CASH, calendar=budget)
    assert hours.phase(at(saturday, 10, 0), "NSE") is Phase.OPEN


def test_open_without_a_segment_means_some_traded_segment_is_open():
    # 15:20 NSE is still in its square-off phase, trading; at 15:30 both have closed.
    assert HOURS.is_open(at(FRIDAY, 15, 29))
    assert not HOURS.is_open(at(FRIDAY, 15, 30))
    assert not HOURS.is_open(at(FRIDAY, 9, 5))  # the pre-open is not the continuous session


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ((8, 0), (9, 0)),
        ((9, 0), (9, 15)),
        ((12, 0), (15, 0)),
        ((15, 0), (15, 15)),
        ((15, 15), (15, 30)),
    ],
)
def test_the_next_change_is_the_next_boundary(now: tuple[int, int], expected: tuple[int, int]):
    assert HOURS.next_change_ns(at(FRIDAY, *now), "NSE") == at(FRIDAY, *expected)


def test_after_the_close_the_next_change_is_midnight():
    midnight = at(FRIDAY + datetime.timedelta(days=1), 0, 0)
    assert HOURS.next_change_ns(at(FRIDAY, 15, 30), "NSE") == midnight


def test_hours_built_with_only_open_and_close_have_no_cutoff():
    plain = MarketHours(IST, T(9, 15), T(15, 30))
    assert plain.phase(at(FRIDAY, 9, 5)) is Phase.CLOSED
    assert plain.phase(at(FRIDAY, 15, 29)) is Phase.OPEN


@pytest.mark.parametrize(
    "times",
    [
        (T(9, 20), T(9, 15), T(15, 0), T(15, 15), T(15, 30)),  # pre-open after the open
        (T(9, 0), T(9, 15), T(9, 15), T(15, 15), T(15, 30)),  # no open session at all
        (T(9, 0), T(9, 15), T(15, 20), T(15, 15), T(15, 30)),  # cut-off after square-off
        (T(9, 0), T(9, 15), T(15, 0), T(15, 45), T(15, 30)),  # square-off after close
    ],
)
def test_a_session_out_of_order_is_refused(times: tuple[datetime.time, ...]):
    with pytest.raises(ValueError, match="pre_open <= open < entry_cutoff"):
        Session(*times)
