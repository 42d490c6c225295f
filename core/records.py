"""What the journal holds, as plain data: the records a restarted actor is rebuilt from.

They live in ``core`` (the journal only reads and writes them) so that the recovery model —
``core.recovery``, pure functions from records to what an actor knows — needs no journal, no
SQLite and no threads to be tested. Where a table holds exactly a message (fills, order events,
trading-state changes) the journal returns that message instead; these records are for what
the journal knows beyond any message (an intent's sequence number, an order's current state
and trading day). They are never sent.

Every record that belongs to a trading day carries it (``day``): the exchange-local date its
writer was trading in (an order's, an intent's) or that its time falls on (a fill's). A day is
what every daily figure, limit and export is counted by (DESIGN: a daemon lives across days).
"""

from __future__ import annotations

import datetime

import msgspec

from messages.control import TradingStateChanged
from messages.orders import OrderIntent, OrderStatus, OrderType, Product, Side


class IntentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An intent as a strategy journaled it, before sending it."""

    intent: OrderIntent
    strategy_seq: int
    created_ns: int
    day: datetime.date


class OrderRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An order's current state, as the router last journaled it. ``order_type`` and
    ``product`` are ``None`` for an order the journal only knows from an event. ``sent``: the
    order was handed to the broker (whatever came of it), so it counts toward the day's cap."""

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
    day: datetime.date
    sent: bool = False


class AdjustmentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A change to a position that no trade explains (adopting the broker's book):
    ``quantity_delta`` units and ``cost_delta`` paise of open cost, exactly as the books
    disagreed, and ``trade_id`` of the adjustment fill journaled with it (in one transaction)."""

    symbol: str
    quantity_delta: int
    cost_delta: int
    reason: str
    at_ns: int
    day: datetime.date
    product: Product = Product.MIS
    trade_id: str = ""


class StateRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A trading-state change with the trading day it was made on (a loss-limit halt belongs
    to its day; an operator's halt does not expire)."""

    change: TradingStateChanged
    day: datetime.date
