"""The protective stop at the venue, on the real daemon: an entry fills, its stop rests at the
paper venue (``main.py status`` shows it), the daemon is killed with -9, the market falls
through the stop while it is down, and after the restart the position has been closed by the
stop at the venue — once, not again by shikra — and the journal, the venue and PnLTracker agree
to the paisa."""

from __future__ import annotations

import datetime
import itertools
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from daemon.clock import WallClock
from daemon.control_wire import request
from journal import Journal
from messages import OrderStatus, OrderType, Side, StatusReport
from tests.e2e.configs import roomy_limits
from tests.e2e.daemon_process import REPO, DaemonProcess, free_port, total
from tests.e2e.invariants import check, paper_venue

IST = ZoneInfo("Asia/Kolkata")

BUY_ONCE = '''
from strategies import StrategyParams
from strategies.api import Enter
from messages.orders import Side


class BuyAtParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    low: int
    high: int


class BuyAt:
    """Buys when flat and the price is between two levels; never sells by itself."""

    Params = BuyAtParams
    name = "buy_at"
    warmup_ticks = 1

    def __init__(self, params):
        self.params = params

    def on_tick(self, tick, view):
        if view.position == 0 and self.params.low <= tick.ltp <= self.params.high:
            return Enter(side=Side.BUY, reason="buy_at")
        return None

    def warm_up(self, prices):
        pass
'''


def replay(
    path: Path, start: datetime.datetime, paise: int, ticks: int, step_paise: int = 0
) -> Path:
    """NSE:INFY once a second from ``start``, from ``paise`` by ``step_paise`` a tick."""
    lines = ["exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"]
    for n in range(ticks):
        at = (start + datetime.timedelta(seconds=n)).isoformat(timespec="milliseconds")
        price = f"{(paise + n * step_paise) / 100:.2f}"
        lines.append(f"{at},NSE:INFY,{price},{price},{price},100,100,{10 * (n + 1)}")
    path.write_text("\n".join(lines) + "\n")
    return path


STOP_LOSS = '[symbols.exits]\nstop_loss_bps = 100\n[symbols.venue_stop]\norder_type = "SL-M"\n'


def config(
    workdir: Path, port: int, replay_file: Path, stop: str = STOP_LOSS, extra: str = ""
) -> str:
    return f"""
[system]
mode = "paper"
state_dir = "state"
strategy_paths = ["{workdir / "strategies"}"]
[system.metrics]
bind = "127.0.0.1"
port = {port}
[market]
shipped_calendar = false
[feed]
source = "replay"
[feed.replay]
path = "{replay_file}"
speed = "max"
exit_at_end = false  # the test reads the metrics and stops it
[[symbols]]
symbol = "NSE:INFY"
strategy = "buy_at:BuyAt"
params = {{ low = 100000, high = 100000 }}
quantity = 10
{stop}
{roomy_limits()}
[broker.paper]
fill_model = "ltp"
slippage_bps = 0.0
[position_sync]
interval_seconds = 0.2
policy = "alert"
{extra}
"""


