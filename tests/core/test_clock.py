"""The virtual clock: time moves only when told, timers fire in due order, each at its own
time (the wall clock's thread is tested in tests/daemon/test_wall_clock.py)."""

from __future__ import annotations

from core.clock import VirtualClock


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
