"""Pipeline benchmark: the real actor tree on the synthetic feed, against a KiteTicker-style
``on_ticks`` callback doing the same trading on one thread. Prints one JSON document.

A row is a symbol count x an offered tick rate x an order rate. Each run of a row is two fresh
subprocesses, one per side (``bench.tree_side``, ``bench.baseline_side``), so peak RSS, GC and
CPU are each side's own. Both sides get the same config, ticks, pre-warm and instruments
(``bench.probes``):

* ticks are stamped with the wall time they were **due** (a live frame's arrival), so a feed
  that falls behind shows it in every latency and in the **feed lag** (wall now minus the due
  time of the newest tick delivered), sampled every second of the window: start, end, max, and
  whether it grows;
* **tick -> intent**: after the intent is journaled and sent (the Strategy's own observation);
  **tick -> order-sent**: when the broker's ``place`` returns; p50/p99/max of every one;
* strategies are **pre-warmed** (a ``WarmUp`` per strategy, the first marks to RiskGate), then
  ticks flow for ``--warmup`` seconds before the window opens; nothing before it is counted;
* the **order rate** comes from the ``bench_paced`` strategy (``bench.paced``): "realistic" 5/s
  across all symbols, "stress" 200/s; the orders each side actually placed are counted, and a
  run fails (exit 1) if either side placed none;
* **CPU** of the whole process per 1,000 ticks over the window, the tree's over the baseline's
  (``cpu_ratio``); **peak RSS**; **GC pauses** from ``gc.callbacks``; **start-up** time.

Run: .venv/bin/python -m bench.pipeline [--symbols 500 3000 9000] [--rates 5000 30000]
     [--order-rate realistic stress] [--seconds 30] [--warmup 3] [--runs 1]
One row: .venv/bin/python -m bench.pipeline --symbols 500 --rates 5000 --order-rate realistic
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.pipeline_config import ORDER_RATES, Row

REPO = Path(__file__).resolve().parents[1]

TARGETS = {
    "feed_lag": "does not grow (9,000 symbols, 30k ticks/s offered)",
    "p99_tick_to_intent_ms": 5.0,
    "p99_tick_to_order_sent_ms": {"realistic": 1.0, "stress": 5.0},
    "cpu_ratio": 2.0,
    "peak_rss_mb_at_9000_symbols": 300,
    "gc_pause_max_ms": "none on the hot path",
}
"""The figures issue 10 asks for."""

SPREAD = {
    "tree_ticks_per_s": ("tree", "sustained_ticks_per_s"),
    "tree_feed_lag_end_s": ("tree", "feed_lag", "end_s"),
    "tree_p99_tick_to_intent_ms": ("tree", "tick_to_intent", "p99_ms"),
    "tree_p99_tick_to_order_sent_ms": ("tree", "tick_to_order_sent", "p99_ms"),
    "baseline_p99_tick_to_order_sent_ms": ("baseline", "tick_to_order_sent", "p99_ms"),
    "cpu_ratio": ("cpu_ratio",),
    "tree_peak_rss_mb": ("tree", "peak_rss_mb"),
    "tree_gc_pause_max_ms": ("tree", "gc", "max_ms"),
    "tree_orders_placed": ("tree", "orders", "placed"),
    "baseline_orders_placed": ("baseline", "orders", "placed"),
}
"""Figures whose min/median/max over a row's runs are printed with the row."""


