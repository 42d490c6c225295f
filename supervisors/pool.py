"""Pooled actors: many actors run by a few worker threads.

A ``ThreadingActor`` owns a thread. For a handful of actors that is ideal; for a strategy per
symbol it is not: 3,000 symbols would be 3,000 threads, and every tick would cost a thread
wake-up and a hand-over of the GIL (measured: ~75 µs of CPU per tick, 15x the strategy's own
work). A ``PooledActor`` has no thread of its own. When a message arrives for an idle actor the
actor is queued on its ``Dispatcher``; a worker takes it, handles up to ``throughput`` messages
and puts it back in line if more are waiting — the scheme of Akka's dispatchers and Erlang's
schedulers. An actor is in the line at most once, so it never runs on two workers at once, and
its messages are handled one at a time, in order: actor semantics are unchanged, and so is the
API (``ActorRef``, ``tell``, ``ask``, ``stop``, ``on_start``/``on_receive``/``on_stop``).

Why the loop is shikra's own (``supervisors.runtime``) rather than pykka's: a pooled actor runs
pykka's loop in pieces, one turn at a time, and pykka exposes no such thing; this file used to
copy the private steps of pykka's loop (``_actor_loop_setup``, ``_handle_receive``, its envelope
and future types), which held only as long as the exact pin did and would have broken silently
on an upgrade. Owning the loop cost less code than the copy plus a test pinning every private
name, and both runtimes now share one contract (``runtime``'s docstring), tested under both.

The price of pooling: a handler that blocks holds a worker. Blocking work (broker calls) belongs
on threaded actors; with the GIL, a couple of workers is all the parallelism Python has anyway.
So that a stuck handler is still noticed, each worker records which actor it is running and
since when (two list writes per turn); ``running`` reads that for Heartbeat
(``supervisors.liveness``).
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from supervisors.liveness import RunningSlice
from supervisors.runtime import Actor, Envelope

_log = logging.getLogger(__name__)


class Dispatcher:
    """A run queue of actors with messages, and the worker threads that drain it.

    ``monotonic`` is the clock a turn's age is measured on (the tree's clock: virtual in a test,
    so a hang can be aged without waiting for it)."""

    def __init__(
        self,
        workers: int = 2,
        throughput: int = 64,
        name: str = "pool",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if workers < 1 or throughput < 1:
            raise ValueError("need at least one worker and a throughput of at least 1")
        self.workers = workers
        self.throughput = throughput
        self.name = name
        self._monotonic = monotonic
        self._run_queue: queue.SimpleQueue[PooledActor | tuple[PooledActor, ...] | None] = (
            queue.SimpleQueue()
        )
        self._batching = threading.local()  # .pending: actors put in line by this thread's batch
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        # Per worker, the turn it is in: (actor, began) or None. One reference written per
        # change, so a reader on another thread never sees an actor paired with another's time.
        self._turns: list[tuple[PooledActor, float] | None] = [None] * workers
        self._members: set[str] = set()

    def schedule(self, actor: PooledActor) -> None:
        if not self._threads:
            self._start()
        pending: list[PooledActor] | None = getattr(self._batching, "pending", None)
        if pending is None:
            self._run_queue.put(actor)
            return
        pending.append(actor)
        if len(pending) >= self.throughput:
            self._put_in_line(pending)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within it, the actors this thread's tells schedule go in line together, a slice per
        worker, every ``throughput`` actors and at the end, instead of one run-queue entry each.

        For the feed: at 9,000 symbols a poll's ticks go to as many different strategies, one
        each, so batching messages per actor saves nothing; what costs is the run queue, whose
        every put may wake an idle worker (a futex call and a hand-over of the GIL) to run one
        strategy for ten microseconds. Per actor nothing changes: its messages are in its
        mailbox at once, in order, and it is in line at most once (its ``scheduled`` flag is set
        when it joins the batch). A worker's turns are the same turns, taken in a row."""
        if getattr(self._batching, "pending", None) is not None:
            yield  # already inside one: the outer batch puts everything in line
            return
        pending: list[PooledActor] = []
        self._batching.pending = pending
        try:
            yield
        finally:
            self._batching.pending = None
            self._put_in_line(pending)

    def _put_in_line(self, pending: list[PooledActor]) -> None:
        if not pending:
            return
        size = -(-len(pending) // self.workers)  # ceil: a slice for every worker
        for at in range(0, len(pending), size):
            self._run_queue.put(tuple(pending[at : at + size]))
        pending.clear()

    def line_length(self) -> int:
        """Entries waiting in the run queue: an actor each, or a batch's slice each."""
        return self._run_queue.qsize()

    def enrol(self, name: str) -> None:
        """Note that the actor ``name`` runs here (its later incarnations do too)."""
        self._members.add(name)

    def runs(self, name: str) -> bool:
        return name in self._members

    def running(self) -> list[RunningSlice]:
        now = self._monotonic()
        slices = []
        for worker, turn in enumerate(list(self._turns)):
            if turn is not None:
                actor, began = turn
                slices.append(
                    RunningSlice(
                        worker=worker,
                        actor=actor.name,
                        seconds=max(0.0, now - began),
                        mailbox_depth=actor.actor_inbox.qsize(),
                    )
                )
        return slices

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the workers once the actors are stopped."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._run_queue.put(None)
        for thread in threads:
            thread.join(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._threads:
                return
            for number in range(self.workers):
                thread = threading.Thread(
                    target=self._work, args=(number,), name=f"{self.name}-{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self, number: int) -> None:
        while True:
            item = self._run_queue.get()
            if item is None:
                return
            if isinstance(item, tuple):  # a batch's slice: its actors' turns, one by one
                for actor in item:
                    self._turn(number, actor)
            else:
                self._turn(number, item)

    def _turn(self, number: int, actor: PooledActor) -> None:
        self._turns[number] = (actor, self._monotonic())
        self._run_turn(actor)
        self._turns[number] = None

    def _run_turn(self, actor: PooledActor) -> None:
        """One turn of ``actor``, whatever it raises (``_turn`` without the bookkeeping for
        ``running``: what a dispatcher with no other threads to watch it calls)."""
        try:
            actor._runtime_turn(self.throughput)
        except BaseException:  # the actor's own loop catches; this is a last resort
            _log.exception("dispatcher %s: actor %s failed outside its loop", self.name, actor)


class PooledInbox:
    """The mailbox of a pooled actor: a deque, plus "is this actor in the run queue"."""

    def __init__(self, owner: PooledActor) -> None:
        self._items: collections.deque[Envelope] = collections.deque()
        self._lock = threading.Lock()
        self.owner = owner
        self.scheduled = False
        self.running = False

    def put(self, envelope: Envelope, /) -> None:
        with self._lock:
            self._items.append(envelope)
            if self.scheduled or not self.running:
                return
            self.scheduled = True
        self.owner.dispatcher.schedule(self.owner)

    def get_nowait(self) -> Envelope:
        with self._lock:
            if not self._items:
                raise queue.Empty
            return self._items.popleft()

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    def take(self) -> Envelope | None:
        with self._lock:
            return self._items.popleft() if self._items else None

    def open(self) -> None:
        """The actor is launched: it goes in line now (its start-up is its first turn), and
        from now on a ``put`` puts it back in line whenever it left it."""
        with self._lock:
            self.running = True
            self.scheduled = True

    def keep_scheduled(self) -> bool:
        """After a turn: True if messages remain (the actor goes back in line), else the actor
        leaves the run queue and the next ``put`` schedules it again."""
        with self._lock:
            if self._items:
                return True
            self.scheduled = False
            return False


class PooledActor(Actor):
    """An actor run by a ``Dispatcher``. Set ``dispatcher`` before ``start`` (subclasses
    usually take it in their constructor)."""

    dispatcher: Dispatcher
    actor_inbox: PooledInbox

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._runtime_begun = False

    def _runtime_inbox(self) -> PooledInbox:
        return PooledInbox(self)

    def _runtime_launch(self) -> None:
        self.dispatcher.enrol(self.name)
        self.actor_inbox.open()
        self.dispatcher.schedule(self)

    def _runtime_turn(self, throughput: int) -> None:
        """One turn on a worker: start-up the first time, then up to ``throughput`` messages."""
        if not self._runtime_begun:
            self._runtime_begun = True
            self._runtime_begin()
        inbox = self.actor_inbox
        handled = 0
        while handled < throughput and not self._runtime_halted:
            envelope = inbox.take()
            if envelope is None:
                break
            handled += 1
            self._runtime_deliver(envelope)
        if self._runtime_halted:
            self._runtime_leftovers()
            return
        if inbox.keep_scheduled():
            self.dispatcher.schedule(self)
