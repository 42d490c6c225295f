"""The one-shot latch that replaces ``threading.Event`` on every actor incarnation: whoever
waits gets through once it is set, however many wait and however the sets race."""

from __future__ import annotations

import threading

from supervisors.latch import Latch


def test_a_wait_times_out_until_set_and_passes_after():
    latch = Latch()
    assert not latch.is_set()
    assert latch.wait(0.01) is False
    assert latch.wait(0) is False
    latch.set()
    assert latch.is_set() and latch.wait(0) is True and latch.wait() is True


def test_every_waiter_gets_through_one_set():
    latch = Latch()
    ready = threading.Barrier(33)
    passed: list[bool] = []

    def waiter() -> None:
        ready.wait(5)
        passed.append(latch.wait(10))

    threads = [threading.Thread(target=waiter) for _ in range(32)]
    for thread in threads:
        thread.start()
    ready.wait(5)
    latch.set()
    for thread in threads:
        thread.join(10)
    assert passed == [True] * 32


def test_racing_sets_and_waits_leave_it_open():
    for _ in range(200):
        latch = Latch()
        start = threading.Barrier(4)

        def setter(latch: Latch = latch, start: threading.Barrier = start) -> None:
            start.wait(5)
            latch.set()

        def waiter(latch: Latch = latch, start: threading.Barrier = start) -> None:
            start.wait(5)
            latch.wait(5)

        threads = [threading.Thread(target=f) for f in (setter, setter, waiter, waiter)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert latch.is_set() and latch.wait(0) is True
