"""Clients of the control socket that misbehave on purpose (silent, trickling, malformed), for
the in-process server tests and the daemon test alike. Every wait is bounded."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec

from daemon.control_wire import read_frame
from messages import OperatorReply, OperatorRequest


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


STATUS_FRAME = frame(msgspec.msgpack.encode(OperatorRequest(command="status")))


@contextlib.contextmanager
def idle_clients(path: Path, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that never send a byte."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            opened.append(sock)
            sock.settimeout(5)
            sock.connect(str(path))
        yield opened
    finally:
        for sock in opened:
            sock.close()


def closed_by_server(sock: socket.socket, timeout: float = 5.0) -> bool:
    """True once the server has closed ``sock`` (EOF), False if it is still open after
    ``timeout`` (the server sends these clients nothing but EOF)."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True


def exchange(path: Path, data: bytes) -> OperatorReply:
    """Send ``data`` as it is (well-formed or not) and read the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        sock.sendall(data)
        return msgspec.msgpack.decode(read_frame(sock), type=OperatorReply)


class Trickler:
    """A client sending a status request one byte every ``interval`` seconds, on a thread,
    until the server closes it or the request is all sent. ``closed_after``: seconds from
    connect to the close it saw (None if it never saw one)."""

    def __init__(self, path: Path, interval: float) -> None:
        self.interval = interval
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(str(path))
        self.connected = time.monotonic()
        self.closed_after: float | None = None
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name="trickler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for byte in STATUS_FRAME:
                self.sock.sendall(bytes([byte]))
                self.sent += 1
                self.sock.settimeout(self.interval)  # the pace of the trickle
                try:
                    if self.sock.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
            else:
                return
        except OSError:
            pass
        self.closed_after = time.monotonic() - self.connected

    def join(self, timeout: float) -> bool:
        """True if the thread ended (it is bounded by the request's length either way)."""
        self._thread.join(timeout)
        self.sock.close()
        return not self._thread.is_alive()
