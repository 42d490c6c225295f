"""``ema_cross``: trend following on a fast and a slow exponential moving average."""

from __future__ import annotations

from strategies.base import Signal
from strategies.indicators import Ema
from strategies.params import EmaCrossParams


class EmaCross:
    """``LONG`` on the price where the fast EMA crosses from at-or-below the slow one to above
    it; ``SHORT`` on the cross from at-or-above to below.

    Both EMAs run from the first price, so the relation at the previous price is always known;
    signals are held back until ``slow`` prices have been seen (the slow EMA's warm-up), so the
    ``slow``-th price is the first that can signal. A cross is an edge, not a level: while the
    fast EMA stays above the slow one nothing more is said.
    """

    name = "ema_cross"

    def __init__(self, params: EmaCrossParams) -> None:
        self.params = params
        self.warmup_ticks = params.slow
        self._fast = Ema(params.fast)
        self._slow = Ema(params.slow)
        self._previous_spread: float | None = None

    def on_price(self, price_paise: int) -> Signal | None:
        spread = self._fast.update(float(price_paise)) - self._slow.update(float(price_paise))
        previous, self._previous_spread = self._previous_spread, spread
        if previous is None or not self._slow.ready:
            return None
        if previous <= 0.0 < spread:
            return Signal.LONG
        if previous >= 0.0 > spread:
            return Signal.SHORT
        return None
