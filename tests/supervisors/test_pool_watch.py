"""The pool, read from outside without a message: which actors it runs, which actor each worker
is in and for how long (on the tree's clock), and how many messages wait behind it. When every
worker is stuck, an actor waiting for a worker is nobody's turn: the stuck ones are what shows."""

from __future__ import annotations

import pytest

from core.clock import VirtualClock
from supervisors import ChildSpec
from tests.supervisors.probes import Events, Gate, Note, PooledProbe, running_tree
from tests.supervisors.wait import until


@pytest.fixture(autouse=True)
def runtime() -> str:
    """Replaces the conftest's two runtimes: these tests are about the pool alone."""
    return "pooled"


def pooled(name: str, events: Events) -> ChildSpec:
    return ChildSpec(
        name=name,
        factory=lambda link: PooledProbe.start(link, events),
        shutdown_timeout=5.0,
        start_timeout=5.0,
    )


def test_the_pool_tells_which_actor_each_worker_is_in_and_for_how_long():
    events, clock = Events(), VirtualClock()
    children = (pooled("a", events), pooled("b", events), pooled("c", events))
    with running_tree(children, clock=clock) as tree:
        pool = tree.dispatcher
        assert pool.workers == 2
        for name in "abc":
            events.wait_event("start", name, 1)
        assert all(pool.runs(name) for name in "abc") and not pool.runs("root")
        until(lambda: pool.running() == [])  # idle workers run nobody

        a = tree.address("a")
        a.tell(Gate())  # a's handler blocks until the gate opens
        a.tell(Note(text="behind the gate"))
        until(lambda: [turn.actor for turn in pool.running()] == ["a"])
        clock.advance(3.0)
        [turn] = pool.running()
        assert (turn.actor, turn.seconds, turn.mailbox_depth) == ("a", 3.0, 1)

        tree.address("b").tell(Gate())  # now every worker is stuck
        until(lambda: len(pool.running()) == 2)
        tree.address("c").tell(Note(text="waits for a worker"))
        clock.advance(1.0)
        turns = sorted(pool.running(), key=lambda turn: turn.actor)
        assert [(turn.actor, turn.seconds) for turn in turns] == [("a", 4.0), ("b", 1.0)]
        assert {turn.worker for turn in turns} == {0, 1}
        assert not [e for e in events.drain() if e[:2] == ("got", "c")]

        events.gate.set()
        events.wait_event("got", "c", 1, Note(text="waits for a worker"))
        events.wait_event("got", "a", 1, Note(text="behind the gate"))
        until(lambda: pool.running() == [])
