"""A halt never leaves a position without its stop at the venue, on the daemon's own tree.

The whole tree as the daemon builds it (Strategy, RiskGate, OrderRouter, the paper venue, the
journal), on the serial runtime and market time of a backtest, so the operator's halt lands at
the same instant of the data on every run: a long position with its SL-M stop resting; halted;
then the take profit is reached. The strategy has heard of the halt (RiskGate publishes every
change to the strategies) and knows the exit would be refused: the stop is not cancelled for
it, and rests at the venue the whole time; no other sell goes out. (An exit already on its
way when the halt came, its stop cancelled and the exit refused, puts the stop straight back:
``tests/strategies/test_venue_stop.py``.) Without the halt, the same data takes the profit:
the scenario does reach the exit. And a Strategy that crashes on the halt's news itself (the
message it died on is gone) learns the state again from the journal when it restarts: RiskGate
journals each change before it publishes it.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from brokers.base import BrokerOrder
from config import load_config
from config.actors import RISK_GATE, strategy_actor_name
from core.clock import VirtualClock
from daemon.backtest import for_backtest, run_to_end
from daemon.topology import build
from feeds.candles import IST
from feeds.merged import MergedSource
from messages import OrderStatus, OrderType, Side
from messages.control import Halt
from metrics import Metrics
from tests.e2e.configs import roomy_limits

SYMBOL = "NSE:INFY"
START = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
HALT_AT_S = 30

CONFIG = f"""
[system]
mode = "paper"
state_dir = "unused"
[market]
shipped_calendar = false
[feed]
source = "synthetic"
[[symbols]]
symbol = "{SYMBOL}"
strategy = "ema_cross"
params = {{ fast = 2, slow = 5 }}
quantity = 10
[symbols.exits]
stop_loss_bps = 50
take_profit_bps = 100
[symbols.venue_stop]
order_type = "SL-M"
{roomy_limits()}
"""

# The strategy hears two changes: ACTIVE (the start-up reconciliation) and then the halt.
CRASH_ON_THE_HALT = f"""
[faults]
enabled = true
[[faults.rules]]
actor = "{strategy_actor_name(SYMBOL)}"
action = "raise"
message = "TradingStateChanged"
every_nth = 2
max_times = 1
"""


def prices() -> list[int]:
    """A tick a second: flat (the averages warm up), a rise (the cross: long), flat while the
    stop rests and the halt comes, then up through the take profit (+1 %), and flat again."""
    flat = [100_000] * 10
    rise = [100_100, 100_200, 100_300]
    rest = [100_300] * (HALT_AT_S + 10 - len(flat) - len(rise))
    profit = [100_600, 101_000, 101_500, 102_000]
    return flat + rise + rest + profit + [102_000] * 40


def replay(path: Path) -> Path:
    lines = ["exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"]
    for n, paise in enumerate(prices()):
        at = (START + datetime.timedelta(seconds=n)).isoformat(timespec="milliseconds")
        price = f"{paise // 100}.{paise % 100:02d}"
        lines.append(f"{at},{SYMBOL},{price},{price},{price},100,100,{n + 1}")
    path.write_text("\n".join(lines) + "\n")
    return path


def run(tmp_path: Path, *, halt: bool, crash: bool = False) -> tuple[list[BrokerOrder], int, int]:
    """The venue's orders, the position at the end of the data, and the strategy's restarts."""
    (tmp_path / "c.toml").write_text(CONFIG + (CRASH_ON_THE_HALT if crash else ""))
    data = replay(tmp_path / "ticks.csv")
    state = tmp_path / "state"
    config = for_backtest(load_config(str(tmp_path / "c.toml")), state, data)
    source = MergedSource([data])
    first = source.first_exchange_ns
    assert first is not None
    clock = VirtualClock(start_ns=first)
    daemon = build(config, clock=clock, metrics=Metrics(), data=source, serial=True)
    halt_ns = first + HALT_AT_S * 1_000_000_000
    sent = []

    def at(now_ns: int) -> None:
        if halt and not sent and now_ns >= halt_ns:
            sent.append(now_ns)
            daemon.tree.address(RISK_GATE).tell(Halt(reason="operator: halt"))

    run_to_end(daemon, clock, at)
    venue = daemon.broker
    assert not halt or sent, "the data ended before the halt"
    position = sum(p.quantity for p in venue.positions() if p.symbol == SYMBOL)
    restarts = daemon.tree.metrics.registry.get_sample_value(
        "shikra_actor_restarts_total", {"actor": strategy_actor_name(SYMBOL)}
    )
    return venue.orders(), position, int(restarts or 0)


def test_a_halt_keeps_the_positions_stop_resting_and_sends_no_exit(tmp_path: Path):
    orders, position, _ = run(tmp_path, halt=True)
    assert_the_stop_rested_alone(orders, position)


def test_a_strategy_restarted_during_the_halt_reads_it_and_keeps_the_stop(tmp_path: Path):
    orders, position, restarts = run(tmp_path, halt=True, crash=True)
    assert restarts == 1  # it did die on the halt's news, and came back
    assert_the_stop_rested_alone(orders, position)


def assert_the_stop_rested_alone(orders: list[BrokerOrder], position: int) -> None:
    assert position == 10  # the halt kept the exit from going
    sells = [o for o in orders if o.side is Side.SELL]
    assert len(sells) == 1, sells  # never cancelled for the take profit: never bare
    (stop,) = sells
    assert (stop.order_type, stop.status, stop.quantity) == (OrderType.SL_M, OrderStatus.OPEN, 10)


def test_without_the_halt_the_same_data_takes_the_profit(tmp_path: Path):
    orders, position, _ = run(tmp_path, halt=False)
    assert position == 0
    sells = [o for o in orders if o.side is Side.SELL]
    assert [o.order_type for o in sells] == [OrderType.SL_M, OrderType.MARKET]
    assert sells[0].status is OrderStatus.CANCELLED and sells[1].status is OrderStatus.FILLED
