"""What the daemon decides about the market before any actor starts: its hours, the tick source,
which trading day this run belongs to (the day whose journal records actors restore from), and
the traded instruments' tick, lot and multiplier (``daemon.instruments``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from config import Config
from config.calendars import load_calendar
from core.clock import Clock
from core.instruments import InstrumentSpec
from core.market_hours import MarketHours, Segment
from core.session import Session
from daemon.instruments import paper_specs
from feeds.base import TickSource
from feeds.replay import ReplaySource
from feeds.synthetic import SyntheticSource, session_open_ns


class NotAvailableYet(Exception):
    """A configured part that this build does not have yet (e.g. the Kite feed)."""


@dataclass(frozen=True)
class Market:
    hours: MarketHours
    source: TickSource
    day_start_ns: int
    """Market open of the trading day: journal records from before it belong to earlier days."""
    instruments: Mapping[str, InstrumentSpec]
    """Every configured symbol's tick, lot and multiplier, as this run trades it."""
    live_time: bool
    """True when exchange time tracks the wall clock (live feeds): only then is
    receive - exchange a feed delay worth measuring."""
    paced: bool = False
    """A replay "as fast as possible": one tick per poll, each once the system has consumed
    the last (see TickFeed's ``pace_by``)."""
    refresh_instruments: Callable[[datetime.date], None] | None = None
    """What a new trading day does about instrument facts (Kite's dump: live and dry-run)."""


def hours_for(config: Config) -> MarketHours:
    """The market hours of every traded exchange: its session (``[market]``'s times, where
    its ``[market.segments]`` entry is silent) and its shipped calendar with the configured
    holidays."""
    m = config.market
    segments: dict[str, Segment] = {}
    for exchange in sorted({s.exchange for s in config.symbols}):
        own = m.segments.get(exchange)
        extra = [*m.holidays, *(own.holidays if own is not None else [])]
        calendar = load_calendar(
            exchange,
            weekdays_only=m.weekdays_only,
            extra_holidays=extra,
            shipped=m.shipped_calendar,
        )
        segments[exchange] = Segment(Session(**m.session_times(exchange)), calendar)
    default = Session(**m.session_times())
    return MarketHours(
        m.zone, m.open_time, m.close_time, m.weekdays_only, session=default, segments=segments
    )


def _last_trading_day(hours: MarketHours, day: datetime.date) -> datetime.date:
    """``day``, or the last day before it that some traded segment trades (a year back at
    most: a calendar that closes a whole year is a broken one, and today is used)."""
    for back in range(366):
        candidate = day - datetime.timedelta(days=back)
        if hours.is_trading_day(candidate):
            return candidate
    return day


def market_for(config: Config, clock: Clock, data: TickSource | None = None) -> Market:
    """Hours, source and trading day for the simulated feeds (synthetic, replay); ``data``, a
    backtest's merged files (``feeds.merged``), replaces the configured feed: played in market
    time on the backtest's clock."""
    m = config.market
    hours = hours_for(config)
    feed = config.feed
    if data is not None:
        first = getattr(data, "first_exchange_ns", None)
        day = hours.trading_day(first if first is not None else clock.now_ns())
        start = hours.session_start_ns(day)
        return Market(hours, data, start, paper_specs(config), live_time=False)
    if feed.source == "synthetic":
        # The synthetic market runs its own session: today's open (the last trading day's, on
        # a weekend or a holiday, so the paper default trades any day), rolling over to the
        # next trading day's session at the close, so that it trades at any hour of any day.
        today = datetime.datetime.fromtimestamp(clock.now_ns() / 1e9, tz=m.zone).date()
        day = _last_trading_day(hours, today)
        start = session_open_ns(day, m.open_time, m.timezone)
        session = datetime.datetime.combine(day, m.close_time) - datetime.datetime.combine(
            day, m.open_time
        )
        s = feed.synthetic
        source: TickSource = SyntheticSource(
            [(x.symbol, x.initial_price_paise, x.paper_tick_size_paise) for x in config.symbols],
            session_start_ns=start,
            seed=s.seed,
            ticks_per_second=s.ticks_per_second * len(config.symbols),
            burstiness=s.burstiness,
            volatility_bps=s.volatility_bps,
            session_length_ns=int(session.total_seconds()) * 1_000_000_000,
            weekdays_only=m.weekdays_only,
            trades_on=lambda k: hours.is_trading_day(day + datetime.timedelta(days=k)),
        )
        return Market(hours, source, start, paper_specs(config), live_time=False)
    if feed.source == "replay":
        assert feed.replay is not None  # the config loader requires it
        paced = feed.replay.speed == "max"
        source = ReplaySource(feed.replay.path, feed.replay.speed, max_batch=1 if paced else 500)
        # The first well-formed record names the replayed day (the reader has already refused
        # any time outside the sane range, so this is a real date).
        first = source.first_exchange_ns
        day = hours.trading_day(first if first is not None else clock.now_ns())
        start = hours.session_start_ns(day)
        return Market(hours, source, start, paper_specs(config), live_time=False, paced=paced)
    raise NotAvailableYet(f"feed.source = {feed.source!r} needs mode live or dry-run")
