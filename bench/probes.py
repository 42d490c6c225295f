"""The benchmark's measuring instruments, installed from outside so that production code stays as
it is. Both sides of a row (the tree and the baseline) use the same ones.

* ``DueStamps``: a tick's ``receive_ns`` becomes the wall time it was *due*, as a live frame is
  stamped when it arrives: a feed that polls late then shows its lateness in every latency
  instead of hiding it. It also knows the newest due time delivered (the feed lag).
* ``SentStamps``: "order sent" is stamped when the broker's ``place`` *returns* (for the paper
  venue: the order's row committed; for Kite it would be the POST's reply).
* ``LatencyLog``: every observation of a histogram, kept (percentiles from buckets would be
  coarse), and forwarded.
* ``GcPauses``: every collection's duration, from ``gc.callbacks``.
* ``LagSampler``: the feed lag once a second, on a thread of its own.
"""

from __future__ import annotations

import gc
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec

from feeds.base import Batch


class DueStamps:
    """Wraps a synthetic source's ``poll`` (on the instance): each released tick is re-stamped
    with ``receive_ns`` = the wall time it was due.

    The synthetic source releases a tick once ``now - first poll >= its offset``, and stamps its
    exchange time ``session start + offset``; so the due wall time is ``first poll + exchange
    time - session start`` (valid within the first session, hours longer than any row). The
    copy costs both sides the same (~0.5 µs a tick)."""

    def __init__(self, source: Any, session_start_ns: int) -> None:
        self._poll: Callable[[int], Batch] = source.poll
        self._session_start_ns = session_start_ns
        self._first_poll_ns: int | None = None
        self.released = 0
        self.newest_due_ns: int | None = None
        self.recording = False
        self.poll_waits: list[float] = []
        """Per poll that released ticks, how long its oldest tick had been due: the feed's
        polling cadence, a floor under every latency downstream."""
        source.poll = self.poll

    def poll(self, now_ns: int) -> Batch:
        if self._first_poll_ns is None:
            self._first_poll_ns = now_ns
        batch = self._poll(now_ns)
        if not batch.ticks:
            return batch
        shift = self._first_poll_ns - self._session_start_ns
        ticks = [msgspec.structs.replace(t, receive_ns=t.exchange_ns + shift) for t in batch.ticks]
        self.released += len(ticks)
        self.newest_due_ns = ticks[-1].receive_ns
        if self.recording:
            self.poll_waits.append((now_ns - ticks[0].receive_ns) / 1e9)
        return Batch(ticks, batch.next_due_ns, batch.skipped)

    def lag_s(self) -> float | None:
        """Wall now minus the due time of the newest tick delivered."""
        if self.newest_due_ns is None:
            return None
        return (time.time_ns() - self.newest_due_ns) / 1e9


class SentStamps:
    """Wraps a broker's ``place`` (on the instance): counts the orders placed and, while
    recording, their tick -> order-sent latency measured after the call returned."""

    def __init__(self, broker: Any) -> None:
        self._place: Callable[[Any], str] = broker.place
        self.recording = False
        self.placed = 0
        self.values: list[float] = []
        broker.place = self.place

    def place(self, intent: Any) -> str:
        broker_order_id = self._place(intent)
        if self.recording:
            self.placed += 1
            if intent.origin_ns:
                self.values.append((time.time_ns() - intent.origin_ns) / 1e9)
        return broker_order_id


class LatencyLog:
    """Stands in for a histogram: keeps every observation made while recording, forwards all."""

    def __init__(self, inner: Any = None) -> None:
        self.inner = inner
        self.recording = False
        self.values: list[float] = []

    def observe(self, value: float) -> None:
        if self.recording:
            self.values.append(value)
        if self.inner is not None:
            self.inner.observe(value)


class GcPauses:
    """Every garbage collection's wall duration while recording, by generation."""

    def __init__(self) -> None:
        self.recording = False
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        elif self.recording:
            self.pauses[info["generation"]].append(time.perf_counter() - self._began)

    def summary(self) -> dict[str, Any]:
        every = [p for pauses in self.pauses.values() for p in pauses]
        return {
            "max_ms": round(max(every, default=0.0) * 1000, 3),
            "collections": {f"gen{g}": len(p) for g, p in self.pauses.items()},
            "max_ms_by_gen": {
                f"gen{g}": round(max(p, default=0.0) * 1000, 3) for g, p in self.pauses.items()
            },
            "total_ms": round(sum(every) * 1000, 1),
        }


class LagSampler:
    """``lag()`` at the window's start and then once a second, on its own thread, until
    stopped; ``summary`` says whether the lag grew (a backlog) over the window."""

    def __init__(self, lag: Callable[[], float | None]) -> None:
        self._lag = lag
        self._stop = threading.Event()
        self.samples: list[float] = []
        self._thread = threading.Thread(target=self._run, name="bench-lag", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        began = time.monotonic()
        k = 0
        while True:
            lag = self._lag()
            if lag is not None:
                self.samples.append(lag)
            k += 1
            if self._stop.wait(max(0.0, began + k - time.monotonic())):
                return

    def summary(self) -> dict[str, Any]:
        s = self.samples
        if not s:
            return {"start_s": None, "end_s": None, "max_s": None, "growing": None}
        slope = _slope(s)
        return {
            "start_s": round(s[0], 4),
            "end_s": round(s[-1], 4),
            "max_s": round(max(s), 4),
            "slope_s_per_s": round(slope, 4),
            # A backlog: the lag rises steadily (> 20 ms a second) and ends above 100 ms.
            "growing": slope > 0.02 and s[-1] - s[0] > 0.1,
            "samples_s": [round(x, 3) for x in s],
        }


def _slope(samples: list[float]) -> float:
    """Least-squares slope of samples taken one second apart (seconds of lag per second)."""
    if len(samples) < 2:
        return 0.0
    xs = range(len(samples))
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(samples)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, samples, strict=True))
    den = sum((x - mean_x) ** 2 for x in xs)
    return num / den


def percentiles(values: list[float]) -> dict[str, Any]:
    """Count, p50, p99 and max in milliseconds, from every observation."""
    if not values:
        return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def journal_rows(path: str) -> dict[str, Any]:
    """What the run wrote to its journal, whole run (warm-up included): rows per table and
    per order, so the two sides' "journal writes per order" can be compared."""
    import sqlite3

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("intents", "orders", "order_events", "fills")
        }
        # Per finished order: one still on its way when the run stopped has not had all its
        # events yet, and would make the two sides differ by when each happened to stop.
        finished, events = db.execute(
            "SELECT count(DISTINCT o.client_id), count(e.id) FROM orders o "
            "JOIN order_events e ON e.client_id = o.client_id "
            "WHERE o.status IN ('filled', 'cancelled', 'rejected')"
        ).fetchone()
    finally:
        db.close()
    counts["open_at_end"] = counts["orders"] - finished
    counts["events_per_order"] = round(events / finished, 2) if finished else None
    return counts
