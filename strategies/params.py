"""The parameters of each strategy, as typed Structs, and the registry of strategy names.

They live apart from the strategy logic so that loading and checking a config file needs only
msgspec: ``main.py check-config`` validates every ``[symbols.params]`` table against these types
without importing any indicator code.

Protocol shared with ``config.validate``: a params Struct may define a ``cross_checks``
classmethod taking the field values that passed their own type checks (a partial mapping when
others failed) and returning ``(field, message)`` problems. The config loader calls it to report
every problem at its own path; ``__post_init__`` calls it too, so params built in code obey the
same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
Level = Annotated[float, msgspec.Meta(gt=0, lt=100)]


class StrategyParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every strategy's parameters: immutable, keyword-only, and a misspelt key in the
    config file is an error instead of a silently ignored setting."""

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Rules between fields; none by default."""
        return []

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name in self.__struct_fields__}
        problems = type(self).cross_checks(values)
        if problems:
            raise ValueError("; ".join(f"{path}: {message}" for path, message in problems))


class EmaCrossParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Trend following: go long when the fast EMA crosses above the slow one, flat or short when
    it crosses below. Periods are counted in ticks."""

    fast: PositiveInt = 9
    slow: PositiveInt = 21

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        fast, slow = values.get("fast"), values.get("slow")
        if fast is not None and slow is not None and fast >= slow:
            return [("fast", f"fast period ({fast}) must be less than slow period ({slow})")]
        return []


class RsiReversionParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Mean reversion: buy when RSI over ``period`` ticks falls below ``oversold``, sell when it
    rises above ``overbought``. Levels are RSI points on its 0..100 scale."""

    period: PositiveInt = 14
    oversold: Level = 30.0
    overbought: Level = 70.0

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        low, high = values.get("oversold"), values.get("overbought")
        if low is not None and high is not None and low >= high:
            return [("oversold", f"oversold ({low}) must be less than overbought ({high})")]
        return []


class ChannelBreakoutParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Donchian breakout: buy above the highest high of the last ``lookback`` ticks, sell below
    the lowest low."""

    lookback: PositiveInt = 20


STRATEGY_PARAMS: dict[str, type[StrategyParams]] = {
    "ema_cross": EmaCrossParams,
    "rsi_reversion": RsiReversionParams,
    "channel_breakout": ChannelBreakoutParams,
}
"""Strategy name (as written in ``[[symbols]] strategy = ...``) -> its parameters type."""