def run_side(side: str, row: Row) -> dict[str, Any]:
    """One side of one row in a fresh interpreter; its JSON line, or what went wrong."""
    command = [sys.executable, "-m", "bench.pipeline", "--side", side, "--row", *row.args()]
    timeout = 1200 + 3 * (row.seconds + row.warmup)
    try:
        done = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"{side} did not finish within {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": f"{side} exited {done.returncode}: {done.stderr.strip()[-2000:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_run(row: Row) -> dict[str, Any]:
    where = f"{row.symbols} symbols, {row.rate:.0f} ticks/s, {row.order_rate}"
    print(f"bench.pipeline: {where}: tree...", file=sys.stderr, flush=True)
    tree = run_side("tree", row)
    print(f"bench.pipeline: {where}: baseline...", file=sys.stderr, flush=True)
    baseline = run_side("baseline", row)
    out: dict[str, Any] = {"tree": tree, "baseline": baseline}
    if "error" in tree or "error" in baseline:
        out["checks"] = {"ran": False}
        return out
    if tree["cpu_s_per_1000_ticks"] and baseline["cpu_s_per_1000_ticks"]:
        out["cpu_ratio"] = round(tree["cpu_s_per_1000_ticks"] / baseline["cpu_s_per_1000_ticks"], 2)
        source = baseline["source_cpu_s_per_1000_ticks"]
        rest = baseline["cpu_s_per_1000_ticks"] - source
        if rest > 0:
            # The same ratio with the synthetic market's own cost (paid alike by both) taken out.
            out["cpu_ratio_without_source"] = round(
                (tree["cpu_s_per_1000_ticks"] - source) / rest, 2
            )
    placed_tree, placed_base = tree["orders"]["placed"], baseline["orders"]["placed"]
    out["checks"] = {
        "ran": True,
        "expected_orders": round(row.orders_per_second * row.seconds),
        "baseline_placed_orders": placed_base > 0,
        "tree_placed_orders": placed_tree > 0,
        # Same ticks, same strategy: the counts differ only by window edges, unless one side
        # fell behind (then it is a finding about that side, not a broken benchmark).
        "orders_close": abs(placed_tree - placed_base) <= max(5, 0.25 * placed_base),
    }
    # Only a tree that kept up has a meaningful cpu_ratio: one that fell behind (a growing
    # feed lag, ticks or orders left waiting) has not done, in the window, the work it was given.
    out["checks"]["tree_kept_up"] = bool(
        out["checks"]["orders_close"]
        and not tree["feed_lag"]["growing"]
        and tree["ticks_processed"] >= 0.98 * tree["ticks"]
    )
    return out


def passed(run: dict[str, Any]) -> bool:
    checks = run["checks"]
    return bool(checks["ran"] and checks["baseline_placed_orders"] and checks["tree_placed_orders"])


def spread(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, path in SPREAD.items():
        values = [v for v in (_dig(run, path) for run in runs) if isinstance(v, int | float)]
        if values:
            out[name] = {
                "min": min(values), "median": statistics.median(values), "max": max(values)
            }  # fmt: skip
    return out


def _dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--symbols", type=int, nargs="+", default=[500, 3000, 9000])
    parser.add_argument("--rates", type=float, nargs="+", default=[5000.0, 30000.0])
    parser.add_argument(
        "--order-rate", nargs="+", choices=sorted(ORDER_RATES), default=["realistic", "stress"]
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="the measured window")
    parser.add_argument("--warmup", type=float, default=3.0, help="ticks before the window")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--side", choices=["tree", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--row", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(_side(args.side, Row.from_args(args.row))))
        return
    rows = []
    ok = True
    for symbols in args.symbols:
        for rate in args.rates:
            for order_rate in args.order_rate:
                row = Row(symbols, rate, order_rate, args.seconds, args.warmup)
                runs = [one_run(row) for _ in range(args.runs)]
                ok = ok and all(passed(run) for run in runs)
                rows.append({
                    "symbols": symbols, "offered_ticks_per_s": rate, "order_rate": order_rate,
                    "target_orders_per_s": row.orders_per_second, "every_nth_tick": row.every,
                    "spread": spread(runs), "runs": runs,
                })  # fmt: skip
    document = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {"seconds": args.seconds, "warmup_s": args.warmup, "runs": args.runs},
        "targets": TARGETS,
        "ok": ok,
        "rows": rows,
    }
    print(json.dumps(document, indent=2))
    if not ok:
        sys.exit(1)


def _side(side: str, row: Row) -> dict[str, Any]:
    if side == "tree":
        from bench import tree_side

        return tree_side.run(row)
    from bench import baseline_side

    return baseline_side.run(row)


if __name__ == "__main__":
    main()
