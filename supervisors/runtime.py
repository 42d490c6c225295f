"""The actor runtime, owned: a mailbox, a loop over it, a ref to send through, a stop.

shikra began on pykka's ``ThreadingActor`` and grew two needs pykka has no public way to meet:
actors without a thread of their own (``pool``) and a shell that takes a dead instance's queued
messages back out of its mailbox (``actor``). Both had to reach into pykka's privates (its loop's
steps, its envelope type, its inbox hook), which no pykka release promises to keep: the exact pin
was all that held them. The loop itself is small, so it lives here, behind the surface shikra
used of pykka's: ``Actor.start(...) -> ActorRef``; ``ref.tell``, ``ref.ask``, ``ref.stop``;
``ref.actor_inbox`` and ``ref.actor_stopped``; the hooks ``on_start``, ``on_receive``,
``on_stop``. Of pykka only public names remain: ``ThreadingFuture`` (what an ask waits on),
``Timeout`` and ``ActorDeadError``.

The contract, which both runtimes (``ThreadingActor`` below, ``PooledActor`` in ``pool``) keep:

* ``on_start`` runs first, in the actor's context; then messages, one at a time, in the order
  they were put in the mailbox.
* ``stop()`` queues a stop request behind everything sent before it. At the request the actor
  stops: ``actor_stopped`` is set, then ``on_stop`` runs; whatever is still queued is not
  handled, and an ask among it is answered with ``ActorDeadError``.
* An exception escaping ``on_receive`` while answering an ask goes back to the asker and the
  actor carries on; from a tell, or from ``on_start``, it is logged and stops this actor (pykka
  stopped every actor in the process on a ``BaseException``: here nothing reaches past one).
  The supervision shell (``supervisors.actor``) catches everything itself, so in the tree these
  are last resorts.

Every attribute the runtime keeps on an actor besides that surface starts with ``_runtime_``, so
that an actor's own helpers (``TickFeed._deliver``, say) can never shadow a step of the loop.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from typing import Any, Generic, Protocol, Self, TypeVar

from pykka import ActorDeadError, ThreadingFuture

from supervisors.latch import Latch

_log = logging.getLogger(__name__)

A = TypeVar("A", bound="Actor")


class StopRequest:
    """The message ``stop`` queues (one shared instance, ``STOP``): not a ``Message``, so the
    shell's drain knows it for the runtime's own and puts it back."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "STOP"


STOP = StopRequest()


class Envelope:
    """A message in a mailbox, with the future to answer if it was asked."""

    __slots__ = ("message", "reply_to")

    def __init__(self, message: Any, reply_to: ThreadingFuture[Any] | None = None) -> None:
        self.message = message
        self.reply_to = reply_to


class Mailbox(Protocol):
    """What a ref, the directory and the shell need of a mailbox (``queue.SimpleQueue`` has
    it all; so does ``pool.PooledInbox``)."""

    def put(self, item: Envelope, /) -> None: ...
    def get_nowait(self) -> Envelope: ...
    def qsize(self) -> int: ...
    def empty(self) -> bool: ...


class ActorRef(Generic[A]):
    """Where to send to one actor instance, for as long as it lives."""

    __slots__ = ("actor_class", "actor_inbox", "actor_name", "actor_stopped")

    def __init__(self, actor: A) -> None:
        self.actor_class: type[A] = type(actor)
        self.actor_name = actor.name
        self.actor_inbox = actor.actor_inbox
        self.actor_stopped = actor.actor_stopped

    def is_alive(self) -> bool:
        return not self.actor_stopped.is_set()

    def tell(self, message: Any) -> None:
        """Queue ``message``. Raises ``ActorDeadError`` if the actor has stopped."""
        if self.actor_stopped.is_set():
            raise ActorDeadError(f"{self} is stopped")
        self.actor_inbox.put(Envelope(message))

    def ask(self, message: Any, *, block: bool = True, timeout: float | None = None) -> Any:
        """Queue ``message`` and wait for ``on_receive``'s answer (``pykka.Timeout`` after
        ``timeout``); with ``block=False``, return the future instead."""
        future: ThreadingFuture[Any] = ThreadingFuture()
        if self.actor_stopped.is_set():
            future.set_exception((ActorDeadError, ActorDeadError(f"{self} is stopped"), None))
        else:
            self.actor_inbox.put(Envelope(message, reply_to=future))
        return future.get(timeout=timeout) if block else future

    def stop(self, *, block: bool = True, timeout: float | None = None) -> Any:
        """Ask the actor to stop once it has handled what was sent before. Blocking: True once
        it has stopped, False if it already had. Not blocking: the future of the request."""
        future = self.ask(STOP, block=False)
        if not block:
            return future
        try:
            future.get(timeout=timeout)
        except ActorDeadError:
            return False
        return True

    def __repr__(self) -> str:
        return f"<ActorRef {self.actor_class.__name__} {self.actor_name!r}>"


