"""Exact FIFO position accounting per symbol, in integer paise (DESIGN.md rule 8).

Why FIFO lots rather than a running average price: an average is a ratio and would have to be
rounded to be stored, and every rounding is a paisa lost somewhere over a day. Lots keep the
exact entry price of every open unit, so the realized PnL of a close is an exact integer and the
average price is only ever *derived* (``open_cost / quantity``), never stored.

Why the book refuses a second fill with the same ``trade_id``: DESIGN.md rule 6, "a fill is
applied at most once". Fills are held and redelivered across actor restarts and the broker can
report a trade twice (postback and poll); applying one twice would invent a position.

The book is pure: no clock, no threads, no I/O. Times stay on the fills.

Its figures are price x quantity, never multiplied by a contract multiplier: that is what the
broker's positions compare with (average price x quantity). For a contract with a multiplier
(``core.instruments``), money is the book's figure times it: ``core.pnl.PnLLedger`` does that.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from messages.orders import Fill


@dataclass(frozen=True, slots=True)
class Lot:
    """Units opened by one fill and not yet closed. ``quantity`` is signed: positive for a long
    lot, negative for a short one. All lots of a position share one sign."""

    price: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Position:
    """A symbol's position at one moment. ``open_cost`` is the signed sum of lot price x lot
    quantity (negative for a short), so ``unrealized = mark * quantity - open_cost`` holds for
    both directions. ``realized`` is the symbol's cumulative realized PnL, gross of charges."""

    symbol: str
    quantity: int
    open_cost: int
    lots: tuple[Lot, ...]
    realized: int

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0


@dataclass(frozen=True, slots=True)
class FillOutcome:
    """What one fill did to the book.

    ``realized`` is the PnL this fill realized by closing lots (0 when it only opened).
    ``closed_quantity`` + ``opened_quantity`` == the fill's quantity; both non-zero on a flip.
    ``round_trip_closed`` is true when the fill brought the position back to flat *or through*
    flat (a flip closes one round trip and opens the next); ``round_trip_realized`` is then the
    closed round trip's gross realized PnL, else None. A ``duplicate`` changed nothing: its
    figures are zero and ``position`` is the position as it already was.
    """

    trade_id: str
    symbol: str
    duplicate: bool
    realized: int
    closed_quantity: int
    opened_quantity: int
    position: Position
    round_trip_closed: bool
    round_trip_realized: int | None


