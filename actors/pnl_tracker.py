"""PnLTracker: the day's PnL from fills and marks, exact, published for RiskGate's loss limits.

The logic is ``core.pnl.PnLLedger``; this shell feeds it fills (from the OrderRouter) and marks
(from TickFeed), rebuilds it from the journal's fills when it (re)starts, publishes a
``PnLUpdate`` to RiskGate on every fill and every marks batch that moves net, and keeps the
PnL and position gauges true. Money is valued with each symbol's contract multiplier
(``multipliers``, from the config's ``[[symbols]] multiplier``): see ``core.pnl``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from config.actors import PNL_TRACKER
from core.charges import ChargeRates
from core.pnl import PnLLedger
from journal import Journal
from messages import Fill, Marks, PnLQuery, PnLUpdate
from supervisors import PooledSupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = PNL_TRACKER


class PnLTracker(PooledSupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        journal_path: str,
        rates: ChargeRates,
        multipliers: Mapping[str, int],
        publish_to: tuple[str, ...],
    ) -> None:
        super().__init__(link)
        self.journal_path = journal_path
        self.rates = rates
        self.publish_to = publish_to
        self.ledger = PnLLedger(rates, multipliers=multipliers)
        self.journal: Journal | None = None
        self.last_net: int | None = None
        self.metrics = link.metrics
        self.symbol_gauges: dict[str, tuple[Any, Any]] = {}

    def started(self) -> None:
        self.journal = Journal.open(self.journal_path, self.link.clock, any_thread=True)
        fills = self.journal.fills()
        for fill in fills:
            self.ledger.apply_fill(fill)
        for symbol in {fill.symbol for fill in fills}:
            self._show_symbol(symbol)
        if fills:
            _log.info("PnLTracker rebuilt from %d journaled fills", len(fills))
        self._publish(self.link.clock.now_ns())

    def stopping(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def handle(self, message: Any) -> Any:
        if isinstance(message, PnLQuery):  # an ask (the operator's status): the exact figures
            return self.ledger.to_update(self.link.clock.now_ns(), per_symbol=message.per_symbol)
        if isinstance(message, Fill):
            applied = self.ledger.apply_fill(message)
            if not applied.outcome.duplicate:
                self._show_symbol(message.symbol)
                self._publish(message.at_ns)
        elif isinstance(message, Marks):
            for mark in message.marks:
                self.ledger.mark(mark.symbol, mark.ltp, at_ns=message.market_ns)
            if self.ledger.net != self.last_net:
                for mark in message.marks:
                    if self.ledger.position(mark.symbol).quantity:
                        self._show_symbol(mark.symbol)
                self._publish(message.market_ns)

    def _publish(self, at_ns: int) -> None:
        """Totals to RiskGate (and the gauges): O(1), whatever the number of symbols."""
        update: PnLUpdate = self.ledger.to_update(at_ns, per_symbol=False)
        self.last_net = update.net
        for name in self.publish_to:
            self.address(name).tell(update)
        m = self.metrics
        m.pnl_realized.set(update.realized / 100)
        m.pnl_unrealized.set(update.unrealized / 100)
        m.pnl_charges.set(update.charges / 100)
        m.pnl_net.set(update.net / 100)
        m.drawdown.set(update.drawdown / 100)
        m.trades.set(update.trades)
        win_rate = self.ledger.win_rate
        if win_rate is not None:
            m.win_rate.set(float(win_rate))

    def _show_symbol(self, symbol: str) -> None:
        figures = self.ledger.symbol_pnl(symbol)
        net = figures.realized + figures.unrealized - figures.charges
        gauges = self.symbol_gauges.get(symbol)
        if gauges is None:
            gauges = self.symbol_gauges[symbol] = (
                self.metrics.pnl_symbol.labels(symbol=symbol),
                self.metrics.position.labels(symbol=symbol),
            )
        gauges[0].set(net / 100)
        gauges[1].set(figures.quantity)
