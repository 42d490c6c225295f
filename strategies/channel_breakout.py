"""``channel_breakout``: Donchian breakout of the previous ``lookback`` prices."""

from __future__ import annotations

from strategies.base import Signal
from strategies.indicators import Channel
from strategies.params import ChannelBreakoutParams


class ChannelBreakout:
    """``LONG`` when the price is strictly above the highest of the previous ``lookback`` prices,
    ``SHORT`` when strictly below the lowest; touching the edge is not a breakout.

    A level, not an edge: every price outside the channel signals (the trader ignores a signal
    that agrees with the position). The ``lookback + 1``-th price is the first that can signal,
    being the first with ``lookback`` prices before it.
    """

    name = "channel_breakout"

    def __init__(self, params: ChannelBreakoutParams) -> None:
        self.params = params
        self.warmup_ticks = params.lookback + 1
        self._channel = Channel(params.lookback)

    def on_price(self, price_paise: int) -> Signal | None:
        price = float(price_paise)
        self._channel.update(price)
        high, low = self._channel.high, self._channel.low
        if high is None or low is None:
            return None
        if price > high:
            return Signal.LONG
        if price < low:
            return Signal.SHORT
        return None