def poll(what, timeout: float = 60.0, daemon: DaemonProcess | None = None):
    """``what()`` until it is truthy, within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon is not None and daemon.process is not None and daemon.process.poll() is not None:
            raise AssertionError(f"daemon exited:\n{daemon.log()}")
        found = what()
        if found:
            return found
        time.sleep(0.1)  # polling interval of a deadline-bounded wait, not a synchronisation
    raise AssertionError(f"not within {timeout}s" + (f":\n{daemon.log()}" if daemon else ""))


def status(state: Path):
    try:
        reply = request(state / "control.sock", "status", timeout=5)
    except OSError:
        return None
    return reply.status if reply.ok else None


def run_until_flat(workdir: Path, text: str, port: int) -> StatusReport:
    """Start the daemon, wait until it has traded and is flat with nothing working, stop it
    (exit 0); its status then."""
    daemon = DaemonProcess(workdir, text, port).start()
    try:
        report = poll(
            lambda: (s := status(workdir / "state")) and not s.open_orders
            and all(p.quantity == 0 for p in s.symbols) and s.realized != 0 and s,
            daemon=daemon,
        )  # fmt: skip
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    return report


def test_a_stop_resting_at_the_venue_closes_the_position_while_the_daemon_is_down(
    tmp_path: Path,
):
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "buy_at.py").write_text(BUY_ONCE)
    state = tmp_path / "state"
    port = free_port()
    morning = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
    calm = replay(tmp_path / "calm.csv", morning, 100_000, 30)
    daemon = DaemonProcess(tmp_path, config(tmp_path, port, calm), port).start()
    try:
        resting = poll(
            lambda: (s := status(state)) and [o for o in s.open_orders if " SL-M " in o],
            daemon=daemon,
        )
        shown = subprocess.run(
            [sys.executable, str(REPO / "main.py"), "status", "--config", str(daemon.config)],
            cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        line = next(line for line in shown.stdout.splitlines() if " SL-M " in line)
        assert "SELL 10 NSE:INFY SL-M trigger ₹990.00 open (stop resting at the venue)" in line
        assert resting[0].split()[0] == line.split()[0]
        # The metric counts every intent, the stop too (sent on the fill, not on a tick).
        assert total(daemon.scrape(), "shikra_strategy_intents_total") == 2
        daemon.kill()  # SIGKILL: nothing runs after it
    finally:
        daemon.kill()
    assert daemon.process is not None and daemon.process.returncode == -9

    # While it is down the market gaps through the stop (990.00): the first price is 985.00.
    later = morning + datetime.timedelta(minutes=10)
    fallen = replay(tmp_path / "fallen.csv", later, 98_500, 30)
    report = run_until_flat(tmp_path, config(tmp_path, port, fallen), port)

    with Journal.open(state / "journal.sqlite", WallClock()) as journal:
        orders = journal.orders()
        fills = journal.fills()
    entry, stop = orders  # nothing else was sent: the restarted daemon did not sell again
    assert (entry.side, entry.order_type, entry.status) == (
        Side.BUY,
        OrderType.MARKET,
        OrderStatus.FILLED,
    )
    assert (stop.side, stop.order_type, stop.trigger_price) == (Side.SELL, OrderType.SL_M, 99_000)
    assert stop.status is OrderStatus.FILLED
    assert [(f.client_id, f.side, f.quantity, f.price) for f in fills] == [
        (entry.client_id, Side.BUY, 10, 100_000),
        (stop.client_id, Side.SELL, 10, 98_500),  # the stop filled at the market, at the venue
    ]
    assert (
        check(state / "journal.sqlite", paper_venue(state / "paper_venue.sqlite"), settled=True)
        == []
    )
    # PnLTracker's figures after the restart: the loss the two fills make, to the paisa.
    assert report.realized == (98_500 - 100_000) * 10
    assert report.unrealized == 0 and report.charges > 0
    assert report.net == report.realized - report.charges


TRAILING = """[symbols.exits]
trailing_stop_bps = 100
take_profit_bps = 300
[symbols.venue_stop]
order_type = "SL-M"
trail_step_ticks = 40
"""
KILL_AT_MODIFIED = """
[faults]
enabled = true
seed = 1
[[faults.rules]]
actor = "OrderRouter"
action = "kill"
point = "router.modified"
every_nth = 1
max_times = 1
"""


def test_a_kill_after_the_venue_took_a_modification_leaves_the_stop_known_and_trailing(
    tmp_path: Path,
):
    # The daemon dies between the venue's answer to a trail and the journal's record of it:
    # the journal has the looser trigger. After the restart the strategy knows the order as
    # its stop (not an order to wait on), trails it further, and cancels it before the take
    # profit, which then goes once: one sell, flat.
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "buy_at.py").write_text(BUY_ONCE)
    state = tmp_path / "state"
    port = free_port()
    morning = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
    rising = replay(tmp_path / "rising.csv", morning, 100_000, 30, step_paise=50)
    text = config(tmp_path, port, rising, TRAILING, KILL_AT_MODIFIED)
    daemon = DaemonProcess(tmp_path, text, port).start()
    try:
        assert daemon.wait(timeout=90) == -9, daemon.log()  # killed itself at the point
    finally:
        daemon.kill()
    with Journal.open(state / "journal.sqlite", WallClock()) as journal:
        stop = next(o for o in journal.orders() if o.order_type is OrderType.SL_M)
        assert journal.modifications(stop.client_id) == []  # the kill came first
    with sqlite3.connect(f"file:{state / 'paper_venue.sqlite'}?mode=ro", uri=True) as db:
        (at_venue,) = db.execute(
            "SELECT trigger_price FROM orders WHERE tag = ? AND status = 'open'", (stop.client_id,)
        ).fetchone()
    assert stop.trigger_price is not None and at_venue >= stop.trigger_price + 40 * 5

    later = morning + datetime.timedelta(minutes=10)
    higher = replay(tmp_path / "higher.csv", later, 101_000, 60, step_paise=50)
    run_until_flat(tmp_path, config(tmp_path, port, higher, TRAILING), port)

    with Journal.open(state / "journal.sqlite", WallClock()) as journal:
        orders = journal.orders()
        fills = journal.fills()
        moved = journal.modifications(stop.client_id)
        reasons = [journal.intent(o.client_id).intent.reason for o in orders]
    assert reasons == ["entry: buy_at", "stop: trailing_stop", "exit: take_profit"]
    assert [o.status for o in orders] == [
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,  # cancelled before the take profit went
        OrderStatus.FILLED,
    ]
    # Trailed after the restart, from the journal's 990.00: first to 1010.00 x 0.99, then
    # each time the stop had risen 40 ticks (2.00), never down.
    triggers = [trigger for trigger, _, _, _ in moved]
    assert triggers[0] == 99_990 and len(triggers) >= 3
    assert all(b - a >= 40 * 5 for a, b in itertools.pairwise(triggers))
    assert orders[1].trigger_price == triggers[-1]
    assert [(f.side, f.quantity) for f in fills] == [(Side.BUY, 10), (Side.SELL, 10)]
    assert fills[1].price >= 103_000  # the take profit: 3 % above the entry
    venue = paper_venue(state / "paper_venue.sqlite")
    assert check(state / "journal.sqlite", venue, settled=True) == []
