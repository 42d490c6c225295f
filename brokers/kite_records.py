"""Kite's JSON (orders, trades, positions, order updates) as shikra's broker records, exactly:
prices arrive as JSON numbers and become paise through ``Decimal(str(x))``, never through float
arithmetic; naive timestamps are Kite's, in IST."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from brokers.base import BrokerOrder, BrokerPosition, BrokerTrade
from messages import OrderStatus, OrderType, Product, Side

IST = zoneinfo.ZoneInfo("Asia/Kolkata")

_STATUS = {
    "OPEN": OrderStatus.OPEN,
    "UPDATE": OrderStatus.OPEN,  # a postback for a partial fill or a modification
    "TRIGGER PENDING": OrderStatus.OPEN,
    "COMPLETE": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
}
"""Every other Kite status (PUT ORDER REQ RECEIVED, VALIDATION PENDING, OPEN PENDING, MODIFY
PENDING, CANCEL PENDING, AMO REQ RECEIVED…) is a transition in progress: SUBMITTED."""


def paise(value: Any) -> int | None:
    """A Kite price (JSON number or string, rupees) as int paise; None for absent or zero."""
    if value is None or value == "":
        return None
    amount = Decimal(str(value)) * 100
    if amount == 0:
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def epoch_ns(value: Any) -> int:
    """A Kite timestamp (``datetime`` as kiteconnect parses it, or "YYYY-MM-DD HH:MM:SS" as
    order updates carry it), naive in IST, as epoch nanoseconds. 0 when absent."""
    if not value:
        return 0
    moment = (
        value
        if isinstance(value, datetime.datetime)
        else datetime.datetime.fromisoformat(str(value))
    )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def symbol_of(item: dict[str, Any]) -> str:
    return f"{item['exchange']}:{item['tradingsymbol']}"


def order(item: dict[str, Any]) -> BrokerOrder:
    filled = int(item.get("filled_quantity") or 0)
    status = _STATUS.get(str(item.get("status", "")).upper(), OrderStatus.SUBMITTED)
    if status is OrderStatus.OPEN and filled:
        status = OrderStatus.PARTIALLY_FILLED
    return BrokerOrder(
        broker_order_id=str(item["order_id"]),
        tag=str(item.get("tag") or ""),
        symbol=symbol_of(item),
        side=Side(item["transaction_type"]),
        order_type=OrderType(item["order_type"]),
        product=Product(item["product"]),
        quantity=int(item["quantity"]),
        filled_quantity=filled,
        average_price_paise=paise(item.get("average_price")),
        status=status,
        limit_price=paise(item.get("price")),
        trigger_price=paise(item.get("trigger_price")),
        status_message=str(item.get("status_message") or ""),
        updated_ns=epoch_ns(item.get("exchange_timestamp") or item.get("order_timestamp")),
    )


def trade(item: dict[str, Any], tag: str) -> BrokerTrade:
    """A trade; Kite's trades do not carry the order's tag, so the caller supplies it."""
    price = paise(item["average_price"])
    if price is None:
        raise ValueError(f"trade {item.get('trade_id')} has no price")
    return BrokerTrade(
        trade_id=str(item["trade_id"]),
        broker_order_id=str(item["order_id"]),
        tag=tag,
        symbol=symbol_of(item),
        side=Side(item["transaction_type"]),
        quantity=int(item["quantity"]),
        price=price,
        product=Product(item["product"]),
        at_ns=epoch_ns(item.get("fill_timestamp") or item.get("exchange_timestamp")),
    )


def net_positions(data: dict[str, Any]) -> list[BrokerPosition]:
    """Kite's ``net`` positions, one per symbol and product (as Kite lists them). Open cost is
    the average price times the quantity, rounded to the paisa: Kite's average is a decimal of
    its own making, so reconciliation compares it with a tolerance."""
    quantity: dict[tuple[str, Product], int] = {}
    cost: dict[tuple[str, Product], Decimal] = {}
    for item in data.get("net", []):
        key = (symbol_of(item), Product(item["product"]))
        held = int(item.get("quantity") or 0)
        quantity[key] = quantity.get(key, 0) + held
        average = Decimal(str(item.get("average_price") or 0)) * 100
        cost[key] = cost.get(key, Decimal(0)) + average * held
    return [
        BrokerPosition(
            symbol=symbol,
            product=product,
            quantity=quantity[symbol, product],
            open_cost=int(cost[symbol, product].quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        )
        for symbol, product in sorted(quantity, key=lambda key: (key[0], key[1].value))
    ]
