"""Liveness: Heartbeat's probe and each actor's answer."""

from __future__ import annotations

from typing import ClassVar

from messages.base import Delivery, Message, Nanos


class Ping(Message, frozen=True, kw_only=True):
    """Sent by Heartbeat to an actor's address. ``reply_to`` is an address (a name), never a
    reference, so the answer reaches whichever Heartbeat instance is current.

    Dropped when the target is down: a ping held for a restarting actor would report a round
    trip that never measured the actor being stuck."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    seq: int
    reply_to: str
    sent_ns: Nanos


class Pong(Message, frozen=True, kw_only=True):
    """An actor's answer to a Ping, sent from inside its message loop: proof that the loop turns.
    ``mailbox_depth`` is how many messages were waiting behind the ping."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    seq: int
    actor: str
    sent_ns: Nanos
    mailbox_depth: int = 0


class HealthReport(Message, frozen=True, kw_only=True):
    """Heartbeat's verdict after each round: which actors answered in time, and whether the
    feed is stale. Everything healthy is what lets the systemd watchdog be petted."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    healthy: bool
    unhealthy: tuple[str, ...] = ()
    feed_stale: bool = False
    at_ns: Nanos = 0
