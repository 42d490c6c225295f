"""The operator is never kept waiting, on the real daemon: with 50 clients connected that send
nothing, one trickling a byte every 1.5 s and malformed ones, a ``halt`` sent through the
control socket is answered and *applied* (journaled by RiskGate) within 100 ms of sending; a
status still works; the idle clients are then closed by the request deadline."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from daemon.control import REQUEST_SECONDS
from daemon.control_wire import request
from tests.daemon.control_clients import (
    Trickler,
    closed_by_server,
    exchange,
    idle_clients,
    still_open,
)
from tests.e2e.configs import slow_replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port, value

BUDGET_NS = 100_000_000  # 100 ms: the promise to the operator
IDLE = 50


def halted_at_ns(journal: Path, reason: str, timeout: float = 10.0) -> int:
    """``at_ns`` of the HALTED row the operator's halt produced, once RiskGate journals it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(journal) as db:
            row = db.execute(
                "SELECT at_ns FROM trading_state WHERE state = 'HALTED' AND source = 'operator' "
                "AND reason = ?",
                (reason,),
            ).fetchone()
        if row is not None:
            return int(row[0])
        time.sleep(0.02)  # polling interval of a deadline-bounded wait
    raise AssertionError(f"no HALTED row for {reason!r} within {timeout}s")


def test_no_idle_slow_or_malformed_client_keeps_a_halt_waiting(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, slow_replay_config(SAMPLE, port), port).start()
    try:
        daemon.wait_for(
            lambda s: (
                value(s, "shikra_trading_state", state="ACTIVE") == 1
                and value(s, "shikra_risk_approvals_total") >= 1
            ),
            timeout=60,
        )
        path = tmp_path / "state" / "control.sock"
        with idle_clients(path, IDLE) as idle:
            trickler = Trickler(path, interval=1.5)
            garbage = exchange(path, b"\xde\xad\xbe\xef and then some")
            oversized = exchange(path, (1 << 20).to_bytes(4, "big"))
            for reply in (garbage, oversized):
                assert not reply.ok and "over the 65536-byte limit" in reply.text, reply

            sent_ns = time.time_ns()
            reply = request(path, "halt", "drill under load", timeout=5)
            answered_ns = time.time_ns()
            assert reply.ok and reply.text.startswith("halt sent"), reply
            assert answered_ns - sent_ns <= BUDGET_NS, f"answered in {answered_ns - sent_ns} ns"
            # They were all there, waiting, while the halt went through.
            assert all(still_open(sock) for sock in idle)
            assert trickler.closed_after is None

            applied_ns = halted_at_ns(tmp_path / "state" / "journal.sqlite", "drill under load")
            assert applied_ns - sent_ns <= BUDGET_NS, f"applied {applied_ns - sent_ns} ns after"

            status = request(path, "status", timeout=10)
            assert status.ok and status.status is not None, status
            assert status.status.trading_state == "HALTED"

            # Then the request deadline closes the idle and the trickling alike.
            assert all(closed_by_server(sock, timeout=REQUEST_SECONDS + 5) for sock in idle)
            assert trickler.join(REQUEST_SECONDS + 5)
            assert trickler.closed_after is not None
            assert trickler.closed_after <= REQUEST_SECONDS + 2.0, trickler.closed_after

        samples = daemon.scrape()
        dropped = "shikra_control_connections_dropped_total"
        assert value(samples, dropped, reason="deadline") == IDLE + 1
        assert value(samples, dropped, reason="malformed") == 2
        assert daemon.terminate() == 0, daemon.log()
        # Counted one by one, logged as summaries (not a line per client).
        log = daemon.log().splitlines()
        summaries = [line for line in log if "control socket: dropped" in line]
        assert 1 <= len(summaries) <= 2, summaries
    finally:
        daemon.kill()
