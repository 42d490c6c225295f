"""A LIMIT entry still working when the daemon stops is found again at the next start, known
as a LIMIT entry from the journal, and cancelled once it has waited its timeout: it does not
block its symbol for the rest of the day. (The real tree on the synthetic feed, twice, on one
state directory; the paper venue keeps the order working in between, as an exchange would.)"""

from __future__ import annotations

from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from messages.orders import OrderStatus, OrderType
from tests.actors.tree_harness import eventually, running_daemon

SYMBOL = "NSE:RELIANCE"  # the last [[symbols]] entry: the [symbols.entry] below is its own


def entry(timeout_seconds: float) -> str:
    # 300 ticks (₹15, 1.5 %) below the last price: inside the price band, never filled.
    return f"""
[symbols.entry]
order_type = "LIMIT"
offset_ticks = 300
timeout_seconds = {timeout_seconds}
"""


def limit_entries(state: Path) -> list:
    with Journal.open(state / "journal.sqlite", WallClock()) as journal:
        return [
            o
            for o in journal.orders()
            if o.symbol == SYMBOL and o.order_type is OrderType.LIMIT and o.sent
        ]


def test_a_working_limit_entry_times_out_after_a_restart(tmp_path: Path):
    state = tmp_path / "state"
    with running_daemon(state, extra=entry(timeout_seconds=3600)):
        eventually(lambda: any(o.status is OrderStatus.OPEN for o in limit_entries(state)))
    (waiting,) = [o for o in limit_entries(state) if not o.status.is_terminal]
    with running_daemon(state, extra=entry(timeout_seconds=1)):
        eventually(
            lambda: (
                next(o for o in limit_entries(state) if o.client_id == waiting.client_id).status
                is OrderStatus.CANCELLED
            ),
            timeout=20,
        )
