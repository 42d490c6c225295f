"""One thread for the whole tree: the deterministic runtime a backtest runs the live actors on.

In the daemon every actor with a thread of its own, and the pool's workers, run at once, so the
order in which two actors' messages meet a third depends on the scheduler of the moment: two
replays of the same file can fill differently. ``SerialDispatcher`` runs every actor's turns
on the one thread that calls ``run``, in the order the actors got work: a FIFO line, as the
pool's run queue, but with nobody else taking from it. Given the same messages in, the same
turns happen in the same order, whatever the machine and its load.

What makes the rest of the tree fit on one thread:

* An actor with a thread of its own in the daemon (``SupervisedActor``) becomes a pooled one
  when its link's dispatcher is serial: its mailbox, launch and turns are the pool's.
* A supervisor waits for a child to start, and for one to exit, on a ``Latch``. On the serial
  thread a wait cannot block (the child it waits for would never run): the dispatcher is the
  latch's *pump* there, and a wait runs turns until the latch is set (or nothing is left to
  run). A turn may so run inside another's wait; an actor is still never in two turns at once,
  as one in a turn is not in the line.
* Time is a ``VirtualClock`` that moves only between turns (``Kernel``-style loops call
  ``run`` until idle, then advance to the next timer), so a timer fires at the market time it
  was set for, and every actor sees the same time for the same turn on every run.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from supervisors import latch
from supervisors.liveness import RunningSlice
from supervisors.pool import Dispatcher, PooledActor

_NOTHING_TO_GATHER: AbstractContextManager[None] = nullcontext()


class SerialDispatcher(Dispatcher):
    """A dispatcher with no threads: turns run on the thread that created it, in ``run``."""

    def __init__(
        self, throughput: int = 64, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(workers=1, throughput=throughput, name="serial", monotonic=monotonic)
        self._line: collections.deque[PooledActor] = collections.deque()
        self._thread = threading.get_ident()
        self.turns = 0
        """Turns run so far: what a run's work is counted in."""
        latch.set_pump(self._pump)

    def schedule(self, actor: PooledActor) -> None:
        self._line.append(actor)

    def batch(self) -> AbstractContextManager[None]:  # type: ignore[override]
        return _NOTHING_TO_GATHER  # one line, one thread (and a poll per tick: no generator)

    def running(self) -> list[RunningSlice]:
        """None to report: on the one thread, the turn that asks is the one running."""
        return []

    def line_length(self) -> int:
        return len(self._line)

    @property
    def idle(self) -> bool:
        return not self._line

    def run(self, until: Callable[[], bool] | None = None) -> int:
        """Run turns, first in line first, until none is left (or ``until()`` holds); how
        many ran. Only on the thread that made the dispatcher."""
        if threading.get_ident() != self._thread:
            raise RuntimeError("a serial dispatcher runs on the thread that created it")
        ran = 0
        line = self._line
        while line and not (until is not None and until()):
            self._run_turn(line.popleft())
            ran += 1
        self.turns += ran
        return ran

    def shutdown(self, timeout: float = 10.0) -> None:
        self._line.clear()
        latch.set_pump(None)

    def _pump(self, done: Callable[[], bool]) -> None:
        if threading.get_ident() == self._thread:
            self.run(until=done)
