"""Fault injection: crash or hang a named actor on purpose, so supervision is proven on the real
daemon (tests, drills, benchmarks) instead of assumed. Off unless ``[faults] enabled = true``.

A rule names an actor (exactly, or with an ``fnmatch`` glob such as ``Strategy:*``) and fires on
every ``every_nth`` message that actor receives (counted across restarts, so "every 50th tick"
means just that) or at random with ``probability``, at most ``max_times`` times (0: no limit).
``raise`` throws ``InjectedFault`` inside the handler, exactly as a bug would; ``hang`` blocks the
handler for ``hang_seconds``, as a stuck call would; ``kill`` sends the whole process SIGKILL, as
``kill -9`` or a power cut would (nothing runs after it: no handler, no ``finally``).

A rule with a ``point`` fires not on messages but at a named point *inside* a handler, which the
actor marks with ``Link.faults_at(point)`` (e.g. after an order is journaled and before the
broker is called): how a recovery is proven at each step of the order path, not only at the
instants a message happens to arrive. The mechanism knows no point names; the application
lists them (``config.faults.CRASH_POINTS``).
"""

from __future__ import annotations

import fnmatch
import os
import random
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Protocol


class InjectedFault(RuntimeError):
    """The exception a ``raise`` rule throws. Its own type, so logs never mistake it for a bug."""


class FaultRule(Protocol):
    """What the injector reads from a rule (``config``'s ``[[faults.rules]]`` tables)."""

    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def every_nth(self) -> int | None: ...
    @property
    def probability(self) -> float | None: ...
    @property
    def hang_seconds(self) -> float | None: ...
    @property
    def max_times(self) -> int: ...
    @property
    def message(self) -> str | None: ...
    @property
    def point(self) -> str | None: ...


class FaultInjector:
    """Decides, per message, whether a rule fires. Shared by every actor's shell (it is
    infrastructure, not actor state), so its counters sit behind one lock."""

    def __init__(
        self,
        rules: Sequence[FaultRule],
        *,
        seed: int,
        sleep: Callable[[float], None],
        on_inject: Callable[[str, str], None] = lambda actor, action: None,
    ) -> None:
        self._rules = list(rules)
        self._rng = random.Random(seed)
        self._sleep = sleep
        self._on_inject = on_inject
        self._lock = threading.Lock()
        self._seen: dict[tuple[int, str], int] = {}
        self._fired: dict[tuple[int, str], int] = {}

    def applies_to(self, actor: str) -> bool:
        return any(fnmatch.fnmatchcase(actor, rule.actor) for rule in self._rules)

    def check(self, actor: str, message: object) -> None:
        """Called by an actor's shell before its handler: act if a message rule fires."""
        name = type(message).__name__
        self._act(actor, *self._decide(actor, name, None), f"on {name}")

    def at(self, actor: str, point: str) -> None:
        """Called at a named point inside a handler: act if a point rule fires."""
        self._act(actor, *self._decide(actor, None, point), f"at {point}")

    def _act(self, actor: str, action: str | None, seconds: float, where: str) -> None:
        if action is None:
            return
        self._on_inject(actor, action)
        if action == "hang":
            self._sleep(seconds)
        elif action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        else:
            raise InjectedFault(f"injected fault in {actor} {where}")

    def _decide(
        self, actor: str, message_type: str | None, point: str | None
    ) -> tuple[str | None, float]:
        with self._lock:
            for index, rule in enumerate(self._rules):
                if not fnmatch.fnmatchcase(actor, rule.actor) or rule.point != point:
                    continue
                if message_type is not None and rule.message not in (None, message_type):
                    continue
                key = (index, actor)
                seen = self._seen[key] = self._seen.get(key, 0) + 1
                fired = self._fired.get(key, 0)
                if rule.max_times and fired >= rule.max_times:
                    continue
                if rule.every_nth is not None:
                    hit = seen % rule.every_nth == 0
                else:
                    hit = self._rng.random() < (rule.probability or 0.0)
                if hit:
                    self._fired[key] = fired + 1
                    return rule.action, rule.hang_seconds or 0.0
        return None, 0.0
