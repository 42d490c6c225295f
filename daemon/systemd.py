"""The systemd notify protocol, spoken directly (a datagram per message to ``$NOTIFY_SOCKET``).

The ``sdnotify`` package swallows every error and ``systemd-python`` needs libsystemd headers
to build; the protocol itself is a few lines: a datagram of ``KEY=value`` lines to the unix
socket named in ``$NOTIFY_SOCKET`` (a leading ``@`` names an abstract socket). Nothing to do
when it is unset (not under systemd). A failed send is logged once, not raised: the daemon
must not die because systemd went away, but nobody should wonder why it was never ready.

``WATCHDOG=1`` must come more often than every ``WATCHDOG_USEC``; we pet at a third of it, and
only from Heartbeat while every actor answers, so a hung actor makes systemd restart us.
``Notifier`` is the ``supervisors.liveness.ServiceManager`` Heartbeat is given: the actor
knows the interface, never this module.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

_log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self._failed = False
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        self.watchdog_usec = int(usec) if usec.isdigit() and mine else None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def watchdog_interval(self) -> float | None:
        """How often to send ``WATCHDOG=1``: a third of systemd's timeout (it asks for less than
        half), or None when systemd runs no watchdog for us."""
        return None if self.watchdog_usec is None else self.watchdog_usec / 3e6

    def ready(self, status: str = "") -> None:
        self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> None:
        self.send(f"STATUS={text}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def send(self, state: str) -> bool:
        if not self.address:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(state.encode(), self.address)
            return True
        except OSError as exc:
            if not self._failed:
                self._failed = True
                _log.error("cannot notify systemd at %s: %s", self.address.lstrip("\0"), exc)
            return False
