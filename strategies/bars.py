"""Bars from ticks: a pure aggregator, one per symbol, for strategies that think in candles.

A bar covers ``[start, start + interval)`` of market time, aligned to the epoch in whole
intervals: for any interval dividing 30 minutes (1, 5, 15 minutes...) those are the exchange
clock's boundaries too, IST being UTC+05:30 (09:15, 09:16...). A bar is complete when the
first tick of a later interval arrives (a quiet minute produces no bar: there is nothing to
say about it). Volume is what traded inside the bar: the rise of the ticks' cumulative day
volume (a feed that sends none gives 0).
"""

from __future__ import annotations

from messages.market import Tick
from strategies.api import Bar


class BarAggregator:
    def __init__(self, symbol: str, interval_ns: int) -> None:
        if interval_ns <= 0:
            raise ValueError(f"a bar interval must be positive, got {interval_ns} ns")
        self.symbol = symbol
        self.interval_ns = interval_ns
        self._start = 0
        self._open = self._high = self._low = self._close = 0
        self._ticks = 0
        self._volume_before = 0
        """The cumulative volume at the end of the previous bar (or the first tick's)."""
        self._volume_last = 0

    def on_tick(self, tick: Tick) -> Bar | None:
        """Fold ``tick`` in; the bar it completes, if it is the first of a later interval."""
        start = tick.exchange_ns - tick.exchange_ns % self.interval_ns
        done: Bar | None = None
        if self._ticks and start > self._start:
            done = self._bar()
            self._volume_before = self._volume_last
            self._ticks = 0
        elif self._ticks and start < self._start:
            return None  # out of order, older than the bar being built: not market news
        price = tick.ltp
        if self._ticks == 0:
            self._start = start
            self._open = self._high = self._low = price
            if not self._volume_last:
                self._volume_before = tick.volume
        self._high = max(self._high, price)
        self._low = min(self._low, price)
        self._close = price
        self._ticks += 1
        self._volume_last = max(self._volume_last, tick.volume)
        return done

    def _bar(self) -> Bar:
        return Bar(
            symbol=self.symbol,
            start_ns=self._start,
            end_ns=self._start + self.interval_ns,
            open=self._open,
            high=self._high,
            low=self._low,
            close=self._close,
            volume=max(0, self._volume_last - self._volume_before),
            ticks=self._ticks,
        )
