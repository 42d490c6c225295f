"""Independent arithmetic for checking a run: written here from the rules, not imported from
the code under test, so that a bug there cannot agree with itself."""

from __future__ import annotations

import csv
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from messages import Fill, Side


@dataclass
class SampleFacts:
    ticks: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_price: dict[str, int] = field(default_factory=dict)
    malformed: int = 0


def read_replay(path: Path) -> SampleFacts:
    facts = SampleFacts()
    with path.open() as handle:
        rows = [r for r in csv.reader(handle) if r and not r[0].lstrip().startswith("#")]
    for row in rows[1:]:  # the header
        try:
            price = Decimal(row[2])
        except ArithmeticError:
            facts.malformed += 1
            continue
        facts.ticks[row[1]] += 1
        facts.last_price[row[1]] = int(price * 100)
    return facts


def _paise(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Reckoning:
    """Positions, realized PnL (FIFO) and Zerodha intraday charges of a list of fills."""

    positions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    open_cost: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    realized: int = 0
    charges: int = 0
    lots: dict[str, deque[list[int]]] = field(default_factory=lambda: defaultdict(deque))
    brokerage_by_order: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def apply(self, fill: Fill) -> None:
        sign = 1 if fill.side is Side.BUY else -1
        remaining = fill.quantity
        lots = self.lots[fill.symbol]
        while remaining and lots and (lots[0][1] > 0) != (sign > 0):
            lot = lots[0]
            used = min(remaining, abs(lot[1]))
            direction = 1 if lot[1] > 0 else -1
            self.realized += (fill.price - lot[0]) * used * direction
            lot[1] -= used * direction
            remaining -= used
            if lot[1] == 0:
                lots.popleft()
        if remaining:
            lots.append([fill.price, remaining * sign])
        self.positions[fill.symbol] += sign * fill.quantity
        self.open_cost[fill.symbol] = sum(p * q for p, q in lots)
        self.charges += self._charges(fill)

    def _charges(self, fill: Fill) -> int:
        # NSE equity intraday: 0.03% brokerage capped at ₹20 per order, STT 0.025% on sells,
        # exchange 0.00297%, SEBI ₹10/crore, stamp 0.003% on buys, GST 18% on
        # brokerage + exchange + SEBI. Each rounded half-up to the paisa, per fill.
        turnover = Decimal(fill.price * fill.quantity)
        cap_left = 2000 - self.brokerage_by_order[fill.client_id]
        brokerage = max(0, min(_paise(turnover * Decimal("0.0003")), cap_left))
        self.brokerage_by_order[fill.client_id] += brokerage
        stt = _paise(turnover * Decimal("0.00025")) if fill.side is Side.SELL else 0
        exchange = _paise(turnover * Decimal("0.0000297"))
        sebi = _paise(turnover * Decimal("0.000001"))
        stamp = _paise(turnover * Decimal("0.00003")) if fill.side is Side.BUY else 0
        gst = _paise(Decimal(brokerage + exchange + sebi) * Decimal("0.18"))
        return brokerage + stt + exchange + sebi + stamp + gst

    def unrealized(self, marks: dict[str, int]) -> int:
        return sum(marks[s] * q - self.open_cost[s] for s, q in self.positions.items() if q)
