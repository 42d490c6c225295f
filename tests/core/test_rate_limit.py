"""Kite's order rate limits: strict windows, exits first, and the day cap."""

from __future__ import annotations

import bisect
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from core.rate_limit import KITE_ORDER_LIMITS, Priority, PriorityRateLimiter, RateLimiter

LIMIT_SETS = st.sampled_from(
    [
        [(10, 1.0)],
        [(10, 1.0), (400, 60.0)],
        [(3, 0.5), (5, 2.0)],
        [(2, 0.1), (7, 1.0), (9, 86_400.0)],
    ]
)
GAPS = st.one_of(st.just(0.0), st.floats(0.0, 0.05), st.floats(0.0, 1.5))


def count_in(times: list[float], start: float, end: float) -> int:
    """How many sorted ``times`` fall in the half-open interval [start, end)."""
    return bisect.bisect_left(times, end) - bisect.bisect_left(times, start)


@settings(max_examples=200, deadline=None)
@given(limits=LIMIT_SETS, gaps=st.lists(GAPS, max_size=700))
def test_no_window_ever_holds_more_than_its_capacity(limits, gaps):
    limiter = RateLimiter(limits)
    now, accepted, refused = 0.0, [], []
    for gap in gaps:
        now += gap
        (accepted if limiter.try_acquire(now) else refused).append(now)
    for capacity, period in limits:
        if period >= 86_400.0:
            assert len(accepted) <= capacity
            continue
        # The busiest half-open window [t, t + period) starts at some accepted request.
        for start in accepted:
            assert count_in(accepted, start, start + period) <= capacity
    # And the limiter is not simply strict: each refusal had some window full at that moment.
    for at in refused:
        assert any(
            sum(1 for t in accepted if t <= at and (period >= 86_400.0 or t + period > at))
            >= capacity
            for capacity, period in limits
        )


def drain(queue: PriorityRateLimiter, start: float = 0.0) -> list[tuple[float, object]]:
    """Release everything, stepping virtual time by ``next_ready_in`` as an actor's timer
    would. Stops when nothing is queued or the wait is infinite."""
    released, now = [], start
    while (wait := queue.next_ready_in(now)) is not None and wait != math.inf:
        now += wait
        released.extend((now, item) for item in queue.pop_ready(now))
    return released


def test_200_orders_at_once_leave_ten_per_second():
    queue: PriorityRateLimiter[int] = PriorityRateLimiter()
    for n in range(200):
        queue.push(n, Priority.ENTRY)
    released = drain(queue)
    assert [item for _, item in released] == list(range(200))
    # Ten at t=0, ten at t=1, ... ten at t=19.
    assert [t for t, _ in released] == [float(n // 10) for n in range(200)]
    times = [t for t, _ in released]
    assert all(count_in(times, t, t + 1.0) <= 10 for t in times)
    assert all(count_in(times, t, t + 60.0) <= 400 for t in times)


def test_1000_orders_at_once_also_respect_400_per_minute():
    queue: PriorityRateLimiter[int] = PriorityRateLimiter()
    for n in range(1000):
        queue.push(n, Priority.ENTRY)
    times = [t for t, _ in drain(queue)]
    # 10/s for 40 s reaches 400; the minute window then holds the rest until t=60, when the
    # ten from t=0 stop counting: seconds 0-39, 60-99, 120-139, ten each.
    seconds = [*range(0, 40), *range(60, 100), *range(120, 140)]
    assert times == [float(s) for s in seconds for _ in range(10)]
    assert all(count_in(times, t, t + 60.0) <= 400 for t in times)


def test_exits_and_cancels_leave_before_entries_queued_earlier():
    queue: PriorityRateLimiter[str] = PriorityRateLimiter([(2, 1.0)])
    for name in ("entry1", "entry2", "entry3"):
        queue.push(name, Priority.ENTRY)
    queue.push("exit1", Priority.EXIT)
    queue.push("cancel1", Priority.EXIT)
    assert queue.pop_ready(0.0) == ["exit1", "cancel1"]
    assert queue.pop_ready(0.5) == []
    assert queue.next_ready_in(0.5) == 0.5
    queue.push("exit2", Priority.EXIT)
    assert queue.pop_ready(1.0) == ["exit2", "entry1"]
    assert queue.pop_ready(2.0) == ["entry2", "entry3"]
    assert queue.next_ready_in(2.0) is None


def test_a_spent_day_cap_means_an_infinite_wait_until_the_next_day():
    queue: PriorityRateLimiter[int] = PriorityRateLimiter(KITE_ORDER_LIMITS)
    for n in range(5001):
        queue.push(n, Priority.EXIT)
    released = drain(queue)
    assert len(released) == 5000
    assert len(queue) == 1
    now = released[-1][0] + 3600.0
    assert queue.next_ready_in(now) == math.inf
    assert queue.limiter.wait_time(now) == math.inf
    assert queue.pop_ready(now) == []
    queue.limiter.new_day()
    assert queue.pop_ready(now) == [5000]


def test_wait_time_is_enough_to_acquire_despite_float_rounding():
    limiter = RateLimiter([(1, 0.1)])
    now = 0.7
    assert limiter.try_acquire(now)
    wait = limiter.wait_time(0.75)
    assert wait > 0
    assert limiter.try_acquire(0.75 + wait)


def test_a_stale_now_cannot_slip_in_under_a_window_that_moved_on():
    limiter = RateLimiter([(1, 1.0)])
    assert limiter.try_acquire(10.0)
    assert not limiter.try_acquire(9.5)
    assert limiter.wait_time(9.5) == 1.0
    assert limiter.try_acquire(11.0)


def test_remove_where_takes_out_only_matching_queued_items():
    limiter = PriorityRateLimiter([(1, 1.0)])
    for name in ("a", "b", "c"):
        limiter.push(name, Priority.ENTRY)
    limiter.push("x", Priority.EXIT)
    assert limiter.remove_where(lambda item: item in ("b", "x")) == ["x", "b"]
    assert len(limiter) == 2
    assert limiter.pop_ready(0.0) == ["a"]
    assert limiter.pop_ready(1.0) == ["c"]


def test_modifications_wait_behind_exits_and_go_ahead_of_entries():
    queue: PriorityRateLimiter[str] = PriorityRateLimiter([(2, 1.0)])
    queue.push("entry", Priority.ENTRY)
    queue.push("trail", Priority.MODIFY)
    queue.push("exit", Priority.EXIT)
    assert queue.pop_ready(0.0) == ["exit", "trail"]
    assert queue.pop_ready(1.0) == ["entry"]
