"""``main.py backtest`` as a user runs it, on three trading days of candles for two symbols:
it exits 0 by itself at the end of the data; two runs give byte-identical ``trades.csv`` and
``summary.json``; the summary's net is the sum of the trades' and what the fills say, to the
paisa; each day trades and ends flat (MIS squared off), with its own exports; its state lives
under ``--out``, never in the configured state dir; bad input is exit 2 with the reason."""

from __future__ import annotations

import csv
import datetime
import json
import os
import pty
import select
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from config import load_config
from core.charges import ChargeCalculator
from daemon.clock import WallClock
from daemon.instruments import multipliers, paper_specs
from daemon.market import hours_for
from daemon.topology import charge_rates
from journal import Journal
from tests.backtest.data import DAYS, candle_files
from tests.e2e.configs import roomy_limits
from tests.e2e.daemon_process import REPO

CONFIG = f"""
[system]
mode = "paper"
state_dir = "live-state"
[market]
shipped_calendar = false
[feed]
source = "synthetic"
[[symbols]]
symbol = "NSE:INFY"
strategy = "ema_cross"
params = {{ fast = 2, slow = 5 }}
quantity = 10
[symbols.exits]
stop_loss_bps = 40
[symbols.venue_stop]
order_type = "SL-M"
[[symbols]]
symbol = "NSE:TCS"
strategy = "rsi_reversion"
params = {{ period = 5, oversold = 40.0, overbought = 60.0 }}
quantity = 5
{roomy_limits()}
"""


def backtest(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "backtest", *args],
        cwd=workdir, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def setup(tmp_path: Path) -> tuple[Path, list[Path]]:
    config = tmp_path / "bt.toml"
    config.write_text(CONFIG)
    data = candle_files(tmp_path / "data", {"NSE:INFY": 150_000, "NSE:TCS": 340_000})
    return config, data


def data_args(data: list[Path]) -> list[str]:
    return [arg for path in data for arg in ("--data", str(path))]


def paise(rupees: str) -> int:
    return int(Decimal(rupees) * 100)


def test_two_runs_on_the_same_data_give_identical_results(tmp_path: Path):
    config, data = setup(tmp_path)
    runs = []
    for name in ("one", "two"):
        done = backtest(tmp_path, "--config", str(config), *data_args(data), "--out", name)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(tmp_path / name)
    one, two = runs
    assert (one / "trades.csv").read_bytes() == (two / "trades.csv").read_bytes()
    assert (one / "summary.json").read_bytes() == (two / "summary.json").read_bytes()
    assert (one / "report.html").stat().st_size > 100_000
    assert not (tmp_path / "live-state").exists()  # the configured state dir is never used


def test_the_net_is_the_trades_and_the_fills_and_every_day_ends_flat(tmp_path: Path):
    config, data = setup(tmp_path)
    done = backtest(tmp_path, "--config", str(config), *data_args(data), "--out", "out")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "TOTAL" in done.stdout  # the table, plain: not a terminal
    assert "━" not in done.stderr  # and no progress bar: it is for a terminal
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())
    with (out / "trades.csv").open() as file:
        trades = list(csv.DictReader(file))
    assert len(trades) >= 10
    assert summary["total"]["net_paise"] == sum(paise(t["net"]) for t in trades)
    assert {t["entry_time"][:10] for t in trades} == {day.isoformat() for day in DAYS}

    loaded = load_config(str(config))
    hours = hours_for(loaded)
    with Journal.open(out / "state" / "journal.sqlite", WallClock()) as journal:
        fills = journal.fills()
    position: dict[tuple[datetime.date, str], int] = {}
    for f in fills:
        key = (hours.trading_day(f.at_ns), f.symbol)
        position[key] = position.get(key, 0) + f.side.signed(f.quantity)
    assert {day for day, _ in position} == set(DAYS)
    assert all(q == 0 for q in position.values()), position  # flat at each day's end
    # Reckoned from the fills alone: flat, so the gross is what was sold minus what was
    # bought; the charges every fill's, the brokerage cap a day's orders' (a calculator a day).
    valued = multipliers(paper_specs(loaded))
    calculators: dict[datetime.date, ChargeCalculator] = {}
    charges = 0
    for f in fills:
        calculator = calculators.setdefault(
            hours.trading_day(f.at_ns), ChargeCalculator(charge_rates(loaded))
        )
        charges += calculator.charge(f, valued.get(f.symbol, 1)).total
    gross = sum(-f.side.signed(f.quantity) * f.price for f in fills)
    assert summary["total"]["gross_paise"] == gross
    assert summary["total"]["net_paise"] == gross - charges
    for day in DAYS:  # each day's export, written as the day ended, holds all of its trades
        with (out / "state" / "exports" / day.isoformat() / "trades.csv").open() as file:
            exported = list(csv.DictReader(file))
        assert len(exported) == sum(t["entry_time"][:10] == day.isoformat() for t in trades)


