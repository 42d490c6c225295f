"""The fake ticker's WebSocket server: plain sockets and threads on loopback.

One thread accepts; each connection gets a thread that does the handshake (403 for a bad
``api_key``/``access_token``, as Kite refuses it) and then reads the client's messages,
recording each. A heartbeat thread sends Kite's one-byte binary heartbeat to every open
connection. All shared state is guarded by the fake's lock; ``silent`` stops every outgoing
byte (ticks, heartbeats, pongs, order updates) while connections stay open.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakekite import wsproto
from tests.fakekite.market import MODES
from tests.fakekite.packets import HEARTBEAT
from tests.fakekite.wsproto import OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT

SEND_TIMEOUT = struct.pack("ll", 5, 0)  # struct timeval: a stuck client cannot hang the fake


@dataclass(eq=False)
class Connection:
    """One accepted WebSocket connection and everything the client sent on it."""

    number: int
    sock: socket.socket
    query: dict[str, str]
    messages: list[Any] = field(default_factory=list)
    subscribed: set[int] = field(default_factory=set)
    modes: dict[int, str] = field(default_factory=dict)
    pings: int = 0
    frames_sent: int = 0
    open: bool = True
    client_close_code: int | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def actions(self, action: str) -> list[Any]:
        """The ``v`` of every well-formed message with ``a == action``, in order."""
        return [m.get("v") for m in self.messages if isinstance(m, dict) and m.get("a") == action]

    def send(self, opcode: int, payload: bytes) -> bool:
        with self.send_lock:
            try:
                self.sock.sendall(wsproto.encode_frame(opcode, payload))
            except OSError:
                return False
        self.frames_sent += 1
        return True

    def cut(self) -> None:
        """Drop the TCP connection without a closing handshake, like a network failure."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


class TickerServer:
    def __init__(
        self,
        lock: threading.RLock,
        changed: Callable[[], None],
        authorize: Callable[[str | None, str | None], bool],
        subscribed: Callable[[Connection, list[int]], None],
        on_internal_error: Callable[[str], None],
        heartbeat_interval: float | None,
    ) -> None:
        self.lock, self.changed, self.authorize = lock, changed, authorize
        self.on_subscribed = subscribed
        self.on_internal_error = on_internal_error
        self.heartbeat_interval = heartbeat_interval
        self.connections: list[Connection] = []
        self.refused: list[dict[str, str]] = []
        self.silent = False
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def start(self) -> None:
        self._spawn(self._accept_loop, "fakekite-ws-accept")
        if self.heartbeat_interval:
            self._spawn(self._heartbeat_loop, "fakekite-ws-heartbeat")

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):  # wake the blocking accept()
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        with self.lock:
            connections = list(self.connections)
        for conn in connections:
            conn.cut()
        for thread in list(self._threads):
            thread.join(timeout=5)
        self._listener.close()

    def open_connections(self) -> list[Connection]:
        with self.lock:
            return [c for c in self.connections if c.open]

    def send(self, conn: Connection, opcode: int, payload: bytes) -> None:
        """Send unless the fake has gone silent (the caller holds the lock)."""
        if not self.silent and conn.open:
            conn.send(opcode, payload)

    # -- threads --------------------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            if self._stopping.is_set():
                sock.close()
                return
            self._spawn(self._serve, "fakekite-ws-conn", sock)

    def _heartbeat_loop(self) -> None:
        assert self.heartbeat_interval is not None
        while not self._stopping.wait(self.heartbeat_interval):
            with self.lock:
                for conn in self.connections:
                    self.send(conn, OP_BINARY, HEARTBEAT)

    def _serve(self, sock: socket.socket) -> None:
        conn: Connection | None = None
        try:
            sock.settimeout(5.0)
            handshake = wsproto.read_handshake(sock)
            if not wsproto.is_upgrade(handshake):
                sock.sendall(wsproto.http_error(400, "Bad Request"))
                return
            query = handshake.query
            if not self.authorize(query.get("api_key"), query.get("access_token")):
                with self.lock:
                    self.refused.append(query)
                    self.changed()
                sock.sendall(wsproto.http_error(403, "Forbidden", "Invalid access token."))
                return
            sock.settimeout(None)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, SEND_TIMEOUT)
            with self.lock:
                conn = Connection(len(self.connections) + 1, sock, query)
                sock.sendall(wsproto.switching_protocols(handshake.key))
                self.connections.append(conn)
                self.changed()
            self._read_loop(conn)
        except (wsproto.ProtocolError, OSError):
            pass
        except Exception:
            self.on_internal_error(traceback.format_exc())
        finally:
            with self.lock:
                if conn is not None:
                    conn.open = False
                self.changed()
            with contextlib.suppress(OSError):
                sock.close()

    def _read_loop(self, conn: Connection) -> None:
        reader = wsproto.MessageReader(conn.sock)
        while True:
            opcode, payload = reader.next()
            with self.lock:
                if opcode == OP_CLOSE:
                    conn.client_close_code = (
                        struct.unpack(">H", payload[:2])[0] if payload else None
                    )
                    self.send(conn, OP_CLOSE, payload[:2])
                    return
                if opcode == OP_PING:
                    conn.pings += 1
                    self.send(conn, OP_PONG, payload)
                elif opcode == OP_TEXT:
                    self._on_text(conn, payload)
                elif opcode != OP_PONG:
                    conn.messages.append(payload)
                self.changed()

    def _on_text(self, conn: Connection, payload: bytes) -> None:
        """Record a client message; apply subscribe/unsubscribe/mode; send a snapshot of the
        instruments it names, as Kite sends the current quote on subscription."""
        try:
            message = json.loads(payload)
        except ValueError:
            conn.messages.append(payload.decode("utf-8", "replace"))
            return
        conn.messages.append(message)
        if not isinstance(message, dict):
            return
        action, value = message.get("a"), message.get("v")
        try:
            if action == "subscribe":
                tokens = [int(t) for t in value]
                conn.subscribed.update(tokens)
                conn.modes.update(dict.fromkeys(tokens, "quote"))
            elif action == "unsubscribe":
                tokens = []
                for token in value:
                    conn.subscribed.discard(int(token))
                    conn.modes.pop(int(token), None)
            elif action == "mode" and value[0] in MODES:
                tokens = [int(t) for t in value[1]]
                conn.modes.update(dict.fromkeys(tokens, value[0]))
            else:
                return
        except (TypeError, ValueError, IndexError, KeyError):
            return
        if tokens:
            self.on_subscribed(conn, tokens)
