"""Kite's JSON (orders, trades, positions, order updates) as shikra's broker records, exactly:
prices arrive as JSON numbers and become paise through ``Decimal(str(x))``, never through float
arithmetic; naive timestamps are Kite's, in IST.

Each record function takes one item as kiteconnect hands it on — whatever JSON Kite sent, of
any shape — and never raises. Enumerated values go through ``kite_values`` (an undocumented
one becomes an explicit unknown, reported); an item that cannot be used at all (not an object,
no order id or symbol, a number that is not a number, a trade without a price, a time outside
any trading day, a side that is neither BUY nor SELL) is reported and the function returns
None: its caller skips it. So no record in the account can make an exception escape the
adapter and crash-loop the OrderRouter.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from brokers import kite_values
from brokers.base import BrokerOrder, BrokerPosition, BrokerTrade
from brokers.unknown_values import UnknownValue, shown

IST = zoneinfo.ZoneInfo("Asia/Kolkata")

_MAX_DIGITS = 15
"""No quantity, price in paise or multiplier has more digits: beyond it a value is nonsense
(and ``int(Decimal("1e999999999"))`` would take the process's memory)."""
_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=IST)
_LATEST = datetime.datetime(2100, 1, 1, tzinfo=IST)
"""A timestamp outside these is no trading day's: refused at the edge, so nothing downstream
does arithmetic on the year 9999."""


class _Unusable(Exception):
    """Why an item cannot become a record (internal: never leaves this module)."""


def _number(value: Any) -> Decimal:
    """A JSON number (or a numeric string) as a finite Decimal of sane size."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{shown(value)} is not a number")
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{shown(value)} is not a number") from None
    if not number.is_finite() or (number and number.adjusted() >= _MAX_DIGITS):
        raise ValueError(f"{shown(value)} is not a sane number")
    return number


def _in_paise(value: Any) -> Decimal:
    """A Kite amount in rupees (JSON number or string) as exact, unrounded paise, not
    negative; 0 for absent."""
    if value is None or value == "":
        return Decimal(0)
    amount = _number(value) * 100
    if amount < 0:
        raise ValueError(f"{shown(value)} is not a price")
    return amount


def paise(value: Any) -> int | None:
    """A Kite price (JSON number or string, rupees) as int paise; None for absent or zero.
    ``ValueError`` for a value that is not a price (not a number, negative)."""
    amount = _in_paise(value)
    if amount == 0:
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def epoch_ns(value: Any) -> int:
    """A Kite timestamp (``datetime`` as kiteconnect parses it, or "YYYY-MM-DD HH:MM:SS" as
    order updates carry it), naive in IST, as epoch nanoseconds. 0 when absent; ``ValueError``
    for one that is not a time, or not of this century."""
    if value is None or value == "":
        return 0
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.datetime.fromisoformat(value.strip())
    else:
        raise ValueError(f"{shown(value)} is not a time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=IST)
    if not _EARLIEST <= moment < _LATEST:
        raise ValueError(f"{shown(value)} is outside any trading day")
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _field(item: dict[str, Any], key: str, read: Any) -> Any:
    """``read(item[key])``, its failure an ``_Unusable`` naming the field."""
    try:
        return read(item.get(key))
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise _Unusable(f"{key}: {exc}") from None


def _name(value: Any) -> str:
    """A non-empty JSON string, trimmed (exchanges, trading symbols)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{shown(value)} is not a name")
    return value.strip()


def _identifier(value: Any) -> str:
    """An id: Kite sends strings; a JSON integer is taken as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _name(value)


def _whole(value: Any) -> int:
    """A signed whole number (quantities; positions are negative when short)."""
    number = _number(value)
    if number != number.to_integral_value():
        raise ValueError(f"{shown(value)} is not a whole number")
    return int(number)


def _count(value: Any) -> int:
    """A quantity of an order or a trade: whole, not negative."""
    number = _whole(value)
    if number < 0:
        raise ValueError(f"{shown(value)} is negative")
    return number


def _count_or_zero(value: Any) -> int:
    return 0 if value is None or value == "" else _count(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def symbol_of(item: dict[str, Any]) -> str:
    exchange = _field(item, "exchange", _name)
    return f"{exchange}:{_field(item, 'tradingsymbol', _name)}"


def tag_of(item: Any) -> str:
    """The ``tag`` shikra sent (its client id), "" if none. Kite's ``tags`` list is not read:
    it holds Kite's own tags beside ours (e.g. for market protection), never instead."""
    tag = item.get("tag") if isinstance(item, dict) else None
    return tag.strip() if isinstance(tag, str) else ""


def _unusable(on_unknown: UnknownValue, what: str, item: Any, reason: str) -> None:
    ident = item.get("order_id") if isinstance(item, dict) else None
    on_unknown("record", f"{what} {shown(ident, 30) if ident else '?'}: {reason}")


def order(item: Any, on_unknown: UnknownValue) -> BrokerOrder | None:
    """An order (from the order book, an order's history or a WebSocket update), or None."""
    if not isinstance(item, dict):
        on_unknown("record", f"an order that is not an object: {shown(item)}")
        return None
    try:
        broker_order_id = _field(item, "order_id", _identifier)
        symbol = symbol_of(item)
        quantity = _field(item, "quantity", _count)
        filled = _field(item, "filled_quantity", _count_or_zero)
        average = _field(item, "average_price", paise)
        limit = _field(item, "price", paise)
        trigger = _field(item, "trigger_price", paise)
        stamp = "exchange_timestamp" if item.get("exchange_timestamp") else "order_timestamp"
        updated_ns = _field(item, stamp, epoch_ns)
    except _Unusable as exc:
        _unusable(on_unknown, "order", item, str(exc))
        return None
    side = kite_values.side(item.get("transaction_type"), on_unknown)
    if side is None:
        return None
    raw_status = item.get("status")
    return BrokerOrder(
        broker_order_id=broker_order_id,
        tag=tag_of(item),
        symbol=symbol,
        side=side,
        order_type=kite_values.order_type(item.get("order_type"), on_unknown),
        product=kite_values.product(item.get("product"), on_unknown),
        quantity=quantity,
        filled_quantity=filled,
        average_price_paise=average,
        status=kite_values.status(raw_status, filled, on_unknown),
        limit_price=limit,
        trigger_price=trigger,
        status_message=_text(item.get("status_message")),
        updated_ns=updated_ns,
        variety=kite_values.variety(item.get("variety"), on_unknown),
        broker_status=_text(raw_status).strip()[:80],
    )


def trade(item: Any, tags: Mapping[str, str], on_unknown: UnknownValue) -> BrokerTrade | None:
    """A trade, or None. Kite's trades carry no tag: ``tags`` maps each order id to the tag
    of its order (absent: not shikra's order, tag "")."""
    if not isinstance(item, dict):
        on_unknown("record", f"a trade that is not an object: {shown(item)}")
        return None
    try:
        trade_id = _field(item, "trade_id", _identifier)
        broker_order_id = _field(item, "order_id", _identifier)
        symbol = symbol_of(item)
        quantity = _field(item, "quantity", _count)
        price = _field(item, "average_price", paise)
        stamp = "fill_timestamp" if item.get("fill_timestamp") else "exchange_timestamp"
        at_ns = _field(item, stamp, epoch_ns)
        if price is None or quantity == 0:
            raise _Unusable("no price" if price is None else "no quantity")
    except _Unusable as exc:
        _unusable(on_unknown, "trade of order", item, str(exc))
        return None
    side = kite_values.side(item.get("transaction_type"), on_unknown)
    if side is None:
        return None
    return BrokerTrade(
        trade_id=trade_id,
        broker_order_id=broker_order_id,
        tag=tags.get(broker_order_id, ""),
        symbol=symbol,
        side=side,
        quantity=quantity,
        price=price,
        product=kite_values.product(item.get("product"), on_unknown),
        at_ns=at_ns,
    )


def position(item: Any, on_unknown: UnknownValue) -> BrokerPosition | None:
    """One of Kite's ``net`` positions (one symbol, one product), or None. Open cost is the
    average price times the quantity, rounded to the paisa, without the multiplier (see
    ``BrokerPosition``): Kite's average is a decimal of its own making, so reconciliation
    compares it with a tolerance."""
    if not isinstance(item, dict):
        on_unknown("record", f"a position that is not an object: {shown(item)}")
        return None
    try:
        symbol = symbol_of(item)
        quantity = _field(item, "quantity", lambda v: 0 if v is None else _whole(v))
        average = _field(item, "average_price", _in_paise)
        multiplier = _field(item, "multiplier", lambda v: 1 if v is None else _count(v))
        if multiplier == 0:
            raise _Unusable("multiplier: 0")
    except _Unusable as exc:
        on_unknown("record", f"position {shown(item.get('tradingsymbol'), 30)}: {exc}")
        return None
    return BrokerPosition(
        symbol=symbol,
        product=kite_values.product(item.get("product"), on_unknown),
        quantity=quantity,
        open_cost=int((average * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        multiplier=multiplier,
    )
