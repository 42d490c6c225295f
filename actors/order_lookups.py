"""What the OrderRouter does when it does not know an order's fate: look it up by its tag (after
a placement whose reply was lost, and for every order open at a restart), adopt what the broker
says, and take from the broker's trades any fill the journal lacks. A part of the OrderRouter,
kept apart because it is the router's answer to "never send twice, never lose a fill" and reads
best on its own."""

from __future__ import annotations

import logging
from typing import Any

from brokers.base import BrokerOrder
from brokers.errors import BrokerError
from brokers.updates import broker_listener
from core.order_state import TrackedOrder, is_legal
from messages import OrderStatus

_log = logging.getLogger("actors.order_router")
_FILL_DRIVEN = (OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED)


class OrderLookups:
    """Mixed into ``OrderRouter``; uses its book, broker, journal and ``_move``."""

    book: Any
    broker: Any
    journal: Any
    lookups: dict[str, int]
    recovering: set[str]
    lookup_attempts: int
    lookup_interval: float
    name: str
    _move: Any
    wake_in: Any
    address: Any

    def _look_up(self) -> None:
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
            if found is not None:
                del self.lookups[client_id]
                self._adopt(order, found)
            elif order.status is OrderStatus.NEW:
                del self.lookups[client_id]
                self._move(
                    client_id, OrderStatus.REJECTED, "not sent before a restart; not re-sent"
                )
            else:
                self.lookups[client_id] += 1
                if self.lookups[client_id] >= self.lookup_attempts:
                    del self.lookups[client_id]
                    reason = f"not found at the broker after {self.lookup_attempts} lookups"
                    self._move(client_id, OrderStatus.REJECTED, reason)
                else:
                    pending = True
        if pending:
            self.wake_in(self.lookup_interval, "lookup")

    def _check_working(self) -> None:
        """Compare every order working at the broker with the broker's order book, in one call.
        Kite reports fills as order updates on the WebSocket, and an update missed while the
        link was down is never sent again: without this, an order filled there would stay
        open here (and its fill unknown) until a restart. Orders being looked up by tag are
        left to that."""
        working = [
            order
            for order in self.book.open_orders()
            if order.broker_order_id is not None and order.client_id not in self.lookups
        ]
        if not working:
            return
        try:
            at_broker = {found.tag: found for found in self.broker.orders()}
        except BrokerError as exc:
            _log.warning("could not check working orders (%s): will retry", exc)
            return
        for order in working:
            found = at_broker.get(order.client_id)
            if found is not None:
                self._adopt(order, found)

    def _adopt(self, order: TrackedOrder, found: BrokerOrder) -> None:
        if order.status is OrderStatus.NEW:
            self._move(
                order.client_id,
                OrderStatus.SUBMITTED,
                "found at the broker by tag",
                broker_order_id=found.broker_order_id,
            )
        elif order.broker_order_id is None:
            order.broker_order_id = found.broker_order_id
        if found.filled_quantity > order.filled_quantity:
            self._recover_trades()
        changed = found.status not in _FILL_DRIVEN and found.status is not order.status
        if changed and is_legal(order.status, found.status):
            self._move(order.client_id, found.status, found.status_message or "found by tag")

    def _recover_trades(self, *, live: bool = False) -> None:
        """Apply every trade of ours the broker has and the journal lacks: lost fills after a
        restart, or (``live``) the fills a broker reports only as an order's filled quantity."""
        assert self.journal is not None
        try:
            trades = self.broker.trades()
        except BrokerError as exc:
            _log.warning("could not list broker trades (%s): will retry on the next lookup", exc)
            return
        listener = broker_listener(self.address(self.name).tell)
        known = {fill.trade_id for fill in self.journal.fills()} | self.recovering
        for trade in trades:
            if trade.trade_id not in known and (
                trade.tag in self.book or self.journal.order(trade.tag) is not None
            ):
                log = _log.debug if live else _log.warning
                log("fill %s of %s taken from the broker's trades", trade.trade_id, trade.tag)
                self.recovering.add(trade.trade_id)
                listener(trade)
