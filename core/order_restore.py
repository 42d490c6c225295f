"""Rebuilding the router's order book from the journal after a restart, pure.

The journal holds each open order's last status and every fill. The book is rebuilt by walking
each order along a legal path to that status (so the state machine's rules still hold for what
follows) and re-applying its fills. What the broker knows is a separate, later step (the
router looks every rebuilt order up by tag before sending anything).
"""

from __future__ import annotations

from collections.abc import Iterable

from core.order_book import OrderBook
from core.records import OrderRecord
from messages import Fill, OrderIntent, OrderStatus, OrderType, Product

_PATH: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    OrderStatus.NEW: (),
    OrderStatus.SUBMITTED: (OrderStatus.SUBMITTED,),
    OrderStatus.OPEN: (OrderStatus.SUBMITTED, OrderStatus.OPEN),
    OrderStatus.PARTIALLY_FILLED: (OrderStatus.SUBMITTED, OrderStatus.OPEN),
    OrderStatus.UNKNOWN: (OrderStatus.SUBMITTED, OrderStatus.UNKNOWN),
}
"""How to reach each non-terminal status from NEW; a partial fill is re-reached by its fills."""


def intent_of(record: OrderRecord) -> OrderIntent:
    return OrderIntent(
        client_id=record.client_id,
        symbol=record.symbol,
        side=record.side,
        quantity=record.quantity,
        order_type=record.order_type or OrderType.MARKET,
        limit_price=record.limit_price,
        trigger_price=record.trigger_price,
        product=record.product or Product.MIS,
    )


def restore_book(open_orders: Iterable[OrderRecord], fills: Iterable[Fill]) -> OrderBook:
    """The book of the orders still open, each at its journaled status with its fills."""
    book = OrderBook()
    by_order: dict[str, list[Fill]] = {}
    for fill in fills:
        by_order.setdefault(fill.client_id, []).append(fill)
    for record in open_orders:
        book.add(intent_of(record), at_ns=record.created_ns, reason="restored from journal")
        for status in _PATH.get(record.status, ()):
            book.transition(
                record.client_id,
                status,
                record.updated_ns,
                "restored from journal",
                broker_order_id=record.broker_order_id if status is OrderStatus.SUBMITTED else None,
            )
        for fill in by_order.get(record.client_id, ()):
            book.apply_fill(fill)
    return book
