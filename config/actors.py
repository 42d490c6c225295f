"""The names of the actors a config starts, in start order.

The supervision tree, the override table and fault rules all refer to actors by these names
(DESIGN rule 3: addresses are names). Start order matters for ``rest_for_one``: each actor may
depend on those before it, so the sinks start first and the tick source last, and no tick
reaches a strategy before RiskGate and the router can take its orders.
"""

from __future__ import annotations

from collections.abc import Iterable

STARTED_BEFORE_STRATEGIES: tuple[str, ...] = (
    "PnLTracker",
    "RiskGate",
    "OrderRouter",
    "PositionSync",
)
STARTED_AFTER_STRATEGIES: tuple[str, ...] = ("TickFeed", "Heartbeat")
EVERY_STRATEGY = "Strategy"
"""Override key meaning every strategy actor; ``Strategy:<symbol>`` overrides one of them."""
STRATEGY_ACTOR_PREFIX = "Strategy:"


def strategy_actor_name(symbol: str) -> str:
    """``strategy_actor_name("NSE:INFY") == "Strategy:NSE:INFY"``."""
    return STRATEGY_ACTOR_PREFIX + symbol


def actor_start_order(symbols: Iterable[str]) -> tuple[str, ...]:
    """Every actor name for these symbols, in start order (stop order is the reverse)."""
    strategies = tuple(strategy_actor_name(symbol) for symbol in symbols)
    return STARTED_BEFORE_STRATEGIES + strategies + STARTED_AFTER_STRATEGIES
