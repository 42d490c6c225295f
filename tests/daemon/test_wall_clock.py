"""The wall clock: timers fire on its own thread after their delay, in order, and one broken
callback does not stop the others."""

from __future__ import annotations

import threading
import time

from daemon.clock import WallClock


def test_wall_timers_fire_after_their_delay_in_order():
    clock = WallClock()
    fired: list[str] = []
    done = threading.Event()
    start = time.monotonic()
    clock.call_later(0.05, lambda: fired.append("second"))
    clock.call_later(0.0, lambda: fired.append("first"))
    clock.call_later(0.08, done.set)
    assert done.wait(5.0)
    assert fired == ["first", "second"]
    assert time.monotonic() - start >= 0.08


def test_a_failing_wall_timer_does_not_stop_the_others():
    clock = WallClock()
    done = threading.Event()

    def broken() -> None:
        raise RuntimeError("broken callback")

    clock.call_later(0.0, broken)
    clock.call_later(0.01, done.set)
    assert done.wait(5.0)
