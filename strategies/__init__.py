"""Pure strategy logic, registered by name.

Keep this module import-light: ``config`` imports it to validate ``[symbols.params]``, and
``main.py check-config`` must stay fast and free of threads, so nothing here may pull in pykka,
kiteconnect or the indicator code at import time. Import the logic from its own module:

* ``strategies.params``     the parameter Structs and ``STRATEGY_PARAMS`` (re-exported here);
* ``strategies.api``        the strategy API: ``Strategy``, ``View``, ``Bar``, the decisions;
* ``strategies.base``       ``Signal`` and the ``SignalStrategy`` protocol of the built-ins;
* ``strategies.signals``    ``SignalTrading``: a signal strategy on the strategy API;
* ``strategies.bars``       ``BarAggregator``: OHLCV bars from ticks;
* ``strategies.loader``     out-of-tree strategies, ``"module:Class"``;
* ``strategies.indicators`` ``Ema``, ``WilderRsi``, ``Channel``, fed one price at a time;
* ``strategies.ema_cross``, ``strategies.rsi_reversion``, ``strategies.channel_breakout``;
* ``strategies.registry``   ``make_strategy(name, params)``, same names as ``STRATEGY_PARAMS``;
* ``strategies.position``   the strategy's own exact average-entry position;
* ``strategies.exits``      stop loss, take profit (partial), trailing and time stops;
* ``strategies.trader``     ``SymbolTrader``: the Strategy actor's whole decision logic.
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
