"""Log lines people can read: time, level, where, what. Configured once, by ``run``."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pykka logs every actor start and stop at debug; its errors are ours to report.
    logging.getLogger("pykka").setLevel(logging.WARNING)
