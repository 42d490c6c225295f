"""``[[symbols]]``: one entry per traded instrument, naming the strategy that trades it.

Each entry becomes one ``Strategy:<symbol>`` actor, so this list *is* the strategy half of the
actor tree (DESIGN rule 10).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from config.actors import strategy_actor_name
from config.base import PositiveFloat, PositiveInt, Section, have
from config.feeds import KiteMode
from config.validate import Problem, validate_struct
from strategies.params import STRATEGY_PARAMS, StrategyParams

EXCHANGES: tuple[str, ...] = ("NSE", "BSE", "NFO", "BFO", "MCX")
"""Exchanges whose prices are whole paise (Kite sends them ÷100)."""
_SUB_PAISA_EXCHANGES = ("CDS", "BCD")
_TRADING_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9&_.\-]*$")


class ExitsConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Position exits applied on top of the strategy's own signals; each is off when absent.

    Distances are basis points of the entry price (``trailing_stop_bps``: of the best price
    since entry). ``time_stop_seconds`` closes a position held that long;
    ``partial_exit_fraction`` is the share closed at ``take_profit_bps`` (the rest trails).
    """

    stop_loss_bps: PositiveFloat | None = None
    take_profit_bps: PositiveFloat | None = None
    trailing_stop_bps: PositiveFloat | None = None
    time_stop_seconds: PositiveFloat | None = None
    partial_exit_fraction: Annotated[float, msgspec.Meta(gt=0, lt=1)] | None = None


class SymbolConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One traded instrument and its strategy.

    ``params`` stays the raw table here because its type depends on ``strategy``; it is
    validated against ``strategies.STRATEGY_PARAMS[strategy]`` at load time, and
    ``strategy_params()`` returns it typed. Prices are int paise, ``quantity`` is shares (or
    units) per order and must be whole lots.
    """

    symbol: str
    """``EXCHANGE:TRADINGSYMBOL`` as Kite writes it, e.g. ``NSE:INFY``."""
    strategy: str
    params: dict[str, Any] = {}
    quantity: PositiveInt
    product: Literal["MIS", "CNC", "NRML"] = "MIS"
    tick_size_paise: PositiveInt = 5
    lot_size: PositiveInt = 1
    initial_price_paise: PositiveInt = 100_000
    """Where the synthetic feed starts this symbol's random walk (100000 = ₹1,000)."""
    feed_mode: KiteMode | None = None
    """Kite subscription mode for this symbol; ``feed.kite.default_mode`` when absent."""
    exits: ExitsConfig = msgspec.field(default_factory=ExitsConfig)

    @property
    def exchange(self) -> str:
        return self.symbol.split(":", 1)[0]

    @property
    def tradingsymbol(self) -> str:
        return self.symbol.split(":", 1)[1]

    @property
    def actor_name(self) -> str:
        """The directory name of this symbol's strategy actor, e.g. ``Strategy:NSE:INFY``."""
        return strategy_actor_name(self.symbol)

    def strategy_params(self) -> StrategyParams:
        """``params`` as the strategy's typed Struct (defaults filled in)."""
        return msgspec.convert(self.params, STRATEGY_PARAMS[self.strategy])

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if "symbol" in values:
            message = symbol_problem(values["symbol"])
            if message:
                problems.append(("symbol", message))
        strategy = values.get("strategy")
        if strategy is not None and strategy not in STRATEGY_PARAMS:
            known = ", ".join(sorted(STRATEGY_PARAMS))
            problems.append(("strategy", f"unknown strategy {strategy!r} (known: {known})"))
        elif strategy is not None and "params" in values:
            validate_struct(values["params"], STRATEGY_PARAMS[strategy], "params", problems)
        if have(values, "quantity", "lot_size") and values["quantity"] % values["lot_size"]:
            message = f"must be a whole number of lots of {values['lot_size']}, got "
            problems.append(("quantity", message + str(values["quantity"])))
        if have(values, "initial_price_paise", "tick_size_paise"):
            price, tick = values["initial_price_paise"], values["tick_size_paise"]
            if price % tick:
                message = f"must be a multiple of tick_size_paise ({tick}), got {price}"
                problems.append(("initial_price_paise", message))
        return problems


def symbol_problem(symbol: str) -> str | None:
    """What is wrong with an ``EXCHANGE:TRADINGSYMBOL`` string, or None."""
    exchange, colon, tradingsymbol = symbol.partition(":")
    if not colon or not exchange or not tradingsymbol:
        return f"expected 'EXCHANGE:TRADINGSYMBOL' (e.g. 'NSE:INFY'), got {symbol!r}"
    if exchange in _SUB_PAISA_EXCHANGES:
        return (
            f"exchange {exchange!r} is not supported: currency derivatives are priced in "
            "fractions of a paisa (Kite sends them in 1e-7 or 1e-4 rupee units), and shikra "
            "keeps every price in whole paise"
        )
    if exchange not in EXCHANGES:
        return f"unknown exchange {exchange!r} (known: {', '.join(EXCHANGES)})"
    if not _TRADING_SYMBOL.match(tradingsymbol):
        return (
            f"trading symbol {tradingsymbol!r} must be upper-case letters, digits and & _ . - "
            "as Kite writes it"
        )
    return None
