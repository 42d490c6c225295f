"""The control socket's wire format and its client: one msgpack ``OperatorRequest`` and one
``OperatorReply`` per connection, each framed by a 4-byte big-endian length. Kept apart from the
server so that ``main.py halt`` imports only this."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import msgspec

from config.environment import CONTROL_SOCKET_NAME
from messages import OperatorReply, OperatorRequest

SOCKET_NAME = CONTROL_SOCKET_NAME  # check-config measures its path, too
LENGTH = struct.Struct(">I")
encoder = msgspec.msgpack.Encoder()


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(LENGTH.pack(len(payload)) + payload)


def read_frame(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    header = _read_exactly(sock, 4)
    (length,) = LENGTH.unpack(header)
    if length > limit:
        raise ValueError(f"frame of {length} bytes is over the {limit}-byte limit")
    return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed mid-frame")
        data += chunk
    return data


def complete_frame(buffer: bytes | bytearray, limit: int) -> bytes | None:
    """The payload once ``buffer`` holds a whole frame, else None (bytes beyond it are
    ignored: one request per connection). Raises ValueError as soon as the header announces
    more than ``limit`` bytes, without waiting for them."""
    if len(buffer) < LENGTH.size:
        return None
    (length,) = LENGTH.unpack_from(buffer)
    if length > limit:
        raise ValueError(f"frame of {length} bytes is over the {limit}-byte limit")
    end = LENGTH.size + length
    return bytes(buffer[LENGTH.size : end]) if len(buffer) >= end else None


def request(path: Path, command: str, reason: str = "", timeout: float = 15.0) -> OperatorReply:
    """The client side: one request, one reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        send_frame(sock, encoder.encode(OperatorRequest(command=command, reason=reason)))  # type: ignore[arg-type]
        return msgspec.msgpack.decode(read_frame(sock), type=OperatorReply)
