"""The control server in-process, over a real unix socket: deadlines, the cap on waiting
connections, malformed and busy requests, a status that is slow, and a prompt stop. A small fake
stands in for the supervision tree (``address``, ``metrics``, ``directory``); the daemon test in
tests/e2e/test_control_never_waits.py runs the same server on the real tree."""

from __future__ import annotations

import queue
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest

from config.actors import PNL_TRACKER, RISK_GATE
from daemon.clock import WallClock
from daemon.control import ControlServer
from daemon.control_wire import complete_frame, request
from journal import Journal
from messages import Halt, OperatorReply, PnLQuery, PnLUpdate, StateSource
from metrics import Metrics
from tests.daemon.control_clients import (
    STATUS_FRAME,
    Trickler,
    closed_by_server,
    exchange,
    frame,
    idle_clients,
    still_open,
)

HALT_BUDGET = 0.100  # seconds: the promise to the operator


class FakeRiskGate:
    def __init__(self) -> None:
        self.told: queue.SimpleQueue[object] = queue.SimpleQueue()

    def tell(self, message: object) -> None:
        self.told.put(message)


class StuckPnLTracker:
    """Answers a PnLQuery only once released: a status that takes as long as the test says."""

    def __init__(self) -> None:
        self.asked = threading.Semaphore(0)
        self.release = threading.Event()

    def ask(self, message: object, timeout: float) -> PnLUpdate:
        assert isinstance(message, PnLQuery)
        self.asked.release()
        self.release.wait(timeout)
        return PnLUpdate(realized=100, unrealized=0, charges=0, net=100, peak_net=100, drawdown=0)


class FakeDirectory:
    def is_up(self, name: str) -> bool:
        return True


class FakeTree:
    def __init__(self) -> None:
        self.metrics = Metrics()
        self.metrics.prepare((), ())
        self.directory = FakeDirectory()
        self.risk = FakeRiskGate()
        self.pnl = StuckPnLTracker()

    def address(self, name: str) -> object:
        return {RISK_GATE: self.risk, PNL_TRACKER: self.pnl}[name]

    def dropped(self, reason: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "shikra_control_connections_dropped_total", {"reason": reason}
        )
        assert value is not None
        return value


Serve = Callable[..., tuple[ControlServer, Path]]


@pytest.fixture
def tree() -> FakeTree:
    return FakeTree()


@pytest.fixture
def serve(tmp_path: Path, tree: FakeTree) -> Iterator[Serve]:
    journal = tmp_path / "journal.sqlite"
    Journal.open(journal, WallClock()).close()
    servers: list[ControlServer] = []

    def start(**limits: float) -> tuple[ControlServer, Path]:
        path = tmp_path / f"control{len(servers)}.sock"
        server = ControlServer(path, tree, journal, (RISK_GATE,), WallClock(), **limits)  # type: ignore[arg-type]
        server.start()
        servers.append(server)
        return server, path

    yield start
    tree.pnl.release.set()
    for server in servers:
        server.stop()


def timed_halt(path: Path, reason: str) -> tuple[OperatorReply, float]:
    started = time.monotonic()
    reply = request(path, "halt", reason, timeout=5)
    return reply, time.monotonic() - started


def poll(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)  # polling interval of a deadline-bounded wait
    return True


def test_the_socket_is_0600(serve: Serve):
    _, path = serve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_status_stuck_on_its_ask_keeps_no_halt_waiting(serve: Serve, tree: FakeTree):
    _, path = serve()
    replies: queue.SimpleQueue[OperatorReply] = queue.SimpleQueue()
    asker = threading.Thread(target=lambda: replies.put(request(path, "status", timeout=10)))
    asker.start()
    assert tree.pnl.asked.acquire(timeout=5)  # the status is now inside its ask
    reply, took = timed_halt(path, "lunch")
    assert reply.ok and reply.text.startswith("halt sent"), reply
    assert took <= HALT_BUDGET, f"halt answered in {took:.3f}s behind a stuck status"
    told = tree.risk.told.get(timeout=1)
    assert told == Halt(reason="lunch", source=StateSource.OPERATOR)
    tree.pnl.release.set()
    asker.join(10)
    status = replies.get(timeout=1)
    assert status.ok and status.status is not None and status.status.net == 100


