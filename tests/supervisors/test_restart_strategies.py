"""one_for_one, rest_for_one and one_for_all restart exactly the children they should."""

from __future__ import annotations

import pytest

from supervisors import Strategy
from tests.supervisors.probes import Boom, Events, Note, probe, running_tree, sample


def _children(events: Events) -> tuple:
    return tuple(probe(name, events) for name in ("a", "b", "c"))


@pytest.mark.parametrize(
    ("strategy", "restarted", "untouched"),
    [
        (Strategy.ONE_FOR_ONE, ["b"], ["a", "c"]),
        (Strategy.REST_FOR_ONE, ["b", "c"], ["a"]),
        (Strategy.ONE_FOR_ALL, ["a", "b", "c"], []),
    ],
)
def test_strategy_restarts_exactly_its_set(strategy, restarted, untouched):
    events = Events()
    with running_tree(_children(events), strategy=strategy) as tree:
        for name in "abc":
            events.wait_event("start", name, 1)
        tree.address("b").tell(Boom())
        for name in restarted:
            events.wait_event("start", name, 2)
        # The last restarted child has started, so every stop and start of this restart is in.
        seen = events.drain()
        for name in untouched:
            assert ("stop", name, 1) not in seen
            assert tree.directory.incarnation(name) == 1
            assert sample(tree, "shikra_actor_restarts_total", actor=name) == 0
        for name in restarted:
            assert tree.directory.incarnation(name) == 2
            assert sample(tree, "shikra_actor_restarts_total", actor=name) == 1
        # The crashed child exits first, then its siblings in reverse start order; then all
        # of them start again in start order.
        stops = [e[1] for e in seen if e[0] == "stop"]
        starts = [e[1] for e in seen if e[0] == "start" and e[2] == 2]
        assert stops == ["b"] + [n for n in reversed(restarted) if n != "b"]
        assert starts == restarted


def test_stop_order_is_reverse_start_order():
    events = Events()
    with running_tree(_children(events)) as tree:
        for name in "abc":
            events.wait_event("start", name, 1)
    seen = events.drain()
    assert [e[1] for e in seen if e[0] == "start"] == ["a", "b", "c"]
    assert [e[1] for e in seen if e[0] == "stop"] == ["c", "b", "a"]
    assert not tree.directory.is_up("a")


def test_restart_listeners_are_told_of_each_restart_but_not_of_their_own():
    from messages import ChildRestarted

    events = Events()
    children = (probe("a", events), probe("watcher", events))
    with running_tree(children, restart_listeners=("watcher",)) as tree:
        events.wait_event("start", "watcher", 1)
        tree.address("a").tell(Boom())
        told = events.wait_for(lambda e: e[0] == "got" and isinstance(e[3], ChildRestarted))
        assert (told[1], told[3].child, told[3].incarnation, told[3].restarts) == (
            "watcher",
            "a",
            2,
            1,
        )
        tree.address("watcher").tell(Boom())
        events.wait_event("start", "watcher", 2)
        tree.address("a").tell(Note(text="sync"))
        events.wait_event("got", "a", 2, Note(text="sync"))
        restarts = [e for e in events.drain() if e[0] == "got" and isinstance(e[3], ChildRestarted)]
        assert len(restarts) == 1  # the watcher's own restart is not announced to itself
