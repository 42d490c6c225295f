"""``main.py run`` refuses what a person must fix with exit 2 and one line saying what, never a
traceback (which under systemd would be a restart loop: exit 1 restarts, 2 does not). The
machine's problems are refused before anything is built; what only ``run`` can meet (a port
another process holds, a newer schema still in the journal's WAL) is refused the same way."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from journal.schema import SCHEMA_VERSION
from tests.e2e.configs import replay_config, slow_replay_config
from tests.e2e.daemon_process import REPO, SAMPLE, DaemonProcess, free_port, value

KEY = "k3y-value-never-shown"


def _refused(tmp_path: Path, config_text: str, env: dict[str, str] | None = None) -> str:
    """Run the daemon on ``config_text``; assert exit 2 with exactly one reason and no
    traceback; return that line."""
    daemon = DaemonProcess(tmp_path, config_text, port=0)
    daemon.env = env
    try:
        code = daemon.start().wait(timeout=60)
    finally:
        daemon.kill()
    log = daemon.log()
    assert code == 2, log
    assert "Traceback" not in log, log
    refusals = [line for line in log.splitlines() if "cannot start: " in line]
    assert len(refusals) == 1, log
    return refusals[0].split("cannot start: ", 1)[1]


def test_a_port_another_process_holds_is_refused_before_anything_is_built(tmp_path: Path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        reason = _refused(tmp_path, replay_config(SAMPLE, port))
    assert (
        reason == f"system.metrics.port: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert not (tmp_path / "state" / "journal.sqlite").exists()


def test_a_missing_replay_file_is_refused_at_its_path(tmp_path: Path):
    missing = tmp_path / "gone.csv"
    reason = _refused(tmp_path, replay_config(missing, free_port()))
    assert reason == f"feed.replay.path: {missing} does not exist"


def test_a_state_dir_that_is_a_file_is_refused(tmp_path: Path):
    (tmp_path / "state").write_text("")
    reason = _refused(tmp_path, replay_config(SAMPLE, free_port()))
    assert reason == "system.state_dir: state exists and is not a directory"


def test_a_journal_from_a_newer_schema_is_refused(tmp_path: Path):
    state = tmp_path / "state"
    state.mkdir()
    with sqlite3.connect(state / "journal.sqlite") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    reason = _refused(tmp_path, replay_config(SAMPLE, free_port()))
    assert reason.startswith("system.journal: state/journal.sqlite was written by a newer shikra")


def test_a_newer_schema_still_in_the_wal_is_refused_when_the_journal_opens(tmp_path: Path):
    # The header says this schema (check-config reads only the header); the WAL holds a newer
    # one, written by a process killed before any checkpoint. Only opening the journal sees it.
    state = tmp_path / "state"
    state.mkdir()
    journal = state / "journal.sqlite"
    Journal.open(journal, WallClock()).close()
    writer = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        f"db.execute('PRAGMA user_version = {SCHEMA_VERSION + 1}')\n"
        "os._exit(0)  # no close, no checkpoint\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(journal)], check=True, timeout=30)
    assert (state / "journal.sqlite-wal").stat().st_size > 0

    reason = _refused(tmp_path, replay_config(SAMPLE, free_port()))

    assert reason == (
        f"system.journal: state/journal.sqlite: schema version {SCHEMA_VERSION + 1} is newer "
        f"than {SCHEMA_VERSION}"
    )


def test_a_bad_metrics_address_is_refused_with_its_path_not_a_socket_traceback(tmp_path: Path):
    # Reproduced on the landed main: check-config said ok, run died with socket.gaierror, exit 1.
    config = replay_config(SAMPLE, free_port()).replace('bind = "127.0.0.1"', 'bind = "not an ip"')
    daemon = DaemonProcess(tmp_path, config, port=0)
    try:
        code = daemon.start().wait(timeout=60)
    finally:
        daemon.kill()
    log = daemon.log()
    assert (code, "Traceback" in log) == (2, False), log
    assert log.splitlines() == [
        "system.metrics.bind: must be an IP address (e.g. '127.0.0.1', '::1') or 'localhost', "
        "got 'not an ip'"
    ]


def test_live_without_a_token_is_refused_naming_the_source_never_a_value(tmp_path: Path):
    config = (
        replay_config(SAMPLE, free_port())
        .replace('mode = "paper"', 'mode = "live"')
        .replace('source = "replay"', 'source = "kite"')
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KITE_")}
    env["KITE_API_KEY"] = KEY
    reason = _refused(tmp_path, config, env)
    assert reason.startswith("broker.kite.access_token_env: the access_token file state/")
    assert "run `main.py login`" in reason
    assert KEY not in (tmp_path / "daemon.log").read_text()
    assert not (tmp_path / "state" / "journal.sqlite").exists()


def test_check_config_agrees_with_run_on_each_refusal(tmp_path: Path):
    # The same machine problem, asked of check-config: the same path, exit 2.
    missing = tmp_path / "gone.csv"
    config = tmp_path / "shikra.toml"
    config.write_text(replay_config(missing, free_port()))
    result = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "check-config", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (
        2,
        f"feed.replay.path: {missing} does not exist\n",
    )


def test_a_second_daemon_on_the_same_state_dir_is_refused_and_the_first_trades_on(tmp_path: Path):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    port = free_port()
    first = DaemonProcess(first_dir, slow_replay_config(SAMPLE, port), port).start()
    try:
        first.wait_for(lambda s: value(s, "shikra_risk_approvals_total") >= 1, timeout=60)
        state = first_dir / "state"
        shared = slow_replay_config(SAMPLE, free_port()).replace(
            'state_dir = "state"', f'state_dir = "{state}"'
        )
        reason = _refused(second_dir, shared)
        assert first.process is not None
        assert reason == (
            f"system.state_dir: another shikra daemon (pid {first.process.pid}) is running on "
            f"{state}: two daemons on one state directory would trade the account twice"
        )
        assert (state / "control.sock").exists()  # the refused one touched nothing of the first's
        approvals = value(first.scrape(), "shikra_risk_approvals_total")
        first.wait_for(lambda s: value(s, "shikra_risk_approvals_total") > approvals, timeout=60)
        assert first.terminate() == 0, first.log()
    finally:
        first.kill()
