"""The shell every shikra actor lives in: an actor (``supervisors.runtime``) that reports to its
supervisor.

An actor runtime's own failure handling does not fit supervision (pykka's, which shikra began
on, called ``on_failure`` only after unregistering the actor, skipped it when ``on_start``
raised, silently dropped every tell queued behind the crash, and stopped *every* actor in the
process on a ``BaseException``). So this shell takes it over:

* an exception in start-up or in a handler, ``BaseException`` included, is caught; the name is
  unbound in the same step as the dead instance's inbox is drained (held messages go back to the
  front of the name's queue for the next instance; nothing is lost), the supervisor is told, and
  the instance stops. One bad handler cannot take down the tree.

Subclasses implement ``started`` (rebuild state; may raise), ``handle`` (one message) and
``stopping`` (release resources), and send only through ``address(name).tell(...)``.
"""

from __future__ import annotations

import functools
import logging
import queue
from collections.abc import Iterator
from typing import Any, ClassVar

from messages.base import Message
from messages.health import Ping, Pong
from messages.lifecycle import ChildDown, Wakeup
from metrics.catalogue import role_of
from supervisors.directory import Address
from supervisors.faults import InjectedFault
from supervisors.pool import PooledActor, PooledInbox
from supervisors.runtime import ThreadingActor
from supervisors.serial import SerialDispatcher
from supervisors.spec import Link

_log = logging.getLogger(__name__)


class _Shell:
    """The supervision shell, whichever runtime carries the actor (see the module docstring).
    Mixed into an actor class: ``SupervisedActor`` (own thread) or
    ``PooledSupervisedActor`` (a dispatcher's workers)."""

    actor_inbox: Any
    stop: Any

    fault_injectable: ClassVar[bool] = True
    timing_every: ClassVar[int] = 1
    """Time one message in this many for ``shikra_actor_handler_seconds``. Pooled actors
    (the strategies: every tick) time one in 8 — the histogram is then a sample of the handler
    latency, not a census: two clock reads and an observe per tick were a measurable share of
    the tick path at thousands of symbols."""
    """Supervisors opt out: a drill injects faults into workers, and tests the supervisors."""

    def __init__(self, link: Link) -> None:
        super().__init__()  # type: ignore[call-arg]
        self.link = link
        self.name = link.name
        self._down = False
        self._addresses: dict[str, Address] = {}
        self._wakeups: dict[str, Wakeup] = {}
        self._handler_latency = link.metrics.handler_latency.labels(role=role_of(self.name))
        self._handled = 0
        # On the serial runtime (a backtest) the clock is market time, which stands still
        # through a turn: every handler would time as 0 s, at two clock reads and an observe
        # a message. Nothing is timed there.
        self._time_every = 0 if isinstance(link.dispatcher, SerialDispatcher) else self.timing_every

    # -- for subclasses ----------------------------------------------------------------------

    def started(self) -> None:
        """Build state from durable sources before the first message. May raise: that is a
        crash like any other."""

    def handle(self, message: Any) -> Any:
        """Handle one message. An exception here crashes this instance, not the process."""
        _log.warning("%s: no handler for %s", self.name, type(message).__name__)

    def stopping(self) -> None:
        """Release resources. Runs on every stop, after a crash too."""

    def address(self, name: str) -> Address:
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = self.link.directory.address(name)
        return address

    def wakeup(self, purpose: str) -> None:
        """A timer set with ``wake_in`` fired (in this actor's thread, like any message)."""

    def wake_in(self, seconds: float, purpose: str) -> None:
        """Have ``wakeup(purpose)`` called in about ``seconds`` (0: as soon as the mailbox gets
        to it). The timer belongs to this instance: if it crashes first, the timer is void."""
        me = self.address(self.name)
        note = self._wakeups.get(purpose)
        if note is None:  # one each: a feed sets a timer per poll, and the note never changes
            note = self._wakeups[purpose] = Wakeup(
                incarnation=self.link.incarnation, purpose=purpose
            )
        if seconds <= 0:
            me.tell(note)
        else:
            self.link.clock.call_later(seconds, functools.partial(me.tell, note))

    def poison(self) -> Any:
        """The message the previous instance crashed on, if it crashed in a handler; call in
        ``started`` to answer for it. It is never redelivered."""
        return self.link.directory.take_poison(self.name)

    def finish(self, reason: str = "finished") -> None:
        """Stop by choice: a normal exit, which a TRANSIENT child is not restarted after."""
        self._go_down(crashed=False, reason=reason)

    # -- runtime hooks -----------------------------------------------------------------------

    def on_start(self) -> None:
        try:
            if not self.link.bound.wait(timeout=30.0):
                raise RuntimeError("never bound to its name by the supervisor")
            self.started()
        except BaseException as exc:  # see module docstring: BaseException included
            self._crash(exc, "start-up")
        finally:
            self.link.started.set()

    def on_receive(self, message: Any) -> Any:
        if self._down:
            # The name was unbound and the inbox drained; only something holding this raw ref
            # could have sent this. Route it through the name so it follows its policy.
            self.address(self.name).tell(message)
            return None
        self._handled += 1
        every = self._time_every
        timed = every != 0 and self._handled % every == 0
        clock = self.link.clock
        began = clock.monotonic() if timed else 0.0
        try:
            if self.link.faults is not None and self.fault_injectable:
                self.link.faults.check(self.name, message)
            if type(message) is Ping:
                return self._pong(message)
            if type(message) is Wakeup:
                if message.incarnation == self.link.incarnation:
                    self.wakeup(message.purpose)
                return None
            return self.handle(message)
        except BaseException as exc:
            self.link.directory.note_poison(self.name, message)
            self._crash(exc, f"handling {type(message).__name__}")
            return None
        finally:
            if timed:
                self._handler_latency.observe(clock.monotonic() - began)

    def on_stop(self) -> None:
        try:
            self.stopping()
        except Exception:
            _log.exception("%s: error while stopping", self.name)
        finally:
            self.link.metrics.actor_up.labels(actor=self.name).set(0)
            self.link.exited.set()

    # -- internals ---------------------------------------------------------------------------

    def _pong(self, ping: Ping) -> None:
        self.address(ping.reply_to).tell(
            Pong(
                seq=ping.seq,
                actor=self.name,
                sent_ns=ping.sent_ns,
                mailbox_depth=self.actor_inbox.qsize(),
            )
        )

    def _crash(self, exc: BaseException, during: str) -> None:
        self.link.metrics.actor_crashes.labels(actor=self.name).inc()
        _log.error(
            "%s crashed during %s: %s: %s",
            self.name,
            during,
            type(exc).__name__,
            exc,
            # A drill's injected fault needs no traceback; a real crash does.
            exc_info=not isinstance(exc, InjectedFault),
        )
        self._go_down(crashed=True, reason=f"{type(exc).__name__} during {during}: {exc}")

    def _go_down(self, *, crashed: bool, reason: str) -> None:
        if self._down:
            return
        self._down = True
        self.link.directory.unbind(self.name, self.link.incarnation, drain=self._drain_inbox)
        self.link.report(
            ChildDown(
                supervisor=self.link.parent,
                child=self.name,
                incarnation=self.link.incarnation,
                crashed=crashed,
                reason=reason,
                at_ns=self.link.clock.now_ns(),
            )
        )
        self.stop()

    def _drain_inbox(self) -> Iterator[Message]:
        """Take every message still queued for this instance. The runtime's own envelopes (a
        stop request, an ask) are put back for it to answer as it shuts the actor down."""
        internal = []
        while True:
            try:
                envelope = self.actor_inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(envelope.message, Message) and envelope.reply_to is None:
                yield envelope.message
            else:
                internal.append(envelope)
        for envelope in internal:
            self.actor_inbox.put(envelope)


