"""A seeded random-walk market, so shikra trades with no credentials and no recorded data.

Each tick picks a symbol uniformly at random and moves its last price by a whole number of
ticks (the instrument's tick size, in paise), quoted with a bid and ask 1-3 ticks apart.
Everything comes from one ``random.Random(seed)`` drawn in a fixed order per tick, and ticks are
generated in sequence independently of how often the source is polled: the same seed gives the
same ticks (symbols, prices, quantities, exchange times) whatever the polling cadence.

**The session clock.** The synthetic market keeps its own time. Its first tick is stamped
``session_start_ns`` (typically today's 09:15 IST) and its clock then advances with the wall time
passed to ``poll``: ten wall seconds after the first poll, the market is at 09:15:10. Whatever
judges market hours from a tick's exchange time (strategies, risk) therefore sees an open market
whenever the daemon is started, which is what lets the paper default trade at 21:00 when
somebody first tries it. With ``session_length_ns`` set, the market closes after that much time
and reopens at the same time of day on the next calendar day, so a paper run of days still only
ever sees in-session times. The cost: for synthetic ticks ``receive_ns - exchange_ns`` is not a
feed delay, so the actor should not export it as one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from feeds.base import DEFAULT_MAX_BATCH, Batch, SourceStats
from messages.market import Tick

NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND
MAX_SPREAD_TICKS = 3
MAX_QUOTE_QTY = 2_000
MAX_TRADE_QTY = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SyntheticInstrument(NamedTuple):
    """One instrument of the synthetic market (a plain tuple works too)."""

    symbol: str
    initial_price_paise: int
    tick_size_paise: int


class _Quote(NamedTuple):
    """A generated tick before it is released (``receive_ns`` is only known at the poll)."""

    offset_ns: int
    symbol: str
    ltp: int
    bid: int
    ask: int
    bid_qty: int
    ask_qty: int
    volume: int


def session_open_ns(day: date, open_at: time, tz: str = "Asia/Kolkata") -> int:
    """The epoch nanoseconds of ``open_at`` on ``day`` in ``tz``: the usual ``session_start_ns``
    (e.g. today's 09:15 in IST, from the config's ``market.open``)."""
    opened = datetime.combine(day, open_at, tzinfo=ZoneInfo(tz))
    return (opened - _EPOCH) // timedelta(microseconds=1) * 1_000


def quote_around(ltp: int, tick: int, rng: random.Random) -> tuple[int, int]:
    """A bid and ask 1-3 ticks apart with ``bid <= ltp <= ask`` (never both equal, as the
    spread is at least one tick), and the bid at least one tick."""
    spread = rng.randint(1, MAX_SPREAD_TICKS)
    bid = ltp - rng.randint(0, spread) * tick
    bid = max(bid, tick)
    return bid, bid + spread * tick


def _burst_shape(burstiness: float) -> float:
    """The Weibull shape for a burstiness: 1/(2b). b=0.5 is a Poisson process (shape 1);
    b=1 is shape 0.5, a stretched exponential whose many short gaps and rare long ones make
    clumps; b -> 0 tends to evenly spaced ticks (handled exactly as a special case)."""
    return 1.0 / (2.0 * burstiness)


class SyntheticSource:
    """A polled, seeded, endless synthetic market (see the module docstring for the clock).

    ``ticks_per_second`` is the mean rate across all symbols together. Inter-arrival gaps have
    that mean at every ``burstiness``: 0 spaces them evenly, higher draws them from a Weibull
    distribution of falling shape (heavier tail, more clumping). ``volatility_bps`` is the
    standard deviation of one tick's price step in basis points of the current price.
    """

    def __init__(
        self,
        instruments: list[SyntheticInstrument] | list[tuple[str, int, int]],
        *,
        session_start_ns: int,
        seed: int = 0,
        ticks_per_second: float = 5.0,
        burstiness: float = 0.0,
        volatility_bps: float = 1.0,
        session_length_ns: int | None = None,
        weekdays_only: bool = False,
        trades_on: Callable[[int], bool] | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        """``trades_on(k)``: whether the date ``k`` days after the first session's trades (the
        exchange calendar: weekends and holidays are skipped); without it, ``weekdays_only``
        skips weekends alone."""
        specs = [SyntheticInstrument(*item) for item in instruments]
        _check_arguments(specs, ticks_per_second, burstiness, volatility_bps, max_batch)
        if session_length_ns is not None and not 0 < session_length_ns <= NS_PER_DAY:
            raise ValueError("session_length_ns must be in (0, one day]")
        self._rng = random.Random(seed)
        self._symbols = [spec.symbol for spec in specs]
        self._tick_size = {spec.symbol: spec.tick_size_paise for spec in specs}
        self._price = {spec.symbol: _on_grid(spec) for spec in specs}
        self._volume = dict.fromkeys(self._symbols, 0)
        self._mean_gap_ns = NS_PER_SECOND / ticks_per_second
        self._burstiness = burstiness
        # Weibull gaps with mean ``_mean_gap_ns``: scale = mean / Γ(1 + 1/shape).
        self._gap_shape = _burst_shape(burstiness) if burstiness else 1.0
        self._gap_scale = self._mean_gap_ns / math.gamma(1.0 + 1.0 / self._gap_shape)
        self._gap_power = 1.0 / self._gap_shape
        self._volatility = volatility_bps / 10_000
        self._session_start_ns = session_start_ns
        self._session_length_ns = session_length_ns
        self._weekdays_only = weekdays_only
        # The weekday (0 = Monday) of the first session, UTC and IST agree on it at any open.
        self._first_weekday = (self._session_start_ns // NS_PER_DAY + 3) % 7
        self._trades_on = trades_on
        self._session_days: list[int] = [0]
        """Calendar days from the first session to the n-th (``trades_on``), grown on demand."""
        self._max_batch = max_batch
        self._stats = SourceStats()
        self._clock_offset = 0.0  # market-running ns since the first tick, exact to < 1 ns
        self._first_poll_ns: int | None = None
        self._closed = False
        self._upcoming = self._generate()

    @property
    def stats(self) -> SourceStats:
        return self._stats

    def poll(self, now_ns: int) -> Batch:
        if self._closed:
            return Batch([], None)
        if self._first_poll_ns is None:
            self._first_poll_ns = now_ns
        elapsed = now_ns - self._first_poll_ns
        lag_ns = max(0, elapsed - self._upcoming.offset_ns)
        ticks: list[Tick] = []
        while len(ticks) < self._max_batch and self._upcoming.offset_ns <= elapsed:
            ticks.append(self._release(self._upcoming, now_ns))
            self._upcoming = self._generate()
        self._stats.delivered += len(ticks)
        next_due_ns = max(now_ns, self._first_poll_ns + self._upcoming.offset_ns)
        return Batch(ticks, next_due_ns, lag_ns=lag_ns if ticks else 0)

    def close(self) -> None:
        self._closed = True

    def exchange_ns(self, offset_ns: int) -> int:
        """Market time of a tick generated ``offset_ns`` of market-running time after the
        first: on the session clock, rolling to the next day's open past the session's end."""
        if self._session_length_ns is None:
            return self._session_start_ns + offset_ns
        sessions, into_session = divmod(offset_ns, self._session_length_ns)
        days = sessions
        if self._trades_on is not None:
            known = self._session_days
            while len(known) <= sessions:
                day = known[-1] + 1
                while not self._trades_on(day) and day - known[-1] < 366:
                    day += 1
                known.append(day)
            days = known[sessions]
        elif self._weekdays_only and self._first_weekday < 5:
            # The n-th next weekday: each weekend crossed adds two calendar days.
            days = sessions + 2 * ((self._first_weekday + sessions) // 5)
        return self._session_start_ns + days * NS_PER_DAY + into_session

    def _release(self, quote: _Quote, now_ns: int) -> Tick:
        return Tick(
            symbol=quote.symbol,
            ltp=quote.ltp,
            exchange_ns=self.exchange_ns(quote.offset_ns),
            receive_ns=now_ns,
            bid=quote.bid,
            ask=quote.ask,
            bid_qty=quote.bid_qty,
            ask_qty=quote.ask_qty,
            volume=quote.volume,
        )

    def _generate(self) -> _Quote:
        """The next tick, drawing from the generator in a fixed order (determinism). Written
        out in one function, with ``random()`` as the only draw but the Gaussian step: this
        runs once a tick, and at 30,000 ticks a second each call and each ``randint`` it saved
        was CPU the strategies did not get. The price moves by the Gaussian step rounded to a
        whole tick stochastically (0.3 ticks is one tick 30% of the time, so a tiny volatility
        still moves it); the quote is ``quote_around``'s, drawn with ``random()``."""
        rng = self._rng
        uniform = rng.random  # int(uniform() * n) draws from range(n) at a tenth of randrange's
        symbol = self._symbols[int(uniform() * len(self._symbols))]
        tick = self._tick_size[symbol]
        price = self._price[symbol]
        sigma_ticks = self._volatility * price / tick
        if sigma_ticks > 0:
            move = rng.gauss(0.0, sigma_ticks)
            whole = math.floor(move)
            price = max(tick, price + (whole + (uniform() < move - whole)) * tick)
            self._price[symbol] = price
        spread = 1 + int(uniform() * MAX_SPREAD_TICKS)  # 1-3 ticks, bid <= ltp <= ask
        bid = max(tick, price - int(uniform() * (spread + 1)) * tick)
        bid_qty = 1 + int(uniform() * MAX_QUOTE_QTY)
        ask_qty = 1 + int(uniform() * MAX_QUOTE_QTY)
        volume = self._volume[symbol] = self._volume[symbol] + 1 + int(uniform() * MAX_TRADE_QTY)
        quote = _Quote(
            round(self._clock_offset), symbol, price, bid, bid + spread * tick, bid_qty, ask_qty,
            volume,
        )  # fmt: skip
        if self._burstiness == 0.0:
            self._clock_offset += self._mean_gap_ns
        else:  # random.weibullvariate, the same single draw, without its call
            self._clock_offset += self._gap_scale * (-math.log(1.0 - uniform())) ** self._gap_power
        return quote


def _on_grid(spec: SyntheticInstrument) -> int:
    """The initial price snapped to the nearest tick, and at least one tick."""
    tick = spec.tick_size_paise
    return max(tick, round(spec.initial_price_paise / tick) * tick)


def _check_arguments(
    specs: list[SyntheticInstrument],
    ticks_per_second: float,
    burstiness: float,
    volatility_bps: float,
    max_batch: int,
) -> None:
    """Refuse a market that cannot be generated: a configuration error, raised at start."""
    if not specs:
        raise ValueError("at least one instrument is needed")
    if len({spec.symbol for spec in specs}) != len(specs):
        raise ValueError("instrument symbols must be unique")
    for spec in specs:
        if spec.tick_size_paise <= 0 or spec.initial_price_paise <= 0:
            raise ValueError(f"{spec.symbol}: tick size and initial price must be positive")
    if not ticks_per_second > 0:
        raise ValueError("ticks_per_second must be positive")
    if not 0.0 <= burstiness <= 1.0:
        raise ValueError("burstiness must be in [0, 1]")
    if not volatility_bps >= 0:
        raise ValueError("volatility_bps must not be negative")
    if max_batch < 1:
        raise ValueError("max_batch must be at least 1")
