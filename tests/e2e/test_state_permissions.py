"""Nobody but the daemon's user can read its state: after ``main.py run`` (and ``main.py login``)
no file or directory under the state directory has a group or other permission bit, even when
the daemon was started with the common umask 022. Checked on the real daemon, while it runs
(the journal's -wal and -shm, the control socket exist then) and after it stopped (the day's
exports), in paper mode and in live mode on the fake Kite (the access token, the instruments
cache)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from tests.e2e.configs import replay_config
from tests.e2e.daemon_process import REPO, SAMPLE, DaemonProcess, free_port, total
from tests.e2e.live_harness import INFY, INFY_TOKEN, daemon_env, live_config, moving_market
from tests.fakekite import FakeKite

COMMON_UMASK = 0o022
"""What a login shell usually has: without the daemon's own umask, files come out 0644."""


def _modes(state: Path) -> dict[str, int]:
    """Every path under ``state`` (itself included) with its permission bits, links skipped.
    Paths that vanish while walking (a checkpointed -wal) are skipped."""
    modes = {".": stat.S_IMODE(state.stat().st_mode)}
    for root, directories, files in os.walk(state):
        for name in (*directories, *files):
            path = Path(root) / name
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISLNK(info.st_mode):
                modes[str(path.relative_to(state))] = stat.S_IMODE(info.st_mode)
    return modes


def _shared(modes: dict[str, int]) -> dict[str, str]:
    return {path: oct(mode) for path, mode in modes.items() if mode & 0o077}


def test_a_paper_run_leaves_nothing_readable_by_others(tmp_path: Path):
    port = free_port()
    daemon = DaemonProcess(tmp_path, replay_config(SAMPLE, port), port)
    daemon.umask = COMMON_UMASK
    state = tmp_path / "state"
    try:
        daemon.start()
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        running = _modes(state)
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    stopped = _modes(state)

    # What exists while it runs, and what is written at the stop, was all seen.
    assert {"journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"} <= set(running)
    assert "control.sock" in running
    exports = [path for path in stopped if path.startswith("exports/") and path.endswith(".csv")]
    assert len(exports) == 3, stopped
    assert _shared(running) == {} and _shared(stopped) == {}
    assert running["."] == 0o700 and stopped["journal.sqlite"] == 0o600
    assert "made" not in daemon.log()  # nothing was wide to begin with: no tightening line


def test_a_state_dir_left_readable_by_an_older_version_is_tightened_with_one_line(
    tmp_path: Path,
):
    state = tmp_path / "state"
    old = os.umask(COMMON_UMASK)
    try:  # as the landed main left it: 0755 directories, a 0644 journal
        state.mkdir()
        Journal.open(state / "journal.sqlite", WallClock()).close()
        (state / "exports" / "2026-11-19").mkdir(parents=True)
        (state / "exports" / "2026-11-19" / "fills.csv").write_text("trade_id\n")
    finally:
        os.umask(old)
    wide = _shared(_modes(state))
    assert set(wide) == {".", "journal.sqlite", "exports", "exports/2026-11-19",
                         "exports/2026-11-19/fills.csv"}  # fmt: skip
    port = free_port()
    daemon = DaemonProcess(tmp_path, replay_config(SAMPLE, port), port)
    daemon.umask = COMMON_UMASK
    try:
        daemon.start()
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= 1, timeout=60)
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()

    assert _shared(_modes(state)) == {}
    lines = [line for line in daemon.log().splitlines() if "owner-only" in line]
    assert len(lines) == 1, daemon.log()
    assert (
        f"state directory state was mode 755: made {len(wide)} path(s) in it owner-only"
        in (lines[0])
    )


def test_login_and_a_live_run_leave_token_and_instruments_private(tmp_path: Path):
    with FakeKite() as fake:
        fake.add_instrument(INFY, INFY_TOKEN, last_price="1500", close="1490", name="INFOSYS")
        port = free_port()
        daemon = DaemonProcess(tmp_path, live_config(fake, port), port)
        daemon.env = daemon_env(fake)
        daemon.umask = COMMON_UMASK
        # No state directory yet: `main.py login` makes it, as a first-time user would.
        login = subprocess.run(
            [sys.executable, str(REPO / "main.py"), "login", fake.new_request_token(),
             "--config", str(daemon.config)],
            cwd=tmp_path, env=daemon.env | {"KITE_API_SECRET": fake.api_secret},
            capture_output=True, text=True, timeout=60, check=False, umask=COMMON_UMASK,
        )  # fmt: skip
        assert login.returncode == 0, login.stderr
        state = tmp_path / "state"
        assert _modes(state) == {".": 0o700, "access_token": 0o600}
        try:
            daemon.start()
            with moving_market(fake):
                daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
            running = _modes(state)
            assert daemon.terminate() == 0, daemon.log()
        finally:
            daemon.kill()
    stopped = _modes(state)

    assert any(path.startswith("instruments-") for path in running), running
    assert {"access_token", "journal.sqlite", "control.sock"} <= set(running)
    assert _shared(running) == {} and _shared(stopped) == {}
