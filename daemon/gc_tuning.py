"""Garbage collection for a long-running process that holds thousands of actors.

CPython's cyclic collector stops every thread while it scans a generation; the oldest one
holds everything that has survived so far — with thousands of strategies, their indicators,
the supervision tree, the modules — and a scan of it took 0.2-0.6 s, which was the p99 of the
tick path (DESIGN: measured costs). Two things remove that:

* ``gc.freeze()`` once the tree has started: everything alive then (the whole start-up state)
  moves to a permanent generation that is never scanned again;
* higher thresholds: ticks, messages and events die young (they are mostly freed by reference
  counting before a collection sees them), so the youngest generation is collected less
  often, and the oldest, holding only what survived since the start, rarely.

Nothing is disabled: cycles are still collected, only less often.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)
"""Youngest: collected after this many net allocations (CPython's default is 700); the middle
after 20 of those; the oldest after 100 of the middle's."""


def settle_after_start() -> None:
    """Collect once, freeze what the start-up built, and set the thresholds. Call after the
    tree has started (and again after anything that builds much long-lived state)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
