"""The report of a real run: the daemon replays the sample day (to its end, squared off flat),
and its journal's report says what the fills say — ``summary.json``'s net is the sum of
``trades.csv``'s net column and an independent reckoning from the fills (what was sold minus
what was bought, less every fill's charges), to the paisa; the table is printed."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from backtest.report import report
from config import load_config_text
from core.charges import ChargeCalculator
from daemon.clock import WallClock
from daemon.instruments import multipliers, paper_specs
from daemon.market import hours_for
from daemon.topology import charge_rates
from journal import Journal
from tests.e2e.configs import replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port


def paise(rupees: str) -> int:
    return int(Decimal(rupees) * 100)


def test_the_report_of_a_replayed_day_agrees_with_its_fills_to_the_paisa(tmp_path: Path):
    port = free_port()
    text = replay_config(SAMPLE, port).replace("exit_at_end = false", "exit_at_end = true")
    daemon = DaemonProcess(tmp_path, text, port).start()
    try:
        assert daemon.wait(timeout=120) == 0, daemon.log()
    finally:
        daemon.kill()
    config = load_config_text(text)
    journal_path = tmp_path / "state" / "journal.sqlite"
    with Journal.open(journal_path, WallClock()) as journal:
        fills = journal.fills()
    rates, valued = charge_rates(config), multipliers(paper_specs(config))
    printed = io.StringIO()
    rows = report(
        journal_path, tmp_path / "out", rates=rates, multipliers=valued,
        day_of=hours_for(config).trading_day, run={"data": SAMPLE.name}, out=printed,
        terminal=False,
    )  # fmt: skip

    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    with (tmp_path / "out" / "trades.csv").open() as file:
        trades = list(csv.DictReader(file))
    assert len(trades) >= 10 and summary["total"]["trades"] == len(trades)
    assert summary["total"]["net_paise"] == sum(paise(t["net"]) for t in trades)
    assert summary["total"]["net_paise"] == rows[-1].net

    # Reckoned from the fills alone: every symbol ends the day flat, so its gross is what it
    # sold for minus what it bought for, and the charges are every fill's.
    position: dict[str, int] = {}
    for f in fills:
        position[f.symbol] = position.get(f.symbol, 0) + f.side.signed(f.quantity)
    assert all(q == 0 for q in position.values()), position
    gross = sum(-f.side.signed(f.quantity) * f.price for f in fills)
    calculator = ChargeCalculator(rates)
    charges = sum(calculator.charge(f, valued.get(f.symbol, 1)).total for f in fills)
    assert summary["total"]["gross_paise"] == gross
    assert summary["total"]["charges_paise"] == charges
    assert summary["total"]["net_paise"] == gross - charges
    assert "TOTAL" in printed.getvalue() and "win %" in printed.getvalue()
