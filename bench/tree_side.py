"""One row on the tree side: the daemon's real actor tree, built by ``daemon.topology.build`` from
the row's config, in this process (the benchmark runs each side of each row in a fresh
subprocess, so peak RSS and GC are that run's own).

The stamps (``bench.probes``): ticks carry their due time; tick -> intent is the Strategy's own
``tick_to_intent`` observation (after the intent is journaled and sent); tick -> order-sent is
taken when the broker's ``place`` returns. The router's ``tick_to_order_sent`` metric, observed
just *before* the call, is reported too, as ``tick_to_order_handed``.

The sequence: build and start the tree (start-up time), pre-warm (a ``WarmUp`` per strategy with
``warmup_ticks`` prices, so every strategy can signal at once at any symbol count, and one
``Marks`` of every symbol's first price to RiskGate and PnLTracker, so an intent on a symbol's
first live tick has a price to be valued at), wait for RiskGate to leave RECONCILING, let ticks
flow for the warm-up seconds, then measure for the window: CPU of the whole process, ticks
delivered by the feed and ticks processed by the strategies (delivered minus the growth of their
mailboxes: CPU per tick is per *processed* tick, so a tree that falls behind is not credited
with work it has not done), the latencies, orders placed, GC pauses, the feed lag once a second.
"""

from __future__ import annotations

import logging
import tempfile
import time
from typing import Any

from bench import paced
from bench.pipeline_config import Row, config_text, initial_price, symbol_name
from bench.probes import (
    DueStamps,
    GcPauses,
    LagSampler,
    LatencyLog,
    SentStamps,
    journal_rows,
    peak_rss_mb,
    percentiles,
)


def run(row: Row) -> dict[str, Any]:
    from config import load_config_text
    from config.actors import PNL_TRACKER, RISK_GATE, strategy_actor_name
    from daemon import gc_tuning
    from daemon.clock import WallClock
    from daemon.topology import build
    from messages import Mark, Marks, WarmUp
    from metrics import Metrics

    paced.register()
    logging.disable(logging.WARNING)
    pauses = GcPauses()
    with tempfile.TemporaryDirectory() as state:
        config = load_config_text(config_text(row, state))
        metrics = Metrics()
        intent_log = LatencyLog(metrics.tick_to_intent)
        handed_log = LatencyLog(metrics.tick_to_order_sent)
        metrics.tick_to_intent = intent_log  # type: ignore[assignment]
        metrics.tick_to_order_sent = handed_log  # type: ignore[assignment]
        began = time.perf_counter()
        daemon = build(config, clock=WallClock(), metrics=metrics)
        stamps = DueStamps(daemon.market.source, daemon.market.day_start_ns)
        sent = SentStamps(daemon.broker)  # the paper venue the router's MeteredBroker wraps
        daemon.tree.start(timeout=900)
        gc_tuning.settle_after_start()  # as main.py run does
        start_s = time.perf_counter() - began

        session = daemon.market.day_start_ns
        warm = paced.PacedParams(every=row.every).slow
        for i in range(row.symbols):
            prices = (initial_price(i),) * warm
            daemon.tree.address(strategy_actor_name(symbol_name(i))).tell(
                WarmUp(symbol=symbol_name(i), prices=prices)
            )
        first = tuple(Mark(symbol=symbol_name(i), ltp=initial_price(i)) for i in range(row.symbols))
        marks = Marks(marks=first, market_ns=session)
        for name in (RISK_GATE, PNL_TRACKER):
            daemon.tree.address(name).tell(marks)
        active_s = _wait_active(metrics.registry, began, deadline_s=120)
        time.sleep(row.warmup)

        before = _totals(metrics.registry)
        names = [strategy_actor_name(symbol_name(i)) for i in range(row.symbols)]
        queued0 = _queued(daemon.tree.directory, names)
        lag = LagSampler(stamps.lag_s)
        for probe in (intent_log, handed_log, sent, pauses, stamps):
            probe.recording = True
        ticks0, cpu0, wall0 = stamps.released, time.process_time(), time.perf_counter()
        lag.start()
        time.sleep(row.seconds)
        ticks1, cpu1, wall1 = stamps.released, time.process_time(), time.perf_counter()
        queued1 = _queued(daemon.tree.directory, names)
        for probe in (intent_log, handed_log, sent, pauses, stamps):
            probe.recording = False
        lag.stop()
        after = _totals(metrics.registry)
        daemon.tree.stop(timeout=300)
        daemon.journal.close()
        journal = journal_rows(str(daemon.journal_path))
    ticks = ticks1 - ticks0
    processed = ticks - (queued1 - queued0)
    wall = wall1 - wall0
    return {
        "ticks": ticks,
        "sustained_ticks_per_s": round(ticks / wall),
        "ticks_processed": processed,
        "processed_ticks_per_s": round(processed / wall),
        "feed_lag": lag.summary(),
        "poll_wait": percentiles(stamps.poll_waits),
        "tick_to_intent": percentiles(intent_log.values),
        "tick_to_order_sent": percentiles(sent.values),
        "tick_to_order_handed": percentiles(handed_log.values),
        "orders": {
            "intents": len(intent_log.values),
            "approved": after["approved"] - before["approved"],
            "rejected": _rejected(before["rejected"], after["rejected"]),
            "placed": sent.placed,
            "placed_per_s": round(sent.placed / wall, 2),
            "fills": after["fills"] - before["fills"],
        },
        "journal": journal,
        "cpu_s": round(cpu1 - cpu0, 3),
        "cpu_s_per_1000_ticks": round((cpu1 - cpu0) / processed * 1000, 5) if processed else None,
        "peak_rss_mb": peak_rss_mb(),
        "gc": pauses.summary(),
        "start_s": round(start_s, 2),
        "active_after_s": round(active_s, 2),
    }


def _queued(directory: Any, names: list[str]) -> int:
    """Messages waiting in the strategies' mailboxes (almost all ticks): what the feed has
    delivered and the strategies have not yet processed."""
    return sum(directory.backlog(name) for name in names)


def _wait_active(registry: Any, began: float, deadline_s: float) -> float:
    """Seconds since ``began`` until RiskGate's trading state is ACTIVE (polled; the bench
    fails loudly if it never is: a row whose orders are all refused would measure nothing)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if registry.get_sample_value("shikra_trading_state", {"state": "ACTIVE"}) == 1:
            return time.perf_counter() - began
        time.sleep(0.05)
    raise RuntimeError(f"RiskGate not ACTIVE within {deadline_s:.0f} s of the start")


def _rejected(before: dict[str, float], after: dict[str, float]) -> dict[str, int]:
    """Rejections in the window, by reason (reasons that fired only)."""
    counts = {reason: int(n - before.get(reason, 0)) for reason, n in after.items()}
    return {reason: n for reason, n in counts.items() if n}


def _totals(registry: Any) -> dict[str, Any]:
    """Approvals, rejections by reason and fills so far, from one pass over the registry."""
    out: dict[str, Any] = {"approved": 0.0, "fills": 0.0, "rejected": {}}
    for family in registry.collect():
        for sample in family.samples:
            if sample.name == "shikra_risk_approvals_total":
                out["approved"] += sample.value
            elif sample.name == "shikra_fills_total":
                out["fills"] += sample.value
            elif sample.name == "shikra_risk_rejections_total":
                out["rejected"][sample.labels["reason"]] = sample.value
    out["approved"] = int(out["approved"])
    out["fills"] = int(out["fills"])
    return out
