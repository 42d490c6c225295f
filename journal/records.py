"""What the journal's readers return, and the conversions between rows and messages.

Where a table holds exactly a message (fills, order events, trading-state changes) the reader
returns that message, so a restarted actor replays the same objects it once received. Where the
journal knows more than any message (an intent's sequence number, an order's current state),
it returns one of these records. They are plain data, not messages: nothing sends them.
"""

from __future__ import annotations

import sqlite3

import msgspec

from messages.control import StateSource, TradingState, TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus, OrderType, Product, Side


class IntentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An intent as a strategy journaled it, before sending it."""

    intent: OrderIntent
    strategy_seq: int
    created_ns: int


class OrderRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An order's current state, as the router last journaled it. ``order_type`` and
    ``product`` are ``None`` for an order the journal only knows from an event."""

    client_id: str
    symbol: str
    side: Side
    quantity: int
    order_type: OrderType | None
    limit_price: int | None
    trigger_price: int | None
    product: Product | None
    status: OrderStatus
    broker_order_id: str | None
    filled_quantity: int
    reason: str
    created_ns: int
    updated_ns: int


class AdjustmentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A change to a position that did not come from a fill (e.g. adopting the broker's book):
    ``quantity_delta`` shares and ``cost_delta`` paise of open cost."""

    symbol: str
    quantity_delta: int
    cost_delta: int
    reason: str
    at_ns: int


def intent_record(row: sqlite3.Row) -> IntentRecord:
    intent = OrderIntent(
        client_id=row["client_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        quantity=row["quantity"],
        order_type=OrderType(row["order_type"]),
        limit_price=row["limit_price"],
        trigger_price=row["trigger_price"],
        product=Product(row["product"]),
        reason=row["reason"],
        origin_ns=row["origin_ns"],
    )
    return IntentRecord(
        intent=intent, strategy_seq=row["strategy_seq"], created_ns=row["created_ns"]
    )


def order_record(row: sqlite3.Row) -> OrderRecord:
    order_type, product = row["order_type"], row["product"]
    return OrderRecord(
        client_id=row["client_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        quantity=row["quantity"],
        order_type=OrderType(order_type) if order_type is not None else None,
        limit_price=row["limit_price"],
        trigger_price=row["trigger_price"],
        product=Product(product) if product is not None else None,
        status=OrderStatus(row["status"]),
        broker_order_id=row["broker_order_id"],
        filled_quantity=row["filled_quantity"],
        reason=row["reason"],
        created_ns=row["created_ns"],
        updated_ns=row["updated_ns"],
    )


def order_event(row: sqlite3.Row) -> OrderEvent:
    return OrderEvent(
        client_id=row["client_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        status=OrderStatus(row["status"]),
        quantity=row["quantity"],
        filled_quantity=row["filled_quantity"],
        broker_order_id=row["broker_order_id"],
        reason=row["reason"],
        at_ns=row["at_ns"],
    )


def fill(row: sqlite3.Row) -> Fill:
    return Fill(
        trade_id=row["trade_id"],
        client_id=row["client_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        quantity=row["quantity"],
        price=row["price"],
        broker_order_id=row["broker_order_id"],
        product=Product(row["product"]),
        at_ns=row["at_ns"],
    )


def trading_state_changed(row: sqlite3.Row) -> TradingStateChanged:
    return TradingStateChanged(
        state=TradingState(row["state"]),
        previous=TradingState(row["previous"]),
        source=StateSource(row["source"]),
        reason=row["reason"],
        at_ns=row["at_ns"],
    )


def adjustment_record(row: sqlite3.Row) -> AdjustmentRecord:
    return AdjustmentRecord(
        symbol=row["symbol"],
        quantity_delta=row["quantity_delta"],
        cost_delta=row["cost_delta"],
        reason=row["reason"],
        at_ns=row["at_ns"],
    )
