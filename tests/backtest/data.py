"""Multi-day data for backtest tests: candle files of a seeded random walk, one per symbol."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from feeds.candles import HEADER_LINE, IST, Candle, format_candle

DAYS = (datetime.date(2026, 11, 19), datetime.date(2026, 11, 20), datetime.date(2026, 11, 23))
"""Thursday, Friday and (across a weekend) Monday."""


def candle_files(
    out: Path, symbols: dict[str, int], *, seed: int = 3, interval_minutes: int = 5
) -> list[Path]:
    """A file per symbol (its starting price in paise) of ``interval_minutes`` candles from
    09:15 to 15:30 on each of ``DAYS``: the same files for the same seed."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for symbol, start in symbols.items():
        price, lines = start, ["# test candles", HEADER_LINE]
        for day in DAYS:
            at = datetime.datetime.combine(day, datetime.time(9, 15), tzinfo=IST)
            close = datetime.datetime.combine(day, datetime.time(15, 30), tzinfo=IST)
            while at < close:
                o = price
                c = max(500, o + rng.choice((-1, 1)) * rng.randint(0, 12) * 5)
                h, lo = max(o, c) + rng.randint(0, 4) * 5, min(o, c) - rng.randint(0, 4) * 5
                start_ns = int(at.timestamp()) * 1_000_000_000
                candle = Candle(0, start_ns, symbol, interval_minutes * 60, o, h, lo, c, 100)
                lines.append(format_candle(candle))
                price = c
                at += datetime.timedelta(minutes=interval_minutes)
        path = out / f"{symbol.replace(':', '-')}.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths
