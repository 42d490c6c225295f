"""What the broker adapter does with a value it does not know: count it, say it once, go on.

The account holds whatever its owner does by hand, and Kite adds values over the years; a
value outside the documented sets must never stop the daemon (an exception escaping the
adapter crash-loops the OrderRouter). So the record functions map it to an explicit unknown
(``Product.UNKNOWN``, ``Variety.UNKNOWN``, an in-transit status…), or skip a record that
cannot be used at all, and report each case to a callable ``(field, value)``. This module is
that callable: every report is counted (through ``count``, the metric in the daemon), each
distinct pair is logged once at WARNING, so a day of one strange order is one line, not one
per poll.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

_log = logging.getLogger("brokers.kite")

UnknownValue = Callable[[str, str], None]
"""Told ``(field, value)``: the field is one of ``FIELDS``; the value is the broker's text
(shortened), or for ``record`` what made the record unusable."""

FIELDS = ("product", "status", "variety", "order_type", "transaction_type", "record")
"""The fields a report can name: a bounded metric label. ``record``: a record skipped whole
(no order id or symbol, a number that is not one, a trade without a price)."""

LOG_LIMIT = 256
"""Distinct pairs logged at most; past that they are still counted, only not logged, so a
broker sending a new value every second cannot fill the log or the memory."""


def shown(value: object, limit: int = 40) -> str:
    """A value as a log and a report show it: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UnknownValues:
    """An ``UnknownValue`` callable, safe from any thread (the feed's, the router's, the
    reconciliation's): counts every report, logs each distinct ``(field, value)`` once."""

    def __init__(
        self, count: Callable[[str], None] | None = None, *, log_limit: int = LOG_LIMIT
    ) -> None:
        self._count = count
        self._log_limit = log_limit
        self._seen: set[tuple[str, str]] = set()
        self._silenced = False
        self._lock = threading.Lock()

    def __call__(self, field: str, value: str) -> None:
        if self._count is not None:
            self._count(field)
        with self._lock:
            if (field, value) in self._seen or self._silenced:
                return
            overflow = len(self._seen) >= self._log_limit
            if overflow:
                self._silenced = True
            else:
                self._seen.add((field, value))
        if overflow:
            _log.warning(
                "more than %d distinct unknown broker values: counted, no longer logged",
                self._log_limit,
            )
        elif field == "record":
            _log.warning("skipped a broker record the adapter cannot use: %s", value)
        else:
            _log.warning(
                "the broker sent a %s the adapter does not know: %s (kept as unknown)", field, value
            )
