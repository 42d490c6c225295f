"""Helpers for the Kite adapter's tests: a recorder of what the adapter reports as unknown, and
Kite's documented value sets, written out here from the docs (kite.trade/docs/connect/v3/
orders, and DESIGN.md's summary of them) rather than taken from the code under test."""

from __future__ import annotations

from typing import Any


class Reports(list[tuple[str, str]]):
    """An ``on_unknown`` callable that remembers every ``(field, value)`` it is told."""

    def __call__(self, field: str, value: str) -> None:
        self.append((field, value))

    def fields(self) -> list[str]:
        return [field for field, _ in self]


PRODUCTS = ("CNC", "NRML", "MIS", "MTF", "CO", "BO")
VARIETIES = ("regular", "amo", "co", "iceberg", "auction")
ORDER_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
FINAL_STATUSES = ("COMPLETE", "CANCELLED", "REJECTED", "CANCELLED AMO")
WORKING_STATUSES = ("OPEN", "TRIGGER PENDING", "UPDATE")
MODIFYING_STATUSES = ("MODIFY VALIDATION PENDING", "MODIFY PENDING", "CANCEL PENDING")
IN_TRANSIT_STATUSES = (
    "PUT ORDER REQ RECEIVED",
    "PUT ORDER REQUEST RECEIVED",  # the spelling of the docs' table
    "VALIDATION PENDING",
    "OPEN PENDING",
    "AMO REQ RECEIVED",
)
NONSENSE = ("", "  ", "PARTIALLY EXECUTED", "mtf2", "🙂", None, 7, 1.5, True, [], {"a": 1})
"""Values Kite does not send for an enumerated field: empty, invented, of the wrong type."""


def kite_order(**changes: Any) -> dict[str, Any]:
    """An order as GET /orders shows it (Kite's documented fields), with ``changes``."""
    order: dict[str, Any] = {
        "placed_by": "FK1234",
        "order_id": "251120000000123",
        "exchange_order_id": "1100000000000123",
        "parent_order_id": None,
        "status": "COMPLETE",
        "status_message": None,
        "order_timestamp": "2026-11-20 09:15:02",
        "exchange_timestamp": "2026-11-20 09:15:03",
        "variety": "regular",
        "exchange": "NSE",
        "tradingsymbol": "INFY",
        "instrument_token": 408065,
        "order_type": "MARKET",
        "transaction_type": "BUY",
        "validity": "DAY",
        "product": "CNC",
        "quantity": 5,
        "disclosed_quantity": 0,
        "price": 0,
        "trigger_price": 0,
        "average_price": 1500.5,
        "filled_quantity": 5,
        "pending_quantity": 0,
        "cancelled_quantity": 0,
        "tag": None,
        "tags": [],
        "meta": {},
    }
    order.update(changes)
    return order


def kite_trade(**changes: Any) -> dict[str, Any]:
    """A trade as GET /trades shows it, with ``changes``."""
    trade: dict[str, Any] = {
        "trade_id": "50000001",
        "order_id": "251120000000123",
        "exchange_order_id": "1100000000000123",
        "exchange": "NSE",
        "tradingsymbol": "INFY",
        "instrument_token": 408065,
        "product": "CNC",
        "average_price": 1500.5,
        "quantity": 5,
        "transaction_type": "BUY",
        "fill_timestamp": "2026-11-20 09:15:03",
        "order_timestamp": "09:15:02",
        "exchange_timestamp": "2026-11-20 09:15:03",
    }
    trade.update(changes)
    return trade


def kite_position(**changes: Any) -> dict[str, Any]:
    """A net position as GET /portfolio/positions shows it, with ``changes``."""
    position: dict[str, Any] = {
        "tradingsymbol": "INFY",
        "exchange": "NSE",
        "instrument_token": 408065,
        "product": "CNC",
        "quantity": 5,
        "overnight_quantity": 0,
        "multiplier": 1,
        "average_price": 1500.5,
        "last_price": 1501,
    }
    position.update(changes)
    return position
