"""The operator's control socket: ``main.py status|halt|reduce|resume|flatten`` talk to the running
daemon over a unix socket in its state directory, mode 0600 (only the daemon's user may steer
it), one msgpack-encoded request and reply per connection, each framed by a 4-byte big-endian
length (``daemon.control_wire``, with the client). What the commands do is
``daemon.control_commands``; this module is how they are served.

The operator is never kept waiting. One thread runs a ``selectors`` loop over non-blocking
sockets: it accepts at once, reads each connection's frame as its bytes arrive, and answers
halt, resume and flatten inline (they are one ``tell``), so no client can hold the loop.
Status can take seconds (an ``ask`` and a journal read), so it runs on its own thread, at most
``MAX_STATUS`` at a time, and hands its reply back to the loop to write. Every connection has
``REQUEST_SECONDS`` to deliver its whole request (a deadline for the request, not for each read:
a client trickling a byte a second is closed like a silent one); at most ``MAX_WAITING`` may be
waiting at once, and a new one beyond that closes the *oldest* waiting one, so the newest
connection (the operator's, who sends at once) is always read and the listen backlog never
fills. Drops are counted by reason and logged once per ``DROP_LOG_SECONDS``, not per client.

Why not ``socketserver.ThreadingUnixStreamServer``: a thread per connection makes idle clients
cost threads without bound, and a socket timeout bounds each ``recv``, not the request, so a
slow sender keeps its thread forever; capping and evicting would be built on top anyway.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import queue
import selectors
import socket
import threading
from pathlib import Path

import msgspec

from core.clock import Clock
from daemon.control_commands import OperatorCommands
from daemon.control_wire import LENGTH, complete_frame, encoder
from messages import OperatorReply, OperatorRequest
from supervisors import SupervisionTree

_log = logging.getLogger(__name__)

REQUEST_SECONDS = 2.0
"""From accept to a whole request (and from a reply to its last byte sent)."""
MAX_WAITING = 256
"""Connections that have not yet delivered a request; a new one beyond closes the oldest."""
MAX_STATUS = 4
"""Status requests computed at once; one more is answered busy at once."""
MAX_REQUEST_BYTES = 64 * 1024
"""A request is a command and a reason: anything longer is refused from its header."""
DROP_LOG_SECONDS = 60.0
ACCEPTS_PER_PASS = 64
"""So that a flood of connections cannot starve the reads of those already accepted."""
_MAX_WAIT = 0.5


class _Connection:
    """One client, owned by the loop thread: waiting (reading its request), working (its status
    is being computed) or replying (writing what is left of ``outbox``)."""

    __slots__ = ("closed", "deadline", "inbox", "outbox", "registered", "sock")

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.inbox = bytearray()
        self.outbox = memoryview(b"")
        self.registered = False
        self.closed = False


class ControlServer:
    def __init__(
        self, path: Path, tree: SupervisionTree, journal_path: Path, actors: tuple[str, ...],
        clock: Clock, *, request_seconds: float = REQUEST_SECONDS, max_waiting: int = MAX_WAITING,
        max_status: int = MAX_STATUS,
    ) -> None:  # fmt: skip
        self.path = path
        self.commands = OperatorCommands(tree, journal_path, actors, clock)
        self.dropped = tree.metrics.control_dropped
        self.clock = clock
        self.request_seconds = request_seconds
        self.max_waiting = max_waiting
        self.max_status = max_status
        self._selector = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._wake_in, self._wake_out = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        # Loop-thread state: dicts keep insertion order, which is deadline order here.
        self._waiting: dict[_Connection, None] = {}
        self._replying: dict[_Connection, None] = {}
        self._working: dict[_Connection, None] = {}
        self._finished: queue.SimpleQueue[tuple[_Connection, OperatorReply]] = queue.SimpleQueue()
        self._unlogged: collections.Counter[str] = collections.Counter()
        self._next_log = 0.0

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a socket left by a killed daemon
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # created 0600: no window in which others could connect
        try:
            listener.bind(str(self.path))
            os.chmod(self.path, 0o600)
            listener.listen(socket.SOMAXCONN)  # the loop accepts at once: never fills anyway
        except OSError:
            listener.close()
            raise
        finally:
            os.umask(old)
        for sock in (listener, self._wake_in, self._wake_out):
            sock.setblocking(False)
        self._selector.register(listener, selectors.EVENT_READ)
        self._selector.register(self._wake_in, selectors.EVENT_READ)
        self._listener = listener
        self._next_log = self.clock.monotonic()
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection and the socket; bounded even with clients connected (a status
        still being computed finishes on its own thread and is discarded)."""
        self._stopping.set()
        self._wake()
        if self._thread is None:  # never started: the loop will not close its own sockets
            self._close_all()
        else:
            self._thread.join(5)
            if self._thread.is_alive():
                _log.error("control loop did not stop within 5s")
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full: already woken; closed: stopped
            self._wake_out.send(b"\0")

    def _serve(self) -> None:
        try:
            while not self._stopping.is_set():
                for key, events in self._selector.select(self._wait()):
                    if key.fileobj is self._listener:
                        self._accept()
                    elif key.fileobj is self._wake_in:
                        self._drain_wakes()
                    else:
                        self._serve_one(key.data, events)
                self._expire()
                self._log_drops(force=False)
        except Exception:  # a bug here must not take the daemon down, but must be seen
            _log.exception("control loop failed; the control socket is closed")
        finally:
            self._close_all()

    def _serve_one(self, connection: _Connection, events: int) -> None:
        if connection.closed:  # evicted earlier in this same pass
            return
        try:
            if events & selectors.EVENT_READ:
                self._read(connection)
            else:
                self._write(connection)
        except Exception:  # one request's bug closes that connection, not the socket
            _log.exception("control socket: a request failed")
            self._close(connection)

    def _wait(self) -> float:
        """Seconds until the next deadline or drop summary is due (at most ``_MAX_WAIT``)."""
        due = [c.deadline for c in (*self._first(self._waiting), *self._first(self._replying))]
        if self._unlogged:
            due.append(self._next_log)
        wait = min(due, default=float("inf")) - self.clock.monotonic()
        return max(0.0, min(_MAX_WAIT, wait))

    @staticmethod
    def _first(connections: dict[_Connection, None]) -> list[_Connection]:
        return [next(iter(connections))] if connections else []

    def _accept(self) -> None:
        assert self._listener is not None
        for _ in range(ACCEPTS_PER_PASS):
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            except OSError as exc:  # out of descriptors: the backlog waits for the next pass
                _log.warning("control socket: accept failed: %s", exc)
                return
            sock.setblocking(False)
            if len(self._waiting) >= self.max_waiting:
                self._drop(next(iter(self._waiting)), "evicted")
            connection = _Connection(sock, self.clock.monotonic() + self.request_seconds)
            self._waiting[connection] = None
            self._selector.register(sock, selectors.EVENT_READ, connection)
            connection.registered = True

    def _read(self, connection: _Connection) -> None:
        try:
            chunk = connection.sock.recv(MAX_REQUEST_BYTES)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(connection, "incomplete")
            return
        connection.inbox += chunk
        try:
            payload = complete_frame(connection.inbox, MAX_REQUEST_BYTES)
            if payload is None:
                return
            order = msgspec.msgpack.decode(payload, type=OperatorRequest)
        except (ValueError, msgspec.DecodeError) as exc:
            self._count("malformed")
            self._reply(connection, OperatorReply(ok=False, text=f"bad request: {exc}"))
            return
        if order.command != "status":
            self._reply(connection, self.commands.steer(order))
        elif len(self._working) >= self.max_status:
            self._count("busy")
            text = f"busy: {len(self._working)} status requests already running; try again"
            self._reply(connection, OperatorReply(ok=False, text=text))
        else:
            self._unregister(connection)
            del self._waiting[connection]
            self._working[connection] = None
            threading.Thread(
                target=self._status, args=(connection,), name="control-status", daemon=True
            ).start()

    def _status(self, connection: _Connection) -> None:
        """On its own thread: compute, then hand the reply to the loop."""
        try:
            reply = self.commands.status()
        except Exception as exc:
            _log.exception("status failed")
            reply = OperatorReply(ok=False, text=f"status failed: {exc}")
        self._finished.put((connection, reply))
        self._wake()

    def _drain_wakes(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_in.recv(4096):
                pass
        while True:
            try:
                connection, reply = self._finished.get_nowait()
            except queue.Empty:
                return
            self._working.pop(connection, None)
            self._reply(connection, reply)

    def _reply(self, connection: _Connection, reply: OperatorReply) -> None:
        payload = encoder.encode(reply)
        self._waiting.pop(connection, None)
        connection.outbox = memoryview(LENGTH.pack(len(payload)) + payload)
        connection.deadline = self.clock.monotonic() + self.request_seconds
        self._write(connection)

    def _write(self, connection: _Connection) -> None:
        try:
            sent = connection.sock.send(connection.outbox)
        except BlockingIOError:
            sent = 0
        except OSError:  # the client left: nothing more to tell it
            self._close(connection)
            return
        connection.outbox = connection.outbox[sent:]
        if not connection.outbox:
            self._close(connection)
        elif connection not in self._replying:
            self._replying[connection] = None
            self._unregister(connection)
            self._selector.register(connection.sock, selectors.EVENT_WRITE, connection)
            connection.registered = True

    def _expire(self) -> None:
        now = self.clock.monotonic()
        for connections in (self._waiting, self._replying):
            while connections:
                oldest = next(iter(connections))
                if oldest.deadline > now:
                    break
                self._drop(oldest, "deadline")

    def _drop(self, connection: _Connection, reason: str) -> None:
        self._count(reason)
        self._close(connection)

    def _count(self, reason: str) -> None:
        self.dropped.labels(reason=reason).inc()
        self._unlogged[reason] += 1

    def _log_drops(self, *, force: bool) -> None:
        now = self.clock.monotonic()
        if not self._unlogged or (now < self._next_log and not force):
            return
        _log.warning(
            "control socket: dropped %s since the last report (each connection has %.1fs to "
            "send its request; at most %d wait at once)",
            ", ".join(f"{n} {reason}" for reason, n in sorted(self._unlogged.items())),
            self.request_seconds,
            self.max_waiting,
        )
        self._unlogged.clear()
        self._next_log = now + DROP_LOG_SECONDS

    def _unregister(self, connection: _Connection) -> None:
        if connection.registered:
            self._selector.unregister(connection.sock)
            connection.registered = False

    def _close(self, connection: _Connection) -> None:
        self._waiting.pop(connection, None)
        self._working.pop(connection, None)
        self._replying.pop(connection, None)
        self._unregister(connection)
        connection.sock.close()
        connection.closed = True

    def _close_all(self) -> None:
        self._log_drops(force=True)
        for connection in [*self._waiting, *self._working, *self._replying]:
            self._close(connection)
        for sock in (self._listener, self._wake_in, self._wake_out):
            if sock is not None:
                sock.close()
        self._selector.close()
