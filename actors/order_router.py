"""OrderRouter: the only actor that talks to the broker about orders.

Every approved order is journaled (status NEW) *before* it is sent and carries its client id to
the broker as the tag (the broker object is wrapped in ``brokers.metered``, which counts and
times every call). A placement is never retried: if its reply is lost the order is UNKNOWN
and is looked up by tag until the broker says what became of it. Fills are journaled by trade
id before anyone hears of them, so a fill is applied at most once and never lost. Orders wait in
a rate limiter sized to the broker's limits, exits and cancels ahead of entries.

On a restart the book is rebuilt from the journal and every open order is looked up at the
broker before anything else is sent; trades the journal missed are recovered from the broker.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from actors.order_lookups import OrderLookups
from brokers.base import Broker
from brokers.errors import BrokerError, OrderRefused, OutcomeUnknown, RateLimited, TokenExpired
from config.actors import ORDER_ROUTER, PNL_TRACKER, RISK_GATE, strategy_actor_name
from core.order_book import OrderBook
from core.order_restore import restore_book
from core.order_state import OrderStateError, TrackedOrder, is_legal
from core.rate_limit import Priority, PriorityRateLimiter
from journal import Journal
from messages import (
    ApprovedOrder,
    CancelIntent,
    Fill,
    Halt,
    OrderEvent,
    OrderIntent,
    OrderStatus,
    StateSource,
)
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = ORDER_ROUTER
_FILL_DRIVEN = (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED)


class OrderRouter(OrderLookups, SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        broker: Broker,
        journal_path: str,
        limits: Sequence[tuple[int, float]],
        lookup_attempts: int = 5,
        lookup_interval: float = 1.0,
        check_interval: float = 5.0,
        fills_to: tuple[str, ...] = (RISK_GATE, PNL_TRACKER),
    ) -> None:
        super().__init__(link)
        self.broker = broker
        self.journal_path = journal_path
        self.limits = limits
        self.lookup_attempts = lookup_attempts
        self.lookup_interval = lookup_interval
        self.check_interval = check_interval
        self.fills_to = fills_to
        self.book = OrderBook()
        self.queue: PriorityRateLimiter[OrderIntent | CancelIntent] = PriorityRateLimiter(limits)
        self.lookups: dict[str, int] = {}
        self.recovering: set[str] = set()
        """Trade ids already re-sent to ourselves from the broker's list, not yet journaled."""
        self.drain_due = False
        self.sent_at: dict[str, float] = {}
        """Monotonic time each order was handed to the broker, until its final state."""
        self.journal: Journal | None = None
        self.metrics = link.metrics

    # -- lifecycle ---------------------------------------------------------------------------

    def started(self) -> None:
        journal = self.journal = Journal.open(self.journal_path, self.link.clock)
        open_orders = journal.open_orders()
        self.book = restore_book(open_orders, journal.fills())
        for order in self.book.open_orders():
            self.lookups[order.client_id] = 0
        if open_orders:
            _log.warning("%d orders open at restart: looking each up by tag", len(open_orders))
        self._recover_trades()
        self._look_up()
        self._answer_for(self.poison())
        self.wake_in(self.check_interval, "check")

    def _answer_for(self, poison: Any) -> None:
        """The previous instance crashed on this message. An approved order it was handling
        may or may not have been journaled, and was never sent: reject it, so that its
        strategy and RiskGate stop waiting for it. Nothing else needs an answer: a lost fill
        is recovered from the broker's trades above, a lost cancel is the sender's to retry."""
        if not isinstance(poison, ApprovedOrder):
            return
        intent = poison.intent
        assert self.journal is not None
        if intent.client_id not in self.book:
            self.journal.record_order(intent)
            self.book.add(intent, at_ns=self.link.clock.now_ns())
        order = self.book.get(intent.client_id)
        if order is not None and order.status is OrderStatus.NEW:
            self._move(intent.client_id, OrderStatus.REJECTED, "crashed the order router; not sent")

    def stopping(self) -> None:
        """Orders still waiting for the rate limiter were never sent: say so in the journal,
        rather than leave them NEW for the next start to puzzle over."""
        if self.journal is not None:
            for item in self.queue.remove_where(lambda _: True):
                if isinstance(item, OrderIntent):
                    self._move(item.client_id, OrderStatus.REJECTED, "daemon stopping; not sent")
            self.metrics.orders_queued.set(0)
            self.journal.close()

    # -- messages ----------------------------------------------------------------------------

    def handle(self, message: Any) -> None:
        if isinstance(message, ApprovedOrder):
            self._accept(message)
        elif isinstance(message, CancelIntent):
            self._cancel(message)
        elif isinstance(message, Fill):
            self._fill(message)
        elif isinstance(message, OrderEvent):
            self._broker_status(message)
        else:
            super().handle(message)

    def wakeup(self, purpose: str) -> None:
        if purpose == "drain":
            self.drain_due = False
            self._drain()
        elif purpose == "lookup":
            self._look_up()
        elif purpose == "check":
            self._check_working()
            self.wake_in(self.check_interval, "check")

    # -- placing -----------------------------------------------------------------------------

    def _accept(self, approved: ApprovedOrder) -> None:
        intent = approved.intent
        assert self.journal is not None
        if intent.client_id in self.book or not self.journal.record_order(intent):
            _log.error("order %s was already accepted once: not sent again", intent.client_id)
            return
        self.book.add(intent, at_ns=self.link.clock.now_ns())
        priority = Priority.EXIT if approved.reduces_exposure else Priority.ENTRY
        self.queue.push(intent, priority)
        self._drain()
        if intent.client_id in self.queued_ids():
            self.metrics.rate_limited.inc()  # this order waits for the limiter: counted once

    def _drain(self) -> None:
        now = self.link.clock.monotonic()
        for item in self.queue.pop_ready(now):
            if isinstance(item, CancelIntent):
                self._send_cancel(item)
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
        try:
            broker_id = self.broker.place(intent)
        except OutcomeUnknown as exc:
            # The order may exist. Never re-send: find out by tag first.
            self._move(intent.client_id, OrderStatus.SUBMITTED, "placement sent")
            self._move(intent.client_id, OrderStatus.UNKNOWN, f"placement outcome unknown: {exc}")
            self.lookups[intent.client_id] = 0
            self.wake_in(0, "lookup")
        except TokenExpired as exc:
            self._move(intent.client_id, OrderStatus.REJECTED, f"broker token: {exc}")
            self.address(RISK_GATE).tell(Halt(reason=str(exc), source=StateSource.BROKER))
        except (OrderRefused, RateLimited, BrokerError) as exc:
            self._move(intent.client_id, OrderStatus.REJECTED, f"{type(exc).__name__}: {exc}")
        else:
            self._move(intent.client_id, OrderStatus.SUBMITTED, "sent", broker_order_id=broker_id)

    def _cancel(self, cancel: CancelIntent) -> None:
        queued = self.queue.remove_where(
            lambda item: isinstance(item, OrderIntent) and item.client_id == cancel.client_id
        )
        if queued:
            self._move(cancel.client_id, OrderStatus.REJECTED, "cancelled before it was sent")
            return
        order = self.book.get(cancel.client_id)
        if order is None or order.is_terminal:
            return
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

    # -- what the broker says ----------------------------------------------------------------

    def _fill(self, fill: Fill) -> None:
        assert self.journal is not None
        order = self.book.get(fill.client_id)
        if order is None and self.journal.order(fill.client_id) is None:
            _log.warning("fill %s for unknown tag %r: not ours", fill.trade_id, fill.client_id)
            return
        if not self.journal.record_fill(fill):
            return  # already applied: a fill counts once
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
        if event.filled_quantity > order.filled_quantity:
            # The broker reports more filled than we have fills for: its trades say which
            # (Kite's order updates carry no trade ids; the paper broker sends trades first).
            self._recover_trades(live=True)
        if event.status in _FILL_DRIVEN or event.status is order.status:
            return  # fills drive the filled states; repeats change nothing
        if not is_legal(order.status, event.status):
            _log.warning(
                "ignored broker status %s for %s (now %s)",
                event.status.value,
                event.client_id,
                order.status.value,
            )
            return
        self._move(
            event.client_id,
            event.status,
            event.reason or "broker update",
            broker_order_id=event.broker_order_id,
        )

    # -- bookkeeping -------------------------------------------------------------------------

    def _move(
        self,
        client_id: str,
        status: OrderStatus,
        reason: str,
        *,
        broker_order_id: str | None = None,
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
        self._publish(order)

    def _publish(self, order: TrackedOrder) -> None:
        assert self.journal is not None
        event = self.book.to_event(order.client_id, self.link.clock.now_ns())
        self.journal.record_order_event(event)
        self.metrics.order_events.labels(status=event.status.value).inc()
        if order.is_terminal:
            sent = self.sent_at.pop(order.client_id, None)
            if sent is not None:
                self.metrics.order_round_trip.observe(self.link.clock.monotonic() - sent)
        for name in (RISK_GATE, strategy_actor_name(order.intent.symbol)):
            self.address(name).tell(event)
