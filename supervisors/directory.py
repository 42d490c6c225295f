"""Addresses that outlive actors.

An ``ActorRef`` points at one instance forever; after a restart it points at a corpse. So no
actor ever holds another's ref: it holds an ``Address`` (a name) and the ``Directory``, owned by
the supervision tree, maps each name to whichever instance currently serves it.

While a name has no serving instance (not yet started, crashed, waiting out a backoff), what is
sent to it follows the message's ``Delivery`` policy: ``DROP`` messages (market data, probes) are
dropped and counted; ``HOLD`` messages (orders, fills, control) are queued, bounded and counted,
and delivered in order to the next instance before anything sent after it came up.

One lock per name makes "is it up?" and "put it in the inbox" a single step, so no message can
slip into the inbox of an instance that has just died (it would never handle it).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from pykka import ActorDeadError

from messages.base import Delivery, Message
from metrics import Metrics
from supervisors.latch import Latch
from supervisors.runtime import ActorRef, Envelope

_log = logging.getLogger(__name__)


class ActorUnavailable(Exception):
    """An ``ask`` reached a name with no serving instance."""


class _Entry:
    """One name's state: the serving ref (or None) and the messages held for the next one."""

    __slots__ = (
        "held",
        "held_max",
        "incarnation",
        "issued",
        "lock",
        "name",
        "poison",
        "put",
        "ref",
        "retired",
        "stopped",
    )

    def __init__(self, name: str, held_max: int) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.ref: ActorRef[Any] | None = None
        # The serving instance's inbox ``put`` and "stopped" flag, kept apart from the ref so
        # that a tell is one lock, one flag test and one put (the tick path's cost).
        self.put: Callable[[Any], None] | None = None
        self.stopped: Latch | None = None
        self.incarnation = 0
        self.issued = 0
        self.held: deque[Any] = deque()
        self.held_max = held_max
        self.retired = False
        self.poison: Any = None


