"""The process's real time: ``WallClock``, with the one scheduler thread behind every timer.

``core.clock`` holds the interface (``Clock``) and the pure ``VirtualClock``; a wall clock's
timers need a thread that waits for them, and threads belong to the process, not to ``core/``.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

from core.clock import Cancellable, Timer

_log = logging.getLogger(__name__)


class WallClock:
    """Real time, with one scheduler thread for every ``call_later`` in the process (a thread
    per timer would mean thousands of threads for thousands of strategies)."""

    def __init__(self) -> None:
        self._timers: list[Timer] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def now_ns(self) -> int:
        return time.time_ns()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Cancellable:
        timer = Timer(time.monotonic() + max(0.0, delay), next(self._seq), callback)
        with self._wake:
            heapq.heappush(self._timers, timer)
            if self._thread is None:
                # A daemon thread: timers only ever send messages, and a pending timer must
                # not keep a process alive that has otherwise shut down.
                self._thread = threading.Thread(target=self._run, name="clock", daemon=True)
                self._thread.start()
            self._wake.notify()
        return timer

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._timers or self._timers[0].due > time.monotonic():
                    timeout = self._timers[0].due - time.monotonic() if self._timers else None
                    self._wake.wait(timeout)
                timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                try:
                    timer.callback()
                except Exception:  # a broken callback must not stop every other timer
                    _log.exception("timer callback failed")
