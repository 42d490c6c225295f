"""``[faults]``: deliberate failures injected into named actors, to prove supervision works.

A rule makes an actor raise (a crash its supervisor must restart), hang (what only Heartbeat
and the systemd watchdog can catch) or kill the whole process (SIGKILL, as ``kill -9``) on every
n-th message or at random, reproducibly from ``seed`` — or, with ``point``, at a named step of
the order path (``CRASH_POINTS``) instead of on a message. Off by default, and refused in live
mode.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping
from typing import Any, Literal

from config.base import (
    NonEmptyStr,
    NonNegativeInt,
    PositiveFloat,
    PositiveFraction,
    PositiveInt,
    Section,
)
from config.validate import Problem
from messages import ALL_MESSAGE_TYPES

MESSAGE_TYPE_NAMES: frozenset[str] = frozenset(t.__name__ for t in ALL_MESSAGE_TYPES)

CRASH_POINTS: dict[str, str] = {
    "strategy.intent_journaled": "Strategy: the intent is journaled, not yet sent to RiskGate",
    "router.order_journaled": "OrderRouter: the order is journaled NEW, the broker not yet called",
    "router.placed": "OrderRouter: the broker accepted the order, its reply not yet journaled",
    "router.modified": "OrderRouter: the broker took a modification, the journal not yet told",
    "router.fill_received": "OrderRouter: a fill arrived, not yet journaled",
    "router.fill_journaled": "OrderRouter: a fill journaled, its order's new status not yet",
    "sync.adjustment_half_written": "PositionSync: an adjustment's fill written, not its record",
}
"""The named points inside handlers where a rule with ``point`` can fire, and what is true there."""


class FaultRule(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One injected failure.

    ``actor`` is an actor name or an fnmatch glob (``"Strategy:*"``) that must match at least
    one actor. Exactly one of ``every_nth`` (every n-th message) and ``probability`` (per
    message) says when; ``message`` counts only messages of that type (e.g. ``"Tick"``).
    ``hang_seconds`` is how long a hang blocks (only for ``action = "hang"``, and required
    there); ``max_times`` caps how often the rule fires (0 = no cap).
    """

    actor: NonEmptyStr
    action: Literal["raise", "hang", "kill"]
    every_nth: PositiveInt | None = None
    probability: PositiveFraction | None = None
    hang_seconds: PositiveFloat | None = None
    max_times: NonNegativeInt = 0
    message: str | None = None
    point: str | None = None
    """A step of the order path (``CRASH_POINTS``) to fire at instead of on messages."""

    def matches(self, actor_name: str) -> bool:
        return fnmatch.fnmatchcase(actor_name, self.actor)

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if "every_nth" in values and "probability" in values:
            if values["every_nth"] is not None and values["probability"] is not None:
                problems.append(("probability", "give every_nth or probability, not both"))
            elif values["every_nth"] is None and values["probability"] is None:
                problems.append(("every_nth", "give one of every_nth or probability"))
        if "action" in values and "hang_seconds" in values:
            hang, seconds = values["action"] == "hang", values["hang_seconds"]
            if hang and seconds is None:
                problems.append(("hang_seconds", 'required when action = "hang"'))
            elif not hang and seconds is not None:
                problems.append(("hang_seconds", 'only allowed when action = "hang"'))
        point = values.get("point")
        if point is not None and point not in CRASH_POINTS:
            known = ", ".join(sorted(CRASH_POINTS))
            problems.append(("point", f"unknown crash point {point!r} (known: {known})"))
        if point is not None and values.get("message") is not None:
            problems.append(("message", "a rule fires at a point or on a message, not both"))
        message = values.get("message")
        if message is not None and message not in MESSAGE_TYPE_NAMES:
            close = difflib.get_close_matches(message, MESSAGE_TYPE_NAMES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "a class name from messages/"
            problems.append(("message", f"unknown message type {message!r} ({hint})"))
        return problems


class FaultsConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Fault injection for chaos tests and demos; rules are kept but inert while disabled."""

    enabled: bool = False
    seed: int = 0
    rules: tuple[FaultRule, ...] = ()
