"""What is sent to a name while its actor is down: held and delivered after, or dropped and
counted, per the message's policy; nothing queued behind a crash is lost."""

from __future__ import annotations

from core.clock import VirtualClock
from messages import Tick
from supervisors import Backoff
from tests.supervisors.probes import Boom, Events, Gate, Note, probe, running_tree, sample
from tests.supervisors.wait import until


def _tick(n: int) -> Tick:
    return Tick(symbol="NSE:INFY", ltp=150_000 + n, exchange_ns=n, receive_ns=n)


def test_held_message_arrives_after_restart_and_tick_is_dropped_and_counted():
    events = Events()
    clock = VirtualClock()
    backoff = Backoff(min_seconds=1.0, max_seconds=1.0, jitter=0.0)
    with running_tree((probe("s", events),), clock=clock, backoff=backoff) as tree:
        events.wait_event("start", "s", 1)
        s = tree.address("s")
        s.tell(Boom())
        events.wait_event("stop", "s", 1)
        # The supervisor has scheduled the restart 1 s of virtual time ahead: "s" is down.
        until(lambda: clock.pending() == 1)
        assert not tree.directory.is_up("s")
        s.tell(Note(text="order"))
        s.tell(_tick(1))
        assert tree.directory.held_count("s") == 1
        assert sample(tree, "shikra_messages_dropped_total", actor="s", message="Tick") == 1
        assert sample(tree, "shikra_messages_held_total", actor="s") == 1
        assert ("start", "s", 2) not in events.drain()

        clock.advance(1.0)
        events.wait_event("start", "s", 2)
        got = events.wait_for(lambda e: e[0] == "got")
        assert got == ("got", "s", 2, Note(text="order"))
        # Live traffic after the restart follows the held message, and the tick never came.
        s.tell(Note(text="after"))
        events.wait_event("got", "s", 2, Note(text="after"))
        assert [e for e in events.drain() if e[0] == "got"] == [
            ("got", "s", 2, Note(text="order")),
            ("got", "s", 2, Note(text="after")),
        ]


def test_messages_queued_behind_a_crash_reach_the_next_instance_in_order():
    events = Events()
    with running_tree((probe("s", events),)) as tree:
        events.wait_event("start", "s", 1)
        s = tree.address("s")
        s.tell(Gate())  # holds the actor in its handler while we queue behind the crash
        s.tell(Boom())
        notes = [Note(text=str(i)) for i in range(20)]
        for note in notes:
            s.tell(note)
        s.tell(_tick(1))  # queued too, but market data: dropped, not replayed late
        events.gate.set()
        events.wait_event("start", "s", 2)
        for note in notes:
            events.wait_event("got", "s", 2, note)
        got = [e for e in events.drain() if e[0] == "got"]
        assert got == [("got", "s", 2, note) for note in notes]
        assert sample(tree, "shikra_messages_dropped_total", actor="s", message="Tick") == 1


def test_messages_sent_before_first_start_are_held():
    clock = VirtualClock()
    with running_tree((), clock=clock) as tree:
        early = tree.address("later")
        early.tell(Note(text="early"))
        assert tree.directory.held_count("later") == 1


def test_hold_queue_is_bounded_and_overflow_is_counted():
    events = Events()
    clock = VirtualClock()
    backoff = Backoff(min_seconds=1.0, max_seconds=1.0, jitter=0.0)
    with running_tree((probe("s", events, held_max=3),), clock=clock, backoff=backoff) as tree:
        events.wait_event("start", "s", 1)
        tree.address("s").tell(Boom())
        until(lambda: clock.pending() == 1)
        for i in range(5):
            tree.address("s").tell(Note(text=str(i)))
        assert tree.directory.held_count("s") == 3
        assert sample(tree, "shikra_messages_held_overflow_total", actor="s") == 2
        clock.advance(1.0)
        for i in range(3):
            events.wait_event("got", "s", 2, Note(text=str(i)))
