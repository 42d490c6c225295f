"""Replays a recorded tick file (format: ``feeds/REPLAY_FORMAT.md``) through the TickSource
interface.

The file is read lazily, one record ahead of what has been released, so a full day of a busy
recording never sits in memory and a malformed line is reported when it is reached.

**Speed.** ``"max"`` releases up to the batch limit on every poll, whatever the time: the
consumer sets the pace (a back-test on virtual time). A number is a multiple of recorded speed:
tick *i* is due once ``(now_ns - first poll) * speed >= exchange_ns[i] - exchange_ns[0]``, so 1.0
replays the day as it happened and 10.0 ten times faster. The division is done with an exact
``Fraction`` so the due time of every tick is an exact integer number of nanoseconds.

**Out-of-order times are kept.** File order is taken to be arrival order: a recording of several
instruments legitimately interleaves exchange stamps slightly out of order (exchange time is
per-instrument), and reordering would replay something that never happened. Such a record is
delivered in file order (it is due at once, its time having passed) and counted in
``stats.out_of_order``, so a badly shuffled file is visible without losing data.

**Candle files too.** A file whose header is the candle format's (``feeds/CANDLE_FORMAT.md``,
what ``main.py history`` writes) is played as ticks: each candle as its four
(``feeds.candles.candle_ticks``), and the candles that start at the same time (several
symbols' minute) together, their ticks in time order — so the file's order is still the
arrival order, only finer.

**Malformed lines are skipped and counted, never raised.** The file is read as bytes and each
line decoded on its own, so a byte that is not UTF-8 makes that one line ``bad_encoding`` (with
its number) instead of failing the file or being silently replaced. A file that cannot be a
replay file at all (missing, unreadable, or its first non-comment line is not the header) raises
at construction, when the daemon starts: that is a configuration error, not bad data.
"""

from __future__ import annotations

import datetime
import math
from collections import deque
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Literal

from feeds import candles
from feeds.base import DEFAULT_MAX_BATCH, Batch, SkippedRecord, SourceStats
from feeds.replay_format import (
    COMMENT,
    HEADER_LINE,
    ReplayRecord,
    decode_line,
    is_header,
    parse_line,
)
from messages.market import Tick

MAX_SKIPS_LISTED_PER_POLL = 100
"""A poll lists at most this many skipped lines for logging (all are still counted), so a file
of garbage cannot flood the log or memory in one poll."""

Speed = float | Literal["max"]
_BOM = b"\xef\xbb\xbf"
_COMMENT = COMMENT.encode()


class ReplayFormatError(ValueError):
    """The file is not a replay file (no header where one must be)."""


