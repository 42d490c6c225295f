"""How fast ``main.py backtest`` runs, against a plain loop doing the same work.

Both sides, in one run, on the same ticks (a seeded random walk of ``--symbols`` symbols,
``--ticks`` in all, over one session) and the same strategy code (``SymbolTrader`` with the
built-in EMA cross, as the daemon builds it):

* **backtest**: the real thing, in this process: the tree on the serial runtime, the journal,
  RiskGate, the router, the paper venue, the report (``daemon.backtest.backtest``);
* **same-work loop**: the same trading without the actors: ``bench.ticker_loop.TradingLoop``
  (the strategy, the journal written inline, the RiskBook, the router's steps, the in-memory
  paper venue, the PnL ledger: production code called in the order the actors call it) over
  the same merged data on a virtual clock, prices marked as the backtest's TickFeed marks
  them; then the same export and report from its journal. What the actors, their messages
  and the serial runtime cost is the difference between this and the backtest;
* **plain loop**: a loop over the ticks calling each symbol's trader and filling every intent
  at once at the tick's price (no journal, no risk, no venue): the floor of what the strategy
  code alone costs.

The figure is ticks per second of wall time for each, of the trading (the report timed apart:
it is the same fixed cost on both sides that write one), and the ratios. The benchmark checks
that the sides did the work — each placed orders (counted: the backtest's and the same-work
loop's from their journals), and the same-work loop's ``trades.csv`` is the backtest's byte for
byte — and exits 1 otherwise, so a side that silently stopped trading, or traded differently,
cannot look fast. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HEADER = "exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"


def make_ticks(path: Path, symbols: int, ticks: int, seed: int) -> list[str]:
    """A replay file of ``ticks`` ticks over 09:15-15:15 IST on 2026-11-20; the symbols."""
    import datetime
    from zoneinfo import ZoneInfo

    rng = random.Random(seed)
    names = [f"NSE:SYM{n:04d}" for n in range(symbols)]
    prices = {name: 100_000 + 100 * n for n, name in enumerate(names)}
    start = datetime.datetime(2026, 11, 20, 9, 15, tzinfo=ZoneInfo("Asia/Kolkata"))
    span_ms = 6 * 3600 * 1000
    lines = [HEADER]
    for k in range(ticks):
        name = names[k % symbols]
        prices[name] = max(500, prices[name] + rng.choice((-1, 1)) * rng.randint(0, 4) * 5)
        at = start + datetime.timedelta(milliseconds=k * span_ms // ticks)
        p = prices[name]
        price = f"{p // 100}.{p % 100:02d}"
        lines.append(
            f"{at.isoformat(timespec='milliseconds')},{name},{price},{price},{price},1,1,{k}"
        )
    path.write_text("\n".join(lines) + "\n")
    return names


def config_text(names: list[str], state: Path) -> str:
    symbols = "".join(
        f'[[symbols]]\nsymbol = "{n}"\nstrategy = "ema_cross"\nparams = {{ fast = 5, slow = 20 }}\n'
        "quantity = 1\n"
        for n in names
    )
    return f"""
