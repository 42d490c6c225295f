"""Pooled actors: many pykka actors run by a few worker threads.

A pykka ``ThreadingActor`` owns a thread. For a handful of actors that is ideal; for a strategy
per symbol it is not: 3,000 symbols would be 3,000 threads, and every tick would cost a thread
wake-up and a hand-over of the GIL (measured: ~75 µs of CPU per tick, 15x the strategy's own
work). A ``PooledActor`` has no thread of its own. When a message arrives for an idle actor the
actor is queued on its ``Dispatcher``; a worker takes it, handles up to ``throughput`` messages
and puts it back in line if more are waiting — the scheme of Akka's dispatchers and Erlang's
schedulers. An actor is in the line at most once, so it never runs on two workers at once, and
its messages are handled one at a time, in order: actor semantics are unchanged, and so is the
API (``ActorRef``, ``tell``, ``ask``, ``stop``, ``on_start``/``on_receive``/``on_stop``).

The price: a handler that blocks holds a worker. Blocking work (broker calls) belongs on
threaded actors; with the GIL, a couple of workers is all the parallelism Python has anyway.
"""

from __future__ import annotations

import collections
import logging
import queue
import sys
import threading
from typing import Any

import pykka
from pykka import ActorRegistry
from pykka._envelope import Envelope
from pykka._threading import ThreadingFuture

_log = logging.getLogger(__name__)


class Dispatcher:
    """A run queue of actors with messages, and the worker threads that drain it."""

    def __init__(self, workers: int = 2, throughput: int = 64, name: str = "pool") -> None:
        if workers < 1 or throughput < 1:
            raise ValueError("need at least one worker and a throughput of at least 1")
        self.workers = workers
        self.throughput = throughput
        self.name = name
        self._run_queue: queue.SimpleQueue[PooledActor | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def schedule(self, actor: PooledActor) -> None:
        if not self._threads:
            self._start()
        self._run_queue.put(actor)

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
                    target=self._work, name=f"{self.name}-{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while True:
            actor = self._run_queue.get()
            if actor is None:
                return
            try:
                actor._run_slice(self.throughput)
            except BaseException:  # the actor's own loop catches; this is a last resort
                _log.exception("dispatcher %s: actor %s failed outside its loop", self.name, actor)


class PooledInbox:
    """The mailbox of a pooled actor: a deque, plus "is this actor in the run queue"."""

    def __init__(self) -> None:
        self._items: collections.deque[Envelope[Any]] = collections.deque()
        self._lock = threading.Lock()
        self.owner: PooledActor | None = None
        self.scheduled = False

    def put(
        self, envelope: Envelope[Any], block: bool = True, timeout: float | None = None
    ) -> None:
        with self._lock:
            self._items.append(envelope)
            owner = self.owner
            if self.scheduled or owner is None or not owner._running:
                return
            self.scheduled = True
        owner.dispatcher.schedule(owner)

    def get_nowait(self) -> Envelope[Any]:
        with self._lock:
            if not self._items:
                raise queue.Empty
            return self._items.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> Envelope[Any]:
        return self.get_nowait()

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    def take(self) -> Envelope[Any] | None:
        with self._lock:
            return self._items.popleft() if self._items else None

    def keep_scheduled(self) -> bool:
        """After a slice: True if messages remain (the actor goes back in line), else the actor
        leaves the run queue and the next ``put`` schedules it again."""
        with self._lock:
            if self._items:
                return True
            self.scheduled = False
            return False


class PooledActor(pykka.Actor):
    """A pykka actor run by a ``Dispatcher``. Set ``dispatcher`` before ``start`` (subclasses
    usually take it in their constructor)."""

    dispatcher: Dispatcher

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running = False
        self._set_up = False
        assert isinstance(self.actor_inbox, PooledInbox)
        self.actor_inbox.owner = self

    def _create_actor_inbox(self) -> PooledInbox:  # type: ignore[override]
        return PooledInbox()

    @staticmethod
    def _create_future() -> ThreadingFuture[Any]:
        return ThreadingFuture()

    def _start_actor_loop(self) -> None:
        inbox = self.actor_inbox
        assert isinstance(inbox, PooledInbox)
        with inbox._lock:
            self._running = True
            inbox.scheduled = True
        self.dispatcher.schedule(self)

    def _run_slice(self, throughput: int) -> None:
        """One turn on a worker: start-up the first time, then up to ``throughput`` messages."""
        inbox = self.actor_inbox
        assert isinstance(inbox, PooledInbox)
        if not self._set_up:
            self._set_up = True
            self._actor_loop_setup()
        handled = 0
        while handled < throughput and not self.actor_stopped.is_set():
            envelope = inbox.take()
            if envelope is None:
                break
            handled += 1
            self._handle_envelope(envelope)
        if self.actor_stopped.is_set():
            self._actor_loop_teardown()
            return
        if inbox.keep_scheduled():
            self.dispatcher.schedule(self)

    def _handle_envelope(self, envelope: Envelope[Any]) -> None:
        """pykka's ``_actor_loop_running`` body, for one message."""
        try:
            response = self._handle_receive(envelope.message)
            if envelope.reply_to is not None:
                envelope.reply_to.set(response)
        except Exception:
            if envelope.reply_to is not None:
                envelope.reply_to.set_exception()
            else:
                self._handle_failure(*sys.exc_info())
                try:
                    self.on_failure(*sys.exc_info())
                except Exception:
                    self._handle_failure(*sys.exc_info())
        except BaseException:
            self._stop()
            ActorRegistry.stop_all()
