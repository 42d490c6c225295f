"""Kite's order rate limits (10/s, 400/min, 5,000/day per account), enforced before sending.

Why strict windows and not a classic token bucket: a bucket of capacity C refilled at C per
period lets 2C - 1 requests through in one period (C at once, then C - 1 refills), and Kite
answers the excess with 429s. Here each window keeps the times of its last C acquisitions and
admits a new one only when the oldest of them is a full period old, so no half-open interval
``[t, t + period)`` ever holds more than C. Kite counts a day per calendar day, not as a rolling
24 hours, so a window of a day or longer is a plain cap that only ``new_day()`` resets: once it
is spent, ``wait_time`` is ``inf``.

Pure: the caller passes ``now`` (monotonic seconds). Not thread-safe: one actor owns it.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

DAY_SECONDS = 86_400.0
"""A window this long or longer is a per-trading-day cap (reset by ``new_day``), not a slide."""

KITE_ORDER_LIMITS: tuple[tuple[int, float], ...] = ((10, 1.0), (400, 60.0), (5_000, DAY_SECONDS))
"""(capacity, period_seconds) of Kite's order-placement limits per account."""

T = TypeVar("T")


class _SlidingWindow:
    """At most ``capacity`` acquisitions in any half-open interval of ``period`` seconds."""

    __slots__ = ("_frees_at", "capacity", "period")

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = capacity
        self.period = period
        # When each of the last ``capacity`` acquisitions stops counting, oldest first.
        self._frees_at: deque[float] = deque(maxlen=capacity)

    def wait_time(self, now: float) -> float:
        if len(self._frees_at) < self.capacity:
            return 0.0
        return _seconds_until(self._frees_at[0], now)

    def record(self, now: float) -> None:
        self._frees_at.append(now + self.period)


class _DayCap:
    """At most ``capacity`` acquisitions until ``reset``: spent means inf, not a wait."""

    __slots__ = ("capacity", "used")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0

    def wait_time(self, now: float) -> float:
        return 0.0 if self.used < self.capacity else math.inf

    def record(self, now: float) -> None:
        self.used += 1


def _seconds_until(due: float, now: float) -> float:
    """``due - now``, nudged up so that ``now + result >= due`` survives float rounding: a
    caller that sleeps the returned time must find the slot free when it wakes."""
    wait = due - now
    if wait <= 0.0:
        return 0.0
    while now + wait < due:
        wait = math.nextafter(wait, math.inf)
    return wait


class RateLimiter:
    """Several windows at once; a request passes only if every window has room."""

    def __init__(self, limits: Sequence[tuple[int, float]] = KITE_ORDER_LIMITS) -> None:
        if not limits:
            raise ValueError("at least one (capacity, period_seconds) limit is required")
        self._windows: list[_SlidingWindow | _DayCap] = []
        for capacity, period in limits:
            if capacity <= 0 or period <= 0:
                raise ValueError(f"bad limit ({capacity}, {period}): both must be positive")
            if period >= DAY_SECONDS:
                self._windows.append(_DayCap(capacity))
            else:
                self._windows.append(_SlidingWindow(capacity, period))
        self._latest = -math.inf

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free in every window: 0.0 if one is free now, ``inf`` once
        a day cap is spent."""
        now = max(now, self._latest)
        return max(window.wait_time(now) for window in self._windows)

    def try_acquire(self, now: float) -> bool:
        """Take a token from every window if all have one; otherwise take nothing."""
        # A monotonic clock never goes back, but an older ``now`` passed late must not slip a
        # request in under a window that has already moved on.
        now = max(now, self._latest)
        if self.wait_time(now) > 0.0:
            return False
        for window in self._windows:
            window.record(now)
        self._latest = now
        return True

    def new_day(self, used: int = 0) -> None:
        """Reset the per-day caps at the start of a trading day, with ``used`` of them already
        spent (a restart mid-day: the journal counts the day's orders sent so far)."""
        for window in self._windows:
            if isinstance(window, _DayCap):
                window.used = min(used, window.capacity)


class Priority(enum.IntEnum):
    """Lower goes first. EXIT is for cancels and orders that reduce exposure: when the budget
    is short, getting out must never wait behind getting in. MODIFY (a resting stop tightened,
    a LIMIT moved) waits behind the exits, which it must never crowd out (a trailing stop on
    every position may ask on every tick), and goes ahead of the entries."""

    EXIT = 0
    MODIFY = 1
    ENTRY = 2


class PriorityRateLimiter(Generic[T]):
    """A queue of pending work released as the rate limits allow, exits first, FIFO within a
    priority. The items are opaque (the router's approved orders and cancels)."""

    def __init__(self, limits: Sequence[tuple[int, float]] = KITE_ORDER_LIMITS) -> None:
        self.limiter = RateLimiter(limits)
        self._queues: dict[Priority, deque[T]] = {priority: deque() for priority in Priority}

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def push(self, item: T, priority: Priority) -> None:
        self._queues[priority].append(item)

    def items(self) -> list[T]:
        """What is waiting, highest priority first."""
        return [item for priority in sorted(Priority) for item in self._queues[priority]]

    def remove_where(self, predicate: Callable[[T], bool]) -> list[T]:
        """Take out queued items that match (an entry cancelled before it was ever sent)."""
        removed: list[T] = []
        for priority, queue in self._queues.items():
            kept = deque(item for item in queue if not predicate(item))
            removed.extend(item for item in queue if predicate(item))
            self._queues[priority] = kept
        return removed

    def pop_ready(self, now: float) -> list[T]:
        """Every item the limits allow now, highest priority first. Each returned item has
        consumed its token: the caller must send it (or count it as spent)."""
        ready: list[T] = []
        for priority in sorted(Priority):
            queue = self._queues[priority]
            while queue and self.limiter.try_acquire(now):
                ready.append(queue.popleft())
            if queue:
                break
        return ready

    def new_day(self, used: int = 0) -> None:
        """See ``RateLimiter.new_day``."""
        self.limiter.new_day(used)

    def next_ready_in(self, now: float) -> float | None:
        """Seconds until ``pop_ready`` would release something: None when nothing is queued,
        ``inf`` when the day cap is spent."""
        if not len(self):
            return None
        return self.limiter.wait_time(now)
