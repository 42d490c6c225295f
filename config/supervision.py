"""``[supervision]``: how the supervision tree restarts actors, with per-actor overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from config.actors import EVERY_STRATEGY, STRATEGY_ACTOR_PREFIX
from config.base import (
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    Section,
    UnitInterval,
    have,
)
from config.validate import Problem

Restart = Literal["permanent", "transient", "temporary"]
"""Whether a child comes back: always, only after a crash, or never."""


class ActorOverride(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Per-actor exceptions to the defaults in ``[supervision]``; an absent field inherits.

    Keys of ``[supervision.overrides]`` are actor names; ``"Strategy"`` applies to every
    strategy actor and ``"Strategy:NSE:INFY"`` to one, on top of ``"Strategy"``.
    """

    restart: Restart | None = None
    backoff_min_seconds: NonNegativeFloat | None = None
    backoff_max_seconds: NonNegativeFloat | None = None
    shutdown_timeout_seconds: PositiveFloat | None = None
    held_messages_max: PositiveInt | None = None


class ChildSupervision(msgspec.Struct, frozen=True, kw_only=True):
    """What applies to one actor once defaults and overrides are merged: what a supervisor
    needs to build its child spec. Computed by ``Config.supervision_for``, never read from a
    file."""

    name: str
    restart: Restart
    backoff_min_seconds: float
    backoff_max_seconds: float
    backoff_jitter: float
    shutdown_timeout_seconds: float
    held_messages_max: int
    """How many held messages (orders, fills, control) may wait while the actor is down."""


class SupervisionConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """OTP-style supervision (DESIGN rule 4).

    ``strategy`` decides which siblings restart with a failed child; more than
    ``max_restarts`` restarts within ``within_seconds`` means restarting is not helping and the
    supervisor escalates (at the root: orderly shutdown, non-zero exit, systemd restarts us).
    Restarts wait an exponential backoff from ``backoff_min_seconds`` to
    ``backoff_max_seconds``, shortened by up to ``backoff_jitter`` (a fraction) so actors that
    crashed together do not restart in lock-step. ``shutdown_timeout_seconds`` bounds how long
    a stopping actor may take.
    """

    strategy: Literal["one_for_one", "rest_for_one", "one_for_all"] = "one_for_one"
    max_restarts: PositiveInt = 5
    within_seconds: PositiveFloat = 60.0
    backoff_min_seconds: NonNegativeFloat = 0.05
    backoff_max_seconds: NonNegativeFloat = 5.0
    backoff_jitter: UnitInterval = 0.2
    shutdown_timeout_seconds: PositiveFloat = 5.0
    held_messages_max: PositiveInt = 10_000
    overrides: dict[str, ActorOverride] = {}

    def effective(self, name: str) -> ChildSupervision:
        """The settings for actor ``name``: defaults, then ``"Strategy"`` (for strategy actors),
        then the actor's own override. Does not check that the name exists."""
        merged: dict[str, Any] = {
            "restart": "permanent",
            "backoff_min_seconds": self.backoff_min_seconds,
            "backoff_max_seconds": self.backoff_max_seconds,
            "shutdown_timeout_seconds": self.shutdown_timeout_seconds,
            "held_messages_max": self.held_messages_max,
        }
        for layer in _layers(self.overrides, name):
            for field in merged:
                value = getattr(layer, field)
                if value is not None:
                    merged[field] = value
        return ChildSupervision(name=name, backoff_jitter=self.backoff_jitter, **merged)

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        if not have(values, "backoff_min_seconds", "backoff_max_seconds"):
            return []
        low, high = values["backoff_min_seconds"], values["backoff_max_seconds"]
        if high < low:
            return [("backoff_max_seconds", f"must be >= backoff_min_seconds ({low}), got {high}")]
        problems: list[Problem] = []
        overrides: dict[str, ActorOverride] = values.get("overrides", {})
        for name, override in overrides.items():
            if override.backoff_min_seconds is None and override.backoff_max_seconds is None:
                continue  # nothing of its own to blame
            eff_low, eff_high = low, high
            for layer in _layers(overrides, name):
                eff_low = _first_set(layer.backoff_min_seconds, eff_low)
                eff_high = _first_set(layer.backoff_max_seconds, eff_high)
            if eff_high < eff_low:
                field = "backoff_max_seconds"
                if override.backoff_max_seconds is None:
                    field = "backoff_min_seconds"
                message = f"backoff would go from {eff_low} up to a smaller {eff_high} seconds"
                problems.append((f"overrides.{name}.{field}", message))
        return problems


def _layers(overrides: Mapping[str, ActorOverride], name: str) -> list[ActorOverride]:
    names = [EVERY_STRATEGY, name] if name.startswith(STRATEGY_ACTOR_PREFIX) else [name]
    return [overrides[key] for key in names if key in overrides]


def _first_set(value: float | None, fallback: float) -> float:
    return fallback if value is None else value
