"""``rsi_reversion``: mean reversion on Wilder's RSI."""

from __future__ import annotations

from strategies.base import Signal
from strategies.indicators import WilderRsi
from strategies.params import RsiReversionParams

MIDDLE = 50.0


class RsiReversion:
    """Buy the oversold, sell the overbought, get out when RSI is back in the middle.

    Exact crossing rules, with ``prev`` the RSI at the previous price and ``rsi`` the new one:

    * ``LONG``  when ``prev >= oversold``   and ``rsi <  oversold``   (falls *into* oversold);
    * ``SHORT`` when ``prev <= overbought`` and ``rsi >  overbought`` (rises *into* overbought);
    * ``EXIT``  when ``prev < 50 <= rsi`` or ``prev > 50 >= rsi`` (reaches or crosses the middle
      from either side: the reversion a position was betting on has happened).

    The levels themselves count as outside the zones: an RSI of exactly ``oversold`` is not yet
    oversold. The first RSI value has no ``prev``, so it never signals: with ``period`` changes
    needed for the first value, the ``period + 2``-th price is the first that can signal.
    Since ``oversold < 50 < overbought`` is not required by the params, the entry checks come
    first: a single price that both enters a zone and crosses 50 is an entry.
    """

    name = "rsi_reversion"

    def __init__(self, params: RsiReversionParams) -> None:
        self.params = params
        self.warmup_ticks = params.period + 2
        self._rsi = WilderRsi(params.period)
        self._previous: float | None = None

    def on_price(self, price_paise: int) -> Signal | None:
        rsi = self._rsi.update(float(price_paise))
        if rsi is None:
            return None
        previous, self._previous = self._previous, rsi
        if previous is None:
            return None
        if previous >= self.params.oversold > rsi:
            return Signal.LONG
        if previous <= self.params.overbought < rsi:
            return Signal.SHORT
        if previous < MIDDLE <= rsi or previous > MIDDLE >= rsi:
            return Signal.EXIT
        return None
