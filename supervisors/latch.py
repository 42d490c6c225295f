"""A one-shot latch: ``threading.Event`` for things set once and never cleared, at a tenth of
the memory.

Every incarnation of every actor carries four of these (bound, started, exited, stopped). A
``threading.Event`` is a ``Condition`` over a lock, with a waiter deque and two dicts: about
760 bytes, so four per Strategy were 3 KB of a 9,000-symbol tree's per-symbol cost. A latch is
one lock held from birth and a flag: ``set`` releases the lock, and a waiter passes by taking
it and giving it straight back, so every waiter gets through once it is set. Nothing here ever
clears an event, which is all an Event's condition variable would be for.

On the thread of a serial dispatcher (``supervisors.serial``) a wait must not block: what it
waits for runs on that same thread. There the dispatcher is the *pump*: a wait runs its turns
until the latch is set, or nothing is left to run.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

_pump: tuple[int, Callable[[Callable[[], bool]], None]] | None = None


def set_pump(pump: Callable[[Callable[[], bool]], None] | None) -> None:
    """Make ``pump(done)`` run instead of blocking when a latch is waited on from this thread
    (None: no pump)."""
    global _pump
    _pump = (threading.get_ident(), pump) if pump is not None else None


class Latch:
    __slots__ = ("_flag", "_lock")

    def __init__(self) -> None:
        self._flag = False
        self._lock = threading.Lock()
        self._lock.acquire()

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        if self._flag:
            return
        self._flag = True
        self._release()

    def wait(self, timeout: float | None = None) -> bool:
        """True once set; False if ``timeout`` seconds pass first (None: wait for ever)."""
        if self._flag:
            return True
        pump = _pump
        if pump is not None and pump[0] == threading.get_ident():
            pump[1](self.is_set)
            return self._flag
        if self._lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            self._release()  # let the next waiter through
            return True
        return self._flag

    def _release(self) -> None:
        # Two threads may release at once (two sets, or a set and a passing waiter): the second
        # finds it unlocked, which is what open means.
        with contextlib.suppress(RuntimeError):
            self._lock.release()
