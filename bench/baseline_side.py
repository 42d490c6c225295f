"""One row on the baseline side: the same work as the tree, done by a KiteTicker-style
``on_ticks(ticks)`` callback on one thread, with no actors.

"The same work", part for part, each built the way ``daemon.topology`` builds it for the tree:

* the same synthetic source (same config, seed and ``DueStamps``), polled on the feed's cadence
  (at most every 2 ms, a batch of what is due: what a socket's frames deliver);
* per tick: the paper venue observes it; the symbol's ``SymbolTrader`` (the ``bench_paced``
  strategy, pre-warmed the same way) decides; an intent is journaled (``record_intent``) before
  the ``RiskBook`` judges it — with market time and marks, sent every 100 ms as TickFeed sends
  ``Marks``, so intents are approved;
* per approved order, as the OrderRouter does: ``record_order`` (NEW), the rate limiter, the
  paper venue's ``place`` on its own SQLite file, the SUBMITTED event journaled, then the venue's
  updates — each fill journaled (``record_fill``), the order book and its status event
  journaled, the fill applied to the trader, the RiskBook and the PnL ledger; the broker's order
  updates through the router's own ``BrokerRecovery.adopt``;
* the PnL ledger marked with the same marks, its totals given to the RiskBook.

Not done here, because they are the tree's own machinery and not the trading: heartbeats, the
router's periodic working-order check, PositionSync's reconciliation, Prometheus metrics. The
journal rows per order are printed for both sides, so a difference in journal work shows.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench import paced
from bench.pipeline_config import Row, config_text, initial_price, symbol_name
from bench.probes import (
    DueStamps,
    GcPauses,
    LagSampler,
    SentStamps,
    journal_rows,
    peak_rss_mb,
    percentiles,
)
from bench.ticker_loop import TradingLoop

MIN_POLL_S = 0.002
MAX_POLL_WAIT_S = 0.05
"""TickFeed's own poll cadence (``min_poll_interval``, ``max_poll_wait``)."""


def run(row: Row) -> dict[str, Any]:
    from config import load_config_text
    from daemon.clock import WallClock
    from daemon.market import market_for

    paced.register()
    pauses = GcPauses()
    with tempfile.TemporaryDirectory() as state:
        config = load_config_text(config_text(row, state))
        began = time.perf_counter()
        clock = WallClock()
        market = market_for(config, clock)
        loop = TradingLoop(config, clock, market, Path(state))
        stamps = DueStamps(market.source, market.day_start_ns)
        sent = SentStamps(loop.venue)
        warm = paced.PacedParams(every=row.every).slow
        for i in range(row.symbols):
            loop.warm_up(symbol_name(i), (initial_price(i),) * warm)
        loop.on_marks(
            {symbol_name(i): initial_price(i) for i in range(row.symbols)}, market.day_start_ns
        )
        start_s = time.perf_counter() - began
        source_cost = _source_cost(market_for(config, clock).source, market.day_start_ns, row)

        lag = LagSampler(stamps.lag_s)
        warm_until = time.monotonic() + row.warmup
        _feed(market.source, loop, until=warm_until)
        for probe in (loop, sent, pauses, stamps):
            probe.recording = True
        ticks0, cpu0, wall0 = stamps.released, time.process_time(), time.perf_counter()
        lag.start()
        _feed(market.source, loop, until=time.monotonic() + row.seconds)
        ticks1, cpu1, wall1 = stamps.released, time.process_time(), time.perf_counter()
        for probe in (loop, sent, pauses, stamps):
            probe.recording = False
        lag.stop()
        loop.close()
        journal = journal_rows(str(loop.journal_path))
    ticks = ticks1 - ticks0
    wall = wall1 - wall0
    return {
        "ticks": ticks,
        "sustained_ticks_per_s": round(ticks / wall),
        "feed_lag": lag.summary(),
        "poll_wait": percentiles(stamps.poll_waits),
        "tick_to_intent": percentiles(loop.intent_latency),
        "tick_to_order_sent": percentiles(sent.values),
        "orders": {
            "intents": loop.intents,
            "approved": loop.approved,
            "rejected": dict(loop.rejected),
            "placed": sent.placed,
            "placed_per_s": round(sent.placed / wall, 2),
            "fills": loop.fills,
        },
        "journal": journal,
        "cpu_s": round(cpu1 - cpu0, 3),
        "cpu_s_per_1000_ticks": round((cpu1 - cpu0) / ticks * 1000, 5) if ticks else None,
        "peak_rss_mb": peak_rss_mb(),
        "gc": pauses.summary(),
        "start_s": round(start_s, 2),
        "source_cpu_s_per_1000_ticks": source_cost,
    }


def _source_cost(source: Any, session_start_ns: int, row: Row) -> float:
    """CPU per 1,000 ticks of making the ticks alone (a second source like the row's, stamped
    the same way, polled on a made-up clock): work both sides pay per tick, in the tree on
    TickFeed's thread. With a live feed, decoding Kite's frames takes its place."""
    stamps = DueStamps(source, session_start_ns)
    now_ns = time.time_ns()
    step_ns = round(MIN_POLL_S * 1e9)
    cpu0 = time.process_time()
    while stamps.released < 20_000:
        now_ns += step_ns
        source.poll(now_ns)
    return round((time.process_time() - cpu0) / stamps.released * 1000, 5)


def _feed(source: Any, loop: TradingLoop, *, until: float) -> None:
    """The ticker: poll what is due, hand it to ``on_ticks``, wait as TickFeed waits."""
    while time.monotonic() < until:
        now_ns = time.time_ns()
        batch = source.poll(now_ns)
        if batch.ticks:
            loop.on_ticks(batch.ticks)
        if batch.next_due_ns is None:
            return
        if batch.next_due_ns <= now_ns:
            continue  # held back by the batch cap: more are due already
        wait = min(MAX_POLL_WAIT_S, max(MIN_POLL_S, (batch.next_due_ns - now_ns) / 1e9))
        time.sleep(wait)
