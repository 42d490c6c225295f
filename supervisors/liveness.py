"""How liveness is seen and told: what Heartbeat reads of the pool, and whom it tells.

A hung actor cannot be killed in Python; it can only be noticed, and the process restarted from
above (DESIGN rule 4: systemd is the top of the tree). Noticing differs by runtime. An actor with
a thread of its own is asked (a Ping its loop must answer). A pooled actor runs only while a
worker runs it, so it is *watched* instead: the dispatcher knows, at every instant, which actor
each worker is in and since when. One read per beat covers every pooled actor, at a cost that
grows with the workers, not with the symbols. An idle pooled actor is healthy by definition
(nothing waits on it); one whose messages wait because every worker is stuck shows up as those
workers' stuck actors.

These are interfaces so that Heartbeat depends neither on the pool's internals nor on
``daemon/`` (``daemon.systemd.Notifier`` is the ``ServiceManager`` of production).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RunningSlice:
    """One pool worker's current turn: which actor it is running and for how long."""

    worker: int
    actor: str
    seconds: float
    """Since the turn began, on the dispatcher's clock (the tree's)."""
    mailbox_depth: int
    """Messages waiting in that actor's mailbox at the time of the read."""


class PoolWatch(Protocol):
    """A dispatcher seen from outside: a pure read, no message to anyone."""

    def runs(self, name: str) -> bool:
        """True if the actor called ``name`` has been started on this pool."""
        ...

    def running(self) -> Sequence[RunningSlice]:
        """Every worker that is inside an actor's turn right now (idle workers are absent)."""
        ...


class ServiceManager(Protocol):
    """The supervisor above the process (systemd, through its notify protocol)."""

    def ready(self, status: str = "") -> None:
        """The tree is up and its books agree with the broker's."""
        ...

    def status(self, text: str) -> None:
        """One line of how things are, for ``systemctl status``."""
        ...

    def watchdog(self) -> None:
        """Every actor answers: keep the process (sent only while that is true)."""
        ...
