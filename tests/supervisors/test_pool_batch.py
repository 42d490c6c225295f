"""``Dispatcher.batch``: the actors one thread wakes go in the pool's line together, a slice per
worker, every ``throughput`` actors and at the end; each still runs once, in the order woken.
The worker is held by a first actor's turn, so what waits in the line can be read exactly."""

from __future__ import annotations

import threading

import pytest

from supervisors.pool import Dispatcher

TIMEOUT = 5.0


@pytest.fixture(autouse=True)
def runtime() -> str:
    """Replaces the conftest's two runtimes: these tests are about the pool alone."""
    return "pooled"


class Recorder:
    """The part of a pooled actor a worker calls: one turn."""

    def __init__(self, name: str, ran: list[str], hold: threading.Event | None = None) -> None:
        self.name = name
        self.ran = ran
        self.hold = hold
        self.turned = threading.Event()

    def _runtime_turn(self, throughput: int) -> None:
        self.turned.set()
        if self.hold is not None:
            assert self.hold.wait(TIMEOUT)
        self.ran.append(self.name)


def held_pool(workers: int, throughput: int) -> tuple[Dispatcher, threading.Event, list[str]]:
    """A dispatcher whose every worker is inside a turn that waits for the returned event."""
    pool = Dispatcher(workers=workers, throughput=throughput, name="batch-test")
    release, ran = threading.Event(), []
    for n in range(workers):
        blocker = Recorder(f"blocker{n}", ran, hold=release)
        pool.schedule(blocker)  # type: ignore[arg-type]
        assert blocker.turned.wait(TIMEOUT)
    return pool, release, ran


def test_a_batch_puts_its_actors_in_line_every_throughput_actors_and_at_its_end():
    pool, release, ran = held_pool(workers=1, throughput=3)
    actors = [Recorder(f"a{n}", ran) for n in range(7)]
    try:
        with pool.batch():
            for actor in actors[:2]:
                pool.schedule(actor)  # type: ignore[arg-type]
            assert pool.line_length() == 0  # held by the batch, not yet in line
            pool.schedule(actors[2])  # type: ignore[arg-type]
            assert pool.line_length() == 1  # throughput reached: one slice of three
            for actor in actors[3:]:
                pool.schedule(actor)  # type: ignore[arg-type]
            assert pool.line_length() == 2
        assert pool.line_length() == 3  # the last actor, at the end of the batch
    finally:
        release.set()
    assert all(actor.turned.wait(TIMEOUT) for actor in actors)
    pool.shutdown(TIMEOUT)
    assert ran == ["blocker0", *(f"a{n}" for n in range(7))]  # each once, in the order woken


def test_a_batch_is_cut_in_a_slice_per_worker_and_nested_batches_are_one():
    pool, release, ran = held_pool(workers=2, throughput=64)
    actors = [Recorder(f"a{n}", ran) for n in range(5)]
    try:
        with pool.batch():
            with pool.batch():
                for actor in actors:
                    pool.schedule(actor)  # type: ignore[arg-type]
            assert pool.line_length() == 0  # the inner batch leaves it to the outer one
        assert pool.line_length() == 2  # five actors: slices of three and two
    finally:
        release.set()
    assert all(actor.turned.wait(TIMEOUT) for actor in actors)
    pool.shutdown(TIMEOUT)
    assert sorted(ran) == sorted(["blocker0", "blocker1", *(f"a{n}" for n in range(5))])


def test_without_a_batch_every_actor_is_its_own_entry():
    pool, release, ran = held_pool(workers=1, throughput=64)
    actors = [Recorder(f"a{n}", ran) for n in range(3)]
    try:
        for actor in actors:
            pool.schedule(actor)  # type: ignore[arg-type]
        assert pool.line_length() == 3
    finally:
        release.set()
    assert all(actor.turned.wait(TIMEOUT) for actor in actors)
    pool.shutdown(TIMEOUT)
    assert ran == ["blocker0", "a0", "a1", "a2"]
