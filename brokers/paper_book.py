"""The paper broker's own position book: FIFO lots in integer paise, per symbol and product.

Written here on purpose rather than borrowed from ``core``: the paper broker stands for the
broker's separate books, and reconciliation (PositionSync) is only a test of shikra's accounting
if the two sides were computed independently. A shared implementation would agree with itself
about every bug.

One book per (symbol, product), as Kite's net positions are: a CNC holding and an MIS trade in
the same symbol are different positions (only the MIS one is squared off at the day's end).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection

from brokers.base import BrokerPosition
from messages.orders import Product

PositionKey = tuple[str, Product]


class PaperPositionBook:
    """Net position per (symbol, product). Each lot is ``[price, signed quantity]``; all lots
    of a key share one sign, and a trade first closes the oldest opposite lots, then opens the
    rest."""

    def __init__(self) -> None:
        self._lots: dict[PositionKey, deque[list[int]]] = {}

    def apply(self, symbol: str, product: Product, signed_quantity: int, price: int) -> None:
        """Book one execution: ``signed_quantity`` positive for a buy, negative for a sell."""
        lots = self._lots.setdefault((symbol, product), deque())
        left = signed_quantity
        while left and lots and (lots[0][1] > 0) != (left > 0):
            oldest = lots[0]
            closed = min(abs(left), abs(oldest[1]))
            step = closed if left > 0 else -closed
            oldest[1] += step
            left -= step
            if oldest[1] == 0:
                lots.popleft()
        if left:
            lots.append([price, left])

    def open_positions(self, product: Product) -> list[tuple[str, int, int]]:
        """``(symbol, signed quantity, open cost)`` of every open position in ``product``."""
        return [
            (symbol, sum(q for _, q in lots), sum(p * q for p, q in lots))
            for (symbol, held), lots in self._lots.items()
            if held is product and lots
        ]

    def positions(self, traded_today: Collection[PositionKey]) -> list[BrokerPosition]:
        """Every open position (carried ones included) and every key traded today, flat ones
        with quantity 0, as Kite lists the day's net positions."""
        return [
            BrokerPosition(
                symbol=symbol,
                product=product,
                quantity=sum(quantity for _, quantity in lots),
                open_cost=sum(price * quantity for price, quantity in lots),
            )
            for (symbol, product), lots in self._lots.items()
            if lots or (symbol, product) in traded_today
        ]
