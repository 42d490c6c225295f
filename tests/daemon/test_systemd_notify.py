"""The notify protocol against a real datagram socket, as systemd listens."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from daemon.systemd import Notifier


def listener(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    return sock


def test_messages_arrive_as_datagrams(tmp_path: Path):
    path = tmp_path / "notify"
    with listener(path) as sock:
        notifier = Notifier({"NOTIFY_SOCKET": str(path)})
        notifier.ready("trading: ACTIVE")
        notifier.watchdog()
        notifier.status("HALTED")
        notifier.stopping()
        got = [sock.recv(4096).decode() for _ in range(4)]
    assert got == ["READY=1\nSTATUS=trading: ACTIVE", "WATCHDOG=1", "STATUS=HALTED", "STOPPING=1"]


def test_an_abstract_socket_is_named_with_a_leading_at():
    name = f"shikra-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).send("READY=1")
        assert sock.recv(64) == b"READY=1"


def test_without_systemd_nothing_is_sent_and_there_is_no_watchdog():
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.send("READY=1") is False
    assert notifier.watchdog_interval() is None


def test_the_watchdog_is_petted_at_a_third_of_its_timeout_and_only_for_this_process():
    assert Notifier({"WATCHDOG_USEC": "3000000"}).watchdog_interval() == 1.0
    other = {"WATCHDOG_USEC": "3000000", "WATCHDOG_PID": str(os.getpid() + 1)}
    assert Notifier(other).watchdog_interval() is None


def test_a_dead_socket_is_reported_once_and_never_raises(tmp_path: Path, caplog):
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert notifier.send("READY=1") is False
    assert notifier.send("WATCHDOG=1") is False
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1
