"""Heartbeat and pooled actors, in-process on virtual time: a hung pooled actor is found through
its worker at the first beat past the timeout (and the systemd watchdog stops being petted),
and what a beat costs in messages does not grow with the number of pooled actors."""

from __future__ import annotations

import math
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from actors.heartbeat import Heartbeat
from config.actors import HEARTBEAT
from core.clock import VirtualClock
from daemon.systemd import Notifier
from messages.base import Message
from metrics import Metrics
from supervisors import (
    ChildSpec,
    PooledSupervisedActor,
    SupervisedActor,
    SupervisionTree,
    SupervisorSpec,
)
from supervisors.liveness import ServiceManager
from tests.actors.tree_harness import NSE
from tests.supervisors.wait import until

INTERVAL = 0.5
TIMEOUT = 2.0
THREADED = 2
BEATS = 4


class Hang(Message, frozen=True, kw_only=True):
    """Blocks a pooled actor's handler until the test releases it."""


class Pooled(PooledSupervisedActor):
    timing_every = 1  # every message counted: the test counts messages by the histogram

    def __init__(self, link: Any, release: threading.Event) -> None:
        super().__init__(link)
        self.release = release

    def handle(self, message: Any) -> None:
        if isinstance(message, Hang):
            self.release.wait(10.0)


@contextmanager
def heartbeat_tree(
    pooled: int,
    *,
    watch_pool: bool = True,
    notifier: ServiceManager | None = None,
) -> Iterator[tuple[SupervisionTree, VirtualClock, threading.Event]]:
    """``pooled`` pooled actors, ``THREADED`` threaded ones, and a Heartbeat watching them all,
    on a virtual clock that moves only when the test beats."""
    clock, release = VirtualClock(), threading.Event()
    pooled_names = [f"Pooled:{n}" for n in range(pooled)]
    threaded_names = [f"Threaded:{n}" for n in range(THREADED)]
    children = [
        *(
            ChildSpec(name=n, factory=lambda link: Pooled.start(link, release))
            for n in pooled_names
        ),
        *(
            ChildSpec(name=n, factory=lambda link: SupervisedActor.start(link))
            for n in threaded_names
        ),
        ChildSpec(
            name=HEARTBEAT,
            factory=lambda link: Heartbeat.start(
                link,
                actors=(*pooled_names, *threaded_names, HEARTBEAT),
                interval=INTERVAL,
                timeout=TIMEOUT,
                stale_after=60.0,
                hours=NSE,
                notifier=notifier,
                pool=link.dispatcher if watch_pool else None,
            ),
        ),
    ]
    spec = SupervisorSpec(name="root", children=tuple(children))
    tree = SupervisionTree(spec, clock=clock, metrics=Metrics())
    tree.start(timeout=60.0)
    try:
        wait_for_beat(tree, clock)  # the first beat comes at start
        yield tree, clock, release
    finally:
        release.set()
        assert tree.stop(timeout=60.0)


def sample(tree: SupervisionTree, name: str, **labels: str) -> float:
    value = series(tree, name, **labels)
    return 0.0 if value is None else value


def series(tree: SupervisionTree, name: str, **labels: str) -> float | None:
    """The sample's value, None when the series does not exist."""
    return tree.metrics.registry.get_sample_value(name, labels)


def wait_for_beat(tree: SupervisionTree, clock: VirtualClock) -> None:
    """Until Heartbeat has judged a round at the clock's present time and set its next beat."""
    round_at = clock.now_ns() / 1e9
    until(
        lambda: (
            sample(tree, "shikra_heartbeat_last_round_timestamp_seconds") == round_at
            and clock.pending() == 1
        )
    )


def beat(tree: SupervisionTree, clock: VirtualClock) -> None:
    clock.advance(INTERVAL)
    wait_for_beat(tree, clock)


def handled(tree: SupervisionTree, role: str) -> float:
    return sample(tree, "shikra_actor_handler_seconds_count", role=role)


def messages_per_beat(pooled: int, *, watch_pool: bool = True) -> tuple[float, float]:
    """(Pings, Pongs) per beat, counted where they arrived once the tree has stopped: the actors
    here get nothing but Pings, and each stop request queues behind what was sent before it,
    so every Ping is handled; a Pong that reaches Heartbeat after it stopped is dropped,
    counted."""
    with heartbeat_tree(pooled, watch_pool=watch_pool) as (tree, clock, _):
        for _ in range(BEATS - 1):
            beat(tree, clock)
    pings = handled(tree, "Pooled") + handled(tree, "Threaded")
    late = sample(tree, "shikra_messages_dropped_total", actor=HEARTBEAT, message="Pong")
    pongs = handled(tree, "Heartbeat") - BEATS + late  # Heartbeat also handled its BEATS wakeups
    return pings / BEATS, pongs / BEATS


def test_a_beat_costs_as_many_messages_with_1000_pooled_actors_as_with_10():
    # Only the threaded actors are pinged; the pool is read, not messaged.
    assert messages_per_beat(10) == messages_per_beat(1_000) == (THREADED, THREADED)


def test_without_a_pool_to_watch_every_actor_is_pinged_as_before():
    # The cost the pool watch removes: a Ping and a Pong per actor per beat.
    assert messages_per_beat(1_000, watch_pool=False) == (1_000 + THREADED, 1_000 + THREADED)


def beat_datagrams(sock: socket.socket) -> list[str]:
    """What one beat told systemd: a WATCHDOG=1 if all was well, then always a STATUS=."""
    got = []
    while not got or not got[-1].startswith("STATUS="):
        got.append(sock.recv(4096).decode())
    return got


def test_a_hung_pooled_actor_is_found_at_the_first_beat_past_the_timeout(tmp_path: Path):
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5.0)
        notifier = Notifier({"NOTIFY_SOCKET": str(path)})
        with heartbeat_tree(3, notifier=notifier) as (tree, clock, release):
            assert beat_datagrams(sock)[0] == "WATCHDOG=1"
            hung = "Pooled:0"
            tree.address(hung).tell(Hang())
            until(lambda: [turn.actor for turn in tree.dispatcher.running()] == [hung])
            began = clock.monotonic()
            # The first beat whose turn age is past the timeout (strictly: age > timeout).
            due = (math.floor(TIMEOUT / INTERVAL) + 1) * INTERVAL
            while clock.monotonic() - began < due:
                beat(tree, clock)
                told = beat_datagrams(sock)
                if clock.monotonic() - began < due:  # not yet: not unhealthy, still petted
                    assert series(tree, "shikra_actor_healthy", actor=hung) is None
                    assert "WATCHDOG=1" in told
            assert series(tree, "shikra_actor_healthy", actor=hung) == 0
            assert "WATCHDOG=1" not in told
            assert sample(tree, "shikra_heartbeat_last_pong_age_seconds", actor=hung) == due
            for other in ("Threaded:0", "Threaded:1"):
                assert sample(tree, "shikra_actor_healthy", actor=other) == 1, other
            for other in ("Pooled:1", "Pooled:2"):  # never stuck: no series (one per symbol)
                assert series(tree, "shikra_actor_healthy", actor=other) is None, other
            beat(tree, clock)  # still hung: still not petted
            assert "WATCHDOG=1" not in beat_datagrams(sock)

            release.set()
            until(lambda: tree.dispatcher.running() == [])
            beat(tree, clock)
            assert beat_datagrams(sock)[0] == "WATCHDOG=1"
            assert sample(tree, "shikra_actor_healthy", actor=hung) == 1
            assert sample(tree, "shikra_heartbeat_last_pong_age_seconds", actor=hung) == 0
