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
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.exchange_calendar import ExchangeCalendar
from core.session import Phase, Session

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
class Segment:
    """One segment's (an exchange's, as shikra names symbols) session and calendar."""

    session: Session
    calendar: ExchangeCalendar


def _phase_in(segment: Segment, local: datetime.datetime) -> Phase:
    trades = segment.calendar.is_trading_day(local.date())
    return segment.session.phase_at(local.time().replace(tzinfo=None), trades)


def exchange_of(symbol: str) -> str:
    """The segment a symbol trades in: its ``EXCHANGE:`` prefix (``NSE:INFY`` -> ``NSE``)."""
    return symbol.split(":", 1)[0]


@dataclass(frozen=True)
class MarketHours:
    """The exchange's zone, and per segment its session (``core.session``) and calendar
    (``core.exchange_calendar``).

    ``open``, ``close`` and ``weekdays_only`` are the default session and calendar, for any
    segment not in ``segments`` (and all there is for hours built by hand); ``session`` and
    ``calendar`` replace them when given. Asked without a segment, "open" means some traded
    segment is open: what the feed's staleness and ``shikra_market_open`` are about.
    """

    zone: zoneinfo.ZoneInfo
    open: datetime.time
    close: datetime.time
    weekdays_only: bool = True
    session: Session | None = None
    calendar: ExchangeCalendar | None = None
    segments: Mapping[str, Segment] = field(default_factory=dict)

    _default: Segment = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        session = self.session or Session.plain(self.open, self.close)
        calendar = self.calendar or ExchangeCalendar(weekdays_only=self.weekdays_only)
        object.__setattr__(self, "_default", Segment(session, calendar))

    def segment(self, exchange: str | None) -> Segment:
        """The session and calendar ``exchange`` trades by."""
        found = self.segments.get(exchange) if exchange is not None else None
        return found if found is not None else self._default

    def _segments_asked(self, exchange: str | None) -> list[Segment]:
        if exchange is not None or not self.segments:
            return [self.segment(exchange)]
        return list(self.segments.values())

    def local(self, at_ns: int) -> datetime.datetime:
        """``at_ns`` in the exchange's zone; a time outside the sane range is shown at its
        nearest end (see the module doc), never raised on."""
        return local_time(at_ns, self.zone)

    def phase(self, at_ns: int, exchange: str | None = None) -> Phase:
        """The session phase of ``exchange`` at ``at_ns``; CLOSED at a time outside the sane
        range and on a date its calendar does not trade."""
        if not is_sane_market_time(at_ns):
            return Phase.CLOSED
        return _phase_in(self.segment(exchange), self.local(at_ns))

    def is_open(self, at_ns: int, exchange: str | None = None) -> bool:
        """In the continuous session (open to close, cut-off and square-off included) on a
        trading day of the segment's calendar (of any traded segment, without ``exchange``);
        never at a time outside the sane range."""
        if not is_sane_market_time(at_ns):
            return False
        local = self.local(at_ns)
        return any(_phase_in(s, local).trading for s in self._segments_asked(exchange))

    def is_trading_day(self, day: datetime.date, exchange: str | None = None) -> bool:
        """``day`` trades in ``exchange`` (in some traded segment, without one)."""
        return any(s.calendar.is_trading_day(day) for s in self._segments_asked(exchange))

    def next_change_ns(self, at_ns: int, exchange: str | None = None) -> int:
        """The first market time after ``at_ns`` at which the phase of ``exchange`` may change:
        the next session boundary of its day, else the next local midnight."""
        local = self.local(at_ns)
        day = local.date()
        for boundary in self.segment(exchange).session.boundaries():
            moment = _to_ns(datetime.datetime.combine(day, boundary, tzinfo=self.zone))
            if moment > at_ns:
                return moment
        return day_bounds_ns(day, self.zone)[1]

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
