"""The results as files and as a table: ``summary.json`` (machine readable, money in exact
integer paise), ``trades.csv`` (a trade a line, times in IST) and the terminal table (``rich``,
which lays out and colours it; a plain file when the output is not a terminal).

Both files are byte-for-byte the same for the same trades: keys in a fixed order, ratios as
decimal strings rounded the same way, no time of writing in them. That is what makes a
backtest's determinism checkable by comparing files.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import msgspec

from backtest.results import Figures, Trade
from journal.export import rupees as export_rupees

IST = ZoneInfo("Asia/Kolkata")
TRADES_HEADER = (
    "symbol", "side", "quantity", "entry_time", "exit_time", "entry_price", "exit_price",
    "gross", "charges", "net", "exit_reason",
)  # fmt: skip


def ratio(value: Fraction | None, places: int = 4) -> str | None:
    """An exact ratio as a decimal string, half-even to ``places`` (None stays None)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def rupees(paise: int | Fraction) -> str:
    """Paise as rupees with two decimals (a fraction of a paisa rounded half-even), as the
    daily exports write them."""
    return export_rupees(round(paise) if isinstance(paise, Fraction) else paise)


def ist(at_ns: int) -> str:
    return datetime.datetime.fromtimestamp(at_ns // 1_000_000_000, IST).isoformat()


def figures_json(row: Figures) -> dict[str, Any]:
    return {
        "name": row.name,
        "trades": row.trades,
        "wins": row.wins,
        "losses": row.losses,
        "win_rate": ratio(row.win_rate),
        "gross_paise": row.gross,
        "charges_paise": row.charges,
        "net_paise": row.net,
        "profit_factor": ratio(row.profit_factor),
        "average_trade_paise": row.average_trade,
        "max_drawdown_paise": row.max_drawdown,
        "exposure_seconds": row.exposure_seconds,
    }


def write_summary(path: Path, rows: list[Figures], run: dict[str, Any]) -> None:
    """``rows``: per symbol, the total last; ``run``: what was run (config, data, seed...)."""
    total = rows[-1]
    document = {
        "run": run,
        "total": figures_json(total),
        "symbols": [figures_json(row) for row in rows[:-1]],
    }
    path.write_bytes(msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n")


def write_trades(path: Path, trades: Iterable[Trade]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as file:
        file.write(",".join(TRADES_HEADER) + "\n")
        for t in trades:
            side = "long" if t.side.sign > 0 else "short"
            fields = (
                t.symbol, side, str(t.quantity), ist(t.entry_ns), ist(t.exit_ns),
                rupees(t.entry_price), rupees(t.exit_price), rupees(t.gross), rupees(t.charges),
                rupees(t.net), t.exit_reason.replace(",", ";"),
            )  # fmt: skip
            file.write(",".join(fields) + "\n")


TABLE_HEADER = (
    "symbol", "trades", "won", "lost", "win %", "gross", "charges", "net", "PF", "avg trade",
    "max DD", "exposure",
)  # fmt: skip


def table_cells(row: Figures) -> tuple[str, ...]:
    """A row of the results table as shown (the terminal's and the page's)."""
    rate = ratio(row.win_rate, 4)
    return (
        row.name,
        str(row.trades),
        str(row.wins),
        str(row.losses),
        f"{Decimal(rate) * 100:.1f}" if rate is not None else "-",
        rupees(row.gross),
        rupees(row.charges),
        rupees(row.net),
        ratio(row.profit_factor, 2) or "-",
        rupees(row.average_trade) if row.average_trade is not None else "-",
        rupees(row.max_drawdown),
        _duration(row.exposure_seconds),
    )


def print_table(rows: list[Figures], out: IO[str], *, terminal: bool) -> None:
    """The results table: a row per symbol and the total, as a trader reads it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="backtest results (₹)",
        caption="PF: profit factor (wins' net / losses'); DD: max drawdown of the net",
    )
    for heading in TABLE_HEADER:
        table.add_column(heading, justify="left" if heading == "symbol" else "right", no_wrap=True)
    for row in rows:
        table.add_row(*table_cells(row), style="bold" if row.name == "TOTAL" else None)
    # At least 120 columns: squeezed narrower, the figures would be cut to "…".
    width = max(shutil.get_terminal_size((160, 24)).columns, 120) if terminal else 160
    Console(file=out, force_terminal=terminal, width=width).print(table)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m"