_serial = itertools.count(1)


class Actor:
    """An actor, whichever runtime carries it. A subclass picks the mailbox and how the loop
    is run (``_runtime_inbox``, ``_runtime_launch``); the steps of the loop are here."""

    name: str
    actor_inbox: Mailbox

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        self.name = f"{type(self).__name__}-{next(_serial)}"
        self.actor_stopped = Latch()
        self._runtime_halted = False  # actor_stopped as a plain attribute: read per message
        self.actor_inbox = self._runtime_inbox()
        self._runtime_ref: ActorRef[Self] | None = None

    @classmethod
    def start(cls, *args: Any, **kwargs: Any) -> ActorRef[Self]:
        """Make the actor (``cls(*args, **kwargs)``) and start its loop."""
        actor = cls(*args, **kwargs)
        ref = actor.actor_ref
        actor._runtime_launch()
        return ref

    @property
    def actor_ref(self) -> ActorRef[Self]:
        # Made on first use, so that it carries the name a subclass's __init__ gave the actor.
        if self._runtime_ref is None:
            self._runtime_ref = ActorRef(self)
        return self._runtime_ref

    def stop(self) -> None:
        """Stop once what was sent before is handled (``ActorRef.stop`` without waiting)."""
        self.actor_inbox.put(Envelope(STOP))

    def on_start(self) -> None:
        """Runs before the first message, in the actor's context."""

    def on_receive(self, message: Any) -> Any:
        """Handle one message; the return value answers an ask."""
        _log.warning("%s: unexpected message %r", self, message)

    def on_stop(self) -> None:
        """Runs when the actor stops, after ``actor_stopped`` is set."""

    def __str__(self) -> str:
        return f"{type(self).__name__} ({self.name})"

    # -- for runtimes ------------------------------------------------------------------------

    def _runtime_inbox(self) -> Mailbox:
        raise NotImplementedError

    def _runtime_launch(self) -> None:
        raise NotImplementedError

    def _runtime_begin(self) -> None:
        try:
            self.on_start()
        except BaseException:
            _log.exception("%s failed to start; stopping", self)
            self._runtime_halt()

    def _runtime_deliver(self, envelope: Envelope) -> None:
        message, reply_to = envelope.message, envelope.reply_to
        if message is STOP:
            self._runtime_halt()
            if reply_to is not None:
                reply_to.set(None)
            return
        try:
            answer = self.on_receive(message)
        except BaseException:
            if reply_to is not None:
                reply_to.set_exception()
                return
            _log.exception("%s failed on %s; stopping", self, type(message).__name__)
            self._runtime_halt()
            return
        if reply_to is not None:
            reply_to.set(answer)

    def _runtime_halt(self) -> None:
        if self._runtime_halted:
            return
        self._runtime_halted = True
        self.actor_stopped.set()
        try:
            self.on_stop()
        except BaseException:
            _log.exception("%s failed while stopping", self)

    def _runtime_leftovers(self) -> None:
        """After the stop: every ask still queued learns the actor is gone."""
        while True:
            try:
                envelope = self.actor_inbox.get_nowait()
            except queue.Empty:
                return
            reply_to = envelope.reply_to
            if reply_to is None:
                continue
            if envelope.message is STOP:
                reply_to.set(None)  # asked to stop, and stopped
            else:
                dead = ActorDeadError(f"{self} stopped before handling the message")
                reply_to.set_exception((ActorDeadError, dead, None))


class ThreadingActor(Actor):
    """An actor with a thread of its own, blocked on its mailbox while it has nothing to do."""

    def _runtime_inbox(self) -> Mailbox:
        # ``SimpleQueue`` is a ``Queue`` without the Python-level condition variables: a put and
        # a get are C calls, which halves the cost of a tell when the sender and the actor
        # contend (measured).
        return queue.SimpleQueue()

    def _runtime_launch(self) -> None:
        # Not a daemon thread: the process waits for its actors to finish stopping.
        threading.Thread(target=self._runtime_loop, name=self.name).start()

    def _runtime_loop(self) -> None:
        self._runtime_begin()
        get = self.actor_inbox.get  # type: ignore[attr-defined]
        while not self._runtime_halted:
            self._runtime_deliver(get())
        self._runtime_leftovers()
