"""Start-up crashes, BaseExceptions, restart types, and no overlap between instances."""

from __future__ import annotations

import threading

from messages import Ping, Pong
from supervisors import ChildSpec, Restart, SupervisedActor
from tests.supervisors.probes import (
    Boom,
    Events,
    Exit,
    Finish,
    Note,
    probe,
    running_tree,
    sample,
)
from tests.supervisors.wait import until


def test_crash_in_start_up_is_restarted_like_any_other_and_loses_nothing():
    events = Events()
    with running_tree((probe("s", events, fail_start_on=frozenset({1, 2})),)) as tree:
        tree.address("s").tell(Note(text="sent while failing to start"))
        events.wait_event("start", "s", 3)
        events.wait_event("got", "s", 3, Note(text="sent while failing to start"))
        assert sample(tree, "shikra_actor_crashes_total", actor="s") == 2
        assert sample(tree, "shikra_actor_restarts_total", actor="s") == 2
        # Each failed instance still ran its clean-up.
        assert ("stop", "s", 1) in events.drain()
        assert ("stop", "s", 2) in events.seen


def test_constructor_failure_is_a_start_up_crash():
    attempts = []

    def factory(link):
        attempts.append(link.incarnation)
        if len(attempts) == 1:
            raise ValueError("bad settings")
        return SupervisedActor.start(link)

    with running_tree((ChildSpec(name="c", factory=factory),)) as tree:
        until(lambda: tree.directory.is_up("c"))
        assert attempts == [1, 2]
        assert tree.directory.incarnation("c") == 2


def test_base_exception_in_a_handler_crashes_only_that_actor():
    events = Events()
    with running_tree((probe("a", events), probe("b", events))) as tree:
        events.wait_event("start", "b", 1)
        tree.address("a").tell(Exit())
        events.wait_event("start", "a", 2)
        # pykka alone would have stopped every actor; b is still its first instance, serving.
        tree.address("b").tell(Note(text="still here"))
        events.wait_event("got", "b", 1, Note(text="still here"))
        assert ("stop", "b", 1) not in events.drain()


def test_old_instance_never_overlaps_new_one():
    events = Events()
    live: set[int] = set()
    overlaps: list[tuple[int, set[int]]] = []
    lock = threading.Lock()

    class Tracked(SupervisedActor):
        def started(self) -> None:
            with lock:
                if live:
                    overlaps.append((self.link.incarnation, set(live)))
                live.add(self.link.incarnation)
            events.put(("start", self.name, self.link.incarnation))

        def handle(self, message):
            raise RuntimeError("crash")

        def stopping(self) -> None:
            # Slow clean-up: a supervisor that does not wait for exit would start the next
            # instance meanwhile.
            threading.Event().wait(0.05)
            with lock:
                live.discard(self.link.incarnation)

    spec = ChildSpec(name="t", factory=lambda link: Tracked.start(link))
    with running_tree((spec,)) as tree:
        for incarnation in range(1, 6):
            events.wait_event("start", "t", incarnation)
            tree.address("t").tell(Note(text="crash"))
        events.wait_event("start", "t", 6)
    assert overlaps == []


def test_restart_types():
    events = Events()
    children = (
        probe("perm", events, Restart.PERMANENT),
        probe("trans", events, Restart.TRANSIENT),
        probe("temp", events, Restart.TEMPORARY),
        probe("trans_crash", events, Restart.TRANSIENT),
    )
    with running_tree(children) as tree:
        events.wait_event("start", "trans_crash", 1)
        for name in ("perm", "trans", "temp"):
            tree.address(name).tell(Finish())
        tree.address("trans_crash").tell(Boom())
        events.wait_event("start", "perm", 2)  # permanent: back even after a normal exit
        events.wait_event("start", "trans_crash", 2)  # transient: back after a crash
        events.wait_event("stop", "trans", 1)
        events.wait_event("stop", "temp", 1)
        until(lambda: not tree.directory.is_up("trans") and tree.directory.is_retired("temp"))
        # A retired name drops what is sent to it, counted. (Down is not enough: between the
        # instance stopping and its supervisor retiring the name, a HOLD message is held.)
        tree.address("temp").tell(Note(text="x"))
        assert sample(tree, "shikra_messages_dropped_total", actor="temp", message="Note") == 1
        assert ("start", "trans", 2) not in events.drain()
        assert ("start", "temp", 2) not in events.seen


def test_every_actor_answers_ping_through_its_address():
    events = Events()
    pongs: list[Pong] = []

    class Collector(SupervisedActor):
        def handle(self, message):
            pongs.append(message)

    children = (
        probe("a", events),
        ChildSpec(name="hb", factory=lambda link: Collector.start(link)),
    )
    with running_tree(children) as tree:
        events.wait_event("start", "a", 1)
        tree.address("a").tell(Ping(seq=7, reply_to="hb", sent_ns=123))
        until(lambda: len(pongs) == 1)
        assert pongs[0].seq == 7 and pongs[0].actor == "a" and pongs[0].sent_ns == 123


def test_the_successor_learns_the_message_its_predecessor_crashed_on_once():
    events = Events()
    learned: list[object] = []

    class Learner(SupervisedActor):
        def started(self) -> None:
            learned.append((self.link.incarnation, self.poison()))
            events.put(("start", self.name, self.link.incarnation))

        def handle(self, message):
            raise RuntimeError("crash")

    with running_tree((ChildSpec(name="l", factory=lambda link: Learner.start(link)),)) as tree:
        events.wait_event("start", "l", 1)
        tree.address("l").tell(Note(text="poison"))
        events.wait_event("start", "l", 2)
    assert learned == [(1, None), (2, Note(text="poison"))]
    assert tree.directory.take_poison("l") is None  # handed out once
