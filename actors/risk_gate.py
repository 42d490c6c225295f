"""RiskGate: every intent passes the pre-trade checks here, and the trading state lives here.

The checks and the state are ``core.risk.RiskBook``; this shell feeds it what it must know
(fills and order events from the router, marks from the feed, PnL from the tracker, the
reconciliation verdict, the operator's commands), journals every state change *before* acting on
it, sends approved orders on to the OrderRouter and rejections back to their strategy.

It starts in RECONCILING, whatever the journal says, and leaves it only when PositionSync
reports a clean first comparison with the broker; then it enters the journaled state (a halt
survives a restart) or ACTIVE.
"""

from __future__ import annotations

import logging
from typing import Any

from config.actors import ORDER_ROUTER, RISK_GATE, strategy_actor_name
from core.risk import RiskBook
from journal import Journal
from messages import (
    ApprovedOrder,
    CancelIntent,
    Fill,
    Flatten,
    Halt,
    Marks,
    OrderEvent,
    OrderIntent,
    OrderRejected,
    OrderType,
    PnLUpdate,
    ReconcilePolicy,
    ReconciliationReport,
    Reduce,
    Resume,
    Side,
    StateSource,
    TradingState,
    TradingStateChanged,
)
from supervisors import PooledSupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = RISK_GATE
FLATTEN_PREFIX = "FLAT"


