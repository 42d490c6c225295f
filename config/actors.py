"""The names of the actors, and the order a config starts them in: the one place an actor's
name is written (DESIGN rule 3: addresses are names). Actors, the topology, the control socket
and the tests all import these constants; a name is never spelled out anywhere else.

Start order matters for ``rest_for_one``: each actor may depend on those before it, so the
sinks start first and the tick source last, and no tick reaches a strategy before RiskGate and
the router can take its orders.
"""

from __future__ import annotations

from collections.abc import Iterable

PNL_TRACKER = "PnLTracker"
RISK_GATE = "RiskGate"
ORDER_ROUTER = "OrderRouter"
POSITION_SYNC = "PositionSync"
TICK_FEED = "TickFeed"
HEARTBEAT = "Heartbeat"

STARTED_BEFORE_STRATEGIES: tuple[str, ...] = (PNL_TRACKER, RISK_GATE, ORDER_ROUTER, POSITION_SYNC)
STARTED_AFTER_STRATEGIES: tuple[str, ...] = (TICK_FEED, HEARTBEAT)
EVERY_STRATEGY = "Strategy"
"""Override key meaning every strategy actor; ``Strategy:<symbol>`` overrides one of them."""
STRATEGY_ACTOR_PREFIX = EVERY_STRATEGY + ":"


def strategy_actor_name(symbol: str) -> str:
    """``strategy_actor_name("NSE:INFY") == "Strategy:NSE:INFY"``."""
    return STRATEGY_ACTOR_PREFIX + symbol


def is_strategy(name: str) -> bool:
    return name.startswith(STRATEGY_ACTOR_PREFIX)


def symbol_of_strategy(name: str) -> str:
    """``symbol_of_strategy("Strategy:NSE:INFY") == "NSE:INFY"``."""
    return name.removeprefix(STRATEGY_ACTOR_PREFIX)


def actor_start_order(symbols: Iterable[str]) -> tuple[str, ...]:
    """Every actor name for these symbols, in start order (stop order is the reverse)."""
    strategies = tuple(strategy_actor_name(symbol) for symbol in symbols)
    return STARTED_BEFORE_STRATEGIES + strategies + STARTED_AFTER_STRATEGIES
