"""When a replay is over: the file played to its end, and nothing of it still on its way.

``[feed.replay] exit_at_end`` stops the daemon by itself once a replay is done, as SIGTERM
would (the day exported, exit 0), so a replay can be run like a command. "Done" is more than
the feed's last tick: that tick's decisions travel on as messages (strategy -> journal ->
RiskGate -> router -> venue), and stopping under them would leave an intent unsent or an order
without its answer (harmless — the next start reconciles it — but not what was asked for).
So the daemon waits until, for ``QUIET_CHECKS`` checks in a row, every actor's mailbox is
empty, the journal writer has nothing queued, and no order is NEW, SUBMITTED or UNKNOWN in
the journal (each has the venue's answer). Several checks, not one: a message being handled
is in no mailbox, and a write being committed in no queue, for an instant. A replay whose
orders never get an answer still ends, after ``GIVE_UP_SECONDS``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

QUIET_CHECKS = 5
"""Checks in a row (the run loop checks every 0.1 s) that must all find nothing in flight."""
GIVE_UP_SECONDS = 30.0
"""After the feed's end, stop after this long even if some order still has no answer."""

_IN_FLIGHT = "SELECT count(*) FROM orders WHERE status IN ('new', 'submitted', 'unknown')"


class ReplayEnd:
    """Asked on each turn of the run loop: ``done()`` once the replay is over (see above)."""

    def __init__(
        self,
        finished: threading.Event,
        journal_path: Path,
        backlog: Callable[[], Iterable[int]],
        journal_waiting: Callable[[], int],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.finished = finished
        self.journal_path = journal_path
        self.backlog = backlog
        self.journal_waiting = journal_waiting
        self.monotonic = monotonic
        self.quiet = 0
        self.since: float | None = None
        self.gave_up = False
        """The feed ended but some order never had an answer within ``GIVE_UP_SECONDS``."""

    def done(self) -> bool:
        if not self.finished.is_set():
            return False
        now = self.monotonic()
        if self.since is None:
            self.since = now
        if self._in_flight():
            self.quiet = 0
            if now - self.since >= GIVE_UP_SECONDS:
                self.gave_up = True
                return True
            return False
        self.quiet += 1
        return self.quiet >= QUIET_CHECKS

    def _in_flight(self) -> bool:
        if any(self.backlog()) or self.journal_waiting():
            return True
        db = sqlite3.connect(f"file:{self.journal_path}?mode=ro", uri=True, timeout=5)
        try:
            return bool(db.execute(_IN_FLIGHT).fetchone()[0])
        finally:
            db.close()
