"""``[[symbols]]``: one entry per traded instrument, naming the strategy that trades it.

Each entry becomes one ``Strategy:<symbol>`` actor, so this list *is* the strategy half of the
actor tree (DESIGN rule 10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

import msgspec

from config.actors import strategy_actor_name
from config.base import NonNegativeInt, PositiveFloat, PositiveInt, Section, have
from config.feeds import KiteMode
from config.validate import Problem, validate_struct
from core.market_hours import exchange_of
from strategies.loader import is_external, params_type
from strategies.params import STRATEGY_PARAMS, StrategyParams

EXCHANGES: tuple[str, ...] = ("NSE", "BSE", "NFO", "BFO", "MCX")
"""Exchanges whose prices are whole paise (Kite sends them ÷100)."""
_SUB_PAISA_EXCHANGES = ("CDS", "BCD")
_TRADING_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9&_.\-]*$")
DEFAULT_TICK_SIZE_PAISE = 5
DEFAULT_LOT_SIZE = 1


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


class EntryConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[symbols.entry]``: how a built-in strategy's entries are ordered, and how long any
    LIMIT entry may wait.

    ``order_type = "LIMIT"`` prices the entry ``offset_ticks`` from the last price on the
    passive side (below for a buy, above for a sell; negative crosses it). A LIMIT entry, a
    built-in's or an out-of-tree strategy's, still working ``timeout_seconds`` of market time
    after it was decided is cancelled: the symbol is free to trade again."""

    order_type: Literal["MARKET", "LIMIT"] = "MARKET"
    offset_ticks: int = 0
    timeout_seconds: PositiveFloat = 30.0


class VenueStopConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[symbols.venue_stop]``: keep the position's stop at the broker, not only in shikra.

    When an entry fills, the stop of ``[symbols.exits]`` (the tightest of ``stop_loss_bps``,
    ``trailing_stop_bps`` and the strategy's own ``stop_price``) is placed as a stop order with
    shikra's tag, so the position keeps its stop if the daemon dies. ``SL-M`` triggers a market
    order; ``SL`` a limit ``limit_offset_ticks`` past the trigger (Zerodha refuses SL-M on BSE
    and for NSE options: use SL there). A trailing stop is moved by modifying the order, when
    it has moved at least ``trail_step_ticks`` (each modification is an order request in Kite's
    rate limits, and Kite allows 25 per order: after that the stop is cancelled and placed
    again). An exit for any other reason cancels the stop first."""

    order_type: Literal["SL-M", "SL"] = "SL-M"
    limit_offset_ticks: NonNegativeInt = 0
    trail_step_ticks: PositiveInt = 1


class SymbolConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One traded instrument and its strategy.

    ``params`` stays the raw table here because its type depends on ``strategy``; it is
    validated against ``strategies.STRATEGY_PARAMS[strategy]`` at load time, and
    ``strategy_params()`` returns it typed. Prices are int paise, ``quantity`` is shares (or
    units) per order and must be whole lots.

    Live and dry-run take tick size and lot size from Kite's instruments dump of the day;
    ``tick_size_paise`` and ``lot_size`` are for paper and replay (5 paise and 1 when absent),
    and a value configured here that contradicts the dump is reported at start-up. The dump
    has no multiplier: ``multiplier`` is declared here and checked against Kite's positions.
    """

    symbol: str
    """``EXCHANGE:TRADINGSYMBOL`` as Kite writes it, e.g. ``NSE:INFY``."""
    strategy: str
    params: dict[str, Any] = {}
    quantity: PositiveInt
    product: Literal["MIS", "CNC", "NRML"] = "MIS"
    tick_size_paise: PositiveInt | None = None
    """Paper and replay: the price step (5 paise when absent). Live: the dump's, always."""
    lot_size: PositiveInt | None = None
    """Paper and replay: the lot (1 when absent). Live: the dump's, always."""
    multiplier: PositiveInt = 1
    """Price x quantity x multiplier is the value: e.g. 10 for ``MCX:CRUDEOILM…FUT`` (a
    contract of 10 barrels quoted in ₹ per barrel, counted in lots by Kite), 1000 for an MCX
    metal mini quoted per kg (1 tonne a lot). Declare it for any contract that has one: order
    value, exposure, PnL and charges use it, and a value other than Kite's positions' is
    reported loudly."""
    initial_price_paise: PositiveInt = 100_000
    """Where the synthetic feed starts this symbol's random walk (100000 = ₹1,000)."""
    feed_mode: KiteMode | None = None
    """Kite subscription mode for this symbol; ``feed.kite.default_mode`` when absent."""
    exits: ExitsConfig = msgspec.field(default_factory=ExitsConfig)
    entry: EntryConfig = msgspec.field(default_factory=EntryConfig)
    venue_stop: VenueStopConfig | None = None
    """Absent: stops are kept by shikra alone (``exits``), and die with the process."""

    @property
    def paper_tick_size_paise(self) -> int:
        """The tick size paper and replay use: the configured one, else 5 paise."""
        return self.tick_size_paise or DEFAULT_TICK_SIZE_PAISE

    @property
    def paper_lot_size(self) -> int:
        """The lot size paper and replay use: the configured one, else 1."""
        return self.lot_size or DEFAULT_LOT_SIZE

    @property
    def exchange(self) -> str:
        return exchange_of(self.symbol)

    @property
    def tradingsymbol(self) -> str:
        return self.symbol.split(":", 1)[1]

    @property
    def actor_name(self) -> str:
        """The directory name of this symbol's strategy actor, e.g. ``Strategy:NSE:INFY``."""
        return strategy_actor_name(self.symbol)

    def strategy_params(self, paths: Iterable[str] = ()) -> StrategyParams:
        """``params`` as the strategy's typed Struct (defaults filled in); an out-of-tree
        strategy's ``Params`` is imported from ``paths`` (``[system] strategy_paths``)."""
        if is_external(self.strategy):
            return msgspec.convert(self.params, params_type(self.strategy, paths))
        return msgspec.convert(self.params, STRATEGY_PARAMS[self.strategy])

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if "symbol" in values:
            message = symbol_problem(values["symbol"])
            if message:
                problems.append(("symbol", message))
        strategy = values.get("strategy")
        if strategy is not None and is_external(strategy):
            pass  # imported and checked with [system] strategy_paths (config.checks)
        elif strategy is not None and strategy not in STRATEGY_PARAMS:
            known = ", ".join(sorted(STRATEGY_PARAMS))
            message = f"unknown strategy {strategy!r} (known: {known}, or 'module:Class')"
            problems.append(("strategy", message))
        elif strategy is not None and "params" in values:
            validate_struct(values["params"], STRATEGY_PARAMS[strategy], "params", problems)
        problems.extend(venue_stop_problems(values))
        lot = values.get("lot_size") or DEFAULT_LOT_SIZE
        if have(values, "quantity", "lot_size") and values["quantity"] % lot:
            message = f"must be a whole number of lots of {lot}, got "
            problems.append(("quantity", message + str(values["quantity"])))
        if have(values, "initial_price_paise", "tick_size_paise"):
            price = values["initial_price_paise"]
            tick = values["tick_size_paise"] or DEFAULT_TICK_SIZE_PAISE
            if price % tick:
                message = f"must be a multiple of tick_size_paise ({tick}), got {price}"
                problems.append(("initial_price_paise", message))
        return problems


_OPTION = re.compile(r"\d(CE|PE)$")


def venue_stop_problems(values: Mapping[str, Any]) -> list[Problem]:
    """A venue stop with no stop to place, or of a type the exchange refuses (``values``: the
    fields that passed, nested sections already typed)."""
    stop = values.get("venue_stop")
    if not isinstance(stop, VenueStopConfig):
        return []
    problems: list[Problem] = []
    exits = values.get("exits")
    strategy = values.get("strategy")
    no_stop = not isinstance(exits, ExitsConfig) or (
        exits.stop_loss_bps is None and exits.trailing_stop_bps is None
    )
    if no_stop and isinstance(strategy, str) and not is_external(strategy):
        message = (
            "needs a stop to place: set exits.stop_loss_bps or exits.trailing_stop_bps "
            "(a built-in strategy gives no stop price of its own)"
        )
        problems.append(("venue_stop", message))
    symbol = values.get("symbol")
    if stop.order_type == "SL-M" and isinstance(symbol, str):
        exchange, _, tradingsymbol = symbol.partition(":")
        if exchange in ("BSE", "BFO") or (exchange == "NFO" and _OPTION.search(tradingsymbol)):
            where = "BSE" if exchange in ("BSE", "BFO") else "NSE options"
            message = f"Zerodha refuses SL-M orders on {where} (the exchange withdrew them): use SL"
            problems.append(("venue_stop.order_type", message))
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
