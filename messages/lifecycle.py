"""Supervision events: what supervisors tell each other (and the operator) about children."""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec

from messages.base import Delivery, Message, Nanos


class ChildDown(Message, frozen=True, kw_only=True):
    """A child stopped. ``crashed`` is true when an exception escaped it (in start-up or a
    handler), false for an orderly stop. ``incarnation`` says which instance: a report about an
    instance already replaced is ignored."""

    supervisor: str
    child: str
    incarnation: int
    crashed: bool
    reason: str = ""
    at_ns: Nanos = 0


class ChildRestarted(Message, frozen=True, kw_only=True):
    """A child is serving again under its name, as instance ``incarnation``."""

    supervisor: str
    child: str
    incarnation: int
    restarts: int
    at_ns: Nanos = 0


class Escalated(Message, frozen=True, kw_only=True):
    """A supervisor exceeded its restart intensity, stopped its children and gave up. Its parent
    treats it as a crashed child; the root exits the process non-zero for systemd."""

    supervisor: str
    restarts: int
    within_seconds: Annotated[float, msgspec.Meta(ge=0.0, le=1e9)]
    reason: str = ""
    at_ns: Nanos = 0


class Wakeup(Message, frozen=True, kw_only=True):
    """An actor's timer firing: sent by the clock to the actor's own address. ``incarnation``
    ties it to the instance that set it, so a timer set by an instance that has since crashed
    never fires into its successor (which sets its own)."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    incarnation: int
    purpose: str
