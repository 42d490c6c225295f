"""Incremental indicators: each is fed one price at a time and keeps only what it needs.

Why incremental: a strategy sees one tick at a time for a whole trading day, so recomputing an
indicator over a growing history would make every tick slower than the last. Each indicator here
costs O(1) per price (``Channel`` O(lookback), small by construction).

Indicators use floats (DESIGN.md rule 8 allows it: they decide *whether* to trade, never *how
much money* changes hands). Each exposes ``ready`` (its warm-up is over) and its value, which is
``None`` while there is none to give.
"""

from __future__ import annotations

from collections import deque


class Ema:
    """Exponential moving average with ``alpha = 2 / (period + 1)``, seeded with the first price.

    The value exists from the first price on (it *is* the first price), but ``ready`` only turns
    true after ``period`` prices: before that the seed dominates and the average means little.
    """

    def __init__(self, period: int) -> None:
        if period <= 0:
            raise ValueError(f"EMA period must be positive, got {period}")
        self.period = period
        self.alpha = 2.0 / (period + 1)
        self._value: float | None = None
        self._count = 0

    def update(self, price: float) -> float:
        """Fold in one price and return the new average."""
        if self._value is None:
            self._value = float(price)
        else:
            self._value += self.alpha * (price - self._value)
        self._count += 1
        return self._value

    @property
    def value(self) -> float | None:
        return self._value

    @property
    def ready(self) -> bool:
        return self._count >= self.period


class WilderRsi:
    """Relative strength index with Wilder's smoothing.

    The first average gain and loss are the simple means of the first ``period`` price changes
    (so ``period + 1`` prices are needed before there is a value); after that each new change
    is folded in as ``avg = (avg * (period - 1) + change) / period``. RSI is
    ``100 - 100 / (1 + avg_gain / avg_loss)``, and 100 when the average loss is 0 (nothing but
    gains, or no movement at all: the convention that avoids dividing by zero).
    """

    def __init__(self, period: int) -> None:
        if period <= 0:
            raise ValueError(f"RSI period must be positive, got {period}")
        self.period = period
        self._previous_price: float | None = None
        self._changes = 0
        self._gain_sum = 0.0
        self._loss_sum = 0.0
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._value: float | None = None

    def update(self, price: float) -> float | None:
        """Fold in one price; return the RSI, or None while fewer than ``period`` changes exist."""
        previous, self._previous_price = self._previous_price, float(price)
        if previous is None:
            return None
        change = price - previous
        gain, loss = max(change, 0.0), max(-change, 0.0)
        self._changes += 1
        if self._changes < self.period:
            self._gain_sum += gain
            self._loss_sum += loss
            return None
        if self._changes == self.period:
            self._avg_gain = (self._gain_sum + gain) / self.period
            self._avg_loss = (self._loss_sum + loss) / self.period
        else:
            self._avg_gain = (self._avg_gain * (self.period - 1) + gain) / self.period
            self._avg_loss = (self._avg_loss * (self.period - 1) + loss) / self.period
        if self._avg_loss == 0.0:
            self._value = 100.0
        else:
            self._value = 100.0 - 100.0 / (1.0 + self._avg_gain / self._avg_loss)
        return self._value

    @property
    def value(self) -> float | None:
        return self._value

    @property
    def ready(self) -> bool:
        return self._value is not None


class Channel:
    """Donchian channel: the highest and lowest of the previous ``lookback`` prices.

    The current price is **excluded**: after ``update(p)``, ``high`` and ``low`` describe the
    ``lookback`` prices before ``p``. That is what a breakout compares against: a price cannot
    break out of a channel that already contains it. ``ready`` once ``lookback`` earlier prices
    existed when the latest price arrived.
    """

    def __init__(self, lookback: int) -> None:
        if lookback <= 0:
            raise ValueError(f"channel lookback must be positive, got {lookback}")
        self.lookback = lookback
        self._window: deque[float] = deque(maxlen=lookback)
        self._high: float | None = None
        self._low: float | None = None

    def update(self, price: float) -> None:
        """Take the channel of the prices so far, then add ``price`` for the next one."""
        if len(self._window) == self.lookback:
            self._high, self._low = max(self._window), min(self._window)
        self._window.append(float(price))

    @property
    def high(self) -> float | None:
        return self._high

    @property
    def low(self) -> float | None:
        return self._low

    @property
    def ready(self) -> bool:
        return self._high is not None
