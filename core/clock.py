"""Time, injected. Nothing in shikra reads the time or schedules work any other way.

This module is the interface and the pure part: ``Clock``, and ``VirtualClock`` (no thread:
its timers fire inside ``advance``). Production uses ``daemon.clock.WallClock``, whose timers
need a thread of their own, so it lives with the process, not in ``core/``. Replays and tests
use ``VirtualClock``, whose time moves only when told to, so a test of a backoff or an interval
is exact and instant instead of slept through. Two readings are offered because they answer
different questions: ``now_ns`` is *when* (wall time, UTC nanoseconds, comparable with exchange
timestamps), ``monotonic`` is *how long* (never jumps when NTP steps the wall clock, so it
measures intervals, timeouts and restart windows).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Protocol


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now_ns(self) -> int:
        """Wall time: nanoseconds since the Unix epoch, UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences mean anything."""
        ...

    def sleep(self, seconds: float) -> None: ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        """Run ``callback`` once, ``delay`` seconds from now, on the clock's own thread (wall)
        or inside ``advance`` (virtual). Callbacks must be quick: they only send a message."""
        ...


class Timer:
    """A callback due at a time on some clock's monotonic scale; ordered by due time, then by
    when it was set (so timers due together fire in the order they were set)."""

    __slots__ = ("callback", "cancelled", "due", "seq")

    def __init__(self, due: float, seq: int, callback: Callable[[], None]) -> None:
        self.due = due
        self.seq = seq
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Timer) -> bool:
        return (self.due, self.seq) < (other.due, other.seq)


class VirtualClock:
    """Time that moves only when ``advance`` is called. ``sleep`` advances it, so code that
    sleeps finishes at once while reading the time it would have slept."""

    def __init__(self, start_ns: int = 1_767_225_600_000_000_000) -> None:
        self._lock = threading.RLock()
        self._start_ns = start_ns
        self._elapsed = 0.0
        self._timers: list[Timer] = []
        self._seq = itertools.count()

    # A read is one attribute's value (atomic under the GIL): no lock, as a backtest reads the
    # time a few times per message. Only a change (advance, a timer) takes the lock.
    def now_ns(self) -> int:
        return self._start_ns + round(self._elapsed * 1e9)

    def monotonic(self) -> float:
        return self._elapsed

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        timer = Timer(self.monotonic() + max(0.0, delay), next(self._seq), callback)
        with self._lock:
            heapq.heappush(self._timers, timer)
        return timer

    def pending(self) -> int:
        """Timers not yet due (cancelled ones excluded): lets a test wait for one to be set."""
        with self._lock:
            return sum(1 for t in self._timers if not t.cancelled)

    def next_due(self) -> float | None:
        """The monotonic time of the next timer not cancelled, or None: where a loop that
        runs everything due and then moves time on moves it to."""
        with self._lock:
            while self._timers and self._timers[0].cancelled:
                heapq.heappop(self._timers)
            return self._timers[0].due if self._timers else None

    def advance(self, seconds: float) -> None:
        """Move time forward, running every timer that falls due, in due order, each at its
        own due time."""
        with self._lock:
            target = self._elapsed + seconds
        while True:
            with self._lock:
                if not self._timers or self._timers[0].due > target:
                    self._elapsed = max(self._elapsed, target)
                    return
                timer = heapq.heappop(self._timers)
                self._elapsed = max(self._elapsed, timer.due)
            if not timer.cancelled:
                timer.callback()
