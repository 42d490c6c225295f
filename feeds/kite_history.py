"""Kite's historical candles for a date range, within Kite's limits: what ``main.py history``
fetches.

Kite answers one instrument and one interval per request, for a span of at most
``MAX_DAYS_PER_REQUEST[interval]`` days (60 for minute candles; a longer span is refused with
"interval exceeds max limit"), at no more than 3 requests a second. So a range is cut into
consecutive windows of whole days (``windows``), asked in order, and paced by the same strict
sliding window the router uses for orders (``core.rate_limit``), on an injected clock: a test
can fetch a year in no wall time and still see every request spaced as Kite wants.

Candles come back from ``kiteconnect`` as floats and a timezone-aware start; prices are turned
into exact paise through their shortest decimal text (``str(1386.4)`` is ``"1386.4"``), never
by multiplying a float. A candle Kite sends twice (the edge of two windows) is kept once.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol

from core.rate_limit import RateLimiter
from feeds.candles import Candle

MAX_DAYS_PER_REQUEST: dict[str, int] = {
    "minute": 60,
    "3minute": 100,
    "5minute": 100,
    "10minute": 100,
    "15minute": 200,
    "30minute": 200,
    "60minute": 400,
    "day": 2000,
}
INTERVAL_SECONDS: dict[str, int] = {
    "minute": 60,
    "3minute": 180,
    "5minute": 300,
    "10minute": 600,
    "15minute": 900,
    "30minute": 1800,
    "60minute": 3600,
    "day": 86_400,
}
HISTORICAL_LIMITS = ((3, 1.1),)
"""Kite's historical API takes 3 requests a second; paced to 3 in 1.1 s, as a request reaches
Kite a little after it leaves (and a late one must not land in the next one's second)."""


class HistoricalClient(Protocol):
    """The part of ``kiteconnect.KiteConnect`` used here."""

    def historical_data(
        self,
        instrument_token: int,
        from_date: datetime.datetime,
        to_date: datetime.datetime,
        interval: str,
        continuous: bool = False,
        oi: bool = False,
    ) -> list[dict[str, Any]]: ...


def windows(
    first: datetime.date, last: datetime.date, max_days: int
) -> list[tuple[datetime.date, datetime.date]]:
    """``first``..``last`` (inclusive) as consecutive spans of at most ``max_days`` days."""
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    spans = []
    start = first
    while start <= last:
        end = min(last, start + datetime.timedelta(days=max_days - 1))
        spans.append((start, end))
        start = end + datetime.timedelta(days=1)
    return spans


def paise(value: float | int | str) -> int:
    """A price Kite sent as a JSON number, in exact paise."""
    rupees = Decimal(str(value))
    exact = rupees.scaleb(2)
    if exact != exact.to_integral_value():
        raise ValueError(f"price {value!r} is not a whole number of paise")
    return int(exact)


class HistoryFetcher:
    """Fetches one symbol's candles over a date range, paced within Kite's limits."""

    def __init__(
        self,
        client: HistoricalClient,
        *,
        monotonic: Callable[[], float],
        sleep: Callable[[float], None],
        zone: datetime.tzinfo,
        read: Callable[[Callable[[], Any]], Any] = lambda call: call(),
    ) -> None:
        """``read`` wraps each request (the Kite adapter's: retries on a 429 or a 5xx, and a
        token read again after a new login)."""
        self.client = client
        self.monotonic = monotonic
        self.sleep = sleep
        self.zone = zone
        self.read = read
        self.limiter = RateLimiter(HISTORICAL_LIMITS)
        self.requests = 0
        self.skipped = 0
        """Candles Kite sent that could not be used (a price off the paisa, a field missing)."""

    def candles(
        self,
        symbol: str,
        token: int,
        first: datetime.date,
        last: datetime.date,
        interval: str = "minute",
    ) -> Iterator[Candle]:
        """Every candle of ``symbol`` from ``first`` 00:00 to ``last`` 23:59:59 (market time),
        oldest first, each once."""
        if interval not in MAX_DAYS_PER_REQUEST:
            known = ", ".join(INTERVAL_SECONDS)
            raise ValueError(f"unknown interval {interval!r} (known: {known})")
        seen: set[int] = set()
        for start, end in windows(first, last, MAX_DAYS_PER_REQUEST[interval]):
            self._wait_turn()
            rows = self.read(self._request(token, start, end, interval))
            self.requests += 1
            for candle in self._convert(symbol, interval, rows):
                if candle.start_ns not in seen:
                    seen.add(candle.start_ns)
                    yield candle

    def _request(
        self, token: int, start: datetime.date, end: datetime.date, interval: str
    ) -> Callable[[], list[dict[str, Any]]]:
        since = datetime.datetime.combine(start, datetime.time(0, 0))
        until = datetime.datetime.combine(end, datetime.time(23, 59, 59))
        return lambda: self.client.historical_data(token, since, until, interval)

    def _wait_turn(self) -> None:
        while not self.limiter.try_acquire(self.monotonic()):
            self.sleep(self.limiter.wait_time(self.monotonic()))

    def _convert(
        self, symbol: str, interval: str, rows: Iterable[dict[str, Any]]
    ) -> Iterator[Candle]:
        for row in rows:
            try:
                start = row["date"]
                if start.tzinfo is None:
                    start = start.replace(tzinfo=self.zone)  # Kite's times are the exchange's
                prices = [paise(row[name]) for name in ("open", "high", "low", "close")]
                volume = int(row["volume"])
            except (KeyError, TypeError, ValueError, ArithmeticError):
                self.skipped += 1  # a candle that cannot be used: counted, never a crash
                continue
            yield Candle(
                0,
                int(start.timestamp()) * 1_000_000_000,
                symbol,
                INTERVAL_SECONDS[interval],
                *prices,
                volume,
            )
