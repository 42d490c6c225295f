"""Kite's positions, computed from the day's trades and the last prices.

One position per (exchange, tradingsymbol, product), kept after it is closed, as Kite keeps
the day's closed positions. The fake has no overnight positions, so ``day`` equals ``net``.
Figures follow Kite's definitions: ``pnl = (sell_value - buy_value) + quantity * last_price *
multiplier``; ``average_price`` is the buy average of a long, the sell average of a short, 0
when flat; ``value = sell_value - buy_value``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.fakekite.market import Instrument, Quote, as_number
from tests.fakekite.orders import Trade

ZERO = Decimal(0)


@dataclass
class _Leg:
    instrument: Instrument
    product: str
    buy_quantity: int = 0
    buy_value: Decimal = ZERO
    sell_quantity: int = 0
    sell_value: Decimal = ZERO


def _average(value: Decimal, quantity: int) -> Decimal:
    return value / quantity if quantity else ZERO


def _position(leg: _Leg, quote: Quote) -> dict[str, Any]:
    quantity = leg.buy_quantity - leg.sell_quantity
    buy_price = _average(leg.buy_value, leg.buy_quantity)
    sell_price = _average(leg.sell_value, leg.sell_quantity)
    ltp = quote.last_price
    pnl = (leg.sell_value - leg.buy_value) + quantity * ltp
    closed = min(leg.buy_quantity, leg.sell_quantity)
    realised = closed * (sell_price - buy_price)
    average = buy_price if quantity > 0 else sell_price if quantity < 0 else ZERO
    ins = leg.instrument
    n = as_number
    return {
        "tradingsymbol": ins.tradingsymbol,
        "exchange": ins.exchange,
        "instrument_token": ins.instrument_token,
        "product": leg.product,
        "quantity": quantity,
        "overnight_quantity": 0,
        "multiplier": 1,
        "average_price": n(average),
        "close_price": n(quote.close),
        "last_price": n(ltp),
        "value": n(leg.sell_value - leg.buy_value),
        "pnl": n(pnl),
        "m2m": n(pnl),
        "unrealised": n(pnl - realised),
        "realised": n(realised),
        "buy_quantity": leg.buy_quantity,
        "buy_price": n(buy_price),
        "buy_value": n(leg.buy_value),
        "buy_m2m": n(leg.buy_value),
        "sell_quantity": leg.sell_quantity,
        "sell_price": n(sell_price),
        "sell_value": n(leg.sell_value),
        "sell_m2m": n(leg.sell_value),
        "day_buy_quantity": leg.buy_quantity,
        "day_buy_price": n(buy_price),
        "day_buy_value": n(leg.buy_value),
        "day_sell_quantity": leg.sell_quantity,
        "day_sell_price": n(sell_price),
        "day_sell_value": n(leg.sell_value),
    }


def positions(trades: Iterable[Trade], quotes: dict[int, Quote]) -> dict[str, Any]:
    """GET /portfolio/positions' data: ``{"net": [...], "day": [...]}``."""
    legs: dict[tuple[str, str], _Leg] = {}
    for trade in trades:
        order = trade.order
        key = (order.instrument.key, order.product)
        leg = legs.setdefault(key, _Leg(order.instrument, order.product))
        if order.is_buy:
            leg.buy_quantity += trade.quantity
            leg.buy_value += trade.price * trade.quantity
        else:
            leg.sell_quantity += trade.quantity
            leg.sell_value += trade.price * trade.quantity
    net = [_position(leg, quotes[leg.instrument.instrument_token]) for leg in legs.values()]
    return {"net": net, "day": [dict(item) for item in net]}
