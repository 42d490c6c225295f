"""The fake's hand-written RFC 6455 pieces, and its WebSocket server driven by a raw socket:
what a misbehaving client does must never take the fake down."""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Iterator

import pytest

from tests.fakekite import FakeKite, packets, wsproto
from tests.fakekite_selftest.market_setup import INFY

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's example key


def masked(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """A client frame (masked, as RFC 6455 requires of clients)."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    n = len(payload)
    size = struct.pack(">B", 0x80 | n) if n < 126 else struct.pack(">BH", 0x80 | 126, n)
    return struct.pack(">B", (0x80 if fin else 0) | opcode) + size + mask + body


def test_accept_key_matches_the_rfc_example():
    assert wsproto.accept_key(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_server_frames_round_trip_at_length_boundaries(size):
    a, b = socket.socketpair()
    with a, b:
        payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
        a.sendall(wsproto.encode_frame(wsproto.OP_BINARY, payload))
        assert wsproto.read_frame(b, require_mask=False) == (True, wsproto.OP_BINARY, payload)


def test_reader_unmasks_reassembles_fragments_and_passes_control_frames_between():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(masked(wsproto.OP_TEXT, b'{"a": ', fin=False))
        a.sendall(masked(wsproto.OP_PING, b"hi"))
        a.sendall(masked(wsproto.OP_CONTINUATION, b'"x"}'))
        reader = wsproto.MessageReader(b)
        assert reader.next() == (wsproto.OP_PING, b"hi")
        assert reader.next() == (wsproto.OP_TEXT, b'{"a": "x"}')


def test_reader_refuses_an_unmasked_client_frame():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(wsproto.encode_frame(wsproto.OP_TEXT, b"{}"))
        with pytest.raises(wsproto.ProtocolError, match="not masked"):
            wsproto.MessageReader(b).next()


class RawClient:
    """A bare WebSocket client on a socket, to do what kiteconnect never would."""

    def __init__(self, fake: FakeKite, token: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", int(fake.ws_root.rsplit(":", 1)[1])))
        self.sock.settimeout(5)
        self.sock.sendall(
            (f"GET /?api_key={fake.api_key}&access_token={token} HTTP/1.1\r\n"
             "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
        )  # fmt: skip
        self.response = b""
        while b"\r\n\r\n" not in self.response:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            self.response += chunk

    def send(self, opcode: int, payload: bytes) -> None:
        self.sock.sendall(masked(opcode, payload))

    def next_non_heartbeat(self) -> tuple[int, bytes]:
        while True:
            _, opcode, payload = wsproto.read_frame(self.sock, require_mask=False)
            if payload != packets.HEARTBEAT:
                return opcode, payload


@pytest.fixture
def raw(fake: FakeKite) -> Iterator[RawClient]:
    client = RawClient(fake, fake.access_token)
    yield client
    client.sock.close()


def test_handshake_answers_with_the_rfc_accept_key(raw):
    assert raw.response.startswith(b"HTTP/1.1 101 ")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in raw.response


def test_bad_token_is_refused_with_http_403_and_recorded(fake):
    client = RawClient(fake, "wrong")
    with client.sock:
        assert client.response.startswith(b"HTTP/1.1 403 Forbidden")
        assert client.sock.recv(100) == b"Invalid access token."
    assert fake.refused_connections == [{"api_key": fake.api_key, "access_token": "wrong"}]
    assert fake.connection_count == 0


def test_garbage_from_the_client_is_recorded_and_the_connection_survives(fake, raw):
    raw.send(wsproto.OP_TEXT, b"not json")
    raw.send(wsproto.OP_TEXT, b'{"a": "subscribe", "v": "nonsense"}')
    raw.send(wsproto.OP_TEXT, b'{"a": "teleport", "v": [1]}')
    raw.send(wsproto.OP_BINARY, b"\x01\x02")
    raw.send(wsproto.OP_PING, b"still there?")
    assert raw.next_non_heartbeat() == (wsproto.OP_PONG, b"still there?")
    (conn,) = fake.connections
    assert conn.messages == [
        "not json",
        {"a": "subscribe", "v": "nonsense"},
        {"a": "teleport", "v": [1]},
        b"\x01\x02",
    ]
    assert (conn.pings, conn.open) == (1, True)
    raw.send(wsproto.OP_TEXT, json.dumps({"a": "subscribe", "v": [INFY]}).encode())
    opcode, snapshot = raw.next_non_heartbeat()  # Kite answers a subscription with a quote
    assert (opcode, len(snapshot)) == (wsproto.OP_BINARY, 2 + 2 + 44)
    assert fake.internal_errors == []


def test_close_frame_is_echoed_and_the_connection_recorded_closed(fake, raw):
    raw.send(wsproto.OP_CLOSE, struct.pack(">H", 1000))
    assert raw.next_non_heartbeat() == (wsproto.OP_CLOSE, struct.pack(">H", 1000))
    fake.wait_until(lambda: fake.open_connection_count == 0, what="the connection to close")
    assert fake.connections[0].client_close_code == 1000


def test_heartbeat_is_one_byte_binary_frame():
    with FakeKite(heartbeat_interval=0.05) as quick:
        raw = RawClient(quick, quick.access_token)
        with raw.sock:
            for _ in range(2):
                frame = wsproto.read_frame(raw.sock, require_mask=False)
                assert frame == (True, wsproto.OP_BINARY, b"\x00")
