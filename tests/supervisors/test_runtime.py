"""The owned actor runtime keeps its contract under both runtimes (the conftest runs each test
with a thread per actor and with the pool): start-up first, messages in order, asks answered,
a stop behind what was sent before it, asks after it told the actor is dead, and a failure that
stops only its own actor. And nothing in supervisors/ reaches into pykka's private modules."""

from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Any

import pykka
import pytest

from supervisors import Dispatcher
from supervisors.pool import PooledActor
from supervisors.runtime import ActorRef, ThreadingActor

SUPERVISORS = Path(__file__).resolve().parents[2] / "supervisors"


class Recorder:
    """Records its start, every message and its stop; answers an ask with what it has seen;
    raises on "boom"; blocks on "wait" until ``release`` is set."""

    def __init__(self, seen: list[Any], release: threading.Event | None = None) -> None:
        super().__init__()
        self.seen = seen
        self.release = release or threading.Event()
        self.stopped = threading.Event()

    def on_start(self) -> None:
        self.seen.append("start")

    def on_receive(self, message: Any) -> Any:
        if message == "boom":
            raise ValueError("boom")
        if message == "wait":
            assert self.release.wait(5.0)
        self.seen.append(message)
        return list(self.seen)

    def on_stop(self) -> None:
        self.seen.append("stop")
        self.stopped.set()


class ThreadedRecorder(Recorder, ThreadingActor):
    pass


class PooledRecorder(Recorder, PooledActor):
    pass


@pytest.fixture
def start(runtime: str):
    """Starts recorders of the runtime under test; stops them and the pool afterwards."""
    dispatcher = Dispatcher(workers=2, name="test-pool")

    class OnThePool(PooledRecorder):
        pass

    OnThePool.dispatcher = dispatcher
    refs: list[ActorRef[Any]] = []

    def start(seen: list[Any], release: threading.Event | None = None) -> ActorRef[Any]:
        if runtime == "thread":
            ref = ThreadedRecorder.start(seen, release)
        else:
            ref = OnThePool.start(seen, release)
        refs.append(ref)
        return ref

    yield start
    for ref in refs:
        if ref.is_alive():
            ref.stop(timeout=5.0)
    dispatcher.shutdown()


def test_start_up_comes_first_and_messages_keep_their_order(start):
    seen: list[Any] = []
    ref = start(seen)
    for n in range(200):
        ref.tell(n)
    assert ref.ask("last", timeout=5.0) == ["start", *range(200), "last"]


def test_a_stop_comes_after_what_was_sent_before_it_and_asks_after_it_learn_it(start):
    seen: list[Any] = []
    release = threading.Event()
    ref = start(seen, release)
    ref.tell("wait")  # holds the actor so that everything below queues behind it
    ref.tell("before")
    stopped = ref.stop(block=False)
    late = ref.ask("after", block=False)
    release.set()
    stopped.get(timeout=5.0)
    with pytest.raises(pykka.ActorDeadError):
        late.get(timeout=5.0)
    assert seen == ["start", "wait", "before", "stop"]
    assert not ref.is_alive()
    with pytest.raises(pykka.ActorDeadError):
        ref.tell("too late")
    assert ref.stop(timeout=5.0) is False  # already stopped


def test_an_asked_failure_goes_to_the_asker_and_the_actor_carries_on(start):
    seen: list[Any] = []
    ref = start(seen)
    with pytest.raises(ValueError, match="boom"):
        ref.ask("boom", timeout=5.0)
    assert ref.ask("still here", timeout=5.0) == ["start", "still here"]


def test_a_told_failure_stops_only_its_own_actor(start):
    broken, bystander = [], []
    a, b = start(broken), start(bystander)
    a.tell("boom")
    until_stopped = a.actor_stopped.wait(5.0)
    assert until_stopped and broken == ["start", "stop"]  # its clean-up still ran
    assert b.ask("fine", timeout=5.0) == ["start", "fine"]


def test_an_ask_times_out_with_pykkas_timeout(start):
    release = threading.Event()
    ref = start([], release)
    ref.tell("wait")
    with pytest.raises(pykka.Timeout):
        ref.ask("queued", timeout=0.05)
    release.set()


def test_supervisors_use_only_pykkas_public_names():
    """The point of owning the loop: a pykka upgrade cannot silently break it. Only names pykka
    exports (``pykka.__all__``) may be used, and no ``pykka._private`` module."""
    public = set(pykka.__all__)
    used: list[tuple[str, str]] = []
    for path in sorted(SUPERVISORS.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pykka"):
                assert node.module == "pykka", f"{path.name}: imports {node.module}"
                used += [(path.name, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("pykka."), f"{path.name}: {alias.name}"
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "pykka"
            ):
                used.append((path.name, node.attr))
    assert used, "expected the runtime to use pykka's futures"
    assert [(f, name) for f, name in used if name not in public] == []