class Directory:
    """Name -> current instance, with the delivery policy for names that are down."""

    def __init__(self, metrics: Metrics, held_max: int = 10_000) -> None:
        self._metrics = metrics
        self._held_max = held_max
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    # -- addresses ---------------------------------------------------------------------------

    def address(self, name: str) -> Address:
        """The address of ``name``; valid before the actor first starts and across restarts."""
        return Address(self, self._entry(name))

    def names(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def is_up(self, name: str) -> bool:
        return self._entry(name).ref is not None

    def is_retired(self, name: str) -> bool:
        """True once ``name`` is gone for good. An instance that has stopped is down at once;
        it is retired only when its supervisor has decided not to restart it, a moment later."""
        return self._entry(name).retired

    def incarnation(self, name: str) -> int:
        """The incarnation now bound to ``name`` (0 before the first start)."""
        return self._entry(name).incarnation

    def next_incarnation(self, name: str) -> int:
        """A fresh incarnation number for an instance about to be made. Kept here, not in the
        supervisor, so numbers stay unique when the supervisor itself is restarted."""
        entry = self._entry(name)
        with entry.lock:
            entry.issued = max(entry.issued, entry.incarnation) + 1
            return entry.issued

    def backlog(self, name: str) -> int:
        """Messages waiting for ``name``: in its current instance's mailbox, or held for its
        next one. A replay at full speed paces itself by it (flow control, not state)."""
        entry = self._entry(name)
        ref = entry.ref
        queued = ref.actor_inbox.qsize() if ref is not None else 0
        return queued + len(entry.held)

    def held_count(self, name: str) -> int:
        return len(self._entry(name).held)

    def note_poison(self, name: str, message: Any) -> None:
        """Remember the message an instance crashed on. It is not redelivered (it would crash
        the successor too), but the successor may want to answer for it: the router, say,
        rejects an order that crashed it instead of leaving its sender waiting forever."""
        self._entry(name).poison = message

    def take_poison(self, name: str) -> Any:
        """The message the previous instance crashed on (None if none), handed out once."""
        entry = self._entry(name)
        with entry.lock:
            message, entry.poison = entry.poison, None
        return message

    def configure(self, name: str, *, held_max: int) -> None:
        self._entry(name).held_max = held_max

    # -- the supervision side ----------------------------------------------------------------

    def bind(self, name: str, ref: ActorRef[Any], incarnation: int) -> None:
        """Make ``ref`` serve ``name``: first every held message, in order, then live traffic."""
        entry = self._entry(name)
        with entry.lock:
            while entry.held:
                ref.tell(entry.held.popleft())
            entry.ref = ref
            entry.put = ref.actor_inbox.put
            entry.stopped = ref.actor_stopped
            entry.incarnation = incarnation
            entry.retired = False
        self._metrics.actor_up.labels(actor=name).set(1)

    def unbind(
        self,
        name: str,
        incarnation: int,
        drain: Callable[[], Iterable[Any]] | None = None,
    ) -> bool:
        """Mark ``name`` down if ``incarnation`` still serves it; from now on its messages follow
        their delivery policy. ``drain``, called under the lock, returns the messages still
        queued in the dead instance's inbox: held ones go to the front of the queue (they were
        sent first), the rest are dropped and counted. Returns False for a stale incarnation."""
        entry = self._entry(name)
        with entry.lock:
            if entry.incarnation != incarnation:
                return False
            entry.ref = entry.put = entry.stopped = None
            if drain is not None:
                leftovers = [m for m in drain() if self._keeps(entry, m)]
                entry.held.extendleft(reversed(leftovers))
        self._metrics.actor_up.labels(actor=name).set(0)
        return True

    def retire(self, name: str) -> None:
        """``name`` is gone for good (shutdown, or a temporary child): drop its held messages
        and everything sent to it from now on, counted."""
        entry = self._entry(name)
        with entry.lock:
            entry.ref = entry.put = entry.stopped = None
            entry.retired = True
            for message in entry.held:
                self._count_drop(entry, message)
            entry.held.clear()
        self._metrics.actor_up.labels(actor=name).set(0)

    # -- internals ---------------------------------------------------------------------------

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None:
            with self._lock:
                entry = self._entries.setdefault(name, _Entry(name, self._held_max))
        return entry

    def _keeps(self, entry: _Entry, message: Any) -> bool:
        """Apply the delivery policy to a message that cannot be delivered now; True to hold."""
        if entry.retired or getattr(message, "delivery", Delivery.HOLD) is Delivery.DROP:
            self._count_drop(entry, message)
            return False
        if len(entry.held) >= entry.held_max:
            self._metrics.messages_held_overflow.labels(actor=entry.name).inc()
            _log.error(
                "%s is down and its hold queue is full (%d): %s lost",
                entry.name,
                entry.held_max,
                type(message).__name__,
            )
            return False
        self._metrics.messages_held.labels(actor=entry.name).inc()
        return True

    def _count_drop(self, entry: _Entry, message: Any) -> None:
        self._metrics.messages_dropped.labels(
            actor=entry.name, message=type(message).__name__
        ).inc()


class Address:
    """Where to send messages for a name. Cheap to copy, safe to keep forever."""

    __slots__ = ("_directory", "_entry")

    def __init__(self, directory: Directory, entry: _Entry) -> None:
        self._directory = directory
        self._entry = entry

    @property
    def name(self) -> str:
        return self._entry.name

    def tell(self, message: Message) -> None:
        """Deliver now, or hold or drop per the message's policy. Never blocks, never raises."""
        entry = self._entry
        with entry.lock:
            put = entry.put
            if put is not None:
                if not entry.stopped.is_set():  # type: ignore[union-attr]
                    put(Envelope(message))
                    return
                # Only reachable if an instance stopped without being unbound (stopped from
                # outside its supervisor): hold rather than lose.
                entry.ref = entry.put = entry.stopped = None
            if self._directory._keeps(entry, message):
                entry.held.append(message)

    def ask(self, message: Any, timeout: float) -> Any:
        """Request and wait for a reply (operator queries). Raises ``ActorUnavailable`` at once
        if nothing serves the name, ``pykka.Timeout`` if no answer comes in ``timeout``."""
        ref = self._entry.ref
        if ref is None:
            raise ActorUnavailable(f"{self._entry.name} is not running")
        try:
            return ref.ask(message, timeout=timeout)
        except ActorDeadError as exc:
            raise ActorUnavailable(f"{self._entry.name} stopped") from exc

    def __repr__(self) -> str:
        return f"Address({self._entry.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Address) and other._entry is self._entry

    def __hash__(self) -> int:
        return hash(self._entry.name)
