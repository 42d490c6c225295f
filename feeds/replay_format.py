"""The replay file format, one line at a time (the full description is ``REPLAY_FORMAT.md``).

Parsing is strict and never raises: a line (its raw bytes, decoded here one line at a time) is
either a ``ReplayRecord`` or a ``SkippedRecord`` saying why not. Prices go from rupee text to
paise, and times from ISO-8601 text to epoch nanoseconds, by integer arithmetic on their digits
(never a float), so ``09:15:00.250000001`` keeps its last nanosecond (``datetime.fromisoformat``
would silently drop it). A time outside the sane range of
``core.market_hours`` (2000 to 2099) is ``bad_time``: no recording is from then, and no actor
should have to reason about year 9999.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from core.market_hours import SANE_FROM, SANE_UNTIL, is_sane_market_time
from feeds.base import SkippedRecord, SkipReason

HEADER = ("exchange_time", "symbol", "ltp", "bid", "ask", "bid_qty", "ask_qty", "volume")
HEADER_LINE = ",".join(HEADER)
COMMENT = "#"

_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})"
)
_PRICE = re.compile(r"(-?)(\d+)(?:\.(\d+))?")
_QUANTITY = re.compile(r"\d+")
_SYMBOL = re.compile(r"[A-Z]+:\S+")
_EPOCH = datetime(1970, 1, 1)


class ReplayRecord(NamedTuple):
    """One valid line: a tick without its ``receive_ns`` (known only when it is released)."""

    line: int
    exchange_ns: int
    symbol: str
    ltp: int
    bid: int | None
    ask: int | None
    bid_qty: int
    ask_qty: int
    volume: int


class _Malformed(Exception):
    """Internal: carries a skip reason out of a field parser. Never leaves this module."""

    def __init__(self, reason: SkipReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def is_header(text: str) -> bool:
    return tuple(field.strip() for field in text.split(",")) == HEADER


def decode_line(raw: bytes, line: int) -> str | SkippedRecord:
    """One line's bytes as text, or a ``bad_encoding`` skip naming the first bad byte. Per line,
    so that one bad byte costs its line and no other (DESIGN: a bad record is skipped)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        detail = f"not UTF-8: byte {error.start + 1} is 0x{raw[error.start]:02x}"
        return SkippedRecord(SkipReason.BAD_ENCODING, line, detail)


def parse_line(text: str, line: int) -> ReplayRecord | SkippedRecord:
    """Parse one data line (not a comment, blank or the header). ``line`` is 1-based."""
    fields = [field.strip() for field in text.split(",")]
    if len(fields) != len(HEADER):
        detail = f"{len(fields)} columns, expected {len(HEADER)}"
        return SkippedRecord(SkipReason.COLUMN_COUNT, line, detail)
    time_text, symbol, ltp, bid, ask, bid_qty, ask_qty, volume = fields
    try:
        if not _SYMBOL.fullmatch(symbol):
            raise _Malformed(SkipReason.BAD_SYMBOL, f"symbol {symbol!r} is not EXCHANGE:NAME")
        return ReplayRecord(
            line=line,
            exchange_ns=parse_time_ns(time_text),
            symbol=symbol,
            ltp=parse_price_paise(ltp, "ltp"),
            bid=parse_price_paise(bid, "bid") if bid else None,
            ask=parse_price_paise(ask, "ask") if ask else None,
            bid_qty=_parse_quantity(bid_qty, "bid_qty"),
            ask_qty=_parse_quantity(ask_qty, "ask_qty"),
            volume=_parse_quantity(volume, "volume"),
        )
    except _Malformed as bad:
        return SkippedRecord(bad.reason, line, bad.detail)


def parse_time_ns(text: str) -> int:
    """``2026-11-20T09:15:00.250+05:30`` -> epoch nanoseconds (UTC). The offset (or ``Z``) is
    required: a naive time in a recording is ambiguous, so it is refused, not guessed."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise _Malformed(SkipReason.BAD_TIME, f"time {text!r} is not ISO-8601 with an offset")
    second, fraction, offset = match.group(6, 7, 8)
    minute_key = (text[:16], offset)  # the date, hour and minute: fixed width, by the pattern
    minute_s = _MINUTES.get(minute_key)
    if minute_s is None:
        minute_s = _minute_seconds(text, match)
        if len(_MINUTES) >= _MINUTES_KEPT:
            _MINUTES.clear()
        _MINUTES[minute_key] = minute_s
    if int(second) > 59:
        raise _Malformed(SkipReason.BAD_TIME, f"time {text!r}: second must be in 0..59")
    at_ns = (minute_s + int(second)) * 1_000_000_000 + int((fraction or "0").ljust(9, "0"))
    if not is_sane_market_time(at_ns):
        detail = f"time {text!r} is outside {SANE_FROM:%Y-%m-%d}..{SANE_UNTIL:%Y-%m-%d} (UTC)"
        raise _Malformed(SkipReason.BAD_TIME, detail)
    return at_ns


_MINUTES: dict[tuple[str, str], int] = {}
"""Epoch seconds of each minute (and offset) met: a file's ticks share a few thousand, and a
``datetime`` per line was a third of reading one."""
_MINUTES_KEPT = 100_000


def _minute_seconds(text: str, match: re.Match[str]) -> int:
    """The epoch seconds (UTC) of the matched time's minute, checked: a real date and hour."""
    year, month, day, hour, minute, _, _, offset = match.groups()
    try:
        wall = datetime(int(year), int(month), int(day), int(hour), int(minute))
    except ValueError as error:
        raise _Malformed(SkipReason.BAD_TIME, f"time {text!r}: {error}") from None
    offset_seconds = 0
    if offset != "Z":
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[4:6])
        if offset_hours > 23 or offset_minutes > 59:
            raise _Malformed(SkipReason.BAD_TIME, f"time {text!r}: bad offset")
        sign = -1 if offset[0] == "-" else 1
        offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60)
    delta = wall - _EPOCH
    return delta.days * 86_400 + delta.seconds - offset_seconds


def parse_price_paise(text: str, column: str = "price") -> int:
    """Rupees with at most two decimals -> exact integer paise (``1523.45`` -> ``152345``), in
    integers (the digits as they are: no float, and no ``Decimal`` per price)."""
    match = _PRICE.fullmatch(text)
    if match is None:
        raise _Malformed(SkipReason.BAD_PRICE, f"{column} {text!r} is not a number")
    sign, rupees, fraction = match.groups()
    if fraction is not None and len(fraction) > 2:
        raise _Malformed(SkipReason.TOO_MANY_DECIMALS, f"{column} {text!r} has sub-paisa digits")
    paise = int(rupees) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)
    if sign or paise == 0:
        raise _Malformed(SkipReason.NONPOSITIVE_PRICE, f"{column} {text!r} is not positive")
    return paise


def _parse_quantity(text: str, column: str) -> int:
    """A non-negative whole number; empty means 0 (the feed did not carry it)."""
    if not text:
        return 0
    if not _QUANTITY.fullmatch(text):
        raise _Malformed(SkipReason.BAD_QUANTITY, f"{column} {text!r} is not a whole number")
    return int(text)
