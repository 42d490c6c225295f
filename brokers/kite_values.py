"""Kite's documented value sets (kite.trade/docs/connect/v3/orders) and what each means in
shikra's vocabulary. Built from the documentation, not from what a fake or one account sent.

Every function takes the raw JSON value, whatever its type, and never raises: a value outside
the documented set becomes an explicit unknown and is reported to ``on_unknown`` (field,
shown value). Text is matched case-insensitively, surrounding spaces ignored.

The order statuses, by what they mean for an order's fate (an order is over only on a final
status, so anything not known to be final is still alive):

- final: COMPLETE (filled), CANCELLED and CANCELLED AMO (cancelled), REJECTED;
- working at the exchange: OPEN, TRIGGER PENDING, and UPDATE (a postback's word for a
  modification or a partial fill) — OPEN, or PARTIALLY_FILLED once something filled;
- a modification or a cancel on its way to the exchange: MODIFY VALIDATION PENDING, MODIFY
  PENDING, CANCEL PENDING — the order is still working there, so OPEN / PARTIALLY_FILLED too
  (SUBMITTED would move a working order backwards at every modify);
- not yet at the exchange: PUT ORDER REQ RECEIVED (the docs' table spells it PUT ORDER REQUEST
  RECEIVED; both are accepted), VALIDATION PENDING, OPEN PENDING, AMO REQ RECEIVED —
  SUBMITTED;
- anything else: SUBMITTED (in transit, never final), reported as unknown.
"""

from __future__ import annotations

from brokers.base import Variety
from brokers.unknown_values import UnknownValue, shown
from messages import OrderStatus, OrderType, Product, Side

_FINAL = {
    "COMPLETE": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCELLED AMO": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
}
_WORKING = frozenset(
    {
        "OPEN",
        "TRIGGER PENDING",
        "UPDATE",
        "MODIFY VALIDATION PENDING",
        "MODIFY PENDING",
        "CANCEL PENDING",
    }
)
_IN_TRANSIT = frozenset(
    {
        "PUT ORDER REQ RECEIVED",
        "PUT ORDER REQUEST RECEIVED",
        "VALIDATION PENDING",
        "OPEN PENDING",
        "AMO REQ RECEIVED",
    }
)
_PRODUCTS = {p.value: p for p in Product if p is not Product.UNKNOWN}
_VARIETIES = {v.value: v for v in Variety if v is not Variety.UNKNOWN}
_ORDER_TYPES = {t.value: t for t in OrderType}
_SIDES = {s.value: s for s in Side}


def _text(raw: object) -> str | None:
    """A JSON string, trimmed; None for anything that is not a string."""
    return raw.strip() if isinstance(raw, str) else None


def status(raw: object, filled: int, on_unknown: UnknownValue) -> OrderStatus:
    """Kite's status text as shikra's status (see the module docstring)."""
    text = _text(raw)
    key = text.upper() if text is not None else None
    if key in _FINAL:
        return _FINAL[key]
    if key in _WORKING:
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
    if key not in _IN_TRANSIT:
        on_unknown("status", shown(raw))
    return OrderStatus.SUBMITTED


def product(raw: object, on_unknown: UnknownValue) -> Product:
    """CNC, NRML, MIS, MTF, CO or BO; ``Product.UNKNOWN`` for anything else."""
    text = _text(raw)
    found = _PRODUCTS.get(text.upper()) if text is not None else None
    if found is None:
        on_unknown("product", shown(raw))
        return Product.UNKNOWN
    return found


def variety(raw: object, on_unknown: UnknownValue) -> Variety:
    """regular, amo, co, iceberg or auction; ``Variety.UNKNOWN`` for anything else."""
    text = _text(raw)
    found = _VARIETIES.get(text.lower()) if text is not None else None
    if found is None:
        on_unknown("variety", shown(raw))
        return Variety.UNKNOWN
    return found


def order_type(raw: object, on_unknown: UnknownValue) -> OrderType | None:
    """MARKET, LIMIT, SL or SL-M; None (unknown, see ``BrokerOrder``) for anything else."""
    text = _text(raw)
    found = _ORDER_TYPES.get(text.upper()) if text is not None else None
    if found is None:
        on_unknown("order_type", shown(raw))
    return found


def side(raw: object, on_unknown: UnknownValue) -> Side | None:
    """BUY or SELL; None for anything else: a record without a side says nothing usable
    about a position, so its caller skips it (reported here, under ``transaction_type``)."""
    text = _text(raw)
    found = _SIDES.get(text.upper()) if text is not None else None
    if found is None:
        on_unknown("transaction_type", shown(raw))
    return found
