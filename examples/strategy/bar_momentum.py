"""An out-of-tree shikra strategy: momentum on bars, entered with a LIMIT order, with its own
stop and target.

It lives outside ``strategies/`` on purpose: this is what a user writes. shikra imports it
from ``[system] strategy_paths`` when a symbol says ``strategy = "bar_momentum:BarMomentum"``.

The rule: when a bar closes ``threshold_bps`` or more above its open (a strong up bar) and the
spread is no wider than ``max_spread_ticks``, buy ``lots`` lots with a LIMIT at the bid; the
stop is the bar's low, the target ``reward_risk`` times that distance above the entry. A strong
down bar mirrors it. Flat or already in, nothing. shikra does the rest: one order at a time,
the configured exits, RiskGate, the cut-off and the square-off, and cancelling the LIMIT if it
has not filled within ``[symbols.entry] timeout_seconds``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import msgspec

from messages.market import Tick
from messages.orders import OrderType, Side
from strategies import StrategyParams
from strategies.api import Bar, Decision, Enter, View


class BarMomentumParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    bar_seconds: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    threshold_bps: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    reward_risk: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    max_spread_ticks: Annotated[int, msgspec.Meta(ge=1)] = 3
    lots: Annotated[int, msgspec.Meta(ge=1)] = 1


class BarMomentum:
    Params = BarMomentumParams
    name = "bar_momentum"
    warmup_ticks = 1
    bar_seconds = 60.0

    def __init__(self, params: BarMomentumParams) -> None:
        self.params = params
        self.bar_seconds = params.bar_seconds
        self._bid: int | None = None
        self._ask: int | None = None

    def on_tick(self, tick: Tick, view: View) -> Decision | None:
        """Ticks only keep the touch: the decision is made on bars."""
        self._bid, self._ask = tick.bid, tick.ask
        return None

    def on_bar(self, bar: Bar, view: View) -> Decision | None:
        if view.position or view.working is not None or self._bid is None or self._ask is None:
            return None
        if self._ask - self._bid > self.params.max_spread_ticks * view.tick_size:
            return None  # a wide spread: the bar's move may be the quote's, not the market's
        move_bps = (bar.close - bar.open) * 10_000 / bar.open
        if abs(move_bps) < self.params.threshold_bps:
            return None
        up = move_bps > 0
        entry = self._bid if up else self._ask
        risk = max(view.tick_size, entry - bar.low if up else bar.high - entry)
        reward = int(risk * self.params.reward_risk)
        return Enter(
            side=Side.BUY if up else Side.SELL,
            order_type=OrderType.LIMIT,
            limit_price=entry,
            lots=self.params.lots,
            stop_price=entry - risk if up else entry + risk,
            target_price=entry + reward if up else entry - reward,
            reason=f"bar_momentum {move_bps:+.1f} bps",
        )

    def warm_up(self, prices: Iterable[int]) -> None:
        """Nothing to rebuild from prices alone: the next bar starts afresh."""
