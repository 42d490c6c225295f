"""PositionSync: compares shikra's positions with the broker's, at start-up and every interval.

Local positions are rebuilt from the journal's fills of the trading day (what every other actor
rebuilds from), the broker's come from its positions call, and ``core.reconcile`` classifies the
differences. The verdict goes to RiskGate as a ``ReconciliationReport``: the first clean one is
what lets trading start. Later runs act on a difference only once it has been seen on two runs
in a row, because a fill in flight between the broker and the journal looks like a difference
for a moment.

Policy for a confirmed difference: ``alert`` reports it; ``halt`` reports it and RiskGate
halts; ``adopt`` takes the broker's quantity as truth by journaling an adjustment fill at the
broker's average price (rounded to the paisa: an out-of-band correction, logged with the exact
figures) and telling the actors that keep positions.
"""

from __future__ import annotations

import logging

from brokers.base import Broker
from brokers.errors import BrokerError
from config.actors import PNL_TRACKER, POSITION_SYNC, RISK_GATE, strategy_actor_name
from core.positions import PositionBook
from core.reconcile import diff_positions
from journal import Journal
from messages import (
    DiffKind,
    Fill,
    PositionDiff,
    ReconcilePolicy,
    ReconciliationReport,
    Side,
)
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = POSITION_SYNC
ADJUSTMENT_CLIENT_ID = "RECONCILE"


class PositionSync(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        broker: Broker,
        journal_path: str,
        interval: float,
        policy: ReconcilePolicy,
        tolerance_bps: float,
        day_start_ns: int,
        report_to: tuple[str, ...] = (RISK_GATE,),
        adjust_to: tuple[str, ...] = (RISK_GATE, PNL_TRACKER),
    ) -> None:
        super().__init__(link)
        self.broker = broker
        self.journal_path = journal_path
        self.interval = interval
        self.policy = policy
        self.tolerance_bps = tolerance_bps
        self.day_start_ns = day_start_ns
        self.report_to = report_to
        self.adjust_to = adjust_to
        self.journal: Journal | None = None
        self.runs = 0
        self.previous: list[PositionDiff] = []

    def started(self) -> None:
        self.journal = Journal.open(self.journal_path, self.link.clock)
        self.wake_in(0, "sync")

    def stopping(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def wakeup(self, purpose: str) -> None:
        try:
            self._sync()
        except BrokerError as exc:
            _log.warning("reconciliation could not read the broker's positions: %s", exc)
            self.wake_in(min(self.interval, 5.0), "sync")
            return
        self.wake_in(self.interval, "sync")

    def _sync(self) -> None:
        assert self.journal is not None
        # The broker reports per symbol and product; shikra's book is per symbol, so the
        # products are summed here (the recovery model replaces this).
        per_symbol: dict[str, tuple[int, int]] = {}
        for p in self.broker.positions():
            quantity, cost = per_symbol.get(p.symbol, (0, 0))
            per_symbol[p.symbol] = (quantity + p.quantity, cost + p.open_cost)
        for symbol, (quantity, _) in per_symbol.items():
            self.link.metrics.broker_position.labels(symbol=symbol).set(quantity)
        broker = {symbol: held for symbol, held in per_symbol.items() if held[0]}
        book = PositionBook()
        for fill in self.journal.fills(since_ns=self.day_start_ns):
            book.apply(fill)
        diffs = diff_positions(book.snapshot(), broker, self.tolerance_bps)
        self.runs += 1
        startup = self.runs == 1
        confirmed = diffs if startup else [d for d in diffs if d in self.previous]
        self.previous = diffs
        metrics = self.link.metrics
        metrics.reconciliations.inc()
        for diff in confirmed:
            metrics.reconciliation_mismatches.labels(kind=diff.kind.value).inc()
            _log.warning(
                "position difference %s %s: local %d (cost %d), broker %d (cost %d)",
                diff.symbol,
                diff.kind.value,
                diff.local_quantity,
                diff.local_open_cost,
                diff.broker_quantity,
                diff.broker_open_cost,
            )
        clean = not confirmed
        if confirmed and self.policy is ReconcilePolicy.ADOPT:
            clean = all(self._adopt(diff) for diff in confirmed)
        report = ReconciliationReport(
            run=self.runs,
            clean=clean,
            diffs=tuple(confirmed),
            policy=self.policy,
            at_ns=self.link.clock.now_ns(),
        )
        if startup or confirmed:
            _log.info(
                "reconciliation #%d: %s",
                self.runs,
                "clean" if not confirmed else f"{len(confirmed)} differences",
            )
        for name in self.report_to:
            self.address(name).tell(report)

    def _adopt(self, diff: PositionDiff) -> bool:
        """Make the local book match the broker's quantity; False if a fill cannot do it."""
        assert self.journal is not None
        delta = diff.broker_quantity - diff.local_quantity
        if diff.kind is DiffKind.AVG_PRICE_MISMATCH or delta == 0:
            return False  # quantities agree; an average price is not corrected by a fill
        price = round((diff.broker_open_cost - diff.local_open_cost) / delta)
        if price <= 0:
            price = (
                round(diff.broker_open_cost / diff.broker_quantity) if diff.broker_quantity else 1
            )
        at_ns = self.link.clock.now_ns()
        fill = Fill(
            trade_id=f"ADJ{self.runs}{diff.symbol}",
            client_id=ADJUSTMENT_CLIENT_ID,
            symbol=diff.symbol,
            side=Side.BUY if delta > 0 else Side.SELL,
            quantity=abs(delta),
            price=price,
            at_ns=max(at_ns, self.day_start_ns),
        )
        if self.journal.record_fill(fill):
            self.journal.record_adjustment(
                diff.symbol,
                delta,
                diff.broker_open_cost - diff.local_open_cost,
                f"adopted the broker's position ({diff.kind.value})",
                at_ns,
            )
            for name in (*self.adjust_to, strategy_actor_name(diff.symbol)):
                self.address(name).tell(fill)
            _log.warning(
                "adopted the broker's position in %s: %+d at %d paise", diff.symbol, delta, price
            )
        return True
