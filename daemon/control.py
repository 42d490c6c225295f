"""The operator's control socket: ``main.py status|halt|resume|flatten`` talk to the running
daemon over a unix socket in its state directory, mode 0600 (only the daemon's user may steer
it), one msgspec-encoded request and reply per connection, each framed by a 4-byte length.

Halt, resume and flatten become the same control messages a limit would send, told to
RiskGate's address; the trading state they produce is journaled there, so a halt survives a
restart. Status is gathered from the truth: PnLTracker's exact figures (asked), the journal's
open orders, and the metrics the dashboard shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import threading
from pathlib import Path
from typing import Any

import msgspec

from config.actors import PNL_TRACKER, RISK_GATE
from config.environment import CONTROL_SOCKET_NAME
from core.clock import Clock
from journal import Journal
from messages import (
    ActorStatus,
    Flatten,
    Halt,
    OperatorReply,
    OperatorRequest,
    PnLQuery,
    PnLUpdate,
    Resume,
    StateSource,
    StatusReport,
    TradingState,
)
from supervisors import SupervisionTree

_log = logging.getLogger(__name__)

SOCKET_NAME = CONTROL_SOCKET_NAME  # where check-config measures its path, too
_LENGTH = struct.Struct(">I")
_encoder = msgspec.msgpack.Encoder()


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def read_frame(sock: socket.socket, limit: int = 1 << 20) -> bytes:
    header = _read_exactly(sock, 4)
    (length,) = _LENGTH.unpack(header)
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


class ControlServer:
    def __init__(
        self, path: Path, tree: SupervisionTree, journal_path: Path, actors: tuple[str, ...],
        clock: Clock,
    ) -> None:  # fmt: skip
        self.path = path
        self.tree = tree
        self.journal_path = journal_path
        self.actors = actors
        self.clock = clock
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a socket left by a killed daemon
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # created 0600: no window in which others could connect
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        sock.listen(8)
        sock.settimeout(0.2)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    request = msgspec.msgpack.decode(read_frame(conn), type=OperatorRequest)
                    reply = self._answer(request)
                except (msgspec.DecodeError, ValueError, ConnectionError, OSError) as exc:
                    reply = OperatorReply(ok=False, text=f"bad request: {exc}")
                with contextlib.suppress(OSError):
                    send_frame(conn, _encoder.encode(reply))

    def _answer(self, request: OperatorRequest) -> OperatorReply:
        risk = self.tree.address(RISK_GATE)
        reason = request.reason or f"operator {request.command}"
        if request.command == "halt":
            risk.tell(Halt(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: halt (%s)", reason)
            return OperatorReply(ok=True, text="halt sent: no new orders; cancels still go")
        if request.command == "resume":
            risk.tell(Resume(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: resume (%s)", reason)
            return OperatorReply(ok=True, text="resume sent")
        if request.command == "flatten":
            risk.tell(Flatten(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: flatten (%s)", reason)
            return OperatorReply(
                ok=True, text="flatten sent: open orders cancelled, positions closed, then halted"
            )
        return OperatorReply(ok=True, text="status", status=self._status())

    def _status(self) -> StatusReport:
        registry = self.tree.metrics.registry

        def sample(name: str, **labels: str) -> float | None:
            return registry.get_sample_value(name, labels)

        state = next(
            (s.value for s in TradingState if sample("shikra_trading_state", state=s.value) == 1),
            "UNKNOWN",
        )
        actors = tuple(
            ActorStatus(
                name=name,
                up=self.tree.directory.is_up(name),
                healthy=sample("shikra_actor_healthy", actor=name) != 0,
                restarts=int(sample("shikra_actor_restarts_total", actor=name) or 0),
            )
            for name in self.actors
        )
        try:
            pnl: Any = self.tree.address(PNL_TRACKER).ask(PnLQuery(), timeout=5.0)
        except Exception:  # down or busy: say so rather than fail the whole status
            pnl = None
        if not isinstance(pnl, PnLUpdate):
            pnl = PnLUpdate(realized=0, unrealized=0, charges=0, net=0, peak_net=0, drawdown=0)
        with Journal.open(self.journal_path, self.clock) as journal:
            open_orders = tuple(o.client_id for o in journal.open_orders())
        return StatusReport(
            trading_state=state,
            actors=actors,
            symbols=pnl.symbols,
            realized=pnl.realized,
            unrealized=pnl.unrealized,
            charges=pnl.charges,
            net=pnl.net,
            open_orders=open_orders,
            feed_age_seconds=sample("shikra_feed_last_tick_age_seconds"),
        )


def request(path: Path, command: str, reason: str = "", timeout: float = 15.0) -> OperatorReply:
    """The client side: one request, one reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        send_frame(sock, _encoder.encode(OperatorRequest(command=command, reason=reason)))  # type: ignore[arg-type]
        return msgspec.msgpack.decode(read_frame(sock), type=OperatorReply)
