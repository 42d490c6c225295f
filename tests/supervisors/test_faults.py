"""Fault injection raises or hangs a named actor exactly as configured, and supervision
handles what it does like any real fault."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.clock import VirtualClock
from messages import Tick
from supervisors import FaultInjector, InjectedFault
from tests.supervisors.probes import Events, Note, probe, running_tree, sample


@dataclass(frozen=True)
class Rule:
    actor: str
    action: str = "raise"
    every_nth: int | None = None
    probability: float | None = None
    hang_seconds: float | None = None
    max_times: int = 0
    message: str | None = None
    point: str | None = None


def _outcomes(injector: FaultInjector, actor: str, messages: list) -> list[bool]:
    fired = []
    for message in messages:
        try:
            injector.check(actor, message)
            fired.append(False)
        except InjectedFault:
            fired.append(True)
    return fired


def _tick() -> Tick:
    return Tick(symbol="NSE:INFY", ltp=1, exchange_ns=0, receive_ns=0)


def test_every_nth_fires_on_each_nth_message_of_the_named_actor_only():
    injector = FaultInjector([Rule(actor="Strategy:*", every_nth=3)], seed=0, sleep=lambda s: None)
    assert _outcomes(injector, "Strategy:NSE:INFY", [_tick()] * 9) == [False, False, True] * 3
    assert _outcomes(injector, "RiskGate", [_tick()] * 9) == [False] * 9


def test_max_times_and_message_filter():
    injector = FaultInjector(
        [Rule(actor="OrderRouter", every_nth=2, max_times=1, message="Tick")],
        seed=0,
        sleep=lambda s: None,
    )
    stream = [_tick(), Note(text="x"), _tick(), _tick(), _tick()]
    # Notes are not counted; the second Tick fires; max_times stops the fourth.
    assert _outcomes(injector, "OrderRouter", stream) == [False, False, True, False, False]


def test_probability_is_seeded_and_near_its_rate():
    rule = Rule(actor="a", probability=0.2)
    first = _outcomes(FaultInjector([rule], seed=42, sleep=lambda s: None), "a", [_tick()] * 2000)
    again = _outcomes(FaultInjector([rule], seed=42, sleep=lambda s: None), "a", [_tick()] * 2000)
    assert first == again
    assert 300 < sum(first) < 500


def test_hang_blocks_for_its_seconds_through_the_injected_sleep():
    slept: list[float] = []
    injector = FaultInjector(
        [Rule(actor="a", action="hang", every_nth=1, hang_seconds=2.5, max_times=1)],
        seed=0,
        sleep=slept.append,
    )
    injector.check("a", _tick())
    injector.check("a", _tick())
    assert slept == [2.5]


@pytest.mark.parametrize("nth", [3, 5])
def test_injected_crashes_are_supervised(nth):
    events = Events()
    clock = VirtualClock()
    injected: list[tuple[str, str]] = []
    injector = FaultInjector(
        [Rule(actor="s", every_nth=nth, message="Note")],
        seed=0,
        sleep=clock.sleep,
        on_inject=lambda actor, action: injected.append((actor, action)),
    )
    with running_tree((probe("s", events),), faults=injector) as tree:
        for i in range(nth * 3):
            tree.address("s").tell(Note(text=str(i)))
        events.wait_event("start", "s", 4)
        got = [e[3].text for e in events.drain() if e[0] == "got"]
        # Every nth note was the poison one that crashed its instance; the rest arrived.
        assert got == [str(i) for i in range(nth * 3) if (i + 1) % nth != 0]
        assert injected == [("s", "raise")] * 3
        assert sample(tree, "shikra_actor_restarts_total", actor="s") == 3


def test_the_config_rule_type_drives_the_injector():
    """The injector reads ``[[faults.rules]]`` as the config decodes them."""
    from config.faults import FaultRule

    rule = FaultRule(actor="Strategy:*", action="raise", every_nth=2, max_times=1)
    injector = FaultInjector([rule], seed=0, sleep=lambda s: None)
    assert _outcomes(injector, "Strategy:NSE:TCS", [_tick()] * 6) == [False, True] + [False] * 4