[system]
mode = "paper"
state_dir = "{state}"
log_level = "warning"
[market]
shipped_calendar = false
[feed]
source = "synthetic"
{symbols}
[risk]
max_order_quantity = 100
max_order_value = 100000000
max_position_quantity = 100000
max_gross_exposure = 10000000000
max_open_orders = 100000
max_orders_per_minute = 100000
price_band_bps = 1000
max_daily_loss = 100000000
max_drawdown = 100000000
[orders]
per_second = 100000
per_minute = 1000000
per_day = 10000000
"""


def plain_loop(replay: Path, config_path: Path) -> dict[str, float | int]:
    """Each tick to its symbol's trader; every intent filled at once at the tick's price."""
    from actors.strategy import client_id_prefix
    from config import load_config
    from feeds.replay import ReplaySource
    from messages import Fill, OrderEvent, OrderIntent, OrderStatus, Product
    from strategies.registry import make_strategy
    from strategies.trader import SymbolTrader

    config = load_config(str(config_path))
    traders = {}
    for s in config.symbols:
        traders[s.symbol] = SymbolTrader(
            symbol=s.symbol, quantity=s.quantity, lot_size=1, product=Product(s.product),
            strategy=make_strategy(s.strategy, s.strategy_params(), s.entry),
            exits=s.exits, client_id_prefix=client_id_prefix(s.symbol), next_seq=1,
            tick_size_paise=5,
        )  # fmt: skip
    orders = fills = 0
    began = time.perf_counter()
    with ReplaySource(replay, "max", max_batch=10_000) as source:
        while True:
            batch = source.poll(0)
            for tick in batch.ticks:
                trader = traders[tick.symbol]
                intent = trader.on_tick(tick)
                if isinstance(intent, OrderIntent):
                    orders += 1
                    fills += 1
                    trader.on_fill(Fill(trade_id=f"T{fills}", client_id=intent.client_id,
                                        symbol=tick.symbol, side=intent.side,
                                        quantity=intent.quantity, price=tick.ltp,
                                        at_ns=tick.exchange_ns))  # fmt: skip
                    trader.on_order_event(OrderEvent(client_id=intent.client_id,
                                                     symbol=tick.symbol, side=intent.side,
                                                     status=OrderStatus.FILLED,
                                                     quantity=intent.quantity))  # fmt: skip
            if batch.exhausted:
                break
        delivered = source.stats.delivered
    seconds = time.perf_counter() - began
    return {"ticks": delivered, "seconds": round(seconds, 3),
            "ticks_per_s": round(delivered / seconds), "orders": orders}  # fmt: skip


def same_work_loop(replay: Path, config_path: Path, out: Path) -> dict[str, float | int]:
    """``TradingLoop`` over the merged data on a virtual clock; then the export and report."""
    from backtest.report import report
    from bench.ticker_loop import TradingLoop
    from config import load_config
    from core.clock import VirtualClock
    from daemon.backtest import for_backtest
    from daemon.instruments import multipliers
    from daemon.market import market_for
    from daemon.run import export
    from daemon.topology import charge_rates
    from feeds.merged import MergedSource

    state = out / "state"
    state.mkdir(parents=True)
    began = time.perf_counter()
    source = MergedSource([replay])
    config = for_backtest(load_config(str(config_path)), state, replay)
    clock = VirtualClock(start_ns=source.first_exchange_ns or 0)
    market = market_for(config, clock, data=source)
    loop = TradingLoop(config, clock, market, state, backtest=True)
    while True:
        batch = source.poll(clock.now_ns())
        loop.on_ticks(batch.ticks)
        if batch.next_due_ns is None:
            break
        clock.advance(max(0, batch.next_due_ns - clock.now_ns()) / 1e9)
    loop.on_marks(loop.latest, loop.market_ns)  # TickFeed's last marks, at the end of the data
    loop.close()
    reported = time.perf_counter()
    valued = multipliers(market.instruments)
    export(loop.journal_path, market.hours, clock, valued)
    run = {"config": config_path.name, "ticks": source.stats.delivered}
    report(loop.journal_path, out, rates=charge_rates(config), multipliers=valued,
           day_of=market.hours.trading_day, run=run, out=io.StringIO(), terminal=False)  # fmt: skip
    return _figures(source.stats.delivered, reported - began, time.perf_counter() - reported,
                    out)  # fmt: skip


def backtest_side(replay: Path, config_path: Path, out: Path) -> dict[str, float | int]:
    from daemon.backtest import backtest

    timings: dict[str, float] = {}
    code = backtest(str(config_path), [str(replay)], out, stream=io.StringIO(), timings=timings)
    played = json.loads((out / "summary.json").read_text())["run"]["ticks"]
    figures = _figures(played, timings["run_s"], timings["report_s"], out)
    return {"exit_code": code, **figures}


def _figures(ticks: int, run_s: float, report_s: float, out: Path) -> dict[str, float | int]:
    """A side's figures: its trading's speed, its report's time, its orders and intents."""
    db = sqlite3.connect(f"file:{out / 'state' / 'journal.sqlite'}?mode=ro", uri=True)
    try:
        orders = db.execute("SELECT count(*) FROM orders WHERE sent = 1").fetchone()[0]
        intents = db.execute("SELECT count(*) FROM intents").fetchone()[0]
    finally:
        db.close()
    return {"ticks": ticks, "seconds": round(run_s, 3), "ticks_per_s": round(ticks / run_s),
            "report_seconds": round(report_s, 3), "orders": orders, "intents": intents}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--ticks", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shikra-bt-bench-") as tmp:
        work = Path(tmp)
        replay = work / "ticks.csv"
        names = make_ticks(replay, args.symbols, args.ticks, args.seed)
        config = work / "bench.toml"
        config.write_text(config_text(names, work / "unused-state"))
        loop = plain_loop(replay, config)
        same = same_work_loop(replay, config, work / "same-work")
        run = backtest_side(replay, config, work / "out")
        same_trades = (work / "same-work" / "trades.csv").read_bytes() == (
            work / "out" / "trades.csv"
        ).read_bytes()
    ok = (
        loop["orders"] > 0
        and run["orders"] > 0
        and run["exit_code"] == 0
        and same["orders"] == run["orders"]
        and same_trades
    )
    document = {
        "machine": {
            "cpus": _cpus(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "symbols": args.symbols,
        "ticks": args.ticks,
        "plain_loop": loop,
        "same_work_loop": same,
        "backtest": run,
        "same_trades": same_trades,
        "ratio_to_same_work": round(run["ticks_per_s"] / same["ticks_per_s"], 3),
        "ratio_to_plain": round(run["ticks_per_s"] / loop["ticks_per_s"], 3),
        "ok": ok,
    }
    print(json.dumps(document, indent=2))
    return 0 if ok else 1


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    sys.exit(main())
