"""The daily CSV export: a trading day's orders, fills and round-trip trades, for a person and
a spreadsheet (and an accountant).

A day is a calendar day in the exchange's zone (IST by default): orders by their creation time,
fills by their execution time, trades from that day's fills (``journal.trades``). Money is
written as rupees with exactly two decimals, produced from integer paise by integer arithmetic
(``rupees``), so the files add up to the paisa. Each file is written to a temporary name and
renamed into place, so a reader never sees half a file.

Values and PnL are money: price x quantity x the symbol's contract multiplier (``multipliers``,
1 for a symbol not in it), so an MCX contract of 10 barrels quoted per barrel is worth ten times
its price x quantity there, as on the contract note. Prices and quantities are as traded.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

from journal.days import DEFAULT_TZ, day_bounds_ns, format_time
from journal.reader import JournalReader
from journal.trades import round_trips

ORDER_COLUMNS = (
    "created_at", "client_id", "symbol", "side", "quantity", "order_type", "limit_price",
    "trigger_price", "product", "status", "filled_quantity", "broker_order_id", "reason",
    "updated_at",
)  # fmt: skip
FILL_COLUMNS = (
    "time", "trade_id", "client_id", "broker_order_id", "symbol", "side", "quantity", "price",
    "value", "product",
)  # fmt: skip
TRADE_COLUMNS = (
    "symbol", "direction", "quantity", "entry_time", "exit_time", "entry_value", "exit_value",
    "gross_pnl", "fills",
)  # fmt: skip


class ExportedFiles(NamedTuple):
    orders: Path
    fills: Path
    trades: Path


def rupees(paise: int) -> str:
    """Exact rupees with two decimals: 152345 -> "1523.45", -5 -> "-0.05", 0 -> "0.00"."""
    sign = "-" if paise < 0 else ""
    whole, cents = divmod(abs(paise), 100)
    return f"{sign}{whole}.{cents:02d}"


def _optional_rupees(paise: int | None) -> str:
    return "" if paise is None else rupees(paise)


def export_day(
    journal: JournalReader,
    day: date,
    out_dir: str | Path,
    tz: str = DEFAULT_TZ,
    multipliers: Mapping[str, int] | None = None,
) -> ExportedFiles:
    """Write ``orders.csv``, ``fills.csv`` and ``trades.csv`` for ``day`` into ``out_dir``
    (created if missing) and return their paths."""
    multiplier = (multipliers or {}).get
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start, end = day_bounds_ns(day, tz)
    orders = journal.orders(day, tz)
    fills = journal.fills(since_ns=start, until_ns=end)
    order_rows = (
        (
            format_time(order.created_ns, tz), order.client_id, order.symbol, order.side.value,
            order.quantity, order.order_type.value if order.order_type else "",
            _optional_rupees(order.limit_price), _optional_rupees(order.trigger_price),
            order.product.value if order.product else "", order.status.value,
            order.filled_quantity, order.broker_order_id or "", order.reason,
            format_time(order.updated_ns, tz),
        )
        for order in orders
    )  # fmt: skip
    fill_rows = (
        (
            format_time(fill.at_ns, tz), fill.trade_id, fill.client_id,
            fill.broker_order_id or "", fill.symbol, fill.side.value, fill.quantity,
            rupees(fill.price), rupees(fill.price * fill.quantity * multiplier(fill.symbol, 1)),
            fill.product.value,
        )
        for fill in fills
    )  # fmt: skip
    trade_rows = (
        (
            trip.symbol, "LONG" if trip.side.sign > 0 else "SHORT", trip.quantity,
            format_time(trip.entry_ns, tz), format_time(trip.exit_ns, tz),
            rupees(trip.entry_value * m), rupees(trip.exit_value * m), rupees(trip.gross_pnl * m),
            trip.fills,
        )
        for trip in round_trips(fills)
        for m in (multiplier(trip.symbol, 1),)
    )  # fmt: skip
    return ExportedFiles(
        orders=_write_csv(out / "orders.csv", ORDER_COLUMNS, order_rows),
        fills=_write_csv(out / "fills.csv", FILL_COLUMNS, fill_rows),
        trades=_write_csv(out / "trades.csv", TRADE_COLUMNS, trade_rows),
    )


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(partial, path)
    return path


def export_days(
    journal: JournalReader,
    exports_dir: str | Path,
    tz: str = DEFAULT_TZ,
    *,
    through: date | None = None,
    again: Iterable[date] = (),
    multipliers: Mapping[str, int] | None = None,
) -> list[date]:
    """Export every trading day with records (up to ``through``) that has no export yet, and
    the days in ``again`` (a day still being traded) even if it has: after a kill -9 or a run
    that crossed midnight, each day still gets its files. Returns the days written."""
    root = Path(exports_dir)
    redo = set(again)
    written: list[date] = []
    for day in journal.days_with_records():
        if through is not None and day > through:
            continue
        if day in redo or not (root / day.isoformat() / "orders.csv").exists():
            export_day(journal, day, root / day.isoformat(), tz, multipliers=multipliers)
            written.append(day)
    for day in sorted(redo - set(written)):
        export_day(journal, day, root / day.isoformat(), tz, multipliers=multipliers)
        written.append(day)
    return written
