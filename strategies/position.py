"""A strategy's own view of its position, from its own fills: signed quantity and exact average
entry price.

Why an average entry, not FIFO lots: the strategy needs one entry price to measure its stops
from, and the average of a position does not move when the position is reduced. So after a
partial exit the remainder's break-even is the same price the whole position was entered at,
which is what "move the stop to break-even" means. (Realized PnL is the PnL tracker's job, with
its own FIFO book; nothing here is money that gets reported.)

Why ``Fraction``: the average of fills at different prices is a ratio of integers; a Fraction
keeps it exact (DESIGN.md rule 8), so stop levels never drift by a rounding.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from fractions import Fraction

from messages.orders import Side


class PositionChange(enum.Enum):
    """What a fill did to the position; the exit rules react to each differently."""

    OPENED = "opened"  # flat -> open
    ADDED = "added"  # grew in the same direction
    REDUCED = "reduced"  # shrank, same direction, not flat
    CLOSED = "closed"  # back to flat
    REVERSED = "reversed"  # went through flat to the other side


@dataclass(frozen=True, slots=True)
class StrategyPosition:
    """Signed quantity (positive long, negative short) and the average entry price of the open
    quantity, in paise, ``None`` when flat."""

    quantity: int = 0
    average_entry: Fraction | None = None

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0

    def apply(
        self, side: Side, quantity: int, price: int
    ) -> tuple[StrategyPosition, PositionChange]:
        """The position after trading ``quantity`` (> 0) at ``price`` on ``side``.

        Adding re-averages the entry; reducing keeps it; reversing starts the new side at the
        fill price (the units beyond flat were all bought or sold at it).
        """
        if quantity <= 0:
            raise ValueError(f"fill quantity must be positive, got {quantity}")
        delta = side.sign * quantity
        old = self.quantity
        new = old + delta
        if old == 0:
            return StrategyPosition(new, Fraction(price)), PositionChange.OPENED
        if (old > 0) == (delta > 0):
            assert self.average_entry is not None
            average = (self.average_entry * abs(old) + price * quantity) / abs(new)
            return StrategyPosition(new, average), PositionChange.ADDED
        if new == 0:
            return StrategyPosition(), PositionChange.CLOSED
        if (new > 0) == (old > 0):
            return StrategyPosition(new, self.average_entry), PositionChange.REDUCED
        return StrategyPosition(new, Fraction(price)), PositionChange.REVERSED