class _SymbolBook:
    """Mutable state of one symbol. Private: the outside world only sees ``Position`` copies."""

    __slots__ = ("lots", "open_cost", "quantity", "realized", "round_trip_realized", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.lots: deque[Lot] = deque()
        self.quantity = 0
        self.open_cost = 0
        self.realized = 0
        self.round_trip_realized = 0

    def freeze(self) -> Position:
        return Position(
            symbol=self.symbol,
            quantity=self.quantity,
            open_cost=self.open_cost,
            lots=tuple(self.lots),
            realized=self.realized,
        )


def _require_int(name: str, value: object) -> int:
    """Money and quantities must be ints (rule 8): a float slipping in would make every later
    figure inexact, so it is refused at the door rather than discovered at reconciliation."""
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    return value


class PositionBook:
    """All symbols' positions, updated fill by fill. See the module docstring for the rules.

    The set of applied trade ids grows for the life of the book; a book lives for one trading
    day, and Kite caps a day at a few thousand orders, so this is bounded in practice.
    """

    def __init__(self) -> None:
        self._books: dict[str, _SymbolBook] = {}
        self._applied_trade_ids: set[str] = set()

    def apply(self, fill: Fill) -> FillOutcome:
        """Apply one fill: close opposite lots oldest first, open a new lot with any remainder."""
        quantity = _require_int("fill quantity", fill.quantity)
        price = _require_int("fill price", fill.price)
        if quantity <= 0:
            raise ValueError(f"fill {fill.trade_id}: quantity must be positive, got {quantity}")
        if price <= 0:
            raise ValueError(f"fill {fill.trade_id}: price must be positive, got {price}")

        book = self._books.get(fill.symbol)
        if fill.trade_id in self._applied_trade_ids:
            position = book.freeze() if book else _flat(fill.symbol)
            return FillOutcome(fill.trade_id, fill.symbol, True, 0, 0, 0, position, False, None)
        if book is None:
            book = self._books[fill.symbol] = _SymbolBook(fill.symbol)
        self._applied_trade_ids.add(fill.trade_id)

        side_sign = fill.side.sign
        remaining = quantity
        realized = 0
        was_open = book.quantity != 0
        # Close lots of the opposite sign, oldest first (FIFO).
        while remaining and book.lots and (book.lots[0].quantity > 0) != (side_sign > 0):
            lot = book.lots[0]
            lot_sign = 1 if lot.quantity > 0 else -1
            closing = min(remaining, abs(lot.quantity))
            realized += (price - lot.price) * closing * lot_sign
            book.open_cost -= lot.price * closing * lot_sign
            book.quantity -= closing * lot_sign
            remaining -= closing
            if closing == abs(lot.quantity):
                book.lots.popleft()
            else:
                book.lots[0] = Lot(lot.price, lot.quantity - closing * lot_sign)
        closed_quantity = quantity - remaining

        book.realized += realized
        book.round_trip_realized += realized
        round_trip_closed = was_open and book.quantity == 0
        round_trip_realized = book.round_trip_realized if round_trip_closed else None
        if round_trip_closed:
            book.round_trip_realized = 0

        if remaining:  # open (or add to) a position in the fill's direction
            book.lots.append(Lot(price, remaining * side_sign))
            book.quantity += remaining * side_sign
            book.open_cost += price * remaining * side_sign

        return FillOutcome(
            trade_id=fill.trade_id,
            symbol=fill.symbol,
            duplicate=False,
            realized=realized,
            closed_quantity=closed_quantity,
            opened_quantity=remaining,
            position=book.freeze(),
            round_trip_closed=round_trip_closed,
            round_trip_realized=round_trip_realized,
        )

    def carry(self, symbol: str, quantity: int, price: int) -> None:
        """Open a position carried in from an earlier day, valued from ``price`` (its reference
        for today): a lot with no realized PnL and no fill of today behind it. Only into a flat
        symbol: a carried position is the day's starting point."""
        quantity = _require_int("carried quantity", quantity)
        price = _require_int("carried price", price)
        if quantity == 0:
            return
        if price <= 0:
            raise ValueError(f"carried {symbol}: price must be positive, got {price}")
        book = self._books.setdefault(symbol, _SymbolBook(symbol))
        if book.quantity != 0:
            raise ValueError(f"carried {symbol}: the book already holds {book.quantity}")
        book.lots.append(Lot(price, quantity))
        book.quantity = quantity
        book.open_cost = price * quantity

    def quantity(self, symbol: str) -> int:
        """The symbol's signed quantity, without building a ``Position`` (hot path)."""
        book = self._books.get(symbol)
        return book.quantity if book is not None else 0

    def position(self, symbol: str) -> Position:
        """The symbol's position; a symbol never traded is flat."""
        book = self._books.get(symbol)
        return book.freeze() if book else _flat(symbol)

    def symbols(self) -> tuple[str, ...]:
        """Every symbol with at least one applied fill, sorted (flat ones included: they may
        still carry realized PnL)."""
        return tuple(sorted(self._books))

    def realized(self) -> int:
        """Total realized PnL over all symbols, gross of charges."""
        return sum(book.realized for book in self._books.values())

    def unrealized(self, symbol: str, mark: int) -> int:
        """Exact unrealized PnL of the symbol's open position valued at ``mark`` paise."""
        mark = _require_int("mark", mark)
        book = self._books.get(symbol)
        return mark * book.quantity - book.open_cost if book else 0

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """``{symbol: (quantity, open_cost)}`` of every open position, for reconciliation with
        the broker. Flat symbols are left out: the reconciliation treats absent and flat alike."""
        return {
            symbol: (book.quantity, book.open_cost)
            for symbol, book in sorted(self._books.items())
            if book.quantity != 0
        }

    def has_applied(self, trade_id: str) -> bool:
        return trade_id in self._applied_trade_ids


def _flat(symbol: str) -> Position:
    return Position(symbol=symbol, quantity=0, open_cost=0, lots=(), realized=0)
