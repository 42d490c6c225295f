"""The serial runtime: a whole tree — actors that have a thread of their own in the daemon,
pooled ones, and their supervisor — on the one thread that runs it, in a fixed order; time
moves only between turns, to the next timer; a crash restarts its child as in the daemon; and
two runs of the same work are the same run, event for event."""

from __future__ import annotations

import threading
from typing import Any

from core.clock import VirtualClock
from messages.base import Message
from metrics import Metrics
from supervisors import (
    ChildSpec,
    PooledSupervisedActor,
    SupervisedActor,
    SupervisionTree,
    SupervisorSpec,
)
from supervisors.serial import SerialDispatcher
from tests.supervisors.probes import NO_BACKOFF


class Ball(Message, frozen=True, kw_only=True):
    hits: int


class Crash(Message, frozen=True, kw_only=True):
    pass


class _Player:
    """Sends the ball on with one more hit until 6; logs what it saw, when, on which thread;
    its timer ticks three times a second of virtual time."""

    link: Any
    name: str

    def __init__(self, link: Any, log: list[tuple[Any, ...]], other: str) -> None:
        super().__init__(link)  # type: ignore[call-arg]
        self.log, self.other = log, other

    def started(self) -> None:
        self.log.append(("start", self.name, self.link.incarnation, threading.get_ident()))
        self.ticks = 0
        self.wake_in(1.0, "tick")

    def handle(self, message: Any) -> None:
        if isinstance(message, Crash):
            raise RuntimeError("crash on purpose")
        if isinstance(message, Ball):
            self.log.append(("ball", self.name, message.hits, self.link.clock.monotonic()))
            if message.hits < 6:
                self.address(self.other).tell(Ball(hits=message.hits + 1))
        else:
            super().handle(message)  # type: ignore[misc]

    def wakeup(self, purpose: str) -> None:
        self.ticks += 1
        self.log.append(("tick", self.name, self.ticks, self.link.clock.monotonic()))
        if self.ticks < 3:
            self.wake_in(1.0 / 3, "tick")


class Threaded(_Player, SupervisedActor):
    pass


class Pooled(_Player, PooledSupervisedActor):
    pass


def run_once() -> tuple[list[tuple[Any, ...]], int]:
    clock = VirtualClock(start_ns=0)
    log: list[tuple[Any, ...]] = []
    children = (
        ChildSpec(name="A", factory=lambda link: Threaded.start(link, log, "B")),
        ChildSpec(name="B", factory=lambda link: Pooled.start(link, log, "A")),
    )
    dispatcher = SerialDispatcher(monotonic=clock.monotonic)
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=children, backoff=NO_BACKOFF, seed=1),
        clock=clock,
        metrics=Metrics(),
        dispatcher=dispatcher,
    )
    threads_before = threading.active_count()
    tree.start()  # on this thread: the supervisor's waits run the children's start-up turns
    tree.address("A").tell(Ball(hits=1))
    tree.address("B").tell(Crash())
    while True:  # run everything due, then move time to the next timer
        dispatcher.run()
        due = clock.next_due()
        if due is None:
            break
        clock.advance(due - clock.monotonic())
    started_threads = threading.active_count() - threads_before
    assert tree.stop()
    return log, started_threads


def test_the_tree_runs_on_one_thread_in_a_fixed_order_and_time_moves_between_turns():
    log, started_threads = run_once()
    me = threading.get_ident()
    assert started_threads == 0
    assert [e for e in log if e[0] == "start"] == [
        ("start", "A", 1, me), ("start", "B", 1, me),
        ("start", "B", 2, me),  # restarted after its crash, on this thread too
    ]  # fmt: skip
    balls = [(e[1], e[2]) for e in log if e[0] == "ball"]
    assert balls == [("A", 1), ("B", 2), ("A", 3), ("B", 4), ("A", 5), ("B", 6)]
    assert all(e[3] == 0.0 for e in log if e[0] == "ball")  # no timer was due: no time passed
    ticks = [(e[1], e[2], round(e[3], 6)) for e in log if e[0] == "tick"]
    # A's timer from its start; B's from its restart (its first instance's timer died with it).
    assert ticks == [
        ("A", 1, 1.0), ("B", 1, 1.0), ("A", 2, 1.333333), ("B", 2, 1.333333),
        ("A", 3, 1.666667), ("B", 3, 1.666667),
    ]  # fmt: skip


def test_two_runs_of_the_same_work_are_the_same_run():
    first, _ = run_once()
    second, _ = run_once()
    assert [e[:3] for e in first] == [e[:3] for e in second]
    assert [e[3] for e in first if e[0] != "start"] == [e[3] for e in second if e[0] != "start"]
