"""Past its restart intensity a supervisor stops its children in reverse order and escalates;
the root's escalation reaches the tree (and so the process exit code)."""

from __future__ import annotations

from supervisors import ChildSpec, Strategy, SupervisorSpec, supervisor_child
from tests.supervisors.probes import NO_BACKOFF, Boom, Events, probe, running_tree, sample
from tests.supervisors.wait import until


def test_intensity_exceeded_escalates_to_the_tree():
    events = Events()
    children = (probe("a", events), probe("b", events), probe("c", events))
    with running_tree(children, max_restarts=2, within_seconds=60.0) as tree:
        for incarnation in (1, 2, 3):
            events.wait_event("start", "b", incarnation)
            tree.address("b").tell(Boom())
        assert tree.wait_escalated(timeout=5.0)
        assert tree.escalation is not None and tree.escalation.crashed
        assert "more than 2 restarts" in tree.escalation.reason
        assert sample(tree, "shikra_supervisor_escalations_total", supervisor="root") == 1
        seen = events.drain()
        # Third crash: b is already down; the others stop in reverse start order.
        assert [e[1] for e in seen if e[0] == "stop"][-2:] == ["c", "a"]
        assert ("start", "b", 4) not in seen
        assert not any(tree.directory.is_up(n) for n in "abc")


def test_restarts_spread_beyond_the_window_do_not_escalate():
    from core.clock import VirtualClock

    clock = VirtualClock()
    events = Events()
    with running_tree(
        (probe("a", events),), max_restarts=1, within_seconds=10.0, clock=clock
    ) as tree:
        for incarnation in (1, 2, 3, 4):
            events.wait_event("start", "a", incarnation)
            clock.advance(11.0)  # each crash falls in a fresh window
            tree.address("a").tell(Boom())
        events.wait_event("start", "a", 5)
        assert not tree.escalated


def test_nested_supervisor_escalation_restarts_the_subtree_only():
    events = Events()
    inner = SupervisorSpec(
        name="inner",
        children=(probe("x", events), probe("y", events)),
        strategy=Strategy.ONE_FOR_ONE,
        max_restarts=1,
        within_seconds=60.0,
        backoff=NO_BACKOFF,
    )
    children: tuple[ChildSpec, ...] = (probe("before", events), supervisor_child(inner))
    with running_tree(children, strategy=Strategy.ONE_FOR_ONE) as tree:
        events.wait_event("start", "y", 1)
        tree.address("x").tell(Boom())
        events.wait_event("start", "x", 2)
        tree.address("x").tell(Boom())  # second restart in the window: inner gives up
        events.wait_event("start", "x", 3)  # ... and root restarts the whole inner subtree
        events.wait_event("start", "y", 2)
        assert sample(tree, "shikra_supervisor_escalations_total", supervisor="inner") == 1
        assert sample(tree, "shikra_actor_restarts_total", actor="inner") == 1
        assert not tree.escalated
        assert tree.directory.incarnation("before") == 1
        until(lambda: tree.directory.is_up("y"))
