"""RiskGate: every intent passes the pre-trade checks here, and the trading state lives here.

The checks and the state are ``core.risk.RiskBook``; what it knows after a start (or on a new
trading day) is ``core.recovery.restore_risk`` of the journal; a flatten is planned by
``core.flatten``. This shell feeds the book what it must know (fills and order events from the
router, marks from the feed, PnL from the tracker, the reconciliation verdict, the operator's
commands, the trading day), journals every state change *before* acting on it, sends approved
orders on to the OrderRouter and rejections back to their strategy.

It has a thread of its own, not a place on the strategies' worker pool: every order waits on it,
and behind thousands of strategies' ticks in one run queue it was starved (issue 10). Its
handlers never block (its journal writes are submitted, acted on after the commit).

It starts in RECONCILING, whatever the journal says, and leaves it when PositionSync's first
comparison with the broker allows it (``RiskBook.on_reconciliation``); then it enters the
journaled state (a halt survives a restart; a daily limit's halt only on its own day) or ACTIVE.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from config.actors import ORDER_ROUTER, RISK_GATE, strategy_actor_name
from core.flatten import (
    FLATTEN_PREFIX,
    cancels_for_flatten,
    cancels_for_square_off,
    closing_orders,
    is_flat,
)
from core.market_hours import MarketHours, exchange_of
from core.recovery import CARRIED_PRODUCTS, carries, restore_risk
from core.risk import RiskBook
from journal import writes
from journal.writer import JournalWriter
from messages import (
    ApprovedOrder,
    CancelIntent,
    DayStarted,
    Fill,
    Flatten,
    Halt,
    Marks,
    ModifyIntent,
    OrderEvent,
    OrderIntent,
    OrderModified,
    OrderRejected,
    Phase,
    PnLUpdate,
    Product,
    ReconciliationReport,
    Reduce,
    Resume,
    SessionPhase,
    TradingState,
    TradingStateChanged,
)
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = RISK_GATE
_TARGETS = {Halt: TradingState.HALTED, Reduce: TradingState.REDUCING, Resume: TradingState.ACTIVE}


class RiskGate(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        book: RiskBook,
        journal: JournalWriter,
        start_day: datetime.date,
        products: Mapping[str, Product] | None = None,
        publish_to: tuple[str, ...] = (),
    ) -> None:
        super().__init__(link)
        self.book = book
        self.journal = journal
        self.start_day = start_day
        self.day = start_day
        self.products = dict(products or {})
        self.publish_to = publish_to
        self.flatten_seq = 0
        self.squaring_off: set[str] = set()
        """Segments past their square-off time today: MIS there is closed until the day ends."""
        self.square_off_cancels: set[str] = set()
        """Working orders already asked to cancel by the square-off (asked once each)."""
        self.metrics = link.metrics

    @property
    def hours(self) -> MarketHours:
        return self.book.hours

    # -- lifecycle ---------------------------------------------------------------------------

    def started(self) -> None:
        current = self.journal.read(lambda j: j.current_day())
        self.day = max(current or self.start_day, self.start_day)
        self.book.restore(self._restored())
        if self.book.resume_to is not TradingState.ACTIVE:
            _log.warning("trading state from the journal: %s", self.book.resume_to.value)
        self._show_state()

    def _restored(self) -> Any:
        day = self.day
        records = self.journal.read(
            lambda j: (
                j.fills_before(day, CARRIED_PRODUCTS),
                j.fills_of_day(day),
                j.orders(day),
                j.open_orders(),
                j.last_state_record(),
                j.max_client_seq(FLATTEN_PREFIX),
            )
        )
        restored = restore_risk(day, *records)
        self.flatten_seq = restored.flatten_seq
        return restored

    # -- messages ----------------------------------------------------------------------------

    def handle(self, message: Any) -> None:
        if isinstance(message, OrderIntent):
            self._decide(message)
        elif isinstance(message, CancelIntent):
            self.address(ORDER_ROUTER).tell(message)  # cancels always pass: they only reduce risk
        elif isinstance(message, ModifyIntent):
            self._modify(message)
        elif isinstance(message, Fill):
            self._fill(message)
        elif isinstance(message, OrderEvent):
            if message.status.is_terminal:
                self.book.on_order_done(message.client_id)
                if self.book.flattening:
                    self._flatten_positions()  # a cancelled stop is done: its position can close
                if self.squaring_off:
                    self._square_off()
        elif isinstance(message, Marks):
            self.book.on_marks({m.symbol: m.ltp for m in message.marks}, message.market_ns)
        elif isinstance(message, PnLUpdate):
            self._apply(self.book.on_pnl(message, message.at_ns))
        elif isinstance(message, ReconciliationReport):
            self._apply(self.book.on_reconciliation(message, self._now()))
        elif isinstance(message, Halt | Reduce | Resume):
            if isinstance(message, Resume):
                self.book.flattening = False
            target = _TARGETS[type(message)]
            self._apply(self.book.change(target, message.source, message.reason, self._now()))
        elif isinstance(message, Flatten):
            self._flatten(message)
        elif isinstance(message, DayStarted):
            self._new_day(message)
        elif isinstance(message, SessionPhase):
            self._phase(message)
        else:
            super().handle(message)

    def _fill(self, fill: Fill) -> None:
        day = self.hours.trading_day(fill.at_ns)
        if day < self.day:
            # Yesterday's fill, reported after the boundary: the journal has it (the router
            # journals before it tells), so the day's books are rebuilt from there — a carried
            # product changes what was carried, an MIS one changes nothing today.
            if carries(fill.product):
                self.book.restore(self._restored(), self._in_flight())
            return
        self.book.on_fill(fill)
        if self.book.flattening:
            self._flatten_positions()
        if self.squaring_off:
            self._square_off()

    def _new_day(self, started: DayStarted) -> None:
        if started.day <= self.day:
            return  # announced again (a restarted feed): already in it
        _log.info("trading day %s begins (was %s)", started.day, self.day)
        self.day = started.day
        self.squaring_off.clear()
        self.square_off_cancels.clear()
        day, since = started.day, started.market_ns
        self.journal.submit(lambda db: writes.current_day(db, day, since))
        self._apply(self.book.new_day(self._restored(), self._now(), self._in_flight()))

    def _phase(self, announced: SessionPhase) -> None:
        """A segment's session moved on (see ``core.session``): past the entry cut-off the
        book may turn REDUCING; at the square-off time its MIS is closed, and kept closed until
        the day ends."""
        if announced.day < self.day:
            return  # an earlier day's boundary, told late: that day is over
        self._apply(self.book.on_phase(announced.exchange, announced.phase, self._now()))
        if announced.phase is Phase.SQUARE_OFF and announced.exchange not in self.squaring_off:
            self.squaring_off.add(announced.exchange)
            _log.warning("%s square-off time: closing MIS positions", announced.exchange)
            self._square_off()

    def _square_off(self) -> None:
        """Cancel the segments' working MIS orders, then close their MIS positions through the
        normal risk and routing path (exits first in the rate limiter): sticky, asked again on
        every fill and finished order until the day ends (``core.flatten``)."""
        book = self.book
        symbols = frozenset(
            symbol
            for symbol, product in self.products.items()
            if product is Product.MIS and exchange_of(symbol) in self.squaring_off
        )
        reason = "square-off: MIS closed before the broker's own square-off"
        cancels = cancels_for_square_off(
            book.working, symbols, frozenset(self.square_off_cancels), reason
        )
        for cancel in cancels:
            self.square_off_cancels.add(cancel.client_id)
            self.address(ORDER_ROUTER).tell(cancel)
        plan = closing_orders(
            {s: q for s, q in book.positions.items() if s in symbols},
            book.working.values(),
            book.marks,
            book.market_ns,
            self.flatten_seq,
            self.products,
            reason="square-off",
        )
        self.flatten_seq = plan.next_seq
        for intent in plan.intents:
            self._decide(intent, own_flatten=True)

    def _in_flight(self) -> frozenset[str]:
        """Working orders the router has not journaled yet (approved, on their way)."""
        working = list(self.book.working)
        known = self.journal.read(lambda j: j.known_client_ids(working))
        return frozenset(c for c in working if c not in known)

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

    def _modify(self, intent: ModifyIntent) -> None:
        """A modification goes to the router when it is of an order working here; otherwise
        the strategy hears why, and its order keeps its prices."""
        problem = self.book.modify_problem(intent)
        if problem is None:
            self.address(ORDER_ROUTER).tell(intent)
            return
        _log.info("modification of %s refused: %s", intent.client_id, problem)
        self.address(strategy_actor_name(intent.symbol)).tell(
            OrderModified(
                client_id=intent.client_id,
                symbol=intent.symbol,
                accepted=False,
                detail=problem,
                at_ns=self.link.clock.now_ns(),
            )
        )

    def _flatten(self, command: Flatten) -> None:
        reason = f"flatten: {command.reason}"
        self._apply(self.book.change(TradingState.HALTED, command.source, reason, self._now()))
        self.book.flattening = True
        for cancel in cancels_for_flatten(self.book.working, reason):
            self.address(ORDER_ROUTER).tell(cancel)
        self._flatten_positions()

    def _flatten_positions(self) -> None:
        """Close every position not already being closed; sticky until flat (see core.flatten)."""
        book = self.book
        plan = closing_orders(
            book.positions,
            book.working.values(),
            book.marks,
            book.market_ns,
            self.flatten_seq,
            self.products,
        )
        self.flatten_seq = plan.next_seq
        for intent in plan.intents:
            self._decide(intent, own_flatten=True)
        if is_flat(book.positions, book.working):
            self.book.flattening = False

    def _apply(self, change: TradingStateChanged | None) -> None:
        if change is None:
            return
        day, targets = self.day, [self.address(name) for name in self.publish_to]

        def publish(_: None) -> None:
            for target in targets:
                target.tell(change)

        # Journaled before anyone acts on it: the others hear of it once it is committed.
        self.journal.submit(lambda db: writes.trading_state(db, change, day), then=publish)
        log = _log.warning if change.state is not TradingState.ACTIVE else _log.info
        log(
            "trading state %s -> %s (%s: %s)",
            change.previous.value,
            change.state.value,
            change.source.value,
            change.reason,
        )
        self._show_state()

    def _show_state(self) -> None:
        for state in TradingState:
            self.metrics.trading_state.labels(state=state.value).set(
                1 if state is self.book.state else 0
            )

    def _now(self) -> int:
        return self.link.clock.now_ns()
