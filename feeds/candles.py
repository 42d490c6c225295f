"""Candle files (``main.py history`` writes them; a replay and a backtest read them) and how a
candle becomes ticks. The format is described in ``feeds/CANDLE_FORMAT.md``.

A candle says where the price opened, how high and low it went and where it closed, not the
path between. Replaying it needs a path, and the same one every time (a backtest must be
reproducible), so each candle becomes exactly four ticks, a quarter of the interval apart:

* a rising or flat candle (close >= open): **open, low, high, close**;
* a falling one (close < open): **open, high, low, close**.

That is the shorter of the two paths through both extremes that end at the close, the usual
assumption of bar-based backtesters (Backtrader's, Zipline's): the nearer extreme first. A stop
or a limit between the extremes therefore fills on the tick that reaches it, in the order the
candle most likely took. The ticks carry ``bid = ask = ltp`` (a candle has no book) and the
day's running volume, growing by a quarter of the candle's volume per tick (the remainder on
the close), so a bar rebuilt from the ticks has the candle's volume.

Parsing never raises, as for replay lines: a line is a ``Candle`` or a ``SkippedRecord``.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from feeds.base import SkippedRecord, SkipReason
from feeds.replay_format import (
    ReplayRecord,
    _Malformed,
    parse_price_paise,
    parse_time_ns,
)

HEADER = ("time", "symbol", "interval_seconds", "open", "high", "low", "close", "volume")
HEADER_LINE = ",".join(HEADER)
IST = ZoneInfo("Asia/Kolkata")
TICKS_PER_CANDLE = 4


class Candle(NamedTuple):
    line: int
    start_ns: int
    symbol: str
    interval_seconds: int
    open: int
    high: int
    low: int
    close: int
    volume: int


def is_header(text: str) -> bool:
    return tuple(field.strip() for field in text.split(",")) == HEADER


def format_candle(candle: Candle) -> str:
    """One data line: the start in IST with its offset, prices as rupees with two decimals."""
    start = datetime.datetime.fromtimestamp(candle.start_ns / 1e9, IST)
    prices = (candle.open, candle.high, candle.low, candle.close)
    shown = ",".join(f"{p // 100}.{p % 100:02d}" for p in prices)
    return (
        f"{start.isoformat(timespec='seconds')},{candle.symbol},{candle.interval_seconds},"
        f"{shown},{candle.volume}"
    )


def parse_candle(text: str, line: int) -> Candle | SkippedRecord:
    """Parse one data line (not a comment, blank or the header). ``line`` is 1-based."""
    fields = [field.strip() for field in text.split(",")]
    if len(fields) != len(HEADER):
        detail = f"{len(fields)} columns, expected {len(HEADER)}"
        return SkippedRecord(SkipReason.COLUMN_COUNT, line, detail)
    time_text, symbol, interval, *prices, volume = fields
    try:
        if ":" not in symbol:
            raise _Malformed(SkipReason.BAD_SYMBOL, f"symbol {symbol!r} is not EXCHANGE:NAME")
        if not interval.isdigit() or int(interval) <= 0:
            detail = f"interval_seconds {interval!r} is not a positive whole number"
            raise _Malformed(SkipReason.BAD_QUANTITY, detail)
        if not volume.isdigit():
            raise _Malformed(SkipReason.BAD_QUANTITY, f"volume {volume!r} is not a whole number")
        o, h, lo, c = (parse_price_paise(p, n) for p, n in zip(prices, HEADER[3:7], strict=True))
    except _Malformed as bad:
        return SkippedRecord(bad.reason, line, bad.detail)
    if not (lo <= min(o, c) and max(o, c) <= h):
        detail = f"low {lo} / high {h} do not contain open {o} and close {c}"
        return SkippedRecord(SkipReason.BAD_PRICE, line, detail)
    try:
        start_ns = parse_time_ns(time_text)
    except _Malformed as bad:
        return SkippedRecord(bad.reason, line, bad.detail)
    return Candle(line, start_ns, symbol, int(interval), o, h, lo, c, int(volume))


def candle_ticks(candle: Candle, volume_before: int) -> list[ReplayRecord]:
    """The candle's four ticks (see the module docstring); ``volume_before`` is the symbol's
    running volume for the day before this candle."""
    o, h, lo, c = candle.open, candle.high, candle.low, candle.close
    path = (o, lo, h, c) if c >= o else (o, h, lo, c)
    step_ns = candle.interval_seconds * 1_000_000_000 // TICKS_PER_CANDLE
    share = candle.volume // TICKS_PER_CANDLE
    records = []
    for k, price in enumerate(path):
        traded = candle.volume if k == TICKS_PER_CANDLE - 1 else share * (k + 1)
        records.append(
            ReplayRecord(
                line=candle.line,
                exchange_ns=candle.start_ns + k * step_ns,
                symbol=candle.symbol,
                ltp=price,
                bid=price,
                ask=price,
                bid_qty=0,
                ask_qty=0,
                volume=volume_before + traded,
            )
        )
    return records
