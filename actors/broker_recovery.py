"""The router's side of "never send twice, never lose a fill": asking the broker about orders
whose fate is not known, and taking from it what the journal missed.

Three questions, each asked of the broker and answered by ``core.order_lookup``'s pure rules:

* **by tag**, after a placement whose reply was lost and for every order open at a restart
  (``look_up``): found is adopted, not found for an order never handed over is REJECTED and never
  re-sent, not found otherwise is asked again a few times;
* **the whole order book**, every few seconds (``check_working``): an order update the WebSocket
  lost is never sent again, and only the book tells that an order filled meanwhile;
* **the trades** (``recover_trades``): a fill the journal lacks — lost at a kill, or known only
  as an order's filled quantity — is sent to the router's own address, so it is journaled and
  applied like any other, once (trade ids).

It is a part of the OrderRouter kept in its own file, not an actor: it runs on the router's
thread, owns no state of its own (the router's book, journal, lookups and trade ids are handed
to it) and changes orders only through the router's ``move``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from brokers.base import Broker, BrokerOrder
from brokers.errors import BrokerError
from brokers.updates import broker_listener
from core.order_book import OrderBook
from core.order_lookup import (
    NEVER_SENT,
    LookupVerdict,
    after_lookup,
    gave_up_reason,
    reconcile_order,
    to_check,
)
from core.order_state import OrderStateError, TrackedOrder
from journal.writer import JournalWriter
from messages import Message, OrderStatus

_log = logging.getLogger("actors.order_router")


class Move(Protocol):
    """The router's one way of changing an order (journaled, published)."""

    def __call__(
        self,
        client_id: str,
        status: OrderStatus,
        reason: str,
        *,
        broker_order_id: str | None = None,
        sent: bool = False,
    ) -> None: ...


@dataclass
class BrokerRecovery:
    book: OrderBook
    broker: Broker
    journal: JournalWriter
    move: Move
    to_router: Callable[[Message], None]
    look_up_again: Callable[[], None]
    """Schedules the next ``look_up`` (the router's timer)."""
    attempts: int
    lookups: dict[str, int]
    """Orders being looked up by tag, and how many lookups found nothing so far."""
    trade_ids: set[str]
    """Trades journaled recently, or already sent back to the router."""

    def look_up(self) -> None:
        """Ask the broker about every order whose fate we do not know."""
        pending = False
        for client_id in list(self.lookups):
            order = self.book.get(client_id)
            if order is None or order.is_terminal:
                del self.lookups[client_id]
                continue
            try:
                found = self.broker.order_by_tag(client_id)
            except BrokerError as exc:
                _log.warning("lookup of %s failed (%s): will retry", client_id, exc)
                pending = True
                continue
            verdict = after_lookup(
                order.status, found is not None, self.lookups[client_id], self.attempts
            )
            if verdict is LookupVerdict.RETRY:
                self.lookups[client_id] += 1
                pending = True
                continue
            del self.lookups[client_id]
            if verdict is LookupVerdict.ADOPT:
                assert found is not None
                self.adopt_found(order, found)
            elif verdict is LookupVerdict.NEVER_SENT:
                self.move(client_id, OrderStatus.REJECTED, NEVER_SENT)
            else:
                self.move(client_id, OrderStatus.REJECTED, gave_up_reason(self.attempts))
        if pending:
            self.look_up_again()

    def check_working(self) -> None:
        """Compare every order working at the broker with the broker's order book, in one
        call (orders being looked up by tag are left to that)."""
        working = to_check(self.book.open_orders(), self.lookups)
        if not working:
            return
        try:
            at_broker = {found.tag: found for found in self.broker.orders_tagged(working)}
        except BrokerError as exc:
            _log.warning("could not check working orders (%s): will retry", exc)
            return
        for client_id in working:
            order, found = self.book.get(client_id), at_broker.get(client_id)
            if order is not None and found is not None:
                self.adopt_found(order, found)

    def adopt_found(self, order: TrackedOrder, found: BrokerOrder) -> None:
        reason = found.status_message or "found at the broker by tag"
        self.adopt(order, found.status, found.broker_order_id, found.filled_quantity, reason)

    def adopt(
        self,
        order: TrackedOrder,
        status: OrderStatus,
        broker_order_id: str,
        filled_quantity: int,
        reason: str,
    ) -> None:
        """Take the broker's account of ``order`` (a lookup, its order book or a push)."""
        adoption = reconcile_order(order, status, broker_order_id, filled_quantity)
        if adoption.submitted_as is not None:
            self.move(order.client_id, OrderStatus.SUBMITTED, "found at the broker by tag",
                      broker_order_id=adoption.submitted_as, sent=True)  # fmt: skip
        elif adoption.broker_order_id:
            try:
                self.book.learn_broker_id(order.client_id, adoption.broker_order_id)
            except OrderStateError as exc:
                _log.error("order %s: %s", order.client_id, exc)
        if adoption.fetch_trades:
            # The broker reports more filled than we have fills for: its trades say which
            # (Kite's order updates carry no trade ids; the paper broker sends trades first).
            self.recover_trades()
        if adoption.move_to is not None and not order.is_terminal:
            self.move(order.client_id, adoption.move_to, reason or "broker update")

    def recover_trades(self, *, at_start: bool = False) -> None:
        """Send the router every trade of ours the broker has and the journal lacks."""
        try:
            trades = self.broker.trades()
        except BrokerError as exc:
            _log.warning("could not list broker trades (%s): will retry on the next lookup", exc)
            return
        send = broker_listener(self.to_router)
        say = _log.warning if at_start else _log.info  # a fill lost at a kill is news
        new = [t for t in trades if t.trade_id not in self.trade_ids and t.tag]
        elsewhere = {t.tag for t in new if t.tag not in self.book}
        known = self.journal.read(lambda j: j.known_client_ids(elsewhere)) if elsewhere else set()
        for trade in new:
            if trade.tag in self.book or trade.tag in known:
                say("fill %s of %s taken from the broker's trades", trade.trade_id, trade.tag)
                self.trade_ids.add(trade.trade_id)
                send(trade)
