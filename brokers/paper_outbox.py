"""The paper venue's pushed updates: delivered outside its lock, in the order they happened.

Whichever thread finds the outbox idle drains it, and any other thread only adds to it. So a
listener may call back into the venue without deadlocking, and a fill is never reported after
the cancel that followed it. Updates are added only once they are durable (``PaperBroker``
commits first), so a listener never hears of something a restart would take back.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Iterable

from brokers.base import BrokerListener, BrokerUpdate

_log = logging.getLogger("brokers.paper")


class Outbox:
    """Shares the venue's lock: ``add`` and ``subscribe`` are called holding it, ``deliver``
    without it."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._listeners: list[BrokerListener] = []
        self._queue: deque[BrokerUpdate] = deque()
        self._delivering = False

    def subscribe(self, listener: BrokerListener) -> None:
        """Holding the lock."""
        self._listeners.append(listener)

    def add(self, updates: Iterable[BrokerUpdate]) -> None:
        """Holding the lock: queue updates, after the changes they report were committed."""
        self._queue.extend(updates)

    def deliver(self) -> None:
        """Not holding the lock: hand queued updates to the listeners, in order. Only one
        thread drains at a time; the others return and leave their updates to it."""
        with self._lock:
            if self._delivering:
                return
            self._delivering = True
        while True:
            with self._lock:
                if not self._queue:
                    self._delivering = False
                    return
                update = self._queue.popleft()
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(update)
                except Exception:
                    # The order is already placed, cancelled or filled at the "venue": a
                    # failing listener must not make that look like the call failed.
                    _log.exception("paper broker listener failed on %s", type(update).__name__)
                except BaseException:
                    with self._lock:
                        self._delivering = False
                    raise
