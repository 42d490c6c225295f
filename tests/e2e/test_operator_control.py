"""Operator control against a running daemon, through ``main.py status|halt|reduce|resume|
flatten`` and the control socket: halt rejects new intents with reason halted and survives a
restart, reduce rejects entries with reason reducing, resume trades again, flatten leaves the
paper broker flat, status tells the truth."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from tests.e2e.configs import replay_config, slow_replay_config
from tests.e2e.daemon_process import REPO, SAMPLE, DaemonProcess, free_port, total, value


def cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args, "--config", "shikra.toml"],
        cwd=workdir, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def slow_config(port: int) -> str:
    return slow_replay_config(SAMPLE, port)


def test_halt_survives_a_restart_resume_trades_again_and_status_tells(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, slow_config(port), port).start()
    try:
        daemon.wait_for(lambda s: value(s, "shikra_risk_approvals_total") >= 2, timeout=60)
        socket_path = tmp_path / "state" / "control.sock"
        assert stat.S_IMODE(socket_path.stat().st_mode) == 0o600
        halted = cli(tmp_path, "halt", "--reason", "lunch")
        assert halted.returncode == 0, halted.stderr
        daemon.wait_for(
            lambda s: value(s, "shikra_risk_rejections_total", reason="halted") >= 1, timeout=60
        )
        status = cli(tmp_path, "status")
        assert status.returncode == 0 and "trading: HALTED" in status.stdout
        assert "Strategy:NSE:INFY" in status.stdout and "pnl: net" in status.stdout
        assert daemon.terminate() == 0, daemon.log()
        # A new process on the same state: still halted.
        daemon = DaemonProcess(tmp_path, slow_config(port), port).start()
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_trading_state", state="HALTED") == 1, timeout=60
        )
        assert value(samples, "shikra_trading_state", state="ACTIVE") == 0
        resumed = cli(tmp_path, "resume", "--reason", "back")
        assert resumed.returncode == 0, resumed.stderr
        approvals = value(daemon.scrape(), "shikra_risk_approvals_total")
        daemon.wait_for(
            lambda s: (
                value(s, "shikra_trading_state", state="ACTIVE") == 1
                and value(s, "shikra_risk_approvals_total") >= approvals + 2
            ),
            timeout=60,
        )
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()


def test_reduce_lets_only_closing_orders_through(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, slow_config(port), port).start()
    try:
        daemon.wait_for(lambda s: value(s, "shikra_risk_approvals_total") >= 2, timeout=60)
        reduced = cli(tmp_path, "reduce", "--reason", "winding down")
        assert reduced.returncode == 0, reduced.stderr
        assert "reduce sent" in reduced.stdout
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_risk_rejections_total", reason="reducing") >= 1, timeout=60
        )
        assert value(samples, "shikra_trading_state", state="REDUCING") == 1
        assert "trading: REDUCING" in cli(tmp_path, "status").stdout
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()


def test_flatten_leaves_the_paper_broker_flat(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, slow_config(port), port).start()
    try:
        daemon.wait_for(
            lambda s: any(
                value(s, "shikra_broker_position_quantity", symbol=sym) != 0
                for sym in ("NSE:INFY", "NSE:TCS", "NSE:RELIANCE", "NSE:HDFCBANK")
            ),
            timeout=60,
        )
        flattened = cli(tmp_path, "flatten", "--reason", "drill")
        assert flattened.returncode == 0, flattened.stderr
        samples = daemon.wait_for(
            lambda s: (
                value(s, "shikra_trading_state", state="HALTED") == 1
                and all(
                    value(s, "shikra_broker_position_quantity", symbol=sym) == 0
                    for sym in ("NSE:INFY", "NSE:TCS", "NSE:RELIANCE", "NSE:HDFCBANK")
                )
            ),
            timeout=60,
        )
        assert total(samples, "shikra_fills_total") >= 2
        status = cli(tmp_path, "status")
        assert "positions: flat" in status.stdout, status.stdout
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()


def test_without_a_daemon_the_commands_say_so(tmp_path: Path):
    (tmp_path / "shikra.toml").write_text(replay_config(SAMPLE, free_port()))
    result = cli(tmp_path, "status")
    assert result.returncode == 1
    assert "no daemon answering at state/control.sock" in result.stderr
