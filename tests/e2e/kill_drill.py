"""The kill -9 drill on the real daemon: start it on one state directory, let it trade, kill it
with SIGKILL at a random instant while orders are working, and again, many times; then one
clean run that flattens, lets every order finish and stops. The invariants (``invariants``) are
then checked from the files alone. Used by the suite (a few dozen cycles) and by
``bench/kill_drill.py`` (hundreds), so both prove the same thing.

The random instants come from a seeded ``random.Random``: a failing drill is rerun exactly.
Every wait has a deadline; every process is killed by its pid if a wait fails.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from daemon.control_wire import request
from tests.e2e.configs import roomy_limits
from tests.e2e.daemon_process import DaemonProcess, Samples, free_port, total, value
from tests.e2e.invariants import Venue, check, paper_venue

SYMBOLS = ("NSE:INFY", "NSE:TCS", "NSE:SBIN", "NSE:RELIANCE")


VENUE_STOP = (
    "[symbols.exits]\ntrailing_stop_bps = 20\n"
    '[symbols.venue_stop]\norder_type = "SL-M"\ntrail_step_ticks = 2\n'
)


def paper_config(
    port: int, *, seed: int = 5, extra: str = "", policy: str = "alert", fill_ratio: str = "0.5"
) -> str:
    """Fast strategies on a lively synthetic market; orders take 200 ms to fill and fill in
    halves, so at almost any instant some are working. Every other symbol keeps a trailing
    stop at the venue, so kills also land while a stop is placed, moved or cancelled."""
    symbols = "\n".join(
        f'[[symbols]]\nsymbol = "{s}"\nstrategy = "ema_cross"\nparams = {{ fast = 2, slow = 4 }}\n'
        f"quantity = 6\ninitial_price_paise = {100_000 + 1_000 * i}\n"
        + (VENUE_STOP if i % 2 == 0 else "")
        for i, s in enumerate(SYMBOLS)
    )
    return f"""
[system]
mode = "paper"
state_dir = "state"
[system.metrics]
port = {port}
[feed]
source = "synthetic"
[feed.synthetic]
seed = {seed}
ticks_per_second = 20.0
volatility_bps = 8.0
{symbols}
{roomy_limits()}working_check_seconds = 0.5
[broker.paper]
latency_ms = 200.0
partial_fill_ratio = {fill_ratio}
[position_sync]
interval_seconds = 0.5
policy = "{policy}"
[supervision]
backoff_min_seconds = 0.0
backoff_max_seconds = 0.05
{extra}
"""


@dataclass
class Cycle:
    seconds_to_trading: float
    placed: float
    """Orders this incarnation sent before it was killed."""
    killed_after: float


@dataclass
class DrillReport:
    cycles: list[Cycle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clean_exit: int | None = None
    clean_samples: Samples = field(default_factory=dict)
    orders: int = 0
    fills: int = 0
    log: str = ""


def submitted(samples: Samples) -> float:
    return value(samples, "shikra_orders_total", status="submitted")


def run(
    workdir: Path,
    cycles: int,
    *,
    seed: int = 1,
    max_kill_delay: float = 1.5,
    config: Callable[[int], str] = paper_config,
    venue: Callable[[Path], Venue] | None = None,
    on_cycle: Callable[[int, Cycle], None] | None = None,
) -> DrillReport:
    """``cycles`` kills, then the clean run; the report says what the invariants found."""
    rng = random.Random(seed)
    port = free_port()
    report = DrillReport()
    for number in range(cycles):
        daemon = DaemonProcess(workdir, config(port), port).start()
        try:
            began = time.monotonic()
            daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
            trading = time.monotonic() - began
            delay = rng.uniform(0.0, max_kill_delay)
            time.sleep(delay)  # the random instant of the kill: the drill's input, not a wait
            placed = submitted(daemon.scrape())
            assert daemon.process is not None
            daemon.process.send_signal(signal.SIGKILL)
            daemon.wait(30)
        finally:
            daemon.kill()
        cycle = Cycle(seconds_to_trading=trading, placed=placed, killed_after=delay)
        report.cycles.append(cycle)
        if on_cycle is not None:
            on_cycle(number, cycle)
    state = workdir / "state"
    daemon = DaemonProcess(workdir, config(port), port).start()
    try:
        daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
        reply = request(state / "control.sock", "flatten", "drill: settle before the check")
        assert reply.ok, reply.text
        read_venue = venue or (lambda path: paper_venue(path / "paper_venue.sqlite"))
        _wait_settled(state, read_venue, daemon)
        runs = value(daemon.scrape(), "shikra_reconciliation_runs_total")
        report.clean_samples = daemon.wait_for(  # the books compared once more, settled
            lambda s: value(s, "shikra_reconciliation_runs_total") >= runs + 2, timeout=30
        )
        report.clean_exit = daemon.terminate()
    finally:
        daemon.kill()
    report.log = daemon.log()
    report.problems = check(state / "journal.sqlite", read_venue(state), settled=True)
    with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
        report.orders = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        report.fills = db.execute("SELECT COUNT(*) FROM fills").fetchone()[0]
    return report


def _wait_settled(
    state: Path, read_venue: Callable[[Path], Venue], daemon: DaemonProcess, timeout: float = 60
) -> None:
    """Flattened: wait until nothing is working, in the journal or at the venue, and the venue
    holds nothing. That is a fixed point: flat and HALTED, no order can go out any more. (A
    halt is not one: a position's stop goes back to the venue while halted, and a position
    filled after the halt gets one, so "nothing working" after a halt can be a passing moment.)"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(f"file:{state / 'journal.sqlite'}?mode=ro", uri=True) as db:
            open_here = db.execute(
                "SELECT COUNT(*) FROM orders WHERE status NOT IN ('filled','cancelled','rejected')"
            ).fetchone()[0]
        venue = read_venue(state)
        working = [o for o in venue.orders if o.status not in _FINAL_AT_VENUE]
        if not open_here and not working and not any(venue.held().values()):
            return
        time.sleep(0.1)  # polling interval of a deadline-bounded wait
    raise AssertionError(f"not flat with nothing working {timeout}s after the flatten:\n"
                         f"{daemon.log()}")  # fmt: skip


_FINAL_AT_VENUE = ("filled", "cancelled", "rejected")


def restarts(samples: Samples) -> float:
    return total(samples, "shikra_actor_restarts_total")
