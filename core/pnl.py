"""The day's profit and loss: the position book, the charges, the marks, and what they add up to.

``net = realized + unrealized - charges``, all exact integer paise (DESIGN.md rule 8). The ledger
is what the PnLTracker actor asks and what RiskGate's loss limits are enforced from, so figures are
kept current incrementally (one symbol's work per fill or mark) and peak / drawdown move whenever
net moves, by a fill or by a mark: a limit must never miss the mark that breaches it.

Money is price x quantity x the symbol's contract multiplier (``core.instruments``; 1 unless
given): the position book keeps price x quantity (what the broker's average price x quantity is
compared with), and the ledger multiplies realized and unrealized PnL per symbol, and charges
the fill's turnover with it. Only the ledger's figures are money; ``snapshot`` and
``position`` are the book's, in price x quantity.

Unrealized PnL uses each symbol's latest mark. A symbol with a position but no mark yet is valued
at its own average cost, so it contributes 0 until its first mark arrives (the fill price is not
taken as a mark: marks come only from the market).

Round trips (a position opened from flat and brought back to, or through, flat) are the unit of
the trade statistics. A round trip's result is its gross realized PnL minus the charges of its
fills. A flipping fill belongs to two round trips, so its charges are split by quantity: the
closing part gets ``total * closed_quantity // quantity`` (floored), the new round trip the rest,
so no paisa is lost or counted twice.

The equity curve keeps at most ``max_curve_points`` points (default 10,000), dropping the oldest:
a day of ticks would otherwise grow it without bound, and the recent curve is what a dashboard
and a drawdown investigation need. Peak and max drawdown are tracked separately and never lost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from core.charges import NO_CHARGES, ChargeCalculator, ChargeRates, Charges
from core.positions import FillOutcome, Position, PositionBook
from messages.orders import Fill
from messages.portfolio import PnLUpdate, SymbolPnL

DEFAULT_MAX_CURVE_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class AppliedFill:
    """A fill as the ledger saw it: the book's outcome and the charges levied (``NO_CHARGES``
    for a duplicate, which changed nothing)."""

    outcome: FillOutcome
    charges: Charges


@dataclass(frozen=True, slots=True)
class PnLSummary:
    """Every figure at one moment, in paise. ``win_rate`` and ``profit_factor`` are exact
    fractions (``float()`` them for display); None when undefined (no round trips, no losers)."""

    realized: int
    unrealized: int
    charges: int
    net: int
    peak_net: int
    drawdown: int
    max_drawdown: int
    trades: int
    wins: int
    losses: int
    win_rate: Fraction | None
    profit_factor: Fraction | None
    equity_curve: tuple[tuple[int, int], ...]
    symbols: tuple[SymbolPnL, ...]


class PnLLedger:
    """Positions, charges and marks for one trading day. Pure: times come in on fills and marks.

    ``multipliers``: symbol → contract multiplier, for the symbols that have one (any other
    symbol is valued at 1, as shares are).
    """

    def __init__(
        self,
        rates: ChargeRates | None = None,
        max_curve_points: int = DEFAULT_MAX_CURVE_POINTS,
        multipliers: Mapping[str, int] | None = None,
    ) -> None:
        if max_curve_points < 1:
            raise ValueError(f"max_curve_points must be at least 1, got {max_curve_points}")
        self._multipliers = dict(multipliers or {})
        for symbol, multiplier in self._multipliers.items():
            if type(multiplier) is not int or multiplier <= 0:
                raise ValueError(f"multiplier of {symbol} must be a positive int: {multiplier!r}")
        self._book = PositionBook()
        self._calculator = ChargeCalculator(rates)
        self._marks: dict[str, int] = {}
        self._unrealized_by_symbol: dict[str, int] = {}
        self._charges_by_symbol: dict[str, int] = {}
        self._open_round_trip_charges: dict[str, int] = {}
        self._realized = 0
        self._unrealized = 0
        self._charges = 0
        self._net = 0
        self._peak_net = 0
        self._max_drawdown = 0
        self._trades = 0
        self._wins = 0
        self._losses = 0
        self._winning_sum = 0
        self._losing_sum = 0  # as a positive number
        self._curve: deque[tuple[int, int]] = deque(maxlen=max_curve_points)
        self._pending_carry: dict[str, int] = {}
        self._carry_taken: list[tuple[str, int]] = []

    def carry(self, symbol: str, quantity: int, reference: int | None) -> None:
        """A position carried into the day (CNC, NRML), valued from ``reference``: today's PnL
        of it is measured from there, so the day starts at zero. ``None``: the reference is not
        known yet; it becomes the symbol's first market price of the day (its first mark, or
        its first fill if that comes first), which ``take_carry_references`` then reports so
        the caller can journal it. Call before the day's fills."""
        if reference is None:
            self._pending_carry[symbol] = quantity
        else:
            self._book.carry(symbol, quantity, reference)

    def take_carry_references(self) -> list[tuple[str, int]]:
        """References chosen since the last call, ``(symbol, price)``, to be journaled."""
        taken, self._carry_taken = self._carry_taken, []
        return taken

    def _settle_carry(self, symbol: str, price: int) -> None:
        quantity = self._pending_carry.pop(symbol, None)
        if quantity is not None:
            self._book.carry(symbol, quantity, price)
            self._carry_taken.append((symbol, price))

    def apply_fill(self, fill: Fill, *, charged: bool = True) -> AppliedFill:
        """Book the fill, charge it, and move net, peak and drawdown. A fill whose trade id was
        already applied changes nothing and is charged nothing. ``charged=False``: a book
        adjustment (adopting the broker's position), which is no trade and costs nothing."""
        # Refuse an uncharged product before the book changes, so a refusal leaves no trace.
        self._calculator.rates.for_product(fill.product)
        if fill.symbol in self._pending_carry and not self._book.has_applied(fill.trade_id):
            self._settle_carry(fill.symbol, fill.price)
        outcome = self._book.apply(fill)
        if outcome.duplicate:
            return AppliedFill(outcome, NO_CHARGES)
        symbol = fill.symbol
        multiplier = self.multiplier(symbol)
        charges = self._calculator.charge(fill, multiplier) if charged else NO_CHARGES
        fee = charges.total
        self._realized += outcome.realized * multiplier
        self._charges += fee
        self._charges_by_symbol[symbol] = self._charges_by_symbol.get(symbol, 0) + fee
        self._attribute_to_round_trips(outcome, fill.quantity, fee, multiplier)
        self._revalue(symbol, outcome.position)
        self._net_changed(fill.at_ns, always_record=True)
        return AppliedFill(outcome, charges)

    def mark(self, symbol: str, price_paise: int, *, at_ns: int) -> None:
        """Value the symbol's open position at ``price_paise`` from now on. Records a curve point
        (at ``at_ns``) only when net actually changed."""
        if type(price_paise) is not int or price_paise <= 0:
            raise ValueError(f"mark for {symbol} must be a positive int of paise: {price_paise!r}")
        self._marks[symbol] = price_paise
        if symbol in self._pending_carry:
            self._settle_carry(symbol, price_paise)
        if not self._book.quantity(symbol) and not self._unrealized_by_symbol.get(symbol):
            return  # flat, and valued at nothing: a new price changes no figure
        self._revalue(symbol, self._book.position(symbol))
        self._net_changed(at_ns, always_record=False)

    def multiplier(self, symbol: str) -> int:
        return self._multipliers.get(symbol, 1)

    def quantity(self, symbol: str) -> int:
        """The symbol's signed quantity (cheap: no ``Position`` built)."""
        return self._book.quantity(symbol)

    def position(self, symbol: str) -> Position:
        """The book's position: quantity, and ``open_cost`` / ``realized`` in price x quantity
        (not multiplied; ``symbol_pnl`` has the money)."""
        return self._book.position(symbol)

    def symbols(self) -> tuple[str, ...]:
        """Every symbol with a position or a fill today (sorted)."""
        return self._book.symbols()

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """``{symbol: (quantity, open_cost)}`` of open positions, for ``core.reconcile``:
        price x quantity, not multiplied, as the broker's average price x quantity is."""
        return self._book.snapshot()

    def summary(self) -> PnLSummary:
        return PnLSummary(
            realized=self._realized,
            unrealized=self._unrealized,
            charges=self._charges,
            net=self._net,
            peak_net=self._peak_net,
            drawdown=self._peak_net - self._net,
            max_drawdown=self._max_drawdown,
            trades=self._trades,
            wins=self._wins,
            losses=self._losses,
            win_rate=Fraction(self._wins, self._trades) if self._trades else None,
            profit_factor=Fraction(self._winning_sum, self._losing_sum) if self._losses else None,
            equity_curve=tuple(self._curve),
            symbols=self._symbol_figures(),
        )

    @property
    def net(self) -> int:
        return self._net

    @property
    def win_rate(self) -> Fraction | None:
        return Fraction(self._wins, self._trades) if self._trades else None

    def symbol_pnl(self, symbol: str) -> SymbolPnL:
        """One symbol's figures (money, with its multiplier), without building every other
        symbol's (hot path)."""
        position = self._book.position(symbol)
        return SymbolPnL(
            symbol=symbol,
            realized=position.realized * self.multiplier(symbol),
            unrealized=self._unrealized_by_symbol.get(symbol, 0),
            charges=self._charges_by_symbol.get(symbol, 0),
            quantity=position.quantity,
        )

    def to_update(self, at_ns: int, *, per_symbol: bool = True) -> PnLUpdate:
        """The ``PnLUpdate`` message for this moment. ``per_symbol=False`` leaves out the
        per-symbol breakdown: the loss limits need only the totals, and building thousands of
        symbols' figures on every fill would put O(symbols) work on the order path."""
        return PnLUpdate(
            realized=self._realized,
            unrealized=self._unrealized,
            charges=self._charges,
            net=self._net,
            peak_net=self._peak_net,
            drawdown=self._peak_net - self._net,
            trades=self._trades,
            symbols=self._symbol_figures() if per_symbol else (),
            at_ns=at_ns,
        )

    def _symbol_figures(self) -> tuple[SymbolPnL, ...]:
        return tuple(self.symbol_pnl(symbol) for symbol in self._book.symbols())

    def _attribute_to_round_trips(
        self, outcome: FillOutcome, quantity: int, fee: int, multiplier: int
    ) -> None:
        symbol = outcome.symbol
        open_charges = self._open_round_trip_charges.pop(symbol, 0)
        if outcome.round_trip_closed and outcome.round_trip_realized is not None:
            closing_share = fee * outcome.closed_quantity // quantity
            gross = outcome.round_trip_realized * multiplier
            self._record_round_trip(gross - open_charges - closing_share)
            if outcome.opened_quantity:  # a flip: the rest of the fee opens the next round trip
                self._open_round_trip_charges[symbol] = fee - closing_share
        elif not outcome.position.is_flat:
            self._open_round_trip_charges[symbol] = open_charges + fee

    def _record_round_trip(self, result: int) -> None:
        self._trades += 1
        if result > 0:
            self._wins += 1
            self._winning_sum += result
        elif result < 0:
            self._losses += 1
            self._losing_sum -= result

    def _revalue(self, symbol: str, position: Position) -> None:
        mark = self._marks.get(symbol)
        value = 0
        if mark is not None:
            value = (mark * position.quantity - position.open_cost) * self.multiplier(symbol)
        self._unrealized += value - self._unrealized_by_symbol.get(symbol, 0)
        self._unrealized_by_symbol[symbol] = value

    def _net_changed(self, at_ns: int, *, always_record: bool) -> None:
        net = self._realized + self._unrealized - self._charges
        if net == self._net and not always_record:
            return
        self._net = net
        self._peak_net = max(self._peak_net, net)
        self._max_drawdown = max(self._max_drawdown, self._peak_net - net)
        self._curve.append((at_ns, net))