class RiskGate(PooledSupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        book: RiskBook,
        journal_path: str,
        publish_to: tuple[str, ...] = (),
    ) -> None:
        super().__init__(link)
        self.book = book
        self.journal_path = journal_path
        self.publish_to = publish_to
        self.journal: Journal | None = None
        self.flattening = False
        self.flatten_seq = 0
        self.metrics = link.metrics

    # -- lifecycle ---------------------------------------------------------------------------

    def started(self) -> None:
        journal = self.journal = Journal.open(self.journal_path, self.link.clock, any_thread=True)
        last = journal.last_trading_state()
        if last is not None and last.state in (TradingState.HALTED, TradingState.REDUCING):
            self.book.resume_to = last.state
            _log.warning("trading state from the journal: %s (%s)", last.state.value, last.reason)
        for fill in journal.fills():
            self.book.on_fill(fill.symbol, fill.side, fill.quantity, "")
        for order in journal.orders():
            self.book.seen_ids.add(order.client_id)
            if order.client_id.startswith(FLATTEN_PREFIX):
                self.flatten_seq = max(self.flatten_seq, int(order.client_id[4:] or 0))
        for order in journal.open_orders():
            remaining = order.quantity - order.filled_quantity
            self.book.restore_working(order.client_id, order.symbol, order.side, remaining)
        self._show_state()

    def stopping(self) -> None:
        if self.journal is not None:
            self.journal.close()

    # -- messages ----------------------------------------------------------------------------

    def handle(self, message: Any) -> None:
        if isinstance(message, OrderIntent):
            self._decide(message)
        elif isinstance(message, CancelIntent):
            self.address(ORDER_ROUTER).tell(message)  # cancels always pass: they only reduce risk
        elif isinstance(message, Fill):
            self.book.on_fill(message.symbol, message.side, message.quantity, message.client_id)
            if self.flattening:
                self._flatten_positions()
        elif isinstance(message, OrderEvent):
            if message.status.is_terminal:
                self.book.on_order_done(message.client_id)
        elif isinstance(message, Marks):
            self.book.on_marks({m.symbol: m.ltp for m in message.marks}, message.market_ns)
        elif isinstance(message, PnLUpdate):
            self._apply(self.book.on_pnl(message, message.at_ns))
        elif isinstance(message, ReconciliationReport):
            self._reconciled(message)
        elif isinstance(message, Halt | Reduce | Resume):
            target = {
                Halt: TradingState.HALTED,
                Reduce: TradingState.REDUCING,
                Resume: TradingState.ACTIVE,
            }[type(message)]
            if isinstance(message, Resume):
                self.flattening = False
            self._apply(self.book.change(target, message.source, message.reason, self._now()))
        elif isinstance(message, Flatten):
            self._flatten(message)
        else:
            super().handle(message)

    def _decide(self, intent: OrderIntent, *, own_flatten: bool = False) -> bool:
        verdict = self.book.evaluate(intent, own_flatten=own_flatten)
        if verdict.approved:
            self.metrics.risk_approvals.inc()
            approved = ApprovedOrder(
                intent=intent,
                approved_ns=self.link.clock.now_ns(),
                reduces_exposure=verdict.reduces,
            )
            self.address(ORDER_ROUTER).tell(approved)
            return True
        assert verdict.reason is not None
        self.metrics.risk_rejections.labels(reason=verdict.reason.value).inc()
        _log.info("rejected %s %s: %s", intent.client_id, verdict.reason.value, verdict.detail)
        self.address(strategy_actor_name(intent.symbol)).tell(
            OrderRejected(
                client_id=intent.client_id,
                symbol=intent.symbol,
                reason=verdict.reason,
                detail=verdict.detail,
                at_ns=self.link.clock.now_ns(),
            )
        )
        return False

    def _reconciled(self, report: ReconciliationReport) -> None:
        if self.book.state is not TradingState.RECONCILING:
            if not report.clean and report.policy is ReconcilePolicy.HALT:
                reason = f"positions disagree with the broker ({len(report.diffs)} differences)"
                self._apply(
                    self.book.change(
                        TradingState.HALTED, StateSource.RECONCILIATION, reason, self._now()
                    )
                )
            return
        if report.clean:
            reason = f"start-up reconciliation #{report.run} clean"
            target = self.book.resume_to
            self._apply(self.book.change(target, StateSource.RECONCILIATION, reason, self._now()))
        elif report.policy is ReconcilePolicy.HALT:
            reason = f"start-up reconciliation found {len(report.diffs)} differences"
            self._apply(
                self.book.change(
                    TradingState.HALTED, StateSource.RECONCILIATION, reason, self._now()
                )
            )

    def _flatten(self, command: Flatten) -> None:
        reason = f"flatten: {command.reason}"
        self._apply(self.book.change(TradingState.HALTED, command.source, reason, self._now()))
        self.flattening = True
        for client_id, working in list(self.book.working.items()):
            if not working.reduces:
                self.address(ORDER_ROUTER).tell(
                    CancelIntent(client_id=client_id, symbol=working.symbol, reason=reason)
                )
        self._flatten_positions()

    def _flatten_positions(self) -> None:
        """Close every position not already being closed. Sticky until flat: a fill that lands
        after the flatten (from an order in flight) is closed too."""
        for symbol, quantity in sorted(self.book.positions.items()):
            if quantity == 0:
                continue
            closing = sum(
                w.remaining for w in self.book.working.values() if w.symbol == symbol and w.reduces
            )
            remaining = abs(quantity) - closing
            if remaining <= 0:
                continue
            self.flatten_seq += 1
            intent = OrderIntent(
                client_id=f"{FLATTEN_PREFIX}{self.flatten_seq:06d}",
                symbol=symbol,
                side=Side.SELL if quantity > 0 else Side.BUY,
                quantity=remaining,
                order_type=OrderType.MARKET,
                reason="flatten",
                market_ns=self.book.market_ns,
                market_price=self.book.marks.get(symbol),
            )
            self._decide(intent, own_flatten=True)
        if all(q == 0 for q in self.book.positions.values()) and not self.book.working:
            self.flattening = False

    def _apply(self, change: TradingStateChanged | None) -> None:
        if change is None:
            return
        assert self.journal is not None
        self.journal.record_trading_state(change)  # journaled before anyone acts on it
        log = _log.warning if change.state is not TradingState.ACTIVE else _log.info
        log(
            "trading state %s -> %s (%s: %s)",
            change.previous.value,
            change.state.value,
            change.source.value,
            change.reason,
        )
        self._show_state()
        for name in self.publish_to:
            self.address(name).tell(change)

    def _show_state(self) -> None:
        for state in TradingState:
            self.metrics.trading_state.labels(state=state.value).set(
                1 if state is self.book.state else 0
            )

    def _now(self) -> int:
        return self.link.clock.now_ns()
