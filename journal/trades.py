"""Round trips: from flat back to flat, per symbol. Pure: fills in, trades out.

A round trip starts with the fill that takes a symbol's position away from zero and ends with
the fill that brings it back. Its gross PnL is exact integer paise: the closing value minus the
opening value (for a short, the reverse). Over a whole flat-to-flat trip, FIFO lot matching (or
any other matching) gives exactly this sum; FIFO matters only for a fill that goes through zero
(long 10, sell 15): its first 10 close the trip, and its remaining 5 open the next one, short,
at the same price and time.

A position still open after the last fill is not a trade yet and is left out; so is anything
before the first fill given (callers pass a day of fills, and MIS positions start the day flat).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from messages.orders import Fill, Side


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One flat-to-flat trade. Values and PnL in paise; ``side`` is the opening side (BUY for a
    long trip, SELL for a short one); ``fills`` counts the fills that took part."""

    symbol: str
    side: Side
    quantity: int
    entry_ns: int
    exit_ns: int
    entry_value: int
    exit_value: int
    fills: int
    parts: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    """(trade id, units) of each fill that took part, in order: a fill through zero is in two
    trips, each with its share (what a per-trade charge is apportioned by)."""
    exit_client_id: str = field(default="", compare=False)
    """The order whose fill closed the trip (its intent says why: the exit reason)."""

    @property
    def gross_pnl(self) -> int:
        return self.side.sign * (self.exit_value - self.entry_value)


@dataclass(slots=True)
class _OpenTrip:
    side: Side
    entry_ns: int
    position: int = 0  # shares still open, always >= 0 (direction is ``side``)
    quantity: int = 0
    entry_value: int = 0
    exit_value: int = 0
    fills: int = 0
    parts: list[tuple[str, int]] = field(default_factory=list)

    def close(self, symbol: str, exit_ns: int, exit_client_id: str) -> RoundTrip:
        return RoundTrip(
            symbol, self.side, self.quantity, self.entry_ns, exit_ns,
            self.entry_value, self.exit_value, self.fills, tuple(self.parts), exit_client_id,
        )  # fmt: skip


def round_trips(fills: Iterable[Fill]) -> list[RoundTrip]:
    """Completed round trips in the order they closed. ``fills`` must be in time order (as
    ``Journal.fills`` returns them)."""
    open_trips: dict[str, _OpenTrip] = {}
    completed: list[RoundTrip] = []
    for fill in fills:
        remaining = fill.quantity
        trip = open_trips.get(fill.symbol)
        if trip is not None and fill.side is not trip.side:
            closing = min(remaining, trip.position)
            trip.position -= closing
            trip.exit_value += closing * fill.price
            trip.fills += 1
            trip.parts.append((fill.trade_id, closing))
            remaining -= closing
            if trip.position == 0:
                completed.append(trip.close(fill.symbol, fill.at_ns, fill.client_id))
                del open_trips[fill.symbol]
                trip = None
        if remaining > 0:
            if trip is None:
                trip = open_trips[fill.symbol] = _OpenTrip(fill.side, fill.at_ns)
            trip.position += remaining
            trip.quantity += remaining
            trip.entry_value += remaining * fill.price
            trip.fills += 1
            trip.parts.append((fill.trade_id, remaining))
    return completed
