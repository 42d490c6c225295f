"""The real daemon speaks systemd's notify protocol: READY=1 once it is up and reconciled,
WATCHDOG=1 at less than half of WATCHDOG_USEC, no WATCHDOG=1 while an actor hangs, STOPPING=1
on SIGTERM — read off a datagram socket, as systemd would."""

from __future__ import annotations

import itertools
import os
import socket
import time
from pathlib import Path

from tests.e2e.configs import replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port

WATCHDOG_USEC = 2_000_000

HANG_A_STRATEGY = """
[faults]
enabled = true
[[faults.rules]]
actor = "Strategy:NSE:TCS"
action = "hang"
every_nth = 300
message = "Tick"
hang_seconds = 3.0
max_times = 1
"""


def test_ready_watchdog_hang_and_stopping(tmp_path: Path):
    notify = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    sock.settimeout(10)
    port = free_port()
    config = (
        replay_config(SAMPLE, port, faults=HANG_A_STRATEGY)
        .replace('speed = "max"', "speed = 300.0")
        .replace("timeout_seconds = 5.0", "timeout_seconds = 1.0")
    )
    daemon = DaemonProcess(tmp_path, config, port)
    daemon.env = dict(os.environ) | {
        "NOTIFY_SOCKET": str(notify),
        "WATCHDOG_USEC": str(WATCHDOG_USEC),
        "JOURNAL_STREAM": "8:12345",  # as systemd sets it when stderr is the journal
    }
    received: list[tuple[float, str]] = []
    try:
        daemon.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # read until the hang has come and gone
            received.append((time.monotonic(), sock.recv(4096).decode()))
            pets = [t for t, m in received if m == "WATCHDOG=1"]
            gaps = [b - a for a, b in itertools.pairwise(pets)]
            if any(g > 1.5 for g in gaps) and len(pets) >= 3 and pets[-1] - pets[-2] < 1.0:
                break
        assert daemon.terminate() == 0, daemon.log()
        while True:  # drain what came with the shutdown
            try:
                sock.settimeout(2)
                received.append((time.monotonic(), sock.recv(4096).decode()))
            except TimeoutError:
                break
    finally:
        daemon.kill()
        sock.close()
    messages = [m for _, m in received]
    ready = [i for i, m in enumerate(messages) if m.startswith("READY=1")]
    assert ready and "STATUS=trading ACTIVE" in messages[ready[0]]
    pets = [t for t, m in received if m == "WATCHDOG=1"]
    gaps = [b - a for a, b in itertools.pairwise(pets)]
    healthy_gaps = sorted(gaps)[: max(1, len(gaps) - 1)]
    # Petted at less than half of WATCHDOG_USEC while every actor answers...
    assert max(healthy_gaps) < WATCHDOG_USEC / 2e6, gaps
    # ...and not at all for a while when the strategy hung (3 s, timeout 1 s).
    assert max(gaps) > 1.5, gaps
    assert any("actors answering" in m and "STATUS=" in m for m in messages)
    assert messages[-1] == "STOPPING=1" or "STOPPING=1" in messages[-3:]
    # Under systemd every log line carries its syslog priority for journald.
    lines = [line for line in daemon.log().splitlines() if line]
    assert lines and all(line[:3] in {"<2>", "<3>", "<4>", "<6>", "<7>"} for line in lines)
