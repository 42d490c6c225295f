"""The report of a run, from its journal: the trades and figures (``backtest.results``), written
as ``summary.json``, ``trades.csv`` and ``report.html`` under the output directory, and the
results table printed.

Everything comes from what the run journaled — its fills, and the reason each order was sent
— valued as PnLTracker values it: each fill's charges from the config's rates, with a fresh
per-order brokerage cap each trading day (a day's orders are that day's), the contract
multiplier of its instrument, and no charge on a position adjustment (nothing was traded).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from backtest.report_files import print_table, write_summary, write_trades
from backtest.report_html import write_report
from backtest.results import Figures, table, trades_from
from core.account import is_adjustment
from core.charges import ChargeCalculator, ChargeRates
from daemon.clock import WallClock
from journal import Journal
from messages.orders import Fill


def fill_charges(
    fills: Iterable[Fill],
    rates: ChargeRates,
    multipliers: Mapping[str, int],
    day_of: Callable[[int], datetime.date],
) -> dict[str, int]:
    """Each fill's charges (paise) by trade id, as PnLTracker charges them."""
    calculators: dict[datetime.date, ChargeCalculator] = {}
    charges: dict[str, int] = {}
    for fill in fills:
        if is_adjustment(fill):
            charges[fill.trade_id] = 0
            continue
        day = day_of(fill.at_ns)
        calculator = calculators.setdefault(day, ChargeCalculator(rates))
        charges[fill.trade_id] = calculator.charge(fill, multipliers.get(fill.symbol, 1)).total
    return charges


def report(
    journal_path: Path,
    out_dir: Path,
    *,
    rates: ChargeRates,
    multipliers: Mapping[str, int],
    day_of: Callable[[int], datetime.date],
    run: dict[str, Any],
    out: IO[str],
    terminal: bool,
    title: str = "shikra backtest",
) -> list[Figures]:
    """Write the three files and print the table; the table's rows (per symbol, total last)."""
    with Journal.open(journal_path, WallClock()) as journal:
        fills = journal.fills()
        reasons = journal.order_reasons()
    trades = trades_from(fills, fill_charges(fills, rates, multipliers, day_of), reasons)
    rows = table(trades)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_summary(out_dir / "summary.json", rows, run)
    write_trades(out_dir / "trades.csv", trades)
    write_report(out_dir / "report.html", rows, trades, title)
    print_table(rows, out, terminal=terminal)
    return rows
