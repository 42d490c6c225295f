"""Supervision on the real daemon: strategies crash every N ticks and the OrderRouter once
mid-run (fault injection); the run keeps trading, the restart counters show it, and the journal
shows no order sent twice and no fill lost."""

from __future__ import annotations

import datetime
import re
import sqlite3
from collections import Counter
from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from tests.e2e.configs import SYMBOLS, replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port, total, value
from tests.e2e.reckoning import Reckoning, read_replay

FAULTS = """
[faults]
enabled = true
seed = 7

[[faults.rules]]
actor = "Strategy:*"
action = "raise"
every_nth = 150
message = "Tick"

[[faults.rules]]
actor = "OrderRouter"
action = "raise"
every_nth = 40
max_times = 1
"""


def _restart_time(log: str) -> float:
    """When the OrderRouter's second instance started, from the daemon's own log line."""
    match = re.search(r"^(\S+ \S+) INFO\s+\S+: restarted OrderRouter \(instance 2\)", log, re.M)
    assert match, "no OrderRouter restart in the log"
    return datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()


def test_crashing_strategies_and_router_lose_nothing_and_send_nothing_twice(tmp_path: Path):
    facts = read_replay(SAMPLE)
    expected = sum(n for s, n in facts.ticks.items() if s in SYMBOLS)
    port = free_port()
    daemon = DaemonProcess(tmp_path, replay_config(SAMPLE, port, faults=FAULTS), port).start()
    try:
        samples = daemon.wait_for(
            lambda s: (
                total(s, "shikra_feed_ticks_total") >= expected
                and value(s, "shikra_actor_restarts_total", actor="OrderRouter") >= 1
            ),
            timeout=90,
        )
        # Nothing left for the rate limiter, then two reconciliations: the books have settled.
        samples = daemon.wait_for(lambda s: value(s, "shikra_orders_queued") == 0, timeout=60)
        runs = value(samples, "shikra_reconciliation_runs_total")
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_reconciliation_runs_total") >= runs + 2, timeout=30
        )
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    log = daemon.log()

    # The restart counters show the crashes.
    strategy_restarts = sum(
        value(samples, "shikra_actor_restarts_total", actor=f"Strategy:{s}") for s in SYMBOLS
    )
    assert strategy_restarts >= 10  # ~800 ticks a symbol, a crash every 150
    assert value(samples, "shikra_actor_restarts_total", actor="OrderRouter") == 1
    assert value(samples, "shikra_faults_injected_total", actor="OrderRouter", action="raise") == 1
    assert "root supervisor gave up" not in log
    # Restarted strategies were warmed up again from the feed's recent prices.
    assert "warmed up again from" in log

    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        orders = journal.orders()
        fills = journal.fills()
    with sqlite3.connect(tmp_path / "state" / "journal.sqlite") as db:
        submitted = Counter(
            row[0]
            for row in db.execute("SELECT client_id FROM order_events WHERE status = 'submitted'")
        )

    # It kept trading after the router came back.
    restarted_at = _restart_time(log) * 1e9
    assert sum(o.created_ns > restarted_at for o in orders) >= 3

    # No order sent twice: one submission per client id, one client id per broker order.
    assert submitted and max(submitted.values()) == 1
    broker_ids = [o.broker_order_id for o in orders if o.broker_order_id]
    assert len(broker_ids) == len(set(broker_ids))

    # No fill lost or doubled: each order's fills add up to what it filled, and the broker's
    # positions equal the journal's.
    by_order = Counter()
    for fill in fills:
        by_order[fill.client_id] += fill.quantity
    for order in orders:
        assert by_order[order.client_id] == order.filled_quantity, order
    book = Reckoning()
    for fill in fills:
        book.apply(fill)
    for symbol in SYMBOLS:
        quantity = book.positions.get(symbol, 0)
        assert value(samples, "shikra_broker_position_quantity", symbol=symbol) == quantity
        assert value(samples, "shikra_position_quantity", symbol=symbol) == quantity
    assert all(o.status.is_terminal for o in orders)
