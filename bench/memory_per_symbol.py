"""What one symbol costs in memory, and what that memory is.

The tree is built and run twice, each in a fresh process, with ``--small`` and ``--large``
symbols on the synthetic market until every symbol has had ticks (so every Strategy has started,
warmed its indicators and created its metric children). ``tracemalloc`` then counts the live
Python allocations by the file that made them; the difference between the two runs divided by
the difference in symbols is the cost of one symbol, by what allocated it (the strategy and
its trader, the actor shell, the supervisor's child record, prometheus_client's children, the
feed's and the books' per-symbol entries). The RSS of each run is printed beside it: RSS also
holds the interpreter, the imported modules and free memory the allocator keeps, none of which
grows with symbols.

Run: .venv/bin/python -m bench.memory_per_symbol [--small 1000] [--large 4000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from bench.full_subscription import config_text

REPO = Path(__file__).resolve().parents[1]
TICKS_PER_SYMBOL_PER_S = 1.0
RUN_SECONDS = 12.0
"""Long enough that every symbol has had ticks at 1 a second (each misses with chance e^-12)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=4000)
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return 0
    small, large = _in_subprocess(args.small), _in_subprocess(args.large)
    symbols = args.large - args.small
    where = Counter(large["by_place"]) - Counter(small["by_place"])
    per_symbol = {place: round(size / symbols) for place, size in where.most_common() if size}
    print(
        json.dumps(
            {
                "symbols": [args.small, args.large],
                "bytes_per_symbol": round((large["traced"] - small["traced"]) / symbols),
                "by_place": {k: v for k, v in per_symbol.items() if abs(v) >= 50},
                "rss_mb": [small["rss_mb"], large["rss_mb"]],
                "rss_bytes_per_symbol": round(
                    (large["rss_mb"] - small["rss_mb"]) * 1024 * 1024 / symbols
                ),
            },
            indent=2,
        )
    )
    return 0


def _in_subprocess(symbols: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory_per_symbol", "--measure", str(symbols)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(symbols: int) -> dict[str, Any]:
    from config import load_config_text
    from daemon.clock import WallClock
    from daemon.topology import build
    from metrics import Metrics

    tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="shikra-mem-") as workdir:
        text = config_text(symbols, TICKS_PER_SYMBOL_PER_S * symbols, port=0)
        text = text.replace('state_dir = "state"', f'state_dir = "{workdir}/state"')
        daemon = build(load_config_text(text), clock=WallClock(), metrics=Metrics())
        daemon.tree.start(timeout=120)
        try:
            time.sleep(RUN_SECONDS)  # the market runs: this is the measured workload, not a sync
            gc.collect()
            snapshot = tracemalloc.take_snapshot()
            rss_mb = _rss_mb()
        finally:
            daemon.tree.stop(timeout=120)
            daemon.journal.close()
    by_place: Counter[str] = Counter()
    traced = 0
    for stat in snapshot.statistics("filename"):
        by_place[_place(stat.traceback[0].filename)] += stat.size
        traced += stat.size
    return {"traced": traced, "by_place": dict(by_place), "rss_mb": rss_mb}


def _place(filename: str) -> str:
    """A file as the package it belongs to (shikra's own by top-level package and module)."""
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    try:
        return str(path.relative_to(REPO).with_suffix(""))
    except ValueError:
        return f"python:{path.stem}"


def _rss_mb() -> float:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(float(line.split()[1]) / 1024, 1)
    return 0.0


if __name__ == "__main__":
    raise SystemExit(main())
