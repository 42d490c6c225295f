"""The pure policy: restart sets, intensity windows, backoff growth, cap and jitter."""

from __future__ import annotations

import random

import pytest

from core.clock import VirtualClock
from supervisors import Backoff, Restart, RestartIntensity, Strategy, children_to_restart
from tests.supervisors.probes import Boom, Events, probe, running_tree
from tests.supervisors.wait import until


@pytest.mark.parametrize(
    ("strategy", "failed", "expected"),
    [
        (Strategy.ONE_FOR_ONE, "b", ["b"]),
        (Strategy.REST_FOR_ONE, "a", ["a", "b", "c"]),
        (Strategy.REST_FOR_ONE, "b", ["b", "c"]),
        (Strategy.REST_FOR_ONE, "c", ["c"]),
        (Strategy.ONE_FOR_ALL, "c", ["a", "b", "c"]),
    ],
)
def test_children_to_restart(strategy, failed, expected):
    assert children_to_restart(strategy, ["a", "b", "c"], failed) == expected


def test_restart_types_decide_by_exit_kind():
    assert Restart.PERMANENT.restarts_after(crashed=False)
    assert Restart.TRANSIENT.restarts_after(crashed=True)
    assert not Restart.TRANSIENT.restarts_after(crashed=False)
    assert not Restart.TEMPORARY.restarts_after(crashed=True)


def test_intensity_is_more_than_n_within_t():
    intensity = RestartIntensity(max_restarts=3, within_seconds=10.0)
    assert [intensity.record(t) for t in (0.0, 1.0, 2.0)] == [False, False, False]
    assert intensity.record(9.9)  # a fourth within 10 s
    fresh = RestartIntensity(max_restarts=3, within_seconds=10.0)
    assert not any(fresh.record(t) for t in (0.0, 5.0, 10.0, 15.0, 20.0))  # never 4 in 10 s


def test_backoff_grows_exponentially_and_is_capped():
    backoff = Backoff(min_seconds=0.1, max_seconds=2.0, factor=2.0, jitter=0.0)
    ceilings = [backoff.ceiling(n) for n in range(1, 9)]
    assert ceilings == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])
    assert backoff.ceiling(100_000) == 2.0  # no float overflow after a long life


def test_backoff_jitter_only_shortens_within_its_fraction():
    backoff = Backoff(min_seconds=1.0, max_seconds=8.0, jitter=0.25)
    rng = random.Random(1)
    for attempt in range(1, 8):
        delays = [backoff.delay(attempt, rng) for _ in range(200)]
        ceiling = backoff.ceiling(attempt)
        assert all(0.75 * ceiling <= d <= ceiling for d in delays)
        assert len(set(delays)) > 150  # actually random, not a constant


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_seconds": -1.0},
        {"min_seconds": 3.0, "max_seconds": 2.0},
        {"factor": 0.5},
        {"jitter": 1.5},
    ],
)
def test_backoff_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        Backoff(**kwargs)


def test_supervisor_waits_the_growing_capped_backoff_between_restarts():
    """On the real supervisor, with virtual time: restart n happens exactly at its backoff."""
    clock = VirtualClock()
    events = Events()
    backoff = Backoff(min_seconds=1.0, max_seconds=4.0, factor=2.0, jitter=0.0)
    with running_tree((probe("s", events),), clock=clock, backoff=backoff) as tree:
        for incarnation, expected_delay in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0)):
            events.wait_event("start", "s", incarnation)
            tree.address("s").tell(Boom())
            until(lambda: clock.pending() == 1)
            clock.advance(expected_delay - 0.001)
            assert tree.directory.incarnation("s") == incarnation  # not a moment early
            clock.advance(0.001)
            events.wait_event("start", "s", incarnation + 1)
