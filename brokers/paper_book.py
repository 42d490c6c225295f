"""The paper broker's own position book: FIFO lots in integer paise.

Written here on purpose rather than borrowed from ``core``: the paper broker stands for the
broker's separate books, and reconciliation (PositionSync) is only a test of shikra's accounting
if the two sides were computed independently. A shared implementation would agree with itself
about every bug.
"""

from __future__ import annotations

from collections import deque

from brokers.base import BrokerPosition
from messages.orders import Product


class PaperPositionBook:
    """Net position per symbol and product, as Kite keeps them. Each lot is ``[price, signed
    quantity]``; all lots of a position share one sign, and a trade first closes the oldest
    opposite lots, then opens the rest."""

    def __init__(self) -> None:
        self._lots: dict[tuple[str, Product], deque[list[int]]] = {}

    def apply(self, symbol: str, signed_quantity: int, price: int, product: Product) -> None:
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

    def positions(self) -> list[BrokerPosition]:
        """Every position traded, flat ones included (quantity 0), as Kite lists the day's."""
        return [
            BrokerPosition(
                symbol=symbol,
                product=product,
                quantity=sum(quantity for _, quantity in lots),
                open_cost=sum(price * quantity for price, quantity in lots),
            )
            for (symbol, product), lots in self._lots.items()
        ]
