"""Kite's order and trade records: the state an order carries and the JSON Kite shows for it.

Separate from the matching rules (``book``) so the field list can be checked against Kite's
docs in one place. Timestamps are IST strings of 19 characters, which kiteconnect turns into
naive datetimes (``order_timestamp``, ``exchange_timestamp``, ``fill_timestamp``); a trade's
``order_timestamp`` is only "HH:MM:SS" in Kite's documented sample, so the client leaves it a
string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.fakekite.market import IST, Instrument, as_number, kite_time

TERMINAL = frozenset({"COMPLETE", "CANCELLED", "REJECTED", "CANCELLED AMO"})
WORKING = frozenset({"OPEN", "TRIGGER PENDING"})


@dataclass
class Order:
    """One order's current state; ``history`` holds its earlier snapshots, oldest first."""

    order_id: str
    variety: str
    instrument: Instrument
    transaction_type: str
    order_type: str
    product: str
    quantity: int
    price: Decimal
    trigger_price: Decimal
    validity: str
    tag: str | None
    placed_at: datetime
    guid: str
    user_id: str
    disclosed_quantity: int = 0
    market_protection: int = 0
    status: str = "PUT ORDER REQ RECEIVED"
    status_message: str | None = None
    exchange_order_id: str | None = None
    exchange_at: datetime | None = None
    updated_at: datetime | None = None
    filled_quantity: int = 0
    cancelled_quantity: int = 0
    fill_value: Decimal = Decimal(0)
    modified: bool = False
    modifications: int = 0
    triggered: bool = False
    kite_tags: tuple[str, ...] = ()
    """Tags Kite adds of its own (e.g. "mktp" for market protection), listed after ours."""
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pending_quantity(self) -> int:
        if self.status in TERMINAL:
            return 0
        return self.quantity - self.filled_quantity - self.cancelled_quantity

    @property
    def average_price(self) -> Decimal:
        return self.fill_value / self.filled_quantity if self.filled_quantity else Decimal(0)

    @property
    def is_buy(self) -> bool:
        return self.transaction_type == "BUY"

    def to_json(self) -> dict[str, Any]:
        """The order as GET /orders shows it."""
        ins = self.instrument
        return {
            "placed_by": self.user_id,
            "order_id": self.order_id,
            "exchange_order_id": self.exchange_order_id,
            "parent_order_id": None,
            "status": self.status,
            "status_message": self.status_message,
            "status_message_raw": self.status_message,
            "order_timestamp": kite_time(self.placed_at),
            "exchange_update_timestamp": _maybe_time(self.updated_at),
            "exchange_timestamp": _maybe_time(self.exchange_at),
            "variety": self.variety,
            "modified": self.modified,
            "exchange": ins.exchange,
            "tradingsymbol": ins.tradingsymbol,
            "instrument_token": ins.instrument_token,
            "order_type": self.order_type,
            "transaction_type": self.transaction_type,
            "validity": self.validity,
            "validity_ttl": 0,
            "product": self.product,
            "quantity": self.quantity,
            "disclosed_quantity": self.disclosed_quantity,
            "price": as_number(self.price),
            "trigger_price": as_number(self.trigger_price),
            "average_price": as_number(self.average_price),
            "filled_quantity": self.filled_quantity,
            "pending_quantity": self.pending_quantity,
            "cancelled_quantity": self.cancelled_quantity,
            "market_protection": self.market_protection,
            "meta": {},
            "tag": self.tag,
            "tags": ([self.tag] if self.tag else []) + list(self.kite_tags),
            "guid": self.guid,
        }

    def to_update(self, status: str | None = None) -> dict[str, Any]:
        """The order as a WebSocket order update (Kite's postback payload) shows it.

        ``status`` overrides the order's own: Kite reports a modification or a partial fill
        of a working order as ``UPDATE``.
        """
        data = self.to_json()
        data.update(
            user_id=self.user_id,
            unfilled_quantity=self.pending_quantity,
            app_id=0,
            checksum="",
        )
        if status is not None:
            data["status"] = status
        return data


def _maybe_time(moment: datetime | None) -> str | None:
    return None if moment is None else kite_time(moment)


@dataclass(frozen=True)
class Trade:
    """One fill of one order."""

    trade_id: str
    order: Order
    quantity: int
    price: Decimal
    filled_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The trade as GET /trades shows it."""
        ins = self.order.instrument
        return {
            "trade_id": self.trade_id,
            "order_id": self.order.order_id,
            "exchange_order_id": self.order.exchange_order_id,
            "exchange": ins.exchange,
            "tradingsymbol": ins.tradingsymbol,
            "instrument_token": ins.instrument_token,
            "product": self.order.product,
            "average_price": as_number(self.price),
            "quantity": self.quantity,
            "transaction_type": self.order.transaction_type,
            "fill_timestamp": kite_time(self.filled_at),
            "order_timestamp": self.order.placed_at.astimezone(IST).strftime("%H:%M:%S"),
            "exchange_timestamp": kite_time(self.filled_at),
        }
