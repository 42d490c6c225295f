"""Each configured symbol's ``InstrumentSpec`` (tick, lot, multiplier), from the config in paper
and replay, from Kite's instruments dump of the day in live and dry-run.

In live and dry-run the exchange's facts win: a tick or lot size configured differently is
only a paper default gone stale (exchanges revise both), so it is reported, one WARNING line per
symbol, and the dump's value is used. A configured ``quantity`` that is not whole lots of the
dump's lot size refuses to start: every order would be refused (by RiskGate, and by Kite), and
a person must choose the new quantity. The multiplier is not in the dump: it is the config's,
checked later against Kite's positions (``core.instruments.multiplier_mismatches``).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping

from config import Config
from core.instruments import InstrumentSpec
from feeds.kite_instruments import InstrumentFacts

_log = logging.getLogger(__name__)


class QuantityNotWholeLots(ValueError):
    """A configured quantity the day's lot size does not divide (a ValueError: ``main.py run``
    exits 2 with it, as with every start-up problem a person must fix)."""


def paper_specs(config: Config) -> dict[str, InstrumentSpec]:
    """Paper and replay: the configured values, with their defaults (5 paise, lot 1)."""
    return {
        x.symbol: InstrumentSpec(
            tick_size=x.paper_tick_size_paise, lot_size=x.paper_lot_size, multiplier=x.multiplier
        )
        for x in config.symbols
    }


def live_specs(config: Config, facts: Mapping[str, InstrumentFacts]) -> dict[str, InstrumentSpec]:
    """Live and dry-run: tick and lot from the dump (``facts`` has every configured symbol, as
    ``load_instruments`` guarantees), multiplier from the config. Logs each contradiction and
    raises ``QuantityNotWholeLots`` naming every symbol whose quantity is not whole lots."""
    specs: dict[str, InstrumentSpec] = {}
    refused: list[str] = []
    for x in config.symbols:
        dump = facts[x.symbol]
        contradictions = []
        if x.tick_size_paise is not None and x.tick_size_paise != dump.tick_size_paise:
            contradictions.append(
                f"tick_size_paise {x.tick_size_paise} (the dump says {dump.tick_size_paise})"
            )
        if x.lot_size is not None and x.lot_size != dump.lot_size:
            contradictions.append(f"lot_size {x.lot_size} (the dump says {dump.lot_size})")
        if contradictions:
            _log.warning(
                "%s: the config's %s contradicts Kite's instruments dump of today; the dump's "
                "values are used (the config's are only for paper and replay)",
                x.symbol,
                " and ".join(contradictions),
            )
        if x.quantity % dump.lot_size:
            refused.append(
                f"{x.symbol}: quantity {x.quantity} is not a whole number of lots of "
                f"{dump.lot_size} (Kite's lot size today)"
            )
        specs[x.symbol] = InstrumentSpec(
            tick_size=dump.tick_size_paise, lot_size=dump.lot_size, multiplier=x.multiplier
        )
    if refused:
        raise QuantityNotWholeLots(
            "; ".join(refused) + ": every order would be refused; set quantity to whole lots"
        )
    return specs


def multipliers(specs: Mapping[str, InstrumentSpec]) -> dict[str, int]:
    """``{symbol: multiplier}`` of every configured symbol, 1 included: what the PnL ledger
    values with, and what ``multiplier_mismatches`` checks Kite's positions against."""
    return {symbol: spec.multiplier for symbol, spec in specs.items()}


def refresher(
    load: Callable[[datetime.date], Mapping[str, InstrumentFacts]],
    specs: Mapping[str, InstrumentSpec],
) -> Callable[[datetime.date], None]:
    """What a new trading day does about instrument facts (live and dry-run): download the
    day's dump (cached, once a day) and say loudly when a configured symbol's tick or lot size
    changed, or it is no longer listed (an expired contract). The running daemon keeps the
    facts it started with — a tick or lot size is not changed under working orders — so the
    message says to restart."""

    def refresh(day: datetime.date) -> None:
        try:
            facts = load(day)
        except Exception as exc:  # a failed download must not stop trading on known facts
            _log.error("could not refresh Kite's instruments for %s: %s", day, exc)
            return
        for symbol, spec in sorted(specs.items()):
            now = facts.get(symbol)
            if now is None:
                _log.error("%s is not in Kite's instruments of %s (expired?)", symbol, day)
            elif (now.tick_size_paise, now.lot_size) != (spec.tick_size, spec.lot_size):
                _log.error(
                    "%s changed on %s: tick %d -> %d paise, lot %d -> %d; restart to trade "
                    "with the new facts", symbol, day, spec.tick_size, now.tick_size_paise,
                    spec.lot_size, now.lot_size,
                )  # fmt: skip

    return refresh
