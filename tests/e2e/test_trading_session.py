"""The trading day as the real daemon lives it, in market time: a replay of the sample day
(Friday 2026-11-20, 09:15-15:30 IST, MIS) through ``main.py run`` with the entry cut-off and the
square-off both at 15:10 (with the shipped 15:00 and 15:15 the strategies closed their own
positions in between, and the square-off proved nothing). After the cut-off no fill grows a
position; from the square-off every MIS position is closed by RiskGate and no order is left
working, and the state is REDUCING, reached from the schedule. With the stops at the venue the
strategies hold until RiskGate closes them (a strategy's own exit after the square-off's cancel
is a race with RiskGate's close in wall time, and on a loaded machine the strategies won it for
every symbol). The same day declared a holiday trades nothing."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from daemon.clock import WallClock
from journal import Journal
from messages import OrderType
from tests.e2e.configs import SYMBOLS, replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port, settled, total, value
from tests.e2e.reckoning import read_replay

IST = ZoneInfo("Asia/Kolkata")


def ist(hh: int, mm: int) -> int:
    moment = datetime.datetime(2026, 11, 20, hh, mm, tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000


CUTOFF = SQUARE_OFF = ist(15, 10)
SESSION = '[market]\nentry_cutoff = "15:10"\nsquare_off = "15:10"\n'
"""Cut-off and square-off at once: past the cut-off a strategy may still close, and the
restless ones below are flat within a minute, before a later square-off had anything to do."""
IN_FLIGHT_NS = 60 * 1_000_000_000
"""Market time an entry decided before the cut-off may take to fill at 600x: the venue's 20 ms
of wall latency is 12 s of the replayed day, then the symbol's next tick."""


VENUE_STOP = '[symbols.exits]\nstop_loss_bps = 50\n[symbols.venue_stop]\norder_type = "SL-M"\n'
"""Half a percent below the entry: the sample stops RELIANCE, INFY and TCS out a few times a day
(each buys again at its next tick), never HDFCBANK, whose position is open, its stop resting at
the venue, when the square-off comes."""

HOLD = '''
from strategies import StrategyParams
from strategies.api import Enter
from messages.orders import Side


class HoldParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class Hold:
    """Buys whenever flat; never sells by itself: only its stop or RiskGate closes it."""

    Params = HoldParams
    name = "hold"
    warmup_ticks = 1

    def __init__(self, params):
        self.params = params

    def on_tick(self, tick, view):
        return Enter(side=Side.BUY, reason="hold") if view.position == 0 else None

    def warm_up(self, prices):
        pass
'''


def run_sample_day(
    tmp_path: Path,
    extra: str = "",
    speed: str = '"max"',
    restless: bool = False,
    stops: bool = False,
) -> tuple[dict[str, float], list, list]:
    """``restless``: every symbol on an RSI with levels a hair apart, a level strategy that
    opens again at the tick after it closes: in a position nearly all day, so that positions
    are open when the square-off comes. ``stops``: every symbol holds (``HOLD``) with its
    stop resting at the venue."""
    port = free_port()
    config = replay_config(SAMPLE, port, extra=extra).replace('speed = "max"', f"speed = {speed}")
    if restless:
        config = re.sub(
            r'strategy = "\w+"\nparams = \{[^}]*\}',
            'strategy = "rsi_reversion"\n'
            "params = { period = 3, oversold = 49.9, overbought = 50.1 }",
            config,
        )
    if stops:
        (tmp_path / "strategies").mkdir()
        (tmp_path / "strategies" / "hold.py").write_text(HOLD)
        config = config.replace(
            'state_dir = "state"\n',
            f'state_dir = "state"\nstrategy_paths = ["{tmp_path / "strategies"}"]\n',
        )
        config = re.sub(
            r'strategy = "\w+"\nparams = \{[^}]*\}', 'strategy = "hold:Hold"\nparams = {}', config
        )
        config = re.sub(
            r"^(quantity = \d+\n)", lambda m: m.group(1) + VENUE_STOP, config, flags=re.M
        )
    daemon = DaemonProcess(tmp_path, config, port).start()
    try:
        facts = read_replay(SAMPLE)
        expected = sum(n for s, n in facts.ticks.items() if s in SYMBOLS)
        samples = daemon.wait_for(settled(expected), timeout=90)
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        return samples, journal.orders(), journal.fills()


@pytest.mark.parametrize("stops", [False, True], ids=["stops-in-shikra", "stops-at-the-venue"])
def test_no_entry_after_the_cutoff_and_flat_with_nothing_working_from_the_square_off(
    tmp_path: Path, stops: bool
):
    # 600x: the day in ~40 s, so the paper venue's 20 ms of latency is 12 s of market time
    # (at full speed it is minutes of the replayed day, and "closed within a minute" means nothing).
    # With the stops at the venue the square-off must cancel them before it closes (a stop left
    # resting would open a position when it triggers), and no strategy may place one again.
    samples, orders, fills = run_sample_day(
        tmp_path, SESSION, speed="600.0", restless=not stops, stops=stops
    )
    resting = [o for o in orders if o.order_type is OrderType.SL_M]
    assert bool(resting) is stops
    assert len(fills) >= 10 and min(f.at_ns for f in fills) < CUTOFF  # it traded the day

    position: dict[str, int] = {}
    for fill in sorted(fills, key=lambda f: (f.at_ns, f.trade_id)):
        before = position.get(fill.symbol, 0)
        after = position[fill.symbol] = before + fill.side.signed(fill.quantity)
        if fill.at_ns >= CUTOFF:  # only exposure-reducing trades: never grows, never flips
            assert abs(after) < abs(before) and after * before >= 0, fill
    assert all(quantity == 0 for quantity in position.values()), position
    # Flat before the broker's own square-off (15:20 for NSE equity) would have charged for it.
    # (How soon after 15:10 is the test's pace, not shikra's: at 600x a cancel and a close,
    # two 20 ms round trips under a loaded machine, are minutes of the replayed day.)
    assert max(f.at_ns for f in fills) < ist(15, 20)

    squared = {o.client_id for o in orders if o.client_id.startswith("FLAT")}  # RiskGate's own
    assert squared, "positions were open at the square-off, and RiskGate closed them"
    # (their fills carry the paper venue's market time, its last tick before the square-off's)
    assert all(o.status.is_terminal for o in orders)

    assert value(samples, "shikra_risk_rejections_total", reason="reducing") >= 1
    assert value(samples, "shikra_trading_state", state="REDUCING") == 1
    assert value(samples, "shikra_session_phase", exchange="NSE", phase="square_off") == 1
    for symbol in SYMBOLS:
        assert value(samples, "shikra_broker_position_quantity", symbol=symbol) == 0


def test_a_holiday_in_the_config_trades_nothing_and_no_feed_goes_stale(tmp_path: Path):
    samples, orders, fills = run_sample_day(tmp_path, extra="[market]\nholidays = [2026-11-20]\n")
    assert orders == [] and fills == []
    assert total(samples, "shikra_risk_approvals_total") == 0
    assert value(samples, "shikra_risk_rejections_total", reason="market_closed") >= 1
    assert value(samples, "shikra_session_phase", exchange="NSE", phase="closed") == 1
    assert value(samples, "shikra_market_open") == 0
    assert value(samples, "shikra_feed_stale") == 0
