"""A run's results, from its fills: the trades (flat to flat), each with its charges and why
it ended, and the figures a trader compares strategies by. Pure, and exact: money in integer
paise throughout; a ratio is computed from exact sums and only rounded where it is shown.

* **Trades** are ``journal.trades.round_trips`` (FIFO through zero). A trade's **charges** are
  its fills' charges (``core.charges``, as PnLTracker charges them); a fill that is in two trades
  (through zero) is split between them by units, the remainder of the paisa to the later one, so
  the trades' charges add up to the fills' exactly. Its **exit reason** is the reason of the
  intent whose fill closed it (``exit: take_profit`` -> ``take_profit``; a venue stop's
  ``stop: stop_loss``; RiskGate's ``square-off`` and ``flatten``).
* **Per symbol and in total**: trades, wins (net > 0), losses (net < 0), win rate, gross,
  charges, net, profit factor (the wins' net over the losses', none without a loss), average
  trade (net / trades, to the paisa), max drawdown (the largest fall of the cumulative net,
  trade by trade in the order they closed, from a peak that starts at 0) and exposure (seconds
  in a position; in total, the time any symbol was).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from journal.trades import RoundTrip, round_trips
from messages.orders import Fill, Side


@dataclass(frozen=True, slots=True)
class Trade:
    symbol: str
    side: Side
    """BUY for a long trade, SELL for a short one."""
    quantity: int
    entry_ns: int
    exit_ns: int
    entry_price: Fraction
    """Average entry price, exact (paise)."""
    exit_price: Fraction
    gross: int
    charges: int
    exit_reason: str

    @property
    def net(self) -> int:
        return self.gross - self.charges


@dataclass(frozen=True, slots=True)
class Figures:
    """One row of the results table (a symbol's, or the total)."""

    name: str
    trades: int
    wins: int
    losses: int
    gross: int
    charges: int
    net: int
    profit_factor: Fraction | None
    max_drawdown: int
    exposure_seconds: int

    @property
    def win_rate(self) -> Fraction | None:
        return Fraction(self.wins, self.trades) if self.trades else None

    @property
    def average_trade(self) -> int | None:
        """Net per trade, rounded half-even to the paisa."""
        return round(Fraction(self.net, self.trades)) if self.trades else None


def trades_from(
    fills: Iterable[Fill], charges: Mapping[str, int], reasons: Mapping[str, str]
) -> list[Trade]:
    """The completed trades of ``fills`` (time order), in the order they closed. ``charges``:
    each fill's charges by trade id; ``reasons``: each order's intent reason by client id."""
    fills = list(fills)
    left = {fill.trade_id: (fill.quantity, charges.get(fill.trade_id, 0)) for fill in fills}
    trades = []
    for trip in round_trips(fills):
        charged = 0
        for trade_id, part in trip.parts:
            units_left, charge_left = left[trade_id]
            share = charge_left if part == units_left else charge_left * part // units_left
            left[trade_id] = (units_left - part, charge_left - share)
            charged += share
        trades.append(_trade(trip, charged, reasons.get(trip.exit_client_id, "")))
    return trades


def _trade(trip: RoundTrip, charges: int, reason: str) -> Trade:
    return Trade(
        symbol=trip.symbol,
        side=trip.side,
        quantity=trip.quantity,
        entry_ns=trip.entry_ns,
        exit_ns=trip.exit_ns,
        entry_price=Fraction(trip.entry_value, trip.quantity),
        exit_price=Fraction(trip.exit_value, trip.quantity),
        gross=trip.gross_pnl,
        charges=charges,
        exit_reason=exit_reason(reason),
    )


def exit_reason(intent_reason: str) -> str:
    """``exit: take_profit`` -> ``take_profit``; ``stop: stop_loss`` -> ``stop_loss (venue
    stop)``; anything else as it is (``square-off``, ``flatten``)."""
    if intent_reason.startswith("exit: "):
        return intent_reason[len("exit: ") :]
    if intent_reason.startswith("stop: "):
        return f"{intent_reason[len('stop: ') :]} (venue stop)"
    return intent_reason or "unknown"


def figures(name: str, trades: list[Trade]) -> Figures:
    """The row for ``trades`` (any set: one symbol's, or all)."""
    ordered = sorted(trades, key=lambda t: (t.exit_ns, t.symbol))
    won = sum(t.net for t in ordered if t.net > 0)
    lost = -sum(t.net for t in ordered if t.net < 0)
    return Figures(
        name=name,
        trades=len(ordered),
        wins=sum(1 for t in ordered if t.net > 0),
        losses=sum(1 for t in ordered if t.net < 0),
        gross=sum(t.gross for t in ordered),
        charges=sum(t.charges for t in ordered),
        net=sum(t.net for t in ordered),
        profit_factor=Fraction(won, lost) if lost else None,
        max_drawdown=max_drawdown(t.net for t in ordered),
        exposure_seconds=exposure_seconds(ordered),
    )


def table(trades: list[Trade]) -> list[Figures]:
    """A row per symbol (sorted) and the total last."""
    by_symbol: dict[str, list[Trade]] = defaultdict(list)
    for trade in trades:
        by_symbol[trade.symbol].append(trade)
    rows = [figures(symbol, by_symbol[symbol]) for symbol in sorted(by_symbol)]
    return [*rows, figures("TOTAL", trades)]


def max_drawdown(nets: Iterable[int]) -> int:
    peak = equity = drawdown = 0
    for net in nets:
        equity += net
        peak = max(peak, equity)
        drawdown = max(drawdown, peak - equity)
    return drawdown


def exposure_seconds(trades: Iterable[Trade]) -> int:
    """Seconds covered by at least one trade (the union of their spans)."""
    covered, end = 0, None
    for start, stop in sorted((t.entry_ns, t.exit_ns) for t in trades):
        if end is None or start > end:
            covered += stop - start
            end = stop
        elif stop > end:
            covered += stop - end
            end = stop
    return covered // 1_000_000_000


def equity_curve(trades: Iterable[Trade]) -> list[tuple[int, int]]:
    """(exit time, cumulative net) after each trade, in the order they closed."""
    points, equity = [], 0
    for trade in sorted(trades, key=lambda t: (t.exit_ns, t.symbol)):
        equity += trade.net
        points.append((trade.exit_ns, equity))
    return points
