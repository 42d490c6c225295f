"""The book of orders one actor (the OrderRouter) is responsible for.

Pure: no clock, no threads, no I/O; times arrive as arguments. It enforces DESIGN.md rule 6 at
the two places it can be broken locally: an order is added once (``DuplicateOrder``), and a fill
is applied once (by trade id). Every status change goes through the table in
``core.order_state``, so an impossible broker report raises instead of being believed.
"""

from __future__ import annotations

from core.order_state import (
    DuplicateOrder,
    FillMismatch,
    IllegalTransition,
    OrderStateError,
    Overfill,
    StatusChange,
    TrackedOrder,
    UnknownOrder,
    is_legal,
)
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus

# A fill can only arrive for an order that reached the broker. NEW was never sent and a
# REJECTED order never traded, so a fill on either means our record is wrong: raise.
_NO_FILLS_IN = frozenset({OrderStatus.NEW, OrderStatus.REJECTED})


class OrderBook:
    """Tracked orders by client id, with an index by broker order id."""

    def __init__(self) -> None:
        self._orders: dict[str, TrackedOrder] = {}
        self._by_broker_id: dict[str, TrackedOrder] = {}

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._orders

    def add(self, intent: OrderIntent, at_ns: int = 0, reason: str = "") -> TrackedOrder:
        """Start tracking an intent in status NEW. Raises ``DuplicateOrder`` if its client id
        is already tracked, whatever that order's status: ids are never reused."""
        if intent.client_id in self._orders:
            raise DuplicateOrder(f"order {intent.client_id} is already tracked")
        order = TrackedOrder(client_id=intent.client_id, intent=intent)
        order.history.append(StatusChange(OrderStatus.NEW, at_ns, reason))
        self._orders[intent.client_id] = order
        return order

    def get(self, client_id: str) -> TrackedOrder | None:
        return self._orders.get(client_id)

    def by_broker_id(self, broker_order_id: str) -> TrackedOrder | None:
        return self._by_broker_id.get(broker_order_id)

    def open_orders(self) -> list[TrackedOrder]:
        """Every order not in a terminal state, in the order they were added. NEW, SUBMITTED
        and UNKNOWN count as open: each may yet become a position."""
        return [order for order in self._orders.values() if not order.is_terminal]

    def learn_broker_id(self, client_id: str, broker_order_id: str) -> TrackedOrder:
        """Record the broker's id for an order that has none yet (a lookup or a pushed update
        told it). Raises ``OrderStateError`` if the order has another, or the id belongs to
        another order: two orders sharing an id means one report is wrong."""
        order = self._require(client_id)
        self._set_broker_id(order, broker_order_id)
        return order

    def transition(
        self,
        client_id: str,
        status: OrderStatus,
        at_ns: int,
        reason: str = "",
        *,
        broker_order_id: str | None = None,
    ) -> TrackedOrder:
        """Move an order to ``status``. Raises ``IllegalTransition`` for a pair not in the
        table (nothing changes). ``broker_order_id``, when given, is recorded (the placement
        reply, or the lookup by tag that resolved an UNKNOWN)."""
        order = self._require(client_id)
        if not is_legal(order.status, status):
            raise IllegalTransition(client_id, order.status, status)
        if broker_order_id is not None:
            self._set_broker_id(order, broker_order_id)
        order.status = status
        order.history.append(StatusChange(status, at_ns, reason))
        return order

    def apply_fill(self, fill: Fill) -> bool:
        """Apply one execution. Returns False, changing nothing, for a trade id already applied.

        The status follows the cumulative quantity: PARTIALLY_FILLED, then FILLED. An order
        already FILLED or CANCELLED by a status report that overtook its trades keeps its
        status, but the fill is still counted: a fill is never lost. Raises ``Overfill`` past
        the order quantity, ``FillMismatch`` for a fill that is not this order's, and
        ``IllegalTransition`` for a fill on an order that never reached the broker (NEW) or
        was rejected. On any raise nothing changes.
        """
        order = self._require(fill.client_id)
        if fill.trade_id in order.applied_trade_ids:
            return False
        self._check_fill(order, fill)
        filled = order.filled_quantity + fill.quantity
        target = OrderStatus.FILLED if filled == order.quantity else OrderStatus.PARTIALLY_FILLED
        if order.status in _NO_FILLS_IN:
            raise IllegalTransition(order.client_id, order.status, target)
        if fill.broker_order_id is not None:
            self._set_broker_id(order, fill.broker_order_id)
        order.applied_trade_ids.add(fill.trade_id)
        order.filled_quantity = filled
        order.filled_value += fill.price * fill.quantity
        if not order.is_terminal:
            order.status = target
            order.history.append(StatusChange(target, fill.at_ns, f"fill {fill.trade_id}"))
        return True

    def to_event(self, client_id: str, at_ns: int) -> OrderEvent:
        """The order as other actors may see it: an immutable snapshot message."""
        order = self._require(client_id)
        return OrderEvent(
            client_id=order.client_id,
            symbol=order.intent.symbol,
            side=order.intent.side,
            status=order.status,
            quantity=order.quantity,
            filled_quantity=order.filled_quantity,
            broker_order_id=order.broker_order_id,
            reason=order.last_reason,
            at_ns=at_ns,
        )

    def _require(self, client_id: str) -> TrackedOrder:
        order = self._orders.get(client_id)
        if order is None:
            raise UnknownOrder(f"no tracked order {client_id}")
        return order

    def _check_fill(self, order: TrackedOrder, fill: Fill) -> None:
        intent = order.intent
        if fill.quantity <= 0:
            raise FillMismatch(f"fill {fill.trade_id}: quantity {fill.quantity} is not positive")
        if fill.symbol != intent.symbol or fill.side is not intent.side:
            raise FillMismatch(
                f"fill {fill.trade_id} is {fill.side.value} {fill.symbol}, order "
                f"{order.client_id} is {intent.side.value} {intent.symbol}"
            )
        known = order.broker_order_id
        if fill.broker_order_id is not None and known not in (None, fill.broker_order_id):
            raise FillMismatch(
                f"fill {fill.trade_id} names broker order {fill.broker_order_id}, order "
                f"{order.client_id} is {known}"
            )
        if order.filled_quantity + fill.quantity > order.quantity:
            raise Overfill(
                f"fill {fill.trade_id} of {fill.quantity} would fill {order.client_id} to "
                f"{order.filled_quantity + fill.quantity} of {order.quantity}"
            )

    def _set_broker_id(self, order: TrackedOrder, broker_order_id: str) -> None:
        if order.broker_order_id == broker_order_id:
            return
        if order.broker_order_id is not None:
            raise OrderStateError(
                f"order {order.client_id} is broker order {order.broker_order_id}, "
                f"not {broker_order_id}"
            )
        other = self._by_broker_id.get(broker_order_id)
        if other is not None:
            raise OrderStateError(
                f"broker order {broker_order_id} already belongs to {other.client_id}"
            )
        order.broker_order_id = broker_order_id
        self._by_broker_id[broker_order_id] = order