class SupervisedActor(_Shell, ThreadingActor):
    """An actor in the tree with a thread of its own: for actors that block (broker calls,
    the journal on the order path) or must answer even when others are busy (Heartbeat).

    Under a serial dispatcher (``supervisors.serial``, a backtest) there is no thread of its
    own: the actor takes the pool's mailbox, launch and turns, and runs on the one thread."""

    def __init__(self, link: Link) -> None:
        super().__init__(link)
        self._serial = isinstance(link.dispatcher, SerialDispatcher)
        if self._serial:
            self.dispatcher = link.dispatcher
            self.actor_inbox = PooledInbox(self)  # type: ignore[assignment,arg-type]
            self._runtime_begun = False

    def _runtime_launch(self) -> None:
        if self._serial:
            PooledActor._runtime_launch(self)  # type: ignore[arg-type]
        else:
            super()._runtime_launch()

    def _runtime_turn(self, throughput: int) -> None:
        PooledActor._runtime_turn(self, throughput)  # type: ignore[arg-type]


class PooledSupervisedActor(_Shell, PooledActor):
    """An actor in the tree run by its link's dispatcher: for the many small actors of which
    there is one per symbol. Its handlers must not block."""

    timing_every: ClassVar[int] = 8

    def __init__(self, link: Link) -> None:
        if link.dispatcher is None:
            raise ValueError(f"{link.name}: a pooled actor needs a dispatcher in its link")
        super().__init__(link)
        self.dispatcher = link.dispatcher