def test_bad_input_is_exit_2_with_the_reason_and_touches_nothing(tmp_path: Path):
    config, data = setup(tmp_path)
    missing = backtest(tmp_path, "--config", str(config), "--data", "nope.csv", "--out", "o")
    assert missing.returncode == 2 and "no such data file: nope.csv" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(
        CONFIG.replace("quantity = 10\n[symbols.exits]", "quantity = 0\n[symbols.exits]")
    )
    refused = backtest(tmp_path, "--config", str(bad), *data_args(data), "--out", "o")
    assert refused.returncode == 2 and "symbols[0].quantity" in refused.stdout + refused.stderr
    (tmp_path / "mine" / "state").mkdir(parents=True)
    (tmp_path / "mine" / "state" / "precious.txt").write_text("keep")
    kept = backtest(tmp_path, "--config", str(config), *data_args(data), "--out", "mine")
    assert kept.returncode == 2 and "is not a backtest's" in kept.stderr
    assert (tmp_path / "mine" / "state" / "precious.txt").read_text() == "keep"
    assert "Traceback" not in missing.stderr + refused.stderr + kept.stderr


def test_data_no_strategy_trades_and_a_strategy_with_no_data_are_said(tmp_path: Path):
    """Data for the wrong symbol is a result of nothing: the run says so (on stderr and in
    ``summary.json``) rather than look like strategies that never traded."""
    _, data = setup(tmp_path)
    (infy,) = [path for path in data if "INFY" in path.name]
    other = tmp_path / "other.toml"
    other.write_text(CONFIG.replace('"NSE:INFY"', '"NSE:WIPRO"'))
    done = backtest(tmp_path, "--config", str(other), "--data", str(infy), "--out", "o")
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads((tmp_path / "o" / "summary.json").read_text())["run"]
    assert run["ticks_not_traded"] == {"NSE:INFY": run["ticks"]} and run["ticks"] > 0
    assert run["symbols_without_data"] == ["NSE:TCS", "NSE:WIPRO"]
    assert f"{run['ticks']} ticks dropped, of 1 symbols with no strategy" in done.stderr
    assert "NSE:INFY (" in done.stderr
    assert "no tick in the data for NSE:TCS, NSE:WIPRO: not traded" in done.stderr


def test_malformed_records_are_all_counted_and_only_the_first_logged(tmp_path: Path):
    config, data = setup(tmp_path)
    (infy,) = [path for path in data if "INFY" in path.name]
    lines = infy.read_text().splitlines(keepends=True)
    garbage = [f"not,a,candle,{n}\n" for n in range(50)]
    infy.write_text("".join(lines[:40] + garbage + lines[40:]))
    done = backtest(tmp_path, "--config", str(config), *data_args(data), "--out", "o")
    assert done.returncode == 0, done.stderr[-2000:]
    run = json.loads((tmp_path / "o" / "summary.json").read_text())["run"]
    assert run["skipped_records"] == 50
    logged = [line for line in done.stderr.splitlines() if "skipped a tick record" in line]
    assert len(logged) == 20, done.stderr[-3000:]
    assert "20 tick records skipped: later ones are counted" in done.stderr


def test_a_directory_is_its_csv_files_in_name_order(tmp_path: Path):
    config, data = setup(tmp_path)
    named = backtest(tmp_path, "--config", str(config), *data_args(data), "--out", "files")
    (directory,) = {path.parent for path in data}
    (directory / "notes.txt").write_text("not data")
    whole = backtest(tmp_path, "--config", str(config), "--data", str(directory), "--out", "dir")
    assert named.returncode == whole.returncode == 0, whole.stderr[-2000:]
    for name in ("summary.json", "trades.csv"):
        assert (tmp_path / "dir" / name).read_bytes() == (tmp_path / "files" / name).read_bytes()
    (tmp_path / "empty").mkdir()
    empty = backtest(tmp_path, "--config", str(config), "--data", "empty", "--out", "o")
    assert empty.returncode == 2 and "no .csv data file in empty" in empty.stderr
    twice = backtest(
        tmp_path, "--config", str(config), "--data", str(directory), "--data", str(data[0]),
        "--out", "o",
    )  # fmt: skip
    assert twice.returncode == 2 and f"data file named twice: {data[0]}" in twice.stderr


def test_on_a_terminal_a_progress_bar_runs_on_stderr_and_the_table_alone_on_stdout(
    tmp_path: Path,
):
    """stderr a real terminal (a pty), stdout a pipe (``> results.txt``): the bar is drawn on
    the terminal and the piped output is the results table only."""
    config, data = setup(tmp_path)
    controller, terminal = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "backtest", "--config", str(config),
         *data_args(data), "--out", "o"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal,
        env=env,
    )  # fmt: skip
    os.close(terminal)
    try:
        drawn = read_until_closed(controller, process, seconds=120)
        piped, _ = process.communicate(timeout=60)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, drawn.decode(errors="replace")[-2000:]
    on_terminal = drawn.decode(errors="replace")
    assert "backtest" in on_terminal and "━" in on_terminal  # the bar's label and its bar
    text = piped.decode()
    assert "TOTAL" in text and "━" not in text.split("backtest results")[0]
    assert "\x1b[" not in text  # a pipe gets no terminal control codes


def read_until_closed(fd: int, process: subprocess.Popen[bytes], *, seconds: float) -> bytes:
    """What the process writes to a pty, until its end closes or ``seconds`` pass."""
    drawn = bytearray()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed: the process has exited
            break
        if not chunk:
            break
        drawn += chunk
    return bytes(drawn)
