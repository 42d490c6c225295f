"""Rules that span sections: they need the whole file, so they run on the root ``Config``.

Each rule looks only at the sections it needs and skips itself when one of them already
failed its own checks (see ``config.validate``), so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.actors import (
    EVERY_STRATEGY,
    STARTED_AFTER_STRATEGIES,
    STARTED_BEFORE_STRATEGIES,
    STRATEGY_ACTOR_PREFIX,
    actor_start_order,
)
from config.base import have
from config.limits import KITE_ORDER_LIMITS
from config.validate import Problem, validate_struct
from strategies.loader import StrategyLoadError, is_external, params_type

FEED_SOURCES_BY_MODE: dict[str, tuple[str, ...]] = {
    "paper": ("synthetic", "replay"),
    "replay": ("replay",),
    "live": ("kite",),
    "dry-run": ("kite",),
}
"""Which tick sources each mode may run on: only the Kite modes see the real market."""
MODES_NEEDING_CREDENTIALS = ("live", "dry-run")


def cross_section_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every problem between sections of a root config's (partially) validated fields."""
    return [
        *_symbol_problems(values),
        *_mode_problems(values),
        *_order_rate_problems(values),
        *_override_problems(values),
        *_fault_problems(values),
        *_state_file_problems(values),
    ]


def _state_file_problems(values: Mapping[str, Any]) -> list[Problem]:
    """The venue's file and the journal are two files: one file holding both would mix the
    venue's books with shikra's view of them (and their tables share names). Live mode has no
    paper venue."""
    if not have(values, "system", "broker") or values["system"].mode == "live":
        return []
    venue_file = values["broker"].paper.venue_file
    if venue_file == values["system"].journal:
        message = f"must differ from system.journal ({venue_file!r}): the venue has its own file"
        return [("broker.paper.venue_file", message)]
    return []


def _symbol_problems(values: Mapping[str, Any]) -> list[Problem]:
    if "symbols" not in values:
        return []
    symbols = values["symbols"]
    if not symbols:
        return [("symbols", "at least one [[symbols]] entry is required")]
    problems: list[Problem] = []
    first_index: dict[str, int] = {}
    for index, entry in enumerate(symbols):
        if entry.symbol in first_index:
            message = (
                f"duplicate symbol {entry.symbol!r} (also symbols[{first_index[entry.symbol]}])"
            )
            problems.append((f"symbols[{index}].symbol", message))
        first_index.setdefault(entry.symbol, index)
        if is_external(entry.strategy):
            paths = values["system"].strategy_paths if "system" in values else []
            problems.extend(_external_strategy_problems(entry, index, paths))
        if "risk" in values and entry.quantity > values["risk"].max_order_quantity:
            message = (
                f"{entry.quantity} exceeds risk.max_order_quantity "
                f"({values['risk'].max_order_quantity}): every order would be rejected"
            )
            problems.append((f"symbols[{index}].quantity", message))
    return problems


def _external_strategy_problems(entry: Any, index: int, paths: list[str]) -> list[Problem]:
    """An out-of-tree strategy: importable, true to the contract, its params valid against its
    own ``Params`` (each problem at ``symbols[i].params.<field>``, like a built-in's)."""
    try:
        params = params_type(entry.strategy, paths)
    except StrategyLoadError as exc:
        return [(f"symbols[{index}].strategy", str(exc))]
    problems: list[Problem] = []
    validate_struct(entry.params, params, f"symbols[{index}].params", problems)
    return problems


def _mode_problems(values: Mapping[str, Any]) -> list[Problem]:
    if "system" not in values:
        return []
    mode = values["system"].mode
    problems: list[Problem] = []
    if "feed" in values and values["feed"].source not in FEED_SOURCES_BY_MODE[mode]:
        wanted = " or ".join(repr(source) for source in FEED_SOURCES_BY_MODE[mode])
        message = f"mode {mode!r} needs {wanted}, got {values['feed'].source!r}"
        problems.append(("feed.source", message))
    if "broker" in values and mode in MODES_NEEDING_CREDENTIALS:
        kite = values["broker"].kite
        if not kite.api_key_env:
            message = (
                f"mode {mode!r} needs the name of the environment variable holding the API key"
            )
            problems.append(("broker.kite.api_key_env", message))
        if not kite.access_token_env and not kite.access_token_file:
            message = f"mode {mode!r} needs access_token_env or access_token_file to be set"
            problems.append(("broker.kite.access_token_env", message))
    if "faults" in values and mode == "live" and values["faults"].enabled:
        message = "fault injection is refused in live mode: it crashes actors trading real money"
        problems.append(("faults.enabled", message))
    return problems


def _order_rate_problems(values: Mapping[str, Any]) -> list[Problem]:
    """In live and dry-run the router's rates may not exceed Kite's: above them Kite answers
    429, and a dry-run is the rehearsal of a live run, so it keeps the same ceilings."""
    if (
        not have(values, "system", "orders")
        or values["system"].mode not in MODES_NEEDING_CREDENTIALS
    ):
        return []
    mode = values["system"].mode
    problems: list[Problem] = []
    for name, (ceiling, per) in KITE_ORDER_LIMITS.items():
        rate = getattr(values["orders"], name)
        if rate > ceiling:
            message = (
                f"mode {mode!r} trades through Kite, which allows at most {ceiling:,} orders "
                f"per {per}, got {rate:,}"
            )
            problems.append((f"orders.{name}", message))
    return problems


def _override_problems(values: Mapping[str, Any]) -> list[Problem]:
    if "supervision" not in values:
        return []
    symbols_known = "symbols" in values
    configured = {entry.symbol for entry in values.get("symbols", ())}
    core = sorted({*STARTED_BEFORE_STRATEGIES, *STARTED_AFTER_STRATEGIES, EVERY_STRATEGY})
    problems: list[Problem] = []
    for name in values["supervision"].overrides:
        path = f"supervision.overrides.{name}"
        if name.startswith(STRATEGY_ACTOR_PREFIX):
            symbol = name.removeprefix(STRATEGY_ACTOR_PREFIX)
            if symbols_known and symbol not in configured:
                message = f"unknown actor {name!r}: no [[symbols]] entry is {symbol!r}"
                problems.append((path, message))
        elif name not in core:
            message = (
                f"unknown actor {name!r} (known: {', '.join(core)}, "
                "or Strategy:<symbol> for a configured symbol)"
            )
            problems.append((path, message))
    return problems


def _fault_problems(values: Mapping[str, Any]) -> list[Problem]:
    if not have(values, "faults", "symbols"):
        return []
    actors = actor_start_order(entry.symbol for entry in values["symbols"])
    problems: list[Problem] = []
    for index, rule in enumerate(values["faults"].rules):
        if not any(rule.matches(actor) for actor in actors):
            hint = " (use 'Strategy:*' for every strategy)" if rule.actor == EVERY_STRATEGY else ""
            message = f"{rule.actor!r} matches no actor{hint}; actors: {', '.join(actors)}"
            problems.append((f"faults.rules[{index}].actor", message))
    return problems
