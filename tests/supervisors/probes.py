"""Small test actors for supervision tests, and a way to wait on what they report."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from core.clock import Clock
from daemon.clock import WallClock
from messages.base import Message
from metrics import Metrics
from supervisors import (
    Backoff,
    ChildSpec,
    PooledSupervisedActor,
    Restart,
    Strategy,
    SupervisedActor,
    SupervisionTree,
    SupervisorSpec,
)
from supervisors.faults import FaultInjector

NO_BACKOFF = Backoff(min_seconds=0.0, max_seconds=0.0, jitter=0.0)


class Note(Message, frozen=True, kw_only=True):
    """A HOLD message: must survive a restart."""

    text: str


class Boom(Message, frozen=True, kw_only=True):
    """Makes a probe raise an ordinary exception."""


class Exit(Message, frozen=True, kw_only=True):
    """Makes a probe raise SystemExit, a BaseException (pykka would stop every actor)."""


class Gate(Message, frozen=True, kw_only=True):
    """Makes a probe block until the test opens ``gate`` (to queue messages behind it)."""


class Finish(Message, frozen=True, kw_only=True):
    """Makes a probe stop by itself, normally."""


class Events:
    """Everything the probes report, in order, with waiting by predicate and deadline."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.seen: list[tuple[Any, ...]] = []
        self.gate = threading.Event()

    def put(self, event: tuple[Any, ...]) -> None:
        self._queue.put(event)

    def wait_for(self, predicate: Callable[[tuple[Any, ...]], bool], timeout: float = 5.0):
        """Return the first event (already seen or arriving) matching ``predicate``."""
        for event in self.seen:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching event within {timeout}s; saw {self.seen}")
            try:
                event = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event

    def wait_event(self, *event: Any, timeout: float = 5.0) -> tuple[Any, ...]:
        return self.wait_for(lambda e: e == event, timeout)

    def drain(self) -> list[tuple[Any, ...]]:
        while True:
            try:
                self.seen.append(self._queue.get_nowait())
            except queue.Empty:
                return self.seen


class _ProbeBehaviour:
    """Reports its start, every Note, and its stop; misbehaves on request."""

    link: Any
    name: str

    def __init__(
        self,
        link: Any,
        events: Events,
        fail_start_on: frozenset[int] = frozenset(),
        slow_stop: float = 0.0,
    ) -> None:
        super().__init__(link)  # type: ignore[call-arg]
        self.events = events
        self.fail_start_on = fail_start_on
        self.slow_stop = slow_stop

    def started(self) -> None:
        self.events.put(("start", self.name, self.link.incarnation))
        if self.link.incarnation in self.fail_start_on:
            raise RuntimeError("cannot start")

    def handle(self, message: Any) -> None:
        if isinstance(message, Boom):
            raise RuntimeError("boom")
        if isinstance(message, Exit):
            raise SystemExit(3)
        if isinstance(message, Gate):
            self.events.gate.wait(5.0)
        elif isinstance(message, Finish):
            self.finish("done")
        else:
            self.events.put(("got", self.name, self.link.incarnation, message))

    def stopping(self) -> None:
        if self.slow_stop:
            time.sleep(self.slow_stop)  # simulates slow clean-up work, not synchronisation
        self.events.put(("stop", self.name, self.link.incarnation))


class Probe(_ProbeBehaviour, SupervisedActor):
    """A probe with a thread of its own."""


class PooledProbe(_ProbeBehaviour, PooledSupervisedActor):
    """A probe run by the tree's dispatcher."""


RUNTIMES = {"thread": Probe, "pooled": PooledProbe}
RUNTIME = "thread"
"""Which runtime ``probe`` builds: the conftest runs every supervision test under both."""


def probe(
    name: str,
    events: Events,
    restart: Restart = Restart.PERMANENT,
    held_max: int = 10_000,
    **kw: Any,
) -> ChildSpec:
    return ChildSpec(
        name=name,
        factory=lambda link, cls=RUNTIMES[RUNTIME]: cls.start(link, events, **kw),
        restart=restart,
        held_max=held_max,
        shutdown_timeout=5.0,
        start_timeout=5.0,
    )


@contextmanager
def running_tree(
    children: tuple[ChildSpec, ...],
    *,
    strategy: Strategy = Strategy.ONE_FOR_ONE,
    max_restarts: int = 10,
    within_seconds: float = 60.0,
    backoff: Backoff = NO_BACKOFF,
    clock: Clock | None = None,
    faults: FaultInjector | None = None,
    restart_listeners: tuple[str, ...] = (),
) -> Iterator[SupervisionTree]:
    tree = SupervisionTree(
        SupervisorSpec(
            name="root",
            children=children,
            strategy=strategy,
            max_restarts=max_restarts,
            within_seconds=within_seconds,
            backoff=backoff,
            seed=7,
            restart_listeners=restart_listeners,
        ),
        clock=clock or WallClock(),
        metrics=Metrics(),
        faults=faults,
    )
    tree.start(timeout=10.0)
    try:
        yield tree
    finally:
        assert tree.stop(timeout=20.0), "tree did not stop"


def sample(tree: SupervisionTree, name: str, **labels: str) -> float:
    value = tree.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value
