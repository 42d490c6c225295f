"""The conversions between the journal's rows and what its readers return: messages where a
table holds exactly one, and the records of ``core.records`` (defined there, so that ``core``
never imports the journal) where it knows more.

Where a table holds exactly a message (fills, order events, trading-state changes) the reader
returns that message, so a restarted actor replays the same objects it once received. Where the
journal knows more than any message (an intent's sequence number, an order's current state),
it returns one of these records. They are plain data, not messages: nothing sends them.
"""

from __future__ import annotations

import datetime
import sqlite3

from core.records import AdjustmentRecord, IntentRecord, OrderRecord, StateRecord
from messages.control import StateSource, TradingState, TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus, OrderType, Product, Side


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
        intent=intent,
        strategy_seq=row["strategy_seq"],
        created_ns=row["created_ns"],
        day=_day(row["day"]),
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
        day=_day(row["day"]),
        sent=bool(row["sent"]),
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


def state_record(row: sqlite3.Row) -> StateRecord:
    return StateRecord(change=trading_state_changed(row), day=_day(row["day"]))


def adjustment_record(row: sqlite3.Row) -> AdjustmentRecord:
    return AdjustmentRecord(
        symbol=row["symbol"],
        quantity_delta=row["quantity_delta"],
        cost_delta=row["cost_delta"],
        reason=row["reason"],
        at_ns=row["at_ns"],
        day=_day(row["day"]),
        product=Product(row["product"]),
        trade_id=row["trade_id"],
    )


def _day(text: str) -> datetime.date:
    # A row without a day cannot exist after the version-2 upgrade; the epoch says so loudly.
    return datetime.date.fromisoformat(text) if text else datetime.date(1970, 1, 1)
