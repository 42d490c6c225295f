"""The root of the config: one TOML file is the whole actor topology (DESIGN rule 10).

Sections live in their own modules (``system``, ``feeds``, ``symbols``, ``limits``,
``brokers``, ``supervision``, ``faults``); this module assembles them and answers the questions
the rest of the system asks of a config: which actors exist, in which order they start, and
how each is supervised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from config.actors import EVERY_STRATEGY, actor_start_order
from config.base import Section
from config.brokers import BrokerConfig
from config.checks import cross_section_problems
from config.faults import FaultsConfig
from config.feeds import FeedConfig
from config.limits import ChargesConfig, OrdersConfig, RiskConfig
from config.supervision import ChildSupervision, SupervisionConfig
from config.symbols import SymbolConfig
from config.system import HeartbeatConfig, MarketConfig, PositionSyncConfig, SystemConfig
from config.validate import Problem


class Config(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A whole, validated config. Build it with ``config.load_config``, which reports every
    problem of a bad file at once; constructing it in code enforces the same rules but stops
    at the first section that breaks one.

    Required: ``[system]`` (for ``mode``), ``[feed]`` (for ``source``), at least one
    ``[[symbols]]`` and ``[risk]``. Everything else has defaults.
    """

    system: SystemConfig
    market: MarketConfig = msgspec.field(default_factory=MarketConfig)
    feed: FeedConfig
    symbols: tuple[SymbolConfig, ...]
    risk: RiskConfig
    orders: OrdersConfig = msgspec.field(default_factory=OrdersConfig)
    broker: BrokerConfig = msgspec.field(default_factory=BrokerConfig)
    supervision: SupervisionConfig = msgspec.field(default_factory=SupervisionConfig)
    heartbeat: HeartbeatConfig = msgspec.field(default_factory=HeartbeatConfig)
    position_sync: PositionSyncConfig = msgspec.field(default_factory=PositionSyncConfig)
    charges: ChargesConfig = msgspec.field(default_factory=ChargesConfig)
    faults: FaultsConfig = msgspec.field(default_factory=FaultsConfig)

    def actor_names(self) -> tuple[str, ...]:
        """Every actor this config starts, in start order: PnLTracker, RiskGate, OrderRouter,
        PositionSync, one ``Strategy:<symbol>`` per symbol in file order, TickFeed, Heartbeat.
        Stop in the reverse order."""
        return actor_start_order(entry.symbol for entry in self.symbols)

    def override_names(self) -> tuple[str, ...]:
        """The names ``[supervision.overrides]`` accepts: every actor, plus ``"Strategy"``."""
        return (*self.actor_names(), EVERY_STRATEGY)

    def supervision_for(self, actor_name: str) -> ChildSupervision:
        """The effective supervision of one actor: ``[supervision]`` defaults, then the
        ``"Strategy"`` override (strategy actors only), then the actor's own override.

        Raises ``KeyError`` for a name that is not one of ``actor_names()``.
        """
        if actor_name not in self.actor_names():
            raise KeyError(f"no actor named {actor_name!r} in this config")
        return self.supervision.effective(actor_name)

    def symbol(self, symbol: str) -> SymbolConfig:
        """The ``[[symbols]]`` entry for ``EXCHANGE:TRADINGSYMBOL``; ``KeyError`` if absent."""
        for entry in self.symbols:
            if entry.symbol == symbol:
                return entry
        raise KeyError(f"no [[symbols]] entry for {symbol!r}")

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        return cross_section_problems(values)
