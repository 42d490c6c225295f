"""The small part of RFC 6455 the fake ticker needs, written by hand.

Why by hand: the client (autobahn on Twisted) owns the one Twisted reactor a process may run,
so the fake cannot use Twisted, and a plain-socket server in threads keeps the fake's timing
independent of the client's event loop. Server frames go out unmasked; client frames must be
masked (RFC 6455 section 5.1) and are unmasked here.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
MAX_HANDSHAKE = 64 * 1024
MAX_MESSAGE = 1024 * 1024


class ProtocolError(Exception):
    """The peer broke the protocol (or went away mid-frame): the connection must end."""


@dataclass
class Handshake:
    """A parsed opening handshake request."""

    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.headers.get("sec-websocket-key", "")


def accept_key(key: str) -> str:
    """Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1(key.encode("ascii") + GUID).digest()
    return base64.b64encode(digest).decode("ascii")


def read_handshake(sock: socket.socket) -> Handshake:
    """Read the HTTP upgrade request up to the blank line and parse it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ProtocolError("peer closed during handshake")
        data += chunk
        if len(data) > MAX_HANDSHAKE:
            raise ProtocolError("handshake too large")
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    parts = request_line.split()
    if len(parts) != 3 or parts[0] != "GET":
        raise ProtocolError(f"bad request line {request_line!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    url = urlsplit(parts[1])
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    return Handshake(path=url.path or "/", query=query, headers=headers)


def is_upgrade(handshake: Handshake) -> bool:
    """Whether the request is a well-formed WebSocket version 13 upgrade."""
    h = handshake.headers
    connection = {t.strip().lower() for t in h.get("connection", "").split(",")}
    return (
        h.get("upgrade", "").lower() == "websocket"
        and "upgrade" in connection
        and h.get("sec-websocket-version") == "13"
        and bool(handshake.key)
    )


def switching_protocols(key: str) -> bytes:
    """The 101 response that completes the handshake."""
    return (
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
    ).encode("ascii")


def http_error(status: int, reason: str, body: str = "") -> bytes:
    """A plain HTTP error response refusing the upgrade (how Kite refuses a bad token)."""
    payload = body.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii") + payload


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """One unmasked server frame."""
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack(">BB", first, n)
    elif n < 1 << 16:
        header = struct.pack(">BBH", first, 126, n)
    else:
        header = struct.pack(">BBQ", first, 127, n)
    return header + payload


def close_payload(code: int, reason: str = "") -> bytes:
    """The body of a close frame: a uint16 status code and a UTF-8 reason."""
    return struct.pack(">H", code) + reason.encode()


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ProtocolError("peer closed mid-frame")
        buf += chunk
    return bytes(buf)


def read_frame(sock: socket.socket, *, require_mask: bool = True) -> tuple[bool, int, bytes]:
    """Read one frame: (fin, opcode, unmasked payload)."""
    first, second = _recv_exact(sock, 2)
    if first & 0x70:
        raise ProtocolError("reserved bits set (no extension was negotiated)")
    fin, opcode = bool(first & 0x80), first & 0x0F
    masked, n = bool(second & 0x80), second & 0x7F
    if n == 126:
        (n,) = struct.unpack(">H", _recv_exact(sock, 2))
    elif n == 127:
        (n,) = struct.unpack(">Q", _recv_exact(sock, 8))
    if n > MAX_MESSAGE:
        raise ProtocolError(f"frame of {n} bytes is too large")
    if require_mask and not masked:
        raise ProtocolError("client frame is not masked")
    mask = _recv_exact(sock, 4) if masked else b""
    payload = _recv_exact(sock, n)
    if masked:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return fin, opcode, payload


class MessageReader:
    """Reads whole messages from a client, reassembling fragments; control frames (which may
    arrive between fragments, RFC 6455 section 5.4) are returned as they come."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._opcode: int | None = None
        self._parts: list[bytes] = []

    def next(self) -> tuple[int, bytes]:
        """The next (opcode, payload): a complete text/binary message or a control frame."""
        while True:
            fin, opcode, payload = read_frame(self._sock)
            if opcode >= OP_CLOSE:
                return opcode, payload
            if opcode == OP_CONTINUATION:
                if self._opcode is None:
                    raise ProtocolError("continuation without a start frame")
            elif self._opcode is not None:
                raise ProtocolError("new message started inside a fragmented one")
            else:
                self._opcode = opcode
            self._parts.append(payload)
            if sum(len(p) for p in self._parts) > MAX_MESSAGE:
                raise ProtocolError("message too large")
            if fin:
                message = (self._opcode, b"".join(self._parts))
                self._opcode, self._parts = None, []
                return message
