"""OrderRouter: the only actor that talks to the broker about orders.

Every approved order is journaled (status NEW) *before* it is sent and carries its client id to
the broker as the tag (the broker object is wrapped in ``brokers.metered``, which counts and
times every call). A placement is never retried: if its reply is lost the order is UNKNOWN
and is looked up by tag until the broker says what became of it. Fills are journaled by trade
id before anyone hears of them, so a fill is applied at most once and never lost. Orders wait in
a rate limiter sized to the broker's limits, exits and cancels ahead of entries; the daily cap
counts the trading day's orders, restarts and day boundaries included.

What it knows after a start is ``core.recovery.restore_router``: today's open orders, each looked
up by tag before anything else is sent; an earlier day's still-open orders closed as expired.
What it does with the broker's answers is ``core.order_lookup``. Trades the journal missed are
recovered from the broker's trades (``actors.broker_recovery``).
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Sequence
from typing import Any

import msgspec

from actors.broker_recovery import BrokerRecovery
from brokers.base import Broker
from brokers.errors import BrokerError, OrderRefused, OutcomeUnknown, RateLimited, TokenExpired
from config.actors import ORDER_ROUTER, PNL_TRACKER, RISK_GATE, strategy_actor_name
from core.market_hours import MarketHours
from core.order_book import OrderBook
from core.order_lookup import (
    FILL_DRIVEN,
)
from core.order_state import OrderStateError, TrackedOrder, is_legal
from core.rate_limit import Priority, PriorityRateLimiter
from core.recovery import EXPIRED_REASON, restore_router
from journal import writes
from journal.reader import JournalReader
from journal.writer import JournalWriter
from messages import (
    ApprovedOrder,
    CancelIntent,
    DayStarted,
    Fill,
    Halt,
    ModifyIntent,
    OrderEvent,
    OrderIntent,
    OrderModified,
    OrderStatus,
    StateSource,
)
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = ORDER_ROUTER


class OrderRouter(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        broker: Broker,
        journal: JournalWriter,
        limits: Sequence[tuple[int, float]],
        hours: MarketHours,
        start_day: datetime.date,
        lookup_attempts: int = 5,
        lookup_interval: float = 1.0,
        check_interval: float = 5.0,
        fills_to: tuple[str, ...] = (RISK_GATE, PNL_TRACKER),
    ) -> None:
        super().__init__(link)
        self.broker = broker
        self.journal = journal
        self.limits = limits
        self.hours = hours
        self.day = start_day
        self.start_day = start_day
        self.lookup_attempts = lookup_attempts
        self.lookup_interval = lookup_interval
        self.check_interval = check_interval
        self.fills_to = fills_to
        self.book = OrderBook()
        self.order_day: dict[str, datetime.date] = {}
        """The trading day of each order in the book (an order ends with its day)."""
        self.queue: PriorityRateLimiter[OrderIntent | CancelIntent | ModifyIntent] = (
            PriorityRateLimiter(limits)
        )
        self.lookups: dict[str, int] = {}
        self.trade_ids: set[str] = set()
        """Trades journaled (or being re-sent to ourselves from the broker's list) recently."""
        self.drain_due = False
        self.sent_at: dict[str, float] = {}
        """Monotonic time each order was handed to the broker, until its final state."""
        self.metrics = link.metrics

    # -- lifecycle ---------------------------------------------------------------------------

    def started(self) -> None:
        start_day = self.start_day

        def records(j: JournalReader) -> tuple[Any, ...]:
            day = max(j.current_day() or start_day, start_day)
            open_orders = j.open_orders()
            fills = j.fills_for_orders(o.client_id for o in open_orders)
            return day, open_orders, fills, j.sent_count(day), j.recent_trade_ids(day)

        self.day, open_orders, fills, sent, recent = self.journal.read(records)
        restored = restore_router(self.day, open_orders, fills, sent)
        self.book = restored.book
        self.order_day = {o.client_id: o.day for o in open_orders if o.day >= self.day}
        self.queue.new_day(used=restored.sent_today)
        self.trade_ids.update(recent)
        for record in restored.expired:
            self._journal_expiry(record.client_id, record.symbol, record.side, record.quantity,
                                 record.filled_quantity, record.broker_order_id)  # fmt: skip
        for client_id in restored.caught_up:  # fills journaled, the order's status not yet
            order = self.book.get(client_id)
            assert order is not None
            _log.warning("order %s is %s by its journaled fills", client_id, order.status.value)
            self._publish(order)
        self.lookups.update(dict.fromkeys(restored.look_up, 0))
        if restored.look_up:
            _log.warning("%d orders open at restart: looking each up by tag", len(self.lookups))
        self.recovery = self._recovery()
        self.recovery.recover_trades(at_start=True)
        self.recovery.look_up()
        self._answer_for(self.poison())
        self.wake_in(self.check_interval, "check")

    def _recovery(self) -> BrokerRecovery:
        return BrokerRecovery(
            book=self.book,
            broker=self.broker,
            journal=self.journal,
            move=self._move,
            to_router=self.address(self.name).tell,
            look_up_again=lambda: self.wake_in(self.lookup_interval, "lookup"),
            attempts=self.lookup_attempts,
            lookups=self.lookups,
            trade_ids=self.trade_ids,
        )

    def _answer_for(self, poison: Any) -> None:
        """The previous instance crashed on this message. An approved order it was handling
        may or may not have been journaled, and was never sent: reject it, so that its
        strategy and RiskGate stop waiting for it. Nothing else needs an answer: a lost fill
        is recovered from the broker's trades above, a lost cancel is the sender's to retry."""
        if not isinstance(poison, ApprovedOrder):
            return
        intent = poison.intent
        if intent.client_id not in self.book:
            self._journal_order(intent)
            self._track(intent)
        order = self.book.get(intent.client_id)
        if order is not None and order.status is OrderStatus.NEW:
            self._move(intent.client_id, OrderStatus.REJECTED, "crashed the order router; not sent")

    def stopping(self) -> None:
        """Orders still waiting for the rate limiter were never sent: say so in the journal,
        rather than leave them NEW for the next start to puzzle over."""
        for item in self.queue.remove_where(lambda _: True):
            if isinstance(item, OrderIntent):
                self._move(item.client_id, OrderStatus.REJECTED, "daemon stopping; not sent")
        self.metrics.orders_queued.set(0)

    # -- messages ----------------------------------------------------------------------------

    def handle(self, message: Any) -> None:
        if isinstance(message, ApprovedOrder):
            self._accept(message)
        elif isinstance(message, CancelIntent):
            self._cancel(message)
        elif isinstance(message, ModifyIntent):
            self._modify(message)
        elif isinstance(message, Fill):
            self._fill(message)
        elif isinstance(message, OrderEvent):
            self._broker_status(message)
        elif isinstance(message, DayStarted):
            self._new_day(message)
        else:
            super().handle(message)

    def wakeup(self, purpose: str) -> None:
        if purpose == "drain":
            self.drain_due = False
            self._drain()
        elif purpose == "lookup":
            self.recovery.look_up()
        elif purpose == "check":
            self.recovery.check_working()
            self.wake_in(self.check_interval, "check")

    def _new_day(self, started: DayStarted) -> None:
        """The day's cap starts again; an order of an earlier day still open ended with it."""
        if started.day <= self.day:
            return
        self.day = started.day
        day = started.day
        sent, recent = self.journal.read(lambda j: (j.sent_count(day), j.recent_trade_ids(day)))
        self.queue.new_day(used=sent)
        self.trade_ids.clear()
        self.trade_ids.update(recent)
        stale = {cid for cid, day in self.order_day.items() if day < started.day}
        self.queue.remove_where(lambda item: item.client_id in stale)
        for order in list(self.book.open_orders()):
            if self.order_day.get(order.client_id, self.day) < self.day:
                ended = OrderStatus.REJECTED if order.status is OrderStatus.NEW else None
                self._move(order.client_id, ended or OrderStatus.CANCELLED, EXPIRED_REASON)
                self.lookups.pop(order.client_id, None)

    # -- placing -----------------------------------------------------------------------------

    def _accept(self, approved: ApprovedOrder) -> None:
        intent = approved.intent
        if intent.client_id in self.book or not self._journal_order(intent):
            _log.error("order %s was already accepted once: not sent again", intent.client_id)
            return
        self._track(intent)
        self.link.faults_at("router.order_journaled")
        priority = Priority.EXIT if approved.reduces_exposure else Priority.ENTRY
        self.queue.push(intent, priority)
        self._drain()
        if intent.client_id in self.queued_ids():
            self.metrics.rate_limited.inc()  # this order waits for the limiter: counted once

    def _journal_order(self, intent: OrderIntent) -> bool:
        """NEW, committed before anything else happens to it (this thread waits)."""
        day, now = self.day, self.link.clock.now_ns()
        return self.journal.run(lambda db: writes.order(db, intent, day, now))

    def _track(self, intent: OrderIntent) -> None:
        self.book.add(intent, at_ns=self.link.clock.now_ns())
        self.order_day[intent.client_id] = self.day

    def _drain(self) -> None:
        now = self.link.clock.monotonic()
        for item in self.queue.pop_ready(now):
            if isinstance(item, CancelIntent):
                self._send_cancel(item)
            elif isinstance(item, ModifyIntent):
                self._send_modify(item)
            else:
                self._place(item)
        wait = self.queue.next_ready_in(now)
        self.metrics.orders_queued.set(len(self.queue))
        if wait is None or self.drain_due:
            return
        if math.isinf(wait):
            for item in self.queue.remove_where(lambda _: True):
                if isinstance(item, OrderIntent):
                    self._move(item.client_id, OrderStatus.REJECTED, "daily order cap reached")
            self.metrics.orders_queued.set(0)
            return
        self.drain_due = True
        self.wake_in(wait, "drain")

    def queued_ids(self) -> set[str]:
        return {item.client_id for item in self.queue.items() if isinstance(item, OrderIntent)}

    def _place(self, intent: OrderIntent) -> None:
        if intent.origin_ns:
            latency = (self.link.clock.now_ns() - intent.origin_ns) / 1e9
            self.metrics.tick_to_order_sent.observe(max(0.0, latency))
        self.sent_at[intent.client_id] = self.link.clock.monotonic()
        client_id = intent.client_id
        try:
            broker_id = self.broker.place(intent)
        except OutcomeUnknown as exc:
            # The order may exist. Never re-send: find out by tag first.
            self._move(client_id, OrderStatus.SUBMITTED, "placement sent", sent=True)
            self._move(client_id, OrderStatus.UNKNOWN, f"placement outcome unknown: {exc}")
            self.lookups[client_id] = 0
            self.wake_in(0, "lookup")
        except TokenExpired as exc:
            self._move(client_id, OrderStatus.REJECTED, f"broker token: {exc}", sent=True)
            self.address(RISK_GATE).tell(Halt(reason=str(exc), source=StateSource.BROKER))
        except (OrderRefused, RateLimited, BrokerError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            self._move(client_id, OrderStatus.REJECTED, reason, sent=True)
        else:
            self.link.faults_at("router.placed")
            self._move(
                client_id, OrderStatus.SUBMITTED, "sent", broker_order_id=broker_id, sent=True
            )

    def _cancel(self, cancel: CancelIntent) -> None:
        queued = self.queue.remove_where(
            lambda item: not isinstance(item, CancelIntent) and item.client_id == cancel.client_id
        )
        for item in queued:
            if isinstance(item, ModifyIntent):
                self._answer(item, False, "the order is being cancelled")
        if any(isinstance(item, OrderIntent) for item in queued):
            self._move(cancel.client_id, OrderStatus.REJECTED, "cancelled before it was sent")
            return
        order = self.book.get(cancel.client_id)
        if order is None or order.is_terminal:
            return
        if any(
            isinstance(item, CancelIntent) and item.client_id == cancel.client_id
            for item in self.queue.items()
        ):
            return  # one cancel of it is already waiting for the limiter: once is enough
        self.queue.push(cancel, Priority.EXIT)
        self._drain()

    def _send_cancel(self, cancel: CancelIntent) -> None:
        order = self.book.get(cancel.client_id)
        if order is None or order.is_terminal or order.broker_order_id is None:
            return
        try:
            self.broker.cancel(order.broker_order_id)
        except BrokerError as exc:
            _log.warning("cancel of %s failed: %s", cancel.client_id, exc)

    def _modify(self, modify: ModifyIntent) -> None:
        """A modification waits in the rate limiter, behind the exits and ahead of the entries
        (``Priority.MODIFY``): Kite counts it as an order request."""
        order = self.book.get(modify.client_id)
        if order is None or order.is_terminal:
            self._answer(modify, False, "the order is no longer working")
            return
        self.queue.push(modify, Priority.MODIFY)
        self._drain()

    def _send_modify(self, modify: ModifyIntent) -> None:
        """Ask the broker; journal what it took (after its answer, never before: see
        ``writes.order_modified``), and answer the strategy either way."""
        order = self.book.get(modify.client_id)
        if order is None or order.is_terminal:
            self._answer(modify, False, "the order is no longer working")
            return
        if order.broker_order_id is None:
            self._answer(modify, False, "the broker has not acknowledged the order yet")
            return
        try:
            self.broker.modify(
                order.broker_order_id,
                trigger_price=modify.trigger_price,
                limit_price=modify.limit_price,
            )
        except BrokerError as exc:
            _log.warning("modification of %s refused: %s", modify.client_id, exc)
            self._answer(modify, False, f"{type(exc).__name__}: {exc}")
            return
        self.link.faults_at("router.modified")
        order.intent = msgspec.structs.replace(
            order.intent,
            trigger_price=modify.trigger_price or order.intent.trigger_price,
            limit_price=modify.limit_price or order.intent.limit_price,
        )
        now = self.link.clock.now_ns()
        self.journal.run(
            lambda db: writes.order_modified(
                db, modify.client_id, modify.trigger_price, modify.limit_price, modify.reason, now
            )
        )
        self.metrics.order_modifications.inc()
        self._answer(modify, True)

    def _answer(self, modify: ModifyIntent, accepted: bool, detail: str = "") -> None:
        order = self.book.get(modify.client_id)
        intent = order.intent if order is not None else None
        self.address(strategy_actor_name(modify.symbol)).tell(
            OrderModified(
                client_id=modify.client_id,
                symbol=modify.symbol,
                accepted=accepted,
                trigger_price=intent.trigger_price if intent is not None else None,
                limit_price=intent.limit_price if intent is not None else None,
                detail=detail,
                at_ns=self.link.clock.now_ns(),
            )
        )

    # -- what the broker says ----------------------------------------------------------------

    def _fill(self, fill: Fill) -> None:
        self.link.faults_at("router.fill_received")
        order = self.book.get(fill.client_id)
        if order is None:
            client_id = fill.client_id
            record = self.journal.read(lambda j: j.order(client_id))
            if record is None:
                _log.warning("fill %s for unknown tag %r: not ours", fill.trade_id, fill.client_id)
                return
            product = record.product
        else:
            product = order.intent.product
        if product is not None and fill.product is not product:
            # Our order's product is known exactly; the broker's record may name one we do
            # not model (or none): the fill is booked as what was ordered.
            fill = msgspec.structs.replace(fill, product=product)
        self.trade_ids.add(fill.trade_id)
        applied, day = fill, self.journal.fill_day(fill)
        if not self.journal.run(lambda db: writes.fill(db, applied, day)):
            return  # already applied: a fill counts once
        self.link.faults_at("router.fill_journaled")
        if order is not None:
            try:
                self.book.apply_fill(fill)
            except OrderStateError as exc:
                _log.error("fill %s does not fit order %s: %s", fill.trade_id, fill.client_id, exc)
        self.metrics.fills.labels(symbol=fill.symbol).inc()
        for name in (*self.fills_to, strategy_actor_name(fill.symbol)):
            self.address(name).tell(fill)
        if order is not None:
            self._publish(order)

    def _broker_status(self, event: OrderEvent) -> None:
        order = self.book.get(event.client_id)
        if order is None:
            return
        moves = event.status not in FILL_DRIVEN and event.status is not order.status
        if moves and not is_legal(order.status, event.status):
            _log.warning(
                "ignored broker status %s for %s (now %s)",
                event.status.value,
                event.client_id,
                order.status.value,
            )
        self.recovery.adopt(
            order, event.status, event.broker_order_id or "", event.filled_quantity, event.reason
        )

    # -- bookkeeping -------------------------------------------------------------------------

    def _journal_expiry(
        self, client_id: str, symbol: str, side: Any, quantity: int, filled: int,
        broker_order_id: str | None,
    ) -> None:  # fmt: skip
        """An earlier day's order the journal still has open: it ended with its day."""
        event = OrderEvent(
            client_id=client_id, symbol=symbol, side=side, status=OrderStatus.CANCELLED,
            quantity=quantity, filled_quantity=filled, broker_order_id=broker_order_id,
            reason=EXPIRED_REASON, at_ns=self.link.clock.now_ns(),
        )  # fmt: skip
        day = self.day
        self.journal.run(lambda db: writes.order_event(db, event, sent=False, day=day))
        _log.warning("order %s of an earlier day was still open: %s", client_id, EXPIRED_REASON)

    def _move(
        self,
        client_id: str,
        status: OrderStatus,
        reason: str,
        *,
        broker_order_id: str | None = None,
        sent: bool = False,
    ) -> None:
        try:
            order = self.book.transition(
                client_id, status, self.link.clock.now_ns(), reason, broker_order_id=broker_order_id
            )
        except OrderStateError as exc:
            _log.error("order %s: %s", client_id, exc)
            return
        if status is OrderStatus.REJECTED:
            _log.warning("order %s rejected: %s", client_id, reason)
        self._publish(order, sent=sent)

    def _publish(self, order: TrackedOrder, *, sent: bool = False) -> None:
        event = self.book.to_event(order.client_id, self.link.clock.now_ns())
        day = self.order_day.get(order.client_id, self.day)
        self.journal.run(lambda db: writes.order_event(db, event, sent=sent, day=day))
        self.metrics.order_events.labels(status=event.status.value).inc()
        if order.is_terminal:
            self.order_day.pop(order.client_id, None)
            sent_at = self.sent_at.pop(order.client_id, None)
            if sent_at is not None:
                self.metrics.order_round_trip.observe(self.link.clock.monotonic() - sent_at)
        for name in (RISK_GATE, strategy_actor_name(order.intent.symbol)):
            self.address(name).tell(event)
