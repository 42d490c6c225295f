"""Strategy: one per symbol, a thin shell around ``strategies.trader.SymbolTrader``.

Ticks go in, at most one intent comes out per tick; it is journaled *before* it is sent to
RiskGate, with its per-symbol sequence number, so a restarted strategy continues the sequence
and never reuses a client id. The strategy knows its position from fills (sent to it by the
router) and, after a restart or when a new trading day begins, from the journal
(``core.recovery.restore_strategy``: the fills of a carried position since it was last flat,
then the day's; the order still working today): never by asking another actor.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from config.actors import RISK_GATE
from config.symbols import SymbolConfig
from core.instruments import InstrumentSpec
from core.market_hours import MarketHours
from core.recovery import CARRIED_PRODUCTS, carries, restore_strategy
from journal import Journal
from messages import (
    DayStarted,
    Fill,
    OrderEvent,
    OrderRejected,
    OrderStatus,
    Product,
    Tick,
    WarmUp,
)
from strategies.base import Signal
from strategies.registry import make_strategy
from strategies.trader import SymbolTrader
from supervisors import PooledSupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)


def client_id_prefix(symbol: str) -> str:
    """``S`` and 7 characters of a hash of the symbol: stable across restarts and days, short
    enough for Kite's 20-character tag with the 6-digit sequence, alphanumeric as Kite wants."""
    return "S" + hashlib.blake2s(symbol.encode(), digest_size=8).hexdigest()[:7].upper()


class Strategy(PooledSupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        settings: SymbolConfig,
        instrument: InstrumentSpec,
        journal_path: str,
        hours: MarketHours,
        start_day: datetime.date,
    ) -> None:
        """``instrument``: the tick and lot size this run trades with (the dump's in live and
        dry-run, the config's in paper and replay), not ``settings``' paper defaults."""
        super().__init__(link)
        self.settings = settings
        self.instrument = instrument
        self.symbol = settings.symbol
        self.journal_path = journal_path
        self.hours = hours
        self.start_day = start_day
        self.day = start_day
        self.journal: Journal | None = None
        self.trader: SymbolTrader | None = None
        self.metrics = link.metrics
        self.intent_counters: dict[str, Any] = {}
        self.signal_counters: dict[Signal, Any] = {}

    def started(self) -> None:
        journal = self.journal = Journal.open(
            self.journal_path, self.link.clock, any_thread=True, zone=str(self.hours.zone)
        )
        self.day = max(journal.current_day() or self.start_day, self.start_day)
        self.trader = SymbolTrader(
            symbol=self.symbol,
            quantity=self.settings.quantity,
            lot_size=self.instrument.lot_size,
            product=Product(self.settings.product),
            strategy=make_strategy(self.settings.strategy, self.settings.strategy_params()),
            exits=self.settings.exits,
            client_id_prefix=client_id_prefix(self.symbol),
            next_seq=journal.max_strategy_seq(self.symbol) + 1,
            tick_size_paise=self.instrument.tick_size,
        )
        self._restore()

    def _restore(self) -> None:
        """Position and the working order for the day, from the journal (see the docstring)."""
        journal, trader = self.journal, self.trader
        assert journal is not None and trader is not None
        restored = restore_strategy(
            self.day,
            self.symbol,
            journal.fills_before(self.day, CARRIED_PRODUCTS, symbol=self.symbol),
            journal.fills_of_day(self.day, symbol=self.symbol),
            [order for order in journal.open_orders() if order.symbol == self.symbol],
        )
        trader.reset_position()
        trader.restore(restored.fills, pending_client_id=restored.pending_client_id)
        if restored.fills or restored.pending_client_id:
            waiting = restored.pending_client_id
            _log.info(
                "%s restored for %s: position %d from %d fills%s",
                self.name,
                self.day,
                trader.position,
                len(restored.fills),
                f", waiting on {waiting}" if waiting else "",
            )

    def stopping(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def handle(self, message: Any) -> None:
        trader = self.trader
        assert trader is not None and self.journal is not None
        if isinstance(message, Tick):
            intent = trader.on_tick(message)
            if trader.last_signal is not None:
                self._count_signal(trader.last_signal)
            if intent is None:
                return
            self.journal.record_intent(intent, trader.next_seq - 1, self.day)
            self.link.faults_at("strategy.intent_journaled")
            self.address(RISK_GATE).tell(intent)
            counter = self.intent_counters.get(intent.side.value)
            if counter is None:
                counter = self.intent_counters[intent.side.value] = self.metrics.intents.labels(
                    symbol=self.symbol, side=intent.side.value
                )
            counter.inc()
            if message.receive_ns:
                latency = (self.link.clock.now_ns() - message.receive_ns) / 1e9
                self.metrics.tick_to_intent.observe(max(0.0, latency))
        elif isinstance(message, Fill):
            if self.hours.trading_day(message.at_ns) < self.day:
                if carries(message.product):
                    self._restore()  # yesterday's fill, told late: the journal has it
                return
            trader.on_fill(message)
        elif isinstance(message, DayStarted):
            if message.day > self.day:
                self.day = message.day
                self._restore()
        elif isinstance(message, OrderEvent):
            trader.on_order_event(message)
            if message.status is OrderStatus.REJECTED:
                _log.info("%s: order %s rejected: %s", self.name, message.client_id, message.reason)
        elif isinstance(message, OrderRejected):
            trader.on_rejected(message)
        elif isinstance(message, WarmUp):
            fresh = make_strategy(self.settings.strategy, self.settings.strategy_params())
            trader.rewarm(fresh, message.prices)
            _log.info("%s warmed up again from %d recent prices", self.name, len(message.prices))
        else:
            super().handle(message)

    def _count_signal(self, signal: Signal) -> None:
        counter = self.signal_counters.get(signal)
        if counter is None:
            counter = self.signal_counters[signal] = self.metrics.signals.labels(
                symbol=self.symbol, signal=signal.value
            )
        counter.inc()
