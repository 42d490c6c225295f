"""The one interface every tick source offers its owner, the TickFeed actor.

A source is *polled*, never run: it has no thread and reads no clock. The actor asks
``source.poll(clock.now_ns())`` and gets back the ticks due by then and when to ask again. This
keeps every source a plain object that a test drives with made-up times, and keeps the only
thread (and the only clock read) in the actor, where supervision can see it.

Every tick a source hands out is a ``messages.Tick`` whose ``exchange_ns`` is the market's time
for it and whose ``receive_ns`` is the ``now_ns`` of the poll that released it.

A source never raises on bad input data: a malformed record is skipped, counted by reason in
``SourceStats`` and returned in the batch as a ``SkippedRecord`` so the actor can log it once and
bump a metric. Reasons are a closed enum, so the metric's ``reason`` label stays bounded.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from messages.market import Tick

DEFAULT_MAX_BATCH = 500
"""Ticks per poll unless the owner says otherwise: enough to drain a burst in a few polls,
small enough that one poll never holds the actor away from its mailbox (pings) for long."""


class SkipReason(enum.Enum):
    """Why a source record was not turned into a tick. Values are metric label values."""

    BAD_ENCODING = "bad_encoding"
    """A line that is not UTF-8: skipped whole, never guessed at (a replaced byte could make
    another valid-looking price or symbol)."""
    COLUMN_COUNT = "column_count"
    BAD_TIME = "bad_time"
    BAD_SYMBOL = "bad_symbol"
    BAD_PRICE = "bad_price"
    NONPOSITIVE_PRICE = "nonpositive_price"
    TOO_MANY_DECIMALS = "too_many_decimals"
    BAD_QUANTITY = "bad_quantity"
    # Kite binary frames (feeds.kite_packets)
    UNKNOWN_LENGTH = "unknown_length"
    TRUNCATED = "truncated"
    TRAILING_BYTES = "trailing_bytes"


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """One skipped record, with where it was (a line number for files) for a single log line."""

    reason: SkipReason
    line: int
    detail: str


@dataclass(slots=True)
class SourceStats:
    """Running totals a source keeps about itself; the actor exports them as metrics.

    ``skipped`` counts malformed records by reason. ``out_of_order`` counts records delivered
    although their exchange time is earlier than the record before them (kept, not skipped:
    see ``feeds.replay``). ``delivered`` counts ticks handed out.
    """

    delivered: int = 0
    out_of_order: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


@dataclass(frozen=True, slots=True)
class Batch:
    """What one poll returns.

    ``next_due_ns`` is the ``now_ns`` at which polling again will release at least one tick:
    equal to the poll's ``now_ns`` when ticks are already due but were held back by the batch
    limit, ``None`` once the source is exhausted (a finished replay). ``skipped`` lists the
    malformed records met while gathering this batch.

    ``lag_ns`` is how long the batch's first (oldest) tick had been due at this poll: since it
    arrived, for a live socket; since its place on the market clock, for a synthetic market or
    a paced replay; 0 for an empty batch or a replay "as fast as possible" (nothing is ever
    due late there). Held to a poll interval or so when the daemon keeps up; a figure that
    grows is a backlog the daemon cannot clear.
    """

    ticks: list[Tick]
    next_due_ns: int | None
    skipped: list[SkippedRecord] = field(default_factory=list)
    lag_ns: int = 0

    @property
    def exhausted(self) -> bool:
        return self.next_due_ns is None


class TickSource(Protocol):
    """A polled source of ticks: synthetic, replayed, or (behind the same interface) live."""

    @property
    def stats(self) -> SourceStats: ...

    def poll(self, now_ns: int) -> Batch:
        """Release the ticks due by ``now_ns`` (at most the source's batch limit), each stamped
        with ``receive_ns = now_ns``. ``now_ns`` must not go backwards between calls."""
        ...

    def close(self) -> None:
        """Release any file or socket. Safe to call twice; polling after it is exhausted."""
        ...
