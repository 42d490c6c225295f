"""Pipeline benchmark: the real actor tree on the synthetic feed, against the same logic called
directly on one thread. Prints JSON.

For each symbol count (default 100, 500, 1,000, 3,000) one run of the daemon's tree, in a fresh
subprocess (so peak RSS is that run's own), offered ``--rate`` ticks per second in total for
``--seconds``:

* sustained ticks/s: ticks delivered to strategies / the measured interval;
* tick -> intent and tick -> order-sent latency, p50/p99, from every observation (the metric
  histograms' observe calls are recorded in full, not read back from buckets);
* CPU seconds per 1,000 ticks (the whole process: feed, actors, journal, broker);
* peak RSS.

The baseline drives the same logic — ``SymbolTrader``, ``RiskBook``, the paper broker and the
PnL ledger — by plain function calls on one thread over the same number of synthetic ticks;
``cpu_ratio`` is the tree's CPU per tick over the baseline's.

Orders are not throttled to Kite's 10/s here (the rate limiter would then dominate the order
latency, which is its job, not the pipeline's): ``orders.per_second`` is raised for the run.

Run: .venv/bin/python -m bench.pipeline [--symbols 100 500 1000 3000] [--rate 5000]
Targets (issue 3): p99 tick -> order-sent <= 1 ms at 5,000 ticks/s over 500 symbols; CPU per
tick <= 2x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def config_text(symbols: int, rate: float, state_dir: str) -> str:
    entries = "\n".join(
        f'[[symbols]]\nsymbol = "NSE:SYM{i}"\nstrategy = "ema_cross"\n'
        f"params = {{ fast = 9, slow = 21 }}\nquantity = 1\n"
        f"initial_price_paise = {100_000 + 5 * i}\n"
        for i in range(symbols)
    )
    return f"""
[system]
mode = "paper"
state_dir = "{state_dir}"
log_level = "warning"
[system.metrics]
port = 0
[feed]
source = "synthetic"
[feed.synthetic]
seed = 1
ticks_per_second = {rate / symbols}
burstiness = 0.3
volatility_bps = 5.0
{entries}
[risk]
max_order_quantity = 100
max_order_value = 100000000
max_position_quantity = 100000
max_gross_exposure = 1000000000
max_open_orders = 100000
max_orders_per_minute = 1000000
price_band_bps = 1000
max_daily_loss = 1000000000
max_drawdown = 1000000000
[orders]
per_second = 1000000
per_minute = 10000000
per_day = 100000000
[heartbeat]
interval_seconds = 1.0
timeout_seconds = 5.0
[position_sync]
interval_seconds = 5.0
"""


class Recorder:
    """Stands in for a histogram: keeps every observation (and forwards it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.values: list[float] = []

    def observe(self, value: float) -> None:
        self.values.append(value)
        self.inner.observe(value)


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"count": 0, "p50_ms": None, "p99_ms": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
    }


def run_tree(symbols: int, rate: float, seconds: float) -> dict[str, Any]:
    import logging

    from config import load_config_text
    from daemon.clock import WallClock
    from daemon.topology import build
    from metrics import Metrics

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as state:
        config = load_config_text(config_text(symbols, rate, state))
        metrics = Metrics()
        intent_latency = metrics.tick_to_intent = Recorder(metrics.tick_to_intent)  # type: ignore[assignment]
        order_latency = metrics.tick_to_order_sent = Recorder(metrics.tick_to_order_sent)  # type: ignore[assignment]
        daemon = build(config, clock=WallClock(), metrics=metrics)
        started = time.perf_counter()
        daemon.tree.start(timeout=600)
        start_seconds = time.perf_counter() - started

        def ticks() -> float:
            value = 0.0
            for family in metrics.registry.collect():
                if family.name == "shikra_feed_ticks":
                    value = sum(s.value for s in family.samples if s.name.endswith("_total"))
            return value

        time.sleep(min(5.0, seconds / 3))  # warm-up: strategies fill their indicators
        intent_latency.values.clear()
        order_latency.values.clear()
        ticks0, cpu0, wall0 = ticks(), time.process_time(), time.perf_counter()
        time.sleep(seconds)
        ticks1, cpu1, wall1 = ticks(), time.process_time(), time.perf_counter()
        daemon.tree.stop(timeout=120)
    delivered = ticks1 - ticks0
    return {
        "symbols": symbols,
        "offered_ticks_per_s": rate,
        "sustained_ticks_per_s": round(delivered / (wall1 - wall0)),
        "tick_to_intent": percentiles(intent_latency.values),
        "tick_to_order_sent": percentiles(order_latency.values),
        "cpu_s_per_1000_ticks": round((cpu1 - cpu0) / delivered * 1000, 4) if delivered else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tree_start_s": round(start_seconds, 2),
    }


