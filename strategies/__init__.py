"""Pure strategy logic, registered by name.

Keep this module import-light: ``config`` imports it to validate ``[symbols.params]``, and
``main.py check-config`` must stay fast and free of threads, so nothing here may pull in pykka,
kiteconnect or the indicator code at import time.
"""

from strategies.params import (
    STRATEGY_PARAMS,
    ChannelBreakoutParams,
    EmaCrossParams,
    RsiReversionParams,
    StrategyParams,
)

__all__ = [
    "STRATEGY_PARAMS",
    "ChannelBreakoutParams",
    "EmaCrossParams",
    "RsiReversionParams",
    "StrategyParams",
]
