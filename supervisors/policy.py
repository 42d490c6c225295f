"""Supervision policy, pure: which children a failure restarts, when to give up, how long to wait.

Mechanism (starting and stopping actor threads) lives in ``supervisor.py``; these are the
decisions, kept free of threads and clocks so each is tested directly (Erlang/OTP keeps the same
split: the ``supervisor`` behaviour is mechanism, the child specs and flags are policy).
"""

from __future__ import annotations

import enum
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass


class Strategy(enum.Enum):
    """Which siblings share a child's fate.

    ``ONE_FOR_ONE``: only the failed child (independent siblings).
    ``REST_FOR_ONE``: the failed child and every child started after it (later children depend
    on earlier ones, as a strategy depends on the router it sends orders to).
    ``ONE_FOR_ALL``: every child (they only make sense together).
    """

    ONE_FOR_ONE = "one_for_one"
    REST_FOR_ONE = "rest_for_one"
    ONE_FOR_ALL = "one_for_all"


class Restart(enum.Enum):
    """Whether a child comes back. ``PERMANENT``: always. ``TRANSIENT``: only after a crash, not
    after it finished by itself. ``TEMPORARY``: never."""

    PERMANENT = "permanent"
    TRANSIENT = "transient"
    TEMPORARY = "temporary"

    def restarts_after(self, *, crashed: bool) -> bool:
        if self is Restart.PERMANENT:
            return True
        if self is Restart.TRANSIENT:
            return crashed
        return False


def children_to_restart(strategy: Strategy, start_order: Sequence[str], failed: str) -> list[str]:
    """The children to stop and start again when ``failed`` fails, in start order."""
    if strategy is Strategy.ONE_FOR_ONE:
        return [failed]
    if strategy is Strategy.REST_FOR_ONE:
        return list(start_order[start_order.index(failed) :])
    return list(start_order)


class RestartIntensity:
    """Erlang's restart intensity: more than ``max_restarts`` restarts within ``within_seconds``
    means the failure is not transient, restarting is not helping, and the supervisor must give
    up and let its parent decide. Times are monotonic seconds supplied by the caller."""

    def __init__(self, max_restarts: int, within_seconds: float) -> None:
        if max_restarts < 0 or within_seconds <= 0:
            raise ValueError("max_restarts must be >= 0 and within_seconds > 0")
        self.max_restarts = max_restarts
        self.within_seconds = within_seconds
        self._times: deque[float] = deque()

    def record(self, now: float) -> bool:
        """Record a restart at ``now``; return True if the intensity is now exceeded."""
        self._times.append(now)
        self._forget_before(now - self.within_seconds)
        return len(self._times) > self.max_restarts

    def recent(self, now: float) -> int:
        """Restarts within the window ending at ``now``."""
        self._forget_before(now - self.within_seconds)
        return len(self._times)

    def _forget_before(self, horizon: float) -> None:
        while self._times and self._times[0] <= horizon:
            self._times.popleft()


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """Exponential backoff with jitter, capped.

    The n-th consecutive restart waits ``min_seconds * factor**(n-1)``, at most ``max_seconds``,
    then shortened by a random fraction up to ``jitter`` (so many strategies crashing on the
    same bad tick do not all restart in the same instant). Jitter only ever shortens, so the
    cap holds exactly.
    """

    min_seconds: float = 0.05
    max_seconds: float = 5.0
    factor: float = 2.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if not (0 <= self.min_seconds <= self.max_seconds):
            raise ValueError("need 0 <= min_seconds <= max_seconds")
        if self.factor < 1 or not (0 <= self.jitter <= 1):
            raise ValueError("need factor >= 1 and 0 <= jitter <= 1")

    def ceiling(self, attempt: int) -> float:
        """The delay before jitter for the ``attempt``-th consecutive restart (1-based)."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        # Compare exponents instead of computing factor**(attempt-1): that overflows a float
        # after ~1,000 attempts, and a daemon that runs for months may get there.
        delay = self.min_seconds
        for _ in range(attempt - 1):
            delay *= self.factor
            if delay >= self.max_seconds:
                return self.max_seconds
        return min(delay, self.max_seconds)

    def delay(self, attempt: int, rng: random.Random) -> float:
        return self.ceiling(attempt) * (1.0 - self.jitter * rng.random())
