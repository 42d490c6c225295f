"""The out-of-tree strategy path, as a user takes it: the shipped example passes check-config
and trades under ``main.py run``; a module in a directory outside the repository is loaded and
trades; a bad parameter of such a strategy is named at its dotted path; the example's rule on
bars, tested without threads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.records import OrderRecord
from daemon.clock import WallClock
from journal import Journal
from messages.orders import OrderType, Side
from strategies.api import Bar, Enter, View
from strategies.loader import load_class
from tests.e2e.daemon_process import REPO, free_port

EXAMPLE = REPO / "examples" / "strategy"

ALWAYS_IN = '''
from strategies import StrategyParams
from strategies.api import Enter, Exit
from messages.orders import Side


class AlwaysInParams(StrategyParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    hold_ticks: int = 5


class AlwaysIn:
    """Buys when flat, sells after hold_ticks ticks: trades all the time."""

    Params = AlwaysInParams
    name = "always_in"
    warmup_ticks = 1

    def __init__(self, params):
        self.params = params
        self.held = 0

    def on_tick(self, tick, view):
        if view.position == 0:
            self.held = 0
            return Enter(side=Side.BUY, reason="always_in buys")
        self.held += 1
        if self.held >= self.params.hold_ticks:
            return Exit(reason="always_in sells")
        return None

    def warm_up(self, prices):
        pass
'''


def run_main(cwd: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def example_config(port: int) -> str:
    text = (EXAMPLE / "config.toml").read_text(encoding="utf-8")
    text = text.replace('strategy_paths = ["examples/strategy"]', f'strategy_paths = ["{EXAMPLE}"]')
    return text.replace("port = 9118", f"port = {port}")


def orders(state: Path) -> list[tuple[OrderRecord, str]]:
    """Each order with the reason its intent gave (an order's own reason is its last event's)."""
    with Journal.open(state / "journal.sqlite", WallClock()) as journal:
        return [
            (order, intent.intent.reason if (intent := journal.intent(order.client_id)) else "")
            for order in journal.orders()
        ]


def test_the_shipped_example_config_passes_check_config():
    result = run_main(REPO, "check-config", "examples/strategy/config.toml")
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr


def test_the_example_trades_under_main_py_run(tmp_path: Path):
    (tmp_path / "shikra.toml").write_text(example_config(free_port()), encoding="utf-8")
    result = run_main(tmp_path, "run", "--config", "shikra.toml", "--duration", "25")
    assert result.returncode == 0, result.stderr[-3000:]
    placed = orders(tmp_path / "state-example")
    ours = [o for o, reason in placed if reason.startswith("entry: bar_momentum")]
    assert ours and all(o.order_type is OrderType.LIMIT for o in ours), placed
    assert any(o.filled_quantity > 0 for o in ours)


def test_a_strategy_module_outside_the_repository_is_loaded_and_trades(tmp_path: Path):
    package = tmp_path / "my_strategies"
    package.mkdir()
    (package / "always_in.py").write_text(ALWAYS_IN, encoding="utf-8")
    config = f"""
[system]
mode = "paper"
state_dir = "state"
strategy_paths = ["my_strategies"]
[system.metrics]
port = {free_port()}
[feed]
source = "synthetic"
[feed.synthetic]
ticks_per_second = 20.0
[[symbols]]
symbol = "NSE:INFY"
strategy = "always_in:AlwaysIn"
params = {{ hold_ticks = 3 }}
quantity = 5
[risk]
max_order_quantity = 50
max_order_value = 500000
max_position_quantity = 100
max_gross_exposure = 3000000
max_open_orders = 10
max_orders_per_minute = 600
price_band_bps = 200
max_daily_loss = 50000
max_drawdown = 75000
"""
    (tmp_path / "shikra.toml").write_text(config, encoding="utf-8")
    checked = run_main(tmp_path, "check-config", "shikra.toml")
    assert checked.returncode == 0, checked.stdout
    result = run_main(tmp_path, "run", "--config", "shikra.toml", "--duration", "8")
    assert result.returncode == 0, result.stderr[-3000:]
    placed = orders(tmp_path / "state")
    assert any(r == "entry: always_in buys" and o.filled_quantity == 5 for o, r in placed)
    assert any(r == "exit: always_in sells" and o.filled_quantity == 5 for o, r in placed)


def test_a_bad_parameter_of_an_out_of_tree_strategy_is_named_at_its_dotted_path(tmp_path: Path):
    config = example_config(free_port())
    bad = config.replace("threshold_bps = 3.0, reward_risk", 'threshold_bps = "3", reward_risk', 1)
    bad = bad.replace("lots = 2 }", "lots = 2, lookback = 4 }", 1)
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    result = run_main(tmp_path, "check-config", "bad.toml")
    assert result.returncode == 2, result.stdout
    lines = sorted(result.stdout.splitlines())
    assert lines[0].startswith("symbols[0].params.threshold_bps: "), lines
    assert "expected float" in lines[0].lower()
    assert lines[1].startswith("symbols[1].params.lookback: "), lines


def test_a_module_that_cannot_be_imported_is_a_config_problem(tmp_path: Path):
    config = example_config(free_port()).replace("bar_momentum:BarMomentum", "no_such:Thing", 1)
    (tmp_path / "bad.toml").write_text(config, encoding="utf-8")
    result = run_main(tmp_path, "check-config", "bad.toml")
    assert result.returncode == 2
    assert result.stdout.startswith("symbols[0].strategy: cannot import 'no_such'"), result.stdout


# -- the example's rule, without threads ---------------------------------------------------


def view(**kw: object) -> View:
    fields = dict(symbol="NSE:INFY", position=0, average_entry=None, working=None,
                  lot_size=1, tick_size=5, quantity=10)  # fmt: skip
    fields.update(kw)
    return View(**fields)  # type: ignore[arg-type]


def bar(open_: int, close: int, low: int, high: int) -> Bar:
    return Bar(symbol="NSE:INFY", start_ns=0, end_ns=60, open=open_, high=high, low=low,
               close=close, volume=100, ticks=10)  # fmt: skip


def example(**params: object):
    cls = load_class("bar_momentum:BarMomentum", [str(EXAMPLE)])
    strategy = cls(cls.Params(**params))
    from messages.market import Tick

    strategy.on_tick(Tick(symbol="NSE:INFY", ltp=100_100, exchange_ns=1, receive_ns=1,
                          bid=100_095, ask=100_100), view())  # fmt: skip
    return strategy


def test_a_strong_up_bar_buys_at_the_bid_with_the_bars_low_as_stop():
    decision = example(threshold_bps=5.0, reward_risk=2.0).on_bar(
        bar(100_000, 100_100, 99_995, 100_110), view()
    )
    assert decision == Enter(
        side=Side.BUY, order_type=OrderType.LIMIT, limit_price=100_095, lots=1,
        stop_price=99_995, target_price=100_295, reason="bar_momentum +10.0 bps",
    )  # fmt: skip


def test_a_weak_bar_or_an_open_position_does_nothing():
    strategy = example(threshold_bps=50.0)
    assert strategy.on_bar(bar(100_000, 100_100, 99_995, 100_110), view()) is None
    strategy = example(threshold_bps=5.0)
    assert strategy.on_bar(bar(100_000, 100_100, 99_995, 100_110), view(position=10)) is None
