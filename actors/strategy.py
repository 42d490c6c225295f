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
from core.records import OrderRecord
from core.recovery import CARRIED_PRODUCTS, carries, restore_strategy
from journal import writes
from journal.writer import JournalWriter
from messages import (
    CancelIntent,
    DayStarted,
    Fill,
    ModifyIntent,
    OrderEvent,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderStatus,
    Product,
    Tick,
    TradingStateChanged,
    WarmUp,
)
from strategies.api import Strategy as TradingStrategy
from strategies.api import WorkingOrder
from strategies.base import Signal
from strategies.registry import make_strategy
from strategies.trader import STOP_REASON_PREFIX, SymbolTrader
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
        journal: JournalWriter,
        hours: MarketHours,
        start_day: datetime.date,
        strategy_paths: tuple[str, ...] = (),
    ) -> None:
        """``instrument``: the tick and lot size this run trades with (the dump's in live and
        dry-run, the config's in paper and replay), not ``settings``' paper defaults."""
        super().__init__(link)
        self.settings = settings
        self.instrument = instrument
        self.symbol = settings.symbol
        self.journal = journal
        self.hours = hours
        self.start_day = start_day
        self.day = start_day
        self.strategy_paths = strategy_paths
        self.trader: SymbolTrader | None = None
        self.metrics = link.metrics
        self.intent_counters: dict[str, Any] = {}
        self.signal_counters: dict[Signal, Any] = {}

    def started(self) -> None:
        symbol = self.symbol
        current, last_seq, state = self.journal.read(
            lambda j: (j.current_day(), j.max_strategy_seq(symbol), j.last_trading_state())
        )
        self.day = max(current or self.start_day, self.start_day)
        self.trader = SymbolTrader(
            symbol=self.symbol,
            quantity=self.settings.quantity,
            lot_size=self.instrument.lot_size,
            product=Product(self.settings.product),
            strategy=self._fresh_strategy(),
            exits=self.settings.exits,
            client_id_prefix=client_id_prefix(self.symbol),
            next_seq=last_seq + 1,
            tick_size_paise=self.instrument.tick_size,
            entry_timeout_ns=int(self.settings.entry.timeout_seconds * 1_000_000_000),
            venue_stop=self.settings.venue_stop,
        )
        if state is not None:  # RiskGate publishes every later change: journaled first
            self.trader.on_trading_state(state.state)
        self._restore()

    def _fresh_strategy(self) -> TradingStrategy:
        settings, paths = self.settings, self.strategy_paths
        params = settings.strategy_params(paths)
        return make_strategy(settings.strategy, params, settings.entry, paths)

    def _restore(self) -> None:
        """Position and the working order for the day, from the journal (see the docstring)."""
        trader = self.trader
        assert trader is not None
        day, symbol = self.day, self.symbol
        carried, fills, open_orders = self.journal.read(
            lambda j: (
                j.fills_before(day, CARRIED_PRODUCTS, symbol=symbol),
                j.fills_of_day(day, symbol=symbol),
                [order for order in j.open_orders() if order.symbol == symbol],
            )
        )
        restored = restore_strategy(day, symbol, carried, fills, open_orders)
        waited = next((o for o in open_orders if o.client_id == restored.pending_client_id), None)
        working, modifications = self._working_order(waited)
        trader.reset_position()
        trader.restore(
            restored.fills,
            pending_client_id=restored.pending_client_id,
            pending=working,
            acknowledged=waited is not None and waited.broker_order_id is not None,
            modifications=modifications,
        )
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

    def _working_order(self, order: OrderRecord | None) -> tuple[WorkingOrder | None, int]:
        """What the journal knows of the order waited on, and how many modifications the
        broker took: its type and prices (as last modified), and what it was for (its intent's
        reason): an entry, so a LIMIT entry can time out after a restart; the position's venue
        stop, so it trails and is cancelled before an exit as before the restart."""
        if order is None or order.order_type is None:
            return None, 0
        cid = order.client_id
        found, modifications = self.journal.read(
            lambda j: (j.intent(cid), j.modification_count(cid))
        )
        reason = found.intent.reason if found is not None else ""
        working = WorkingOrder(
            client_id=order.client_id,
            side=order.side,
            quantity=order.quantity,
            order_type=order.order_type,
            limit_price=order.limit_price,
            entry=reason.startswith("entry:"),
            trigger_price=order.trigger_price,
            protective=reason.startswith(STOP_REASON_PREFIX),
        )
        return working, modifications

    def handle(self, message: Any) -> None:
        trader = self.trader
        assert trader is not None
        if isinstance(message, Tick):
            dropped = trader.dropped_decisions
            intent = trader.on_tick(message)
            if trader.last_signal is not None:
                self._count_signal(trader.last_signal)
            if trader.dropped_decisions != dropped:
                _log.warning("%s: a decision could not be acted on (see strategies.api)", self.name)
            if intent is None:
                return
            if isinstance(intent, CancelIntent | ModifyIntent):
                # Neither needs the journal first: a cancel only reduces, and a modification
                # is journaled by the router once the broker has taken it.
                self.address(RISK_GATE).tell(intent)
                return
            self._journal_then_send(intent, trader.next_seq - 1)
            if message.receive_ns:
                latency = (self.link.clock.now_ns() - message.receive_ns) / 1e9
                self.metrics.tick_to_intent.observe(max(0.0, latency))
        elif isinstance(message, Fill):
            if self.hours.trading_day(message.at_ns) < self.day:
                if carries(message.product):
                    self._restore()  # yesterday's fill, told late: the journal has it
                return
            trader.on_fill(message)
            self._follow_up(trader)
        elif isinstance(message, DayStarted):
            if message.day > self.day:
                self.day = message.day
                self._restore()
        elif isinstance(message, OrderEvent):
            trader.on_order_event(message)
            if message.status is OrderStatus.REJECTED:
                _log.info("%s: order %s rejected: %s", self.name, message.client_id, message.reason)
            self._follow_up(trader)
        elif isinstance(message, OrderModified):
            trader.on_modified(message)
            if not message.accepted:
                _log.info("%s: %s not modified: %s", self.name, message.client_id, message.detail)
        elif isinstance(message, OrderRejected):
            trader.on_rejected(message)
            self._follow_up(trader)  # a venue stop cancelled for an exit refused goes back
        elif isinstance(message, TradingStateChanged):
            trader.on_trading_state(message.state)
        elif isinstance(message, WarmUp):
            trader.rewarm(self._fresh_strategy(), message.prices)
            _log.info("%s warmed up again from %d recent prices", self.name, len(message.prices))
        else:
            super().handle(message)

    def _follow_up(self, trader: SymbolTrader) -> None:
        """A stop for a position just opened, or the exit its cancelled stop made way for."""
        intent = trader.follow_up()
        if intent is not None:
            self._journal_then_send(intent, trader.next_seq - 1)

    def _journal_then_send(self, intent: OrderIntent, seq: int) -> None:
        """The intent is journaled, and sent to RiskGate only once that is committed (by the
        journal's writer, after its commit: a pooled actor does not wait on a disk); counted
        here, whether a tick caused it or a fill (a venue stop, the exit after its cancel)."""
        counter = self.intent_counters.get(intent.side.value)
        if counter is None:
            counter = self.intent_counters[intent.side.value] = self.metrics.intents.labels(
                symbol=self.symbol, side=intent.side.value
            )
        counter.inc()
        day, now, risk = self.day, self.link.clock.now_ns(), self.address(RISK_GATE)

        def send(_: object) -> None:
            self.link.faults_at("strategy.intent_journaled")
            risk.tell(intent)

        self.journal.submit_intent(writes.intent_row(intent, seq, day, now), then=send)

    def _count_signal(self, signal: Signal) -> None:
        counter = self.signal_counters.get(signal)
        if counter is None:
            counter = self.signal_counters[signal] = self.metrics.signals.labels(
                symbol=self.symbol, signal=signal.value
            )
        counter.inc()
