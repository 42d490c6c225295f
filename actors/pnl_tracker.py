"""PnLTracker: the day's PnL from fills and marks, exact, published for RiskGate's loss limits.

The logic is ``core.pnl.PnLLedger``; this shell feeds it fills (from the OrderRouter) and marks
(from TickFeed), rebuilds it for the trading day when it (re)starts and when a new day begins
(``core.recovery.restore_pnl``: positions carried in, valued from the day's reference price,
then the day's fills), journals each carried position's reference price when it is chosen,
publishes a ``PnLUpdate`` to RiskGate on every fill and every marks batch that moves net, and
keeps the PnL and position gauges true. A thread of its own, like RiskGate's: the loss limits
are judged from what it publishes, and must not wait behind the strategies' ticks. Money is
valued with each symbol's contract multiplier (``multipliers``, from the config's
``[[symbols]] multiplier``): see ``core.pnl``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from config.actors import PNL_TRACKER
from core.account import is_adjustment
from core.charges import ChargeRates
from core.market_hours import MarketHours
from core.pnl import PnLLedger
from core.recovery import CARRIED_PRODUCTS, restore_pnl
from journal import writes
from journal.writer import JournalWriter
from messages import DayStarted, Fill, Marks, PnLQuery, PnLUpdate
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = PNL_TRACKER


class PnLTracker(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        journal: JournalWriter,
        rates: ChargeRates,
        multipliers: Mapping[str, int],
        publish_to: tuple[str, ...],
        hours: MarketHours,
        start_day: datetime.date,
    ) -> None:
        super().__init__(link)
        self.journal = journal
        self.rates = rates
        self.hours = hours
        self.start_day = start_day
        self.day = start_day
        self.publish_to = publish_to
        self.multipliers = dict(multipliers)
        self.ledger = PnLLedger(rates, multipliers=self.multipliers)
        self.last_net: int | None = None
        self.metrics = link.metrics
        self.symbol_gauges: dict[str, tuple[Any, Any]] = {}

    def started(self) -> None:
        current = self.journal.read(lambda j: j.current_day())
        self.day = max(current or self.start_day, self.start_day)
        self._rebuild()

    def _rebuild(self) -> None:
        """The day's ledger from the journal, exactly as after a restart on this day."""
        day = self.day
        carried, marks, fills = self.journal.read(
            lambda j: (
                j.fills_before(day, CARRIED_PRODUCTS),
                j.carry_marks(day),
                j.fills_of_day(day),
            )
        )
        self.ledger = restore_pnl(
            PnLLedger(self.rates, multipliers=self.multipliers), carried, marks, fills
        )
        self._journal_carry_references()
        for symbol in {*self.symbol_gauges, *self.ledger.symbols()}:
            self._show_symbol(symbol)
        if fills:
            _log.info("PnLTracker rebuilt %s from %d journaled fills", day, len(fills))
        self._publish(self.link.clock.now_ns())

    def _journal_carry_references(self) -> None:
        day = self.day
        for symbol, price in self.ledger.take_carry_references():
            self.journal.submit(lambda db, s=symbol, p=price: writes.carry_mark(db, day, s, p))

    def handle(self, message: Any) -> Any:
        if isinstance(message, PnLQuery):  # an ask (the operator's status): the exact figures
            return self.ledger.to_update(self.link.clock.now_ns(), per_symbol=message.per_symbol)
        if isinstance(message, Fill):
            if self.hours.trading_day(message.at_ns) < self.day:
                self._rebuild()  # yesterday's fill, told late: it may change what was carried
                return None
            applied = self.ledger.apply_fill(message, charged=not is_adjustment(message))
            self._journal_carry_references()
            if not applied.outcome.duplicate:
                self._show_symbol(message.symbol)
                self._publish(message.at_ns)
        elif isinstance(message, DayStarted):
            if message.day > self.day:
                figures = self.ledger.to_update(message.market_ns, per_symbol=False)
                _log.info(
                    "trading day %s closed: realized %d, charges %d, net %d paise; %s begins",
                    self.day, figures.realized, figures.charges, figures.net, message.day,
                )  # fmt: skip
                self.day = message.day
                self._rebuild()
        elif isinstance(message, Marks):
            for mark in message.marks:
                self.ledger.mark(mark.symbol, mark.ltp, at_ns=message.market_ns)
            self._journal_carry_references()
            if self.ledger.net != self.last_net:
                for mark in message.marks:
                    if self.ledger.quantity(mark.symbol):
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
