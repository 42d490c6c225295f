"""``bench_paced``: a strategy that trades at a rate the benchmark chooses, registered only inside
the benchmark's own processes.

Why not ``ema_cross``: how often a moving-average cross fires depends on the random walk and on
how many ticks each symbol gets, so at 9,000 symbols it would trade at a different rate than at
500, and neither rate would be Kite's. The benchmark needs the *same* order rate (orders per
second across all symbols) at every symbol count and tick rate: "realistic" (a few a second,
under Kite's 10/s and 400/min) and "stress" (200/s).

So each symbol's strategy does the work ``ema_cross`` does on every price (both EMAs, the
spread, the cross test: ``EmaCross`` itself, its signal ignored) and, once its slow EMA is
ready, signals on every ``every``-th price it sees, ``phase`` shifting where each symbol's
count starts so the symbols do not fire together. Signals alternate ``LONG`` / ``SHORT``: with
``SymbolTrader``'s "close, don't reverse" rule that is an entry, then its exit, then an entry...
one order per signal. The benchmark sets ``every`` to offered ticks/s ÷ wanted orders/s, so the
orders a row places are counted, not assumed (a signal meeting a working order is dropped).

Registration adds an entry to the two registries (``STRATEGY_PARAMS`` for the config loader,
``STRATEGIES`` for ``make_strategy``): no production file names this strategy, and a daemon
never sees it.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from strategies.base import Signal
from strategies.ema_cross import EmaCross
from strategies.params import STRATEGY_PARAMS, EmaCrossParams, PositiveInt, StrategyParams

NAME = "bench_paced"


class PacedParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Signal on every ``every``-th price once warmed up; ``phase`` offsets the count."""

    every: PositiveInt
    phase: Annotated[int, msgspec.Meta(ge=0)] = 0
    fast: PositiveInt = 9
    slow: PositiveInt = 21


class PacedStrategy:
    """See the module docstring. ``warmup_ticks`` is the slow EMA's period, as ``ema_cross``'s."""

    name = NAME

    def __init__(self, params: PacedParams) -> None:
        self.every = params.every
        self.warmup_ticks = params.slow
        self._cross = EmaCross(EmaCrossParams(fast=params.fast, slow=params.slow))
        self._seen = params.phase
        self._prices = 0
        self._next = Signal.LONG

    def on_price(self, price_paise: int) -> Signal | None:
        self._cross.on_price(price_paise)  # the indicator work every tick costs ema_cross
        self._prices += 1
        self._seen += 1
        if self._prices < self.warmup_ticks or self._seen % self.every:
            return None
        signal = self._next
        self._next = Signal.SHORT if signal is Signal.LONG else Signal.LONG
        return signal


def register() -> None:
    """Make ``bench_paced`` a known strategy in this process (idempotent)."""
    from strategies.registry import STRATEGIES  # the indicator side, as the actor imports it

    STRATEGY_PARAMS[NAME] = PacedParams
    STRATEGIES[NAME] = PacedStrategy
