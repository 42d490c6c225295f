"""The long kill -9 drill: hundreds of SIGKILLs of the real daemon at random instants on one
state directory in paper mode, then one clean run, and the order-path invariants checked from
the files (the same drill the suite runs twenty times: ``tests/e2e/kill_drill.py``). Prints
JSON: cycles, how soon each restart traded again, orders and fills made, what recovery had to
do (lookups by tag, trades taken from the venue, orders found never sent), and every broken
invariant (there should be none).

Run: .venv/bin/python -m bench.kill_drill [--cycles 200] [--seed 1] [--dir PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.daemon_process import total
from tests.e2e.kill_drill import Cycle, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-kill-delay", type=float, default=1.5)
    parser.add_argument("--dir", type=Path, default=None, help="keep the state here")
    args = parser.parse_args()
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="shikra-drill-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()

    def progress(number: int, cycle: Cycle) -> None:
        if sys.stderr.isatty() or (number + 1) % 20 == 0:
            print(f"cycle {number + 1}/{args.cycles}: traded after "
                  f"{cycle.seconds_to_trading:.2f}s, killed after {cycle.killed_after:.2f}s",
                  file=sys.stderr)  # fmt: skip

    report = run(
        workdir, args.cycles, seed=args.seed, max_kill_delay=args.max_kill_delay,
        on_cycle=progress,
    )  # fmt: skip
    log = report.log
    to_trading = [c.seconds_to_trading for c in report.cycles]
    print(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "cycles": len(report.cycles),
                "seed": args.seed,
                "wall_seconds": round(time.monotonic() - began, 1),
                "restart_to_first_order_seconds": {
                    "p50": round(statistics.median(to_trading), 3),
                    "max": round(max(to_trading), 3),
                },
                "orders_journaled": report.orders,
                "fills_journaled": report.fills,
                "orders_placed_per_incarnation_mean": round(
                    statistics.mean(c.placed for c in report.cycles), 2
                ),
                "recovery": {
                    "restarts_with_open_orders": log.count("open at restart: looking each up"),
                    "trades_taken_from_the_venue": log.count("taken from the broker's trades"),
                    "orders_found_never_sent": log.count("not sent before a restart"),
                    "orders_given_up": log.count("not found at the broker after"),
                },
                "clean_run": {
                    "exit_code": report.clean_exit,
                    "actor_restarts": total(report.clean_samples, "shikra_actor_restarts_total"),
                    "reconciliation_mismatches": total(
                        report.clean_samples, "shikra_reconciliation_mismatches_total"
                    ),
                },
                "invariant_violations": report.problems,
                "state_dir": str(workdir / "state"),
            },
            indent=2,
        )
    )
    return 0 if not report.problems and report.clean_exit == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