def test_a_silent_and_a_trickling_client_are_closed_at_the_request_deadline(
    serve: Serve, tree: FakeTree
):
    deadline = 0.5
    _, path = serve(request_seconds=deadline)
    assert len(STATUS_FRAME) * 0.2 > 2 * deadline  # every read in time, the request not
    with idle_clients(path, 1) as (silent,):
        trickler = Trickler(path, interval=0.2)
        assert closed_by_server(silent)
        silent_after = time.monotonic() - trickler.connected
        assert trickler.join(10)
    assert trickler.closed_after is not None and trickler.sent < len(STATUS_FRAME)
    for who, after in (("silent", silent_after), ("trickling", trickler.closed_after)):
        assert deadline - 0.05 <= after <= deadline + 1.0, (who, after)
    assert tree.dropped("deadline") == 2
    assert tree.pnl.asked.acquire(timeout=0) is False  # the trickled status never ran


def test_beyond_the_cap_the_oldest_waiting_is_closed_and_the_newest_served(
    serve: Serve, tree: FakeTree
):
    cap, idle = 8, 20
    _, path = serve(max_waiting=cap, request_seconds=30.0)
    with idle_clients(path, idle) as waiting:
        reply, took = timed_halt(path, "over the cap")
        assert reply.ok and took <= HALT_BUDGET, (reply, took)
        # 21 connections through a cap of 8: the halt's own arrival evicted one more, and once
        # answered it left, so the newest cap - 1 idle ones are still waiting.
        evicted = idle + 1 - cap
        assert all(closed_by_server(sock) for sock in waiting[:evicted])
        assert all(still_open(sock) for sock in waiting[evicted:])
    assert tree.dropped("evicted") == evicted
    assert tree.dropped("deadline") == 0


def test_malformed_requests_are_answered_with_an_error_and_closed(serve: Serve, tree: FakeTree):
    _, path = serve()
    cases = {
        "garbage header": b"\xde\xad\xbe\xef garbage",
        "oversized length": (64 * 1024 + 1).to_bytes(4, "big"),
        "not msgpack": frame(b"\xc1\xc1\xc1"),
        "unknown command": frame(msgspec.msgpack.encode({"command": "reboot"})),
    }
    for case, data in cases.items():
        reply = exchange(path, data)
        assert not reply.ok and reply.text.startswith("bad request"), (case, reply)
    assert "over the 65536-byte limit" in exchange(path, cases["oversized length"]).text
    with idle_clients(path, 1) as (leaver,):
        leaver.sendall(b"\x00\x00")
    assert poll(lambda: tree.dropped("incomplete") == 1)
    assert tree.dropped("malformed") == len(cases) + 1
    assert tree.risk.told.empty()


def test_a_status_beyond_the_running_cap_is_answered_busy_at_once(serve: Serve, tree: FakeTree):
    _, path = serve(max_status=1)
    replies: queue.SimpleQueue[OperatorReply] = queue.SimpleQueue()
    asker = threading.Thread(target=lambda: replies.put(request(path, "status", timeout=10)))
    asker.start()
    assert tree.pnl.asked.acquire(timeout=5)
    started = time.monotonic()
    busy = request(path, "status", timeout=5)
    assert time.monotonic() - started <= HALT_BUDGET
    assert not busy.ok and busy.text.startswith("busy"), busy
    assert tree.dropped("busy") == 1
    tree.pnl.release.set()
    asker.join(10)
    assert replies.get(timeout=1).ok


def test_stop_is_prompt_with_clients_and_a_status_in_flight(serve: Serve, tree: FakeTree):
    server, path = serve()
    statuses: queue.SimpleQueue[BaseException | OperatorReply] = queue.SimpleQueue()

    def ask_status() -> None:
        try:
            statuses.put(request(path, "status", timeout=10))
        except (OSError, ValueError) as exc:
            statuses.put(exc)

    threading.Thread(target=ask_status).start()
    assert tree.pnl.asked.acquire(timeout=5)
    with idle_clients(path, 20) as idle:
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
        assert took <= 1.0, f"stop took {took:.2f}s"
        assert all(closed_by_server(sock) for sock in idle)
    assert not path.exists()
    # The status that was running is not answered: its client sees the connection close.
    assert isinstance(statuses.get(timeout=5), ConnectionError)


def test_a_frame_is_complete_only_with_its_whole_payload():
    payload = b"abc"
    whole = frame(payload)
    assert [complete_frame(whole[:n], 10) for n in range(len(whole))] == [None] * len(whole)
    assert complete_frame(whole, 10) == payload
    assert complete_frame(whole + b"more", 10) == payload
    with pytest.raises(ValueError, match="over the 10-byte limit"):
        complete_frame((11).to_bytes(4, "big"), 10)  # refused from the header alone
