"""The daemon's one journal writer: a thread that owns the only connection that writes, and
commits what every actor asks of it in groups.

Why one writer: with a connection per actor, every write was its own ``BEGIN IMMEDIATE``, the
actors queued for SQLite's single write lock (a fifth of all busy time at 3,000 symbols went to
that contention and its back-off), and each pooled strategy held a connection of its own
(~167 KB each: 1.5 GB at 9,000 symbols). Here every write is a request on one queue; the thread
takes all that is waiting (up to ``max_batch``), runs each in a ``SAVEPOINT`` of one transaction
(a write that fails is undone alone and fails alone), commits once, and only then answers.

**What is durable when** (DESIGN rules 5-6): a write is durable once its group is committed
(WAL with ``synchronous=NORMAL``: it survives the process dying — a crash, a kill -9 —; a power
cut may lose the last groups, which the start-up lookups at the broker recover). Nothing is
acted on before that:

* ``run(op)`` blocks the caller until its group is committed and returns the op's result —
  for the threaded actors whose next step must not happen before (the router does not call the
  broker before the order is journaled NEW);
* ``submit(op, then)`` returns at once; ``then(result)`` runs on the writer's thread *after*
  the commit — for the pooled actors, which must not block a worker: what depends on the write
  (sending the intent to RiskGate, telling others of a state change) is ``then``, so nobody
  hears of anything the journal does not yet hold;
* ``submit_intent(row, then)`` is ``submit`` for a strategy's intent: a group's intents are one
  statement (hundreds a second at a full subscription; see ``writes.intents``);
* ``read(query)`` runs a query on the writer's connection and returns its result (a restore at
  an actor's start, on any thread; no actor keeps a connection of its own).

Requests are answered in the order they were made, so two writes of one actor, and what each
``then`` sends, keep their order.

``inline=True`` (a backtest on the serial runtime, ``supervisors.serial``): no thread. The
connection belongs to the thread that made the writer, and every request is carried out in the
call that makes it, ``then`` included — the path a ``then`` asking for more already took. So
what a write sets off happens at the same point of the run every time, not whenever a writer
thread came round to it. Inline writes share one open transaction, each in a savepoint of its
own (a write that fails is undone alone), committed every ``max_batch`` writes, on ``flush``
and on ``close``: a backtest is one process that is rerun, not resumed, so a write needs to be
durable only for another connection to read it (a day's export, the report), and a commit per
write was most of what an order cost there. Everything on the writer's own connection (every
``read``, an actor's restore after a crash) sees every write at once.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from journal import writes
from journal.days import DEFAULT_TZ, day_of
from journal.reader import JournalReader
from journal.schema import BUSY_TIMEOUT_MS, connect
from messages.orders import Fill

_log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], T]


class JournalClosed(RuntimeError):
    """The writer was closed (or its thread died): nothing more can be journaled. An actor that
    meets this crashes, as it must: acting without the journal would break rule 6."""


class _Request(Generic[T]):
    __slots__ = ("done", "error", "op", "read", "result", "row", "then")

    def __init__(
        self,
        op: Op[T],
        then: Callable[[T], None] | None,
        read: bool,
        row: tuple[object, ...] | None = None,
        done: threading.Event | None = None,
    ) -> None:
        self.op = op
        self.then = then
        self.read = read
        self.row = row
        """An intent's row (``submit_intent``): written with the group's other intents, or by
        ``op`` alone when they have to go one by one."""
        self.done = done if done is not None else threading.Event()
        """Set once the request has been carried out (an inline one is born done: it is
        carried out before ``_put`` returns, and an Event each was a tenth of its cost)."""
        self.result: Any = None
        self.error: BaseException | None = None


_STOP: Any = object()
_TOGETHER: Any = object()
_SETTLED = threading.Event()
_SETTLED.set()


class JournalWriter:
    def __init__(
        self,
        path: str | Path,
        *,
        zone: str = DEFAULT_TZ,
        max_batch: int = 1_000,
        trace: Callable[[str], None] | None = None,
        inline: bool = False,
    ) -> None:
        """``trace``: called with every SQL statement the writer runs, on its thread (to see
        what a group costs; ``sqlite3.Connection.set_trace_callback``)."""
        self.path = Path(path)
        self._trace = trace
        self.zone = zone
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()
        self.groups = 0
        """Transactions committed (a measure of how much grouping there was)."""
        self.writes = 0
        self.inline = inline
        self._uncommitted = 0
        """Inline writes in the open transaction."""
        if inline:
            self._thread = threading.current_thread()  # every request runs where it is made
            self._open()
            return
        opened = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(opened, failure), name="journal-writer", daemon=True
        )
        self._thread.start()
        opened.wait()
        if failure:
            raise failure[0]

    def fill_day(self, fill: Fill) -> Any:
        """The trading day a fill belongs to: the local date of its execution."""
        return day_of(fill.at_ns, self.zone)

    # -- the three ways in ---------------------------------------------------------------------

    def run(self, op: Op[T]) -> T:
        """Write, and return once committed (see the module docstring)."""
        return self._wait(self._put(op, None, read=False))

    def submit(self, op: Op[T], then: Callable[[T], None] | None = None) -> None:
        """Write without waiting; ``then(result)`` runs on the writer's thread after the
        commit. A failed write is logged, and ``then`` does not run."""
        self._put(op, then, read=False)

    def submit_intent(
        self, row: tuple[object, ...], then: Callable[[object], None] | None = None
    ) -> None:
        """``submit`` for an intent (``writes.intent_row``): the intents waiting in one group
        are written by one statement (``writes.intents``) before the group's other writes, and
        each ``then`` still runs after the commit, in the order asked. What ``then`` is given
        says nothing: whether the intent was new is not known (its sender acts either way)."""
        self._put(lambda db: writes.intent_from_row(db, row), then, read=False, row=row)

    def read(self, query: Callable[[JournalReader], T]) -> T:
        """Run a read on the writer's connection (it sees every committed write)."""
        return self._wait(self._put(lambda db: query(JournalReader(db)), None, read=True))

    def flush(self) -> None:
        """Return once every write asked for so far is committed, for a reader on a
        connection of its own (a day's export) to see it."""
        if self.inline:
            self._commit_inline()
        else:
            self.run(lambda db: None)

    def waiting(self) -> int:
        """Requests queued and not yet taken into a group."""
        return self._queue.qsize()

    def close(self, timeout: float = 10.0) -> None:
        """Finish what was asked, then stop. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.inline:
            try:
                self._commit_inline()
            finally:
                self._db.close()
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- the thread ----------------------------------------------------------------------------

    def _put(
        self,
        op: Op[T],
        then: Callable[[T], None] | None,
        read: bool,
        row: tuple[object, ...] | None = None,
    ) -> _Request[T]:
        if self.inline:
            if self._closed:
                raise JournalClosed(f"the journal writer for {self.path} is closed")
            request = _Request(op, then, read, row, _SETTLED)
            self._inline(request)
            return request
        request = _Request(op, then, read, row)
        if threading.current_thread() is self._thread:
            # Asked from a ``then`` (on this thread): waiting for the queue would wait forever.
            self._execute([request])
            return request
        with self._lock:
            if self._closed:
                raise JournalClosed(f"the journal writer for {self.path} is closed")
            self._queue.put(request)
        return request

    def _wait(self, request: _Request[T]) -> T:
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[no-any-return]

    def _open(self) -> None:
        zone = self.zone
        self._db = connect(str(self.path), day_of=lambda ns: day_of(ns, zone).isoformat())
        # The only writer in the process: another connection holding the lock is a tool or
        # a reader upgrading its schema check, briefly. Wait for it, as SQLite does.
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._db.set_trace_callback(self._trace)

    def _run(self, opened: threading.Event, failure: list[BaseException]) -> None:
        try:
            self._open()
        except BaseException as exc:
            failure.append(exc)
            opened.set()
            return
        opened.set()
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                group = [first]
                stop = False
                while len(group) < self.max_batch:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is _STOP:
                        stop = True
                        break
                    group.append(more)
                self._execute(group)
                if stop:
                    return
        except BaseException:  # the writer must never die quietly: refuse everything after
            _log.exception("the journal writer failed: nothing more can be journaled")
            with self._lock:
                self._closed = True
            raise
        finally:
            self._fail_pending()
            self._db.close()

    def _execute(self, group: list[_Request[Any]]) -> None:
        """Run a group in one transaction and answer it. A write that raises is left out and
        the rest run again (rare: a write that fails is a bug or a full disk); no savepoint per
        write, because each statement is a release of the GIL, and under load every
        re-acquisition waits behind the tick path."""
        pending, together = list(group), True
        while pending:
            failed = self._transact(pending, together)
            if failed is None:
                break
            if failed is _TOGETHER:  # an intent among them is bad: find it, one row at a time
                together = False
                continue
            pending = [r for r in pending if r is not failed]
        self.groups += 1
        self.writes += sum(1 for r in group if not r.read)
        for request in group:
            request.done.set()
            if request.error is not None:
                if request.then is not None:
                    _log.error("a journal write failed, not acted on: %s", request.error)
                continue
            if request.then is not None:
                try:
                    request.then(request.result)
                except Exception:  # what follows a write must not stop the writer
                    _log.exception("acting on a journal write failed")

    def _transact(self, group: list[_Request[Any]], together: bool) -> Any:
        """One transaction of the group: None when committed, else the write that raised
        (everything rolled back; it carries its error), or ``_TOGETHER`` when the intents
        written ``together`` raised (rolled back: try again one by one)."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # still locked after the wait: these fail
            _log.error("the journal is locked by another process: %d writes failed", len(group))
            for request in group:
                request.error = exc
            return None
        if together:
            rows = [request.row for request in group if request.row is not None]
            try:
                if rows:
                    writes.intents(db, rows)
            except Exception:
                db.execute("ROLLBACK")
                return _TOGETHER
        for request in group:
            if together and request.row is not None:
                continue
            try:
                request.result = request.op(db)
            except Exception as exc:
                db.execute("ROLLBACK")
                request.error = exc
                return request
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                for other in group:
                    other.error = other.error or JournalClosed("the journal writer stopped")
                    other.done.set()
                raise
        db.execute("COMMIT")
        return None

    # -- inline (see the module docstring) ----------------------------------------------------

    def _inline(self, request: _Request[Any]) -> None:
        db = self._db
        if not db.in_transaction:
            db.execute("BEGIN IMMEDIATE")
        if request.read:
            request.result = request.op(db)
            return
        db.execute("SAVEPOINT inline_write")
        try:
            request.result = request.op(db)
        except Exception as exc:
            request.error = exc
        except BaseException:
            self._undo_inline()
            raise
        if request.error is not None:
            self._undo_inline()
        else:
            db.execute("RELEASE inline_write")
        self.writes += 1
        self._uncommitted += 1
        if request.error is not None:
            if request.then is not None:
                _log.error("a journal write failed, not acted on: %s", request.error)
            return
        if self._uncommitted >= self.max_batch:
            self._commit_inline()
        if request.then is not None:
            try:
                request.then(request.result)
            except Exception:  # as on the writer's thread: what follows a write is not the write
                _log.exception("acting on a journal write failed")

    def _undo_inline(self) -> None:
        """Undo the write in hand. Had SQLite undone the whole transaction itself (a full
        disk), the earlier writes are gone too: nothing more can be journaled."""
        db = self._db
        if not db.in_transaction:
            self._closed = True
            raise JournalClosed(f"{self.path}: the journal's open transaction was lost")
        db.execute("ROLLBACK TO inline_write")
        db.execute("RELEASE inline_write")

    def _commit_inline(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
            self.groups += 1
        self._uncommitted = 0

    def _fail_pending(self) -> None:
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            if request is not _STOP:
                request.error = JournalClosed("the journal writer stopped")
                request.done.set()