class ReplaySource:
    def __init__(
        self, path: str | Path, speed: Speed = 1.0, *, max_batch: int = DEFAULT_MAX_BATCH
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._speed = _exact_speed(speed)
        self._max_batch = max_batch
        self._path = Path(path)
        self._stats = SourceStats()
        self._skips: list[SkippedRecord] = []
        self._line = 0
        self._candles = False
        """A candle file: each line is a candle, played as four ticks."""
        self._expanded: deque[ReplayRecord] = deque()
        """Ticks of candles read and not yet released (one start time's, in time order)."""
        self._held: candles.Candle | None = None
        """The candle read past the end of the current start time: the next group's first."""
        self._volumes: dict[tuple[str, datetime.date], int] = {}
        """Each symbol's running volume for the day, from the candles played."""
        self._file: BinaryIO | None = self._path.open("rb")
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise
        self._previous_ns: int | None = None
        self._first_poll_ns: int | None = None
        self._upcoming = self._read_record()
        self._first_record = self._upcoming is not None
        self._first_exchange_ns = self._upcoming.exchange_ns if self._upcoming else 0

    @property
    def first_exchange_ns(self) -> int | None:
        """The exchange time of the file's first valid record (it names the replayed trading
        day), or ``None`` for a file without one."""
        return self._first_exchange_ns if self._first_record else None

    @property
    def stats(self) -> SourceStats:
        return self._stats

    @property
    def path(self) -> Path:
        return self._path

    def poll(self, now_ns: int) -> Batch:
        if self._first_poll_ns is None:
            self._first_poll_ns = now_ns
        lag_ns = 0
        if self._speed is not None and self._upcoming is not None:
            lag_ns = max(0, now_ns - self._due_ns(self._upcoming))
        ticks: list[Tick] = []
        while (
            len(ticks) < self._max_batch
            and self._upcoming is not None
            and self._due_ns(self._upcoming) <= now_ns
        ):
            ticks.append(to_tick(self._upcoming, now_ns))
            self._upcoming = self._read_record()
        self._stats.delivered += len(ticks)
        skipped, self._skips = self._skips, []
        lag_ns = lag_ns if ticks else 0
        if self._upcoming is None:
            return Batch(ticks, None, skipped, lag_ns)
        return Batch(ticks, max(now_ns, self._due_ns(self._upcoming)), skipped, lag_ns)

    def peek(self) -> ReplayRecord | None:
        """The next record, not yet released (None at the end): for a merge of several files
        (``feeds.merged``), which releases by market time itself."""
        return self._upcoming

    def take(self) -> ReplayRecord | None:
        """Release the next record (``peek``'s) and read the one after it."""
        record = self._upcoming
        if record is not None:
            self._stats.delivered += 1
            self._upcoming = self._read_record()
        return record

    def take_skips(self) -> list[SkippedRecord]:
        """The malformed lines met since the last call (counted in ``stats`` either way)."""
        skipped, self._skips = self._skips, []
        return skipped

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._upcoming = None

    def __enter__(self) -> ReplaySource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _due_ns(self, record: ReplayRecord) -> int:
        """The ``now_ns`` from which ``record`` may be released (exact, see the module doc)."""
        start = self._first_poll_ns if self._first_poll_ns is not None else 0
        if self._speed is None:
            return start
        market_offset = record.exchange_ns - self._first_exchange_ns
        return start + math.ceil(market_offset / self._speed)

    def _read_header(self) -> None:
        for raw in self._lines():
            text = raw.decode("utf-8", errors="replace")  # only shown: the file is refused
            if is_header(text):
                return
            if candles.is_header(text):
                self._candles = True
                return
            raise ReplayFormatError(
                f"{self._path}:{self._line}: expected the header {HEADER_LINE!r} (ticks) or "
                f"{candles.HEADER_LINE!r} (candles), got {text!r}"
            )
        raise ReplayFormatError(f"{self._path}: no header line {HEADER_LINE!r}")

    def _read_record(self) -> ReplayRecord | None:
        """The next valid record, counting and listing the malformed lines before it; ``None``
        (and the file closed) at the end."""
        if self._candles:
            return self._next_candle_tick()
        for raw in self._lines():
            text = decode_line(raw, self._line)
            parsed = parse_line(text, self._line) if isinstance(text, str) else text
            if isinstance(parsed, SkippedRecord):
                self._stats.skipped[parsed.reason] += 1
                if len(self._skips) < MAX_SKIPS_LISTED_PER_POLL:
                    self._skips.append(parsed)
                continue
            if self._previous_ns is not None and parsed.exchange_ns < self._previous_ns:
                self._stats.out_of_order += 1
            self._previous_ns = parsed.exchange_ns
            return parsed
        self.close()
        return None

    def _next_candle_tick(self) -> ReplayRecord | None:
        if not self._expanded:
            group = self._candle_group()
            if not group:
                self.close()
                return None
            ticks = [tick for candle in group for tick in self._ticks_of(candle)]
            ticks.sort(key=lambda tick: tick.exchange_ns)  # stable: line order within a time
            self._expanded.extend(ticks)
        record = self._expanded.popleft()
        if self._previous_ns is not None and record.exchange_ns < self._previous_ns:
            self._stats.out_of_order += 1
        self._previous_ns = record.exchange_ns
        return record

    def _candle_group(self) -> list[candles.Candle]:
        """The next candles that start at one time (consecutive lines), skipping bad lines."""
        group = [self._held] if self._held is not None else []
        self._held = None
        for raw in self._lines():
            text = decode_line(raw, self._line)
            parsed = candles.parse_candle(text, self._line) if isinstance(text, str) else text
            if isinstance(parsed, SkippedRecord):
                self._stats.skipped[parsed.reason] += 1
                if len(self._skips) < MAX_SKIPS_LISTED_PER_POLL:
                    self._skips.append(parsed)
                continue
            if group and parsed.start_ns != group[0].start_ns:
                self._held = parsed
                break
            group.append(parsed)
        return group

    def _ticks_of(self, candle: candles.Candle) -> list[ReplayRecord]:
        day = datetime.datetime.fromtimestamp(candle.start_ns // 1_000_000_000, candles.IST)
        key = (candle.symbol, day.date())
        ticks = candles.candle_ticks(candle, self._volumes.get(key, 0))
        self._volumes[key] = ticks[-1].volume
        return ticks

    def _lines(self) -> Iterator[bytes]:
        """Data lines as bytes (comments and blank lines dropped, a leading BOM removed), keeping
        ``self._line`` current."""
        while self._file is not None:
            raw = self._file.readline()
            if not raw:
                return
            self._line += 1
            if self._line == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            data = raw.rstrip(b"\r\n")
            if data.strip() and not data.lstrip().startswith(_COMMENT):
                yield data


def _exact_speed(speed: Speed) -> Fraction | None:
    """``None`` for "max", else the multiplier as an exact fraction."""
    if speed == "max":
        return None
    if isinstance(speed, str) or not (math.isfinite(speed) and speed > 0):
        raise ValueError(f'speed must be "max" or a positive number, got {speed!r}')
    return Fraction(speed)


def to_tick(record: ReplayRecord, now_ns: int) -> Tick:
    return Tick(
        symbol=record.symbol,
        ltp=record.ltp,
        exchange_ns=record.exchange_ns,
        receive_ns=now_ns,
        bid=record.bid,
        ask=record.ask,
        bid_qty=record.bid_qty,
        ask_qty=record.ask_qty,
        volume=record.volume,
    )
