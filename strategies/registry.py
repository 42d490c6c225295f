"""Strategy name -> signal strategy, under the same names as ``STRATEGY_PARAMS``.

Kept out of ``strategies/__init__`` on purpose: config validation imports that package and must
not pay for (or depend on) the indicator code. Only the Strategy actor imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from config.symbols import EntryConfig
from strategies.api import Strategy
from strategies.base import SignalStrategy
from strategies.channel_breakout import ChannelBreakout
from strategies.ema_cross import EmaCross
from strategies.loader import is_external, load_class
from strategies.params import STRATEGY_PARAMS
from strategies.rsi_reversion import RsiReversion
from strategies.signals import SignalTrading

STRATEGIES: dict[str, Callable[[Any], SignalStrategy]] = {
    "ema_cross": EmaCross,
    "rsi_reversion": RsiReversion,
    "channel_breakout": ChannelBreakout,
}
"""Strategy name -> constructor taking that strategy's params Struct."""


def make_strategy(
    name: str, params: msgspec.Struct, entry: EntryConfig | None = None, paths: Iterable[str] = ()
) -> Strategy:
    """A fresh strategy ``name`` with ``params``, on the strategy API: a built-in signal
    strategy through ``SignalTrading`` (its entries per ``entry``), an out-of-tree
    ``package.module:ClassName`` as it is (imported from ``paths``).

    Raises ``ValueError`` for an unknown name and ``TypeError`` when ``params`` is not the
    name's params type: both are wiring bugs (config validation has already checked the file),
    so they fail loudly at actor start instead of trading on the wrong parameters.
    """
    if is_external(name):
        cls = load_class(name, paths)
        if type(params) is not cls.Params:
            raise TypeError(f"strategy {name!r} takes {cls.Params.__name__}")
        return cls(params)  # type: ignore[no-any-return]
    return SignalTrading(make_signals(name, params), entry)


def make_signals(name: str, params: msgspec.Struct) -> SignalStrategy:
    """The built-in signal strategy ``name`` with ``params`` (see ``make_strategy``)."""
    if name not in STRATEGIES:
        known = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"unknown strategy {name!r} (known: {known})")
    expected = STRATEGY_PARAMS[name]
    if type(params) is not expected:
        raise TypeError(f"strategy {name!r} takes {expected.__name__}, got {type(params).__name__}")
    return STRATEGIES[name](params)
