"""The built-in signal strategies (``ema_cross``, ``rsi_reversion``, ``channel_breakout``) on the
strategy API: a signal becomes a decision, the entry order as ``[symbols.entry]`` says.

``LONG`` and ``SHORT`` become ``Enter`` (SymbolTrader turns one against an open position into
its close), ``EXIT`` becomes ``Exit`` when something is held. A LIMIT entry is priced
``offset_ticks`` from the last price on the passive side (below it for a buy, above for a
sell; 0 at the last price, negative across it) and cancelled by SymbolTrader if it has not
filled within the entry's timeout.
"""

from __future__ import annotations

from collections.abc import Iterable

from config.symbols import EntryConfig
from messages.market import Tick
from messages.orders import OrderType, Side
from strategies.api import Decision, Enter, Exit, View
from strategies.base import Signal, SignalStrategy


class SignalTrading:
    def __init__(self, signals: SignalStrategy, entry: EntryConfig | None = None) -> None:
        self.signals = signals
        self.entry = entry or EntryConfig()
        self.name = signals.name
        self.last_signal: Signal | None = None
        """What the rule said at the last tick, whether or not it was acted on (a metric)."""

    @property
    def warmup_ticks(self) -> int:
        return self.signals.warmup_ticks

    def on_tick(self, tick: Tick, view: View) -> Decision | None:
        signal = self.last_signal = self.signals.on_price(tick.ltp)
        if signal is None:
            return None
        reason = f"{self.name} {signal}"
        if signal is Signal.EXIT:
            return Exit(reason=reason) if view.position else None
        side = Side.BUY if signal is Signal.LONG else Side.SELL
        if self.entry.order_type == "MARKET":
            return Enter(side=side, reason=reason)
        offset = self.entry.offset_ticks * view.tick_size
        price = tick.ltp - offset if side is Side.BUY else tick.ltp + offset
        return Enter(
            side=side,
            order_type=OrderType.LIMIT,
            limit_price=max(view.tick_size, price),
            reason=reason,
        )

    def warm_up(self, prices: Iterable[int]) -> None:
        for price in prices:
            self.signals.on_price(price)
