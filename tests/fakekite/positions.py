"""Kite's positions, computed from the positions carried from earlier days, the day's trades
and the last prices.

One position per (exchange, tradingsymbol, product), kept after it is closed, as Kite keeps
the day's closed positions. ``net`` is the carried positions plus the day's trades; ``day``
only the day's trades. Figures follow Kite's definitions, per unit of quantity and then times
the contract's ``multiplier`` where money is meant: ``pnl = ((sell_value - buy_value) +
quantity * last_price) * multiplier``, ``value = (sell_value - buy_value) * multiplier``;
``average_price`` is the buy average of a long, the sell average of a short, 0 when flat. A
carried position counts as bought (or sold) at its average, before the day began.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.fakekite.market import Instrument, Quote, as_number
from tests.fakekite.orders import Trade

ZERO = Decimal(0)


@dataclass(frozen=True)
class Carried:
    """A position held from an earlier day (bought in the Kite app last week, say): signed
    ``quantity`` at ``average_price``."""

    instrument: Instrument
    product: str
    quantity: int
    average_price: Decimal


@dataclass
class _Leg:
    instrument: Instrument
    product: str
    multiplier: int = 1
    overnight_quantity: int = 0
    buy_quantity: int = 0
    buy_value: Decimal = ZERO
    sell_quantity: int = 0
    sell_value: Decimal = ZERO

    def add(self, quantity: int, price: Decimal) -> None:
        """A signed quantity bought (positive) or sold (negative) at ``price``."""
        if quantity > 0:
            self.buy_quantity += quantity
            self.buy_value += price * quantity
        else:
            self.sell_quantity -= quantity
            self.sell_value -= price * quantity


def _average(value: Decimal, quantity: int) -> Decimal:
    return value / quantity if quantity else ZERO


def _position(leg: _Leg, quote: Quote) -> dict[str, Any]:
    quantity = leg.buy_quantity - leg.sell_quantity
    buy_price = _average(leg.buy_value, leg.buy_quantity)
    sell_price = _average(leg.sell_value, leg.sell_quantity)
    ltp = quote.last_price
    m = leg.multiplier
    pnl = ((leg.sell_value - leg.buy_value) + quantity * ltp) * m
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
        "overnight_quantity": leg.overnight_quantity,
        "multiplier": m,
        "average_price": n(average),
        "close_price": n(quote.close),
        "last_price": n(ltp),
        "value": n((leg.sell_value - leg.buy_value) * m),
        "pnl": n(pnl),
        "m2m": n(pnl),
        "unrealised": n(pnl - realised * m),
        "realised": n(realised * m),
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


def positions(
    trades: Iterable[Trade],
    quotes: dict[int, Quote],
    carried: Iterable[Carried] = (),
    multipliers: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """GET /portfolio/positions' data: ``{"net": [...], "day": [...]}``. ``multipliers`` maps
    "EXCHANGE:SYMBOL" to its contract multiplier (1 if absent)."""
    multipliers = multipliers or {}
    trades = list(trades)

    def legs(carry: Iterable[Carried]) -> list[_Leg]:
        found: dict[tuple[str, str], _Leg] = {}

        def leg(ins: Instrument, product: str) -> _Leg:
            key = (ins.key, product)
            if key not in found:
                found[key] = _Leg(ins, product, multipliers.get(ins.key, 1))
            return found[key]

        for held in carry:
            position = leg(held.instrument, held.product)
            position.overnight_quantity += held.quantity
            position.add(held.quantity, held.average_price)
        for trade in trades:
            order = trade.order
            sign = 1 if order.is_buy else -1
            leg(order.instrument, order.product).add(sign * trade.quantity, trade.price)
        return list(found.values())

    def shown(carry: Iterable[Carried]) -> list[dict[str, Any]]:
        return [_position(leg, quotes[leg.instrument.instrument_token]) for leg in legs(carry)]

    return {"net": shown(carried), "day": shown(())}
