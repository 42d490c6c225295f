"""Log lines people can read: time, level, where, what. Configured once, by ``run``.

Under systemd (``$JOURNAL_STREAM`` set: stderr goes to the journal) each line instead starts
with a syslog priority, ``<3>`` for errors … ``<7>`` for debug, which journald turns into the
entry's priority (so ``journalctl -p warning`` works), and carries no timestamp of its own
(the journal adds it).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(name)s: %(message)s"

PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(JOURNAL_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        priority = PRIORITIES.get(record.levelno, 6 if record.levelno < logging.WARNING else 4)
        text = super().format(record)
        # Every physical line gets the prefix: a traceback is one entry per line in the journal.
        return "\n".join(f"<{priority}>{line}" for line in text.splitlines())


def configure(level: str, environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JournalFormatter() if env.get("JOURNAL_STREAM") else logging.Formatter(FORMAT)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pykka logs every actor start and stop at debug; its errors are ours to report.
    logging.getLogger("pykka").setLevel(logging.WARNING)