def run_baseline(symbols: int, ticks: int) -> dict[str, Any]:
    """The same decisions by plain calls on one thread: no actors, no journal."""

    from actors.strategy import client_id_prefix
    from brokers.paper import PaperBroker
    from config import load_config_text
    from core.clock import VirtualClock
    from core.pnl import PnLLedger
    from daemon.market import market_for
    from daemon.topology import _risk_book
    from feeds.synthetic import SyntheticSource
    from messages import Fill, TradingState
    from strategies.registry import make_strategy
    from strategies.trader import SymbolTrader

    with tempfile.TemporaryDirectory() as state:
        config = load_config_text(config_text(symbols, 5000.0, state))
    clock = VirtualClock(start_ns=time.time_ns())
    market = market_for(config, clock)
    assert isinstance(market.source, SyntheticSource)
    risk = _risk_book(config, market)
    risk.state = TradingState.ACTIVE
    broker = PaperBroker(clock, {x.symbol: x.paper_tick_size_paise for x in config.symbols})
    ledger = PnLLedger()
    traders = {
        x.symbol: SymbolTrader(
            symbol=x.symbol,
            quantity=x.quantity,
            lot_size=1,
            product=_mis(),
            strategy=make_strategy(x.strategy, x.strategy_params()),
            exits=x.exits,
            client_id_prefix=client_id_prefix(x.symbol),
            next_seq=1,
            tick_size_paise=5,
        )
        for x in config.symbols
    }
    fills: list[Fill] = []
    broker.subscribe(lambda update: _collect(update, fills))
    cpu0 = time.process_time()
    # The ticks are generated inside the timed part: the tree's feed generates them too.
    batch = []
    now = clock.now_ns()
    while len(batch) < ticks:
        now += 2_000_000
        batch.extend(market.source.poll(now).ticks)
    for tick in batch:
        broker.observe(tick)
        trader = traders[tick.symbol]
        intent = trader.on_tick(tick)
        if intent is not None and risk.evaluate(intent).approved:
            broker.place(intent)
            for fill in fills:
                traders[fill.symbol].on_fill(fill)
                risk.on_fill(fill)
                ledger.apply_fill(fill)
            fills.clear()
        ledger.mark(tick.symbol, tick.ltp, at_ns=tick.exchange_ns)
    cpu = time.process_time() - cpu0
    return {"ticks": len(batch), "cpu_s_per_1000_ticks": round(cpu / len(batch) * 1000, 4)}


def _mis() -> Any:
    from messages import Product

    return Product.MIS


def _collect(update: Any, fills: list[Any]) -> None:
    from brokers.base import BrokerTrade
    from brokers.updates import fill_from_trade

    if isinstance(update, BrokerTrade):
        fills.append(fill_from_trade(update))


def one(symbols: int, rate: float, seconds: float) -> dict[str, Any]:
    tree = run_tree(symbols, rate, seconds)
    baseline = run_baseline(symbols, 50_000)
    tree["baseline_cpu_s_per_1000_ticks"] = baseline["cpu_s_per_1000_ticks"]
    if tree["cpu_s_per_1000_ticks"]:
        tree["cpu_ratio"] = round(
            tree["cpu_s_per_1000_ticks"] / baseline["cpu_s_per_1000_ticks"], 2
        )
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, nargs="+", default=[100, 500, 1000, 3000])
    parser.add_argument("--rate", type=float, default=5000.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.rate, args.seconds)))
        return
    runs = []
    for symbols in args.symbols:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.pipeline",
                "--one",
                str(symbols),
                "--rate",
                str(args.rate),
                "--seconds",
                str(args.seconds),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "targets": {
                    "p99_tick_to_order_sent_ms_at_5000tps_500_symbols": 1.0,
                    "cpu_ratio": 2.0,
                },
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
