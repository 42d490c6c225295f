"""The injected clocks: virtual time moves only when told, timers fire in due order; wall
timers fire on their own thread after their delay."""

from __future__ import annotations

import threading
import time

from core.clock import VirtualClock, WallClock


def test_virtual_time_moves_only_when_advanced():
    clock = VirtualClock(start_ns=1_000)
    assert clock.now_ns() == 1_000 and clock.monotonic() == 0.0
    clock.advance(1.5)
    assert clock.now_ns() == 1_000 + 1_500_000_000
    assert clock.monotonic() == 1.5


def test_virtual_timers_fire_in_due_order_each_at_its_own_time():
    clock = VirtualClock()
    fired: list[tuple[str, float]] = []
    clock.call_later(2.0, lambda: fired.append(("b", clock.monotonic())))
    clock.call_later(1.0, lambda: fired.append(("a", clock.monotonic())))
    cancelled = clock.call_later(1.5, lambda: fired.append(("x", clock.monotonic())))
    cancelled.cancel()
    clock.advance(0.999)
    assert fired == []
    assert clock.pending() == 2
    clock.advance(5.0)
    assert fired == [("a", 1.0), ("b", 2.0)]
    assert clock.monotonic() == 5.999


def test_virtual_sleep_advances_time_and_fires_timers():
    clock = VirtualClock()
    fired = []
    clock.call_later(3.0, lambda: fired.append(clock.monotonic()))
    clock.sleep(10.0)
    assert fired == [3.0]
    assert clock.monotonic() == 10.0


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
