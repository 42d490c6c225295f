"""A real kill -9 of a process trading on a paper venue file, several times over on one file:
everything the process was told (an order id, a pushed trade) is in the file afterwards, orders
resting at the kill still work, and no order or trade id is ever handed out twice."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from brokers.paper import PaperBroker
from core.clock import VirtualClock
from messages import OrderStatus, Side, Tick
from tests.brokers.paper_helpers import order
from tests.brokers.paper_venue_child import SYMBOL

REPO = Path(__file__).resolve().parents[2]
CYCLES = 4
LINES_BEFORE_KILL = (60, 150, 90, 200)
"""Killed after a different amount of work each cycle, so the kill lands at different points."""


def run_until_killed(venue_file: Path, prefix: str, lines_wanted: int) -> list[str]:
    """Start the child, read its complete lines until ``lines_wanted``, kill -9 it, and return
    them (a line the kill cut short is not complete, and not returned)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.brokers.paper_venue_child", str(venue_file), prefix, "30"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines: queue.Queue[bytes] = queue.Queue()
    assert child.stdout is not None
    stdout = child.stdout
    reader = threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while len(seen) < lines_wanted:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            seen.append(line.decode())
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
    reader.join(timeout=10)
    while not lines.empty():  # what it printed between our last read and the kill
        seen.append(lines.get_nowait().decode())
    assert child.stderr is not None
    errors = child.stderr.read().decode()
    assert "Traceback" not in errors, errors
    return [line.rstrip("\n") for line in seen if line.endswith("\n")]


def test_everything_a_killed_process_was_told_is_in_the_venue_file_and_no_id_repeats(tmp_path):
    venue_file = tmp_path / "venue.sqlite"
    told_orders: dict[str, str] = {}  # tag -> order id
    told_trades: dict[str, tuple[str, int, int]] = {}  # trade id -> (order id, quantity, price)
    for cycle in range(CYCLES):
        for line in run_until_killed(venue_file, f"k{cycle}x", LINES_BEFORE_KILL[cycle]):
            kind, key, *rest = line.split()
            if kind == "ORDER":
                assert rest[0] not in told_orders.values(), f"order id {rest[0]} handed out twice"
                told_orders[key] = rest[0]
            else:
                assert key not in told_trades, f"trade id {key} handed out twice"
                told_trades[key] = (rest[0], int(rest[1]), int(rest[2]))
        venue = PaperBroker(VirtualClock(), {SYMBOL: 5}, store=venue_file, partial_fill_ratio=0.5)
        stored_orders = {o.tag: o for o in venue.orders()}
        for tag, order_id in told_orders.items():
            assert stored_orders[tag].broker_order_id == order_id
        stored_trades = {t.trade_id: t for t in venue.trades()}
        for trade_id, (order_id, quantity, price) in told_trades.items():
            trade = stored_trades[trade_id]
            assert (trade.broker_order_id, trade.quantity, trade.price) == (
                order_id,
                quantity,
                price,
            )
        # The file holds nothing it did not tell (beyond the last, unprinted call) and the
        # orders' fills agree with its trades.
        for stored in venue.orders():
            filled = sum(
                t.quantity
                for t in stored_trades.values()
                if t.broker_order_id == stored.broker_order_id
            )
            assert stored.filled_quantity == filled
        assert len(stored_orders) == len(venue.orders())  # one order per tag
    resting = [o for o in venue.orders() if o.status is OrderStatus.OPEN]
    assert resting, "some limit orders were resting at the kills"
    # Still working: a tick through every resting price fills them all.
    venue.observe(Tick(symbol=SYMBOL, ltp=99_000, exchange_ns=0, receive_ns=0))
    venue.observe(Tick(symbol=SYMBOL, ltp=101_000, exchange_ns=0, receive_ns=0))
    venue.observe(Tick(symbol=SYMBOL, ltp=99_000, exchange_ns=0, receive_ns=0))
    venue.observe(Tick(symbol=SYMBOL, ltp=101_000, exchange_ns=0, receive_ns=0))
    after = {o.broker_order_id: o.status for o in venue.orders()}
    assert all(after[o.broker_order_id] is not OrderStatus.OPEN for o in resting)
    new_id = venue.place(order("fresh", Side.BUY, symbol=SYMBOL))
    ids = [o.broker_order_id for o in venue.orders()]
    assert len(ids) == len(set(ids)) and new_id not in told_orders.values()
