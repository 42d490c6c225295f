"""Strategy name -> signal strategy, under the same names as ``STRATEGY_PARAMS``.

Kept out of ``strategies/__init__`` on purpose: config validation imports that package and must
not pay for (or depend on) the indicator code. Only the Strategy actor imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strategies.base import SignalStrategy
from strategies.channel_breakout import ChannelBreakout
from strategies.ema_cross import EmaCross
from strategies.params import STRATEGY_PARAMS
from strategies.rsi_reversion import RsiReversion

STRATEGIES: dict[str, Callable[[Any], SignalStrategy]] = {
    "ema_cross": EmaCross,
    "rsi_reversion": RsiReversion,
    "channel_breakout": ChannelBreakout,
}
"""Strategy name -> constructor taking that strategy's params Struct."""


def make_strategy(name: str, params: msgspec.Struct) -> SignalStrategy:
    """A fresh strategy ``name`` with ``params``.

    Raises ``ValueError`` for an unknown name and ``TypeError`` when ``params`` is not the
    name's params type: both are wiring bugs (config validation has already checked the file),
    so they fail loudly at actor start instead of trading on the wrong parameters.
    """
    if name not in STRATEGIES:
        known = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"unknown strategy {name!r} (known: {known})")
    expected = STRATEGY_PARAMS[name]
    if type(params) is not expected:
        raise TypeError(f"strategy {name!r} takes {expected.__name__}, got {type(params).__name__}")
    return STRATEGIES[name](params)
