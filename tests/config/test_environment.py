"""check-config judges the machine too: everything ``run`` would refuse before trading (the
state directory, the journal in it, the replay file, the metrics address, the credential
sources) is refused here, each as one ``dotted.path: message`` line with exit 2, never with a
traceback, and never showing a secret."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from config.environment import CONTROL_SOCKET_NAME, UNIX_SOCKET_PATH_MAX
from config.host import privileged_port_problem
from daemon.clock import WallClock
from journal import Journal
from journal.schema import SCHEMA_VERSION
from tests.config.config_cases import changed, run_check_config

LIVE = (('mode = "paper"', 'mode = "live"'), ('source = "synthetic"', 'source = "kite"'))
DRY_RUN = (('mode = "paper"', 'mode = "dry-run"'), ('source = "synthetic"', 'source = "kite"'))
KEY, TOKEN = "k3y-value-never-shown", "t0ken-value-never-shown"
HEADER = "exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"
TICK = "2026-11-20T09:15:00+05:30,NSE:INFY,1500.00,,,,,"


def _clean_env(**extra: str) -> dict[str, str]:
    """This environment without any Kite variable or systemd credentials, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KITE_") and k != "CREDENTIALS_DIRECTORY"
    }
    return env | extra


def _config(tmp_path: Path, *replacements: tuple[str, str], state: Path | None = None,
            append: str = "") -> Path:  # fmt: skip
    """The minimal config with its state in ``tmp_path/state`` (or ``state``) and changes."""
    where = state if state is not None else tmp_path / "state"
    text = changed(('mode = "', f'state_dir = "{where}"\nmode = "'), *replacements, append=append)
    path = tmp_path / "shikra.toml"
    path.write_text(text)
    return path


def _replay(tmp_path: Path, target: Path) -> Path:
    return _config(
        tmp_path,
        ('source = "synthetic"', 'source = "replay"'),
        append=f'\n[feed.replay]\npath = "{target}"\nspeed = "max"\n',
    )


def _token_file(tmp_path: Path, target: Path) -> Path:
    line = f'access_token_env = "KITE_ACCESS_TOKEN"\naccess_token_file = "{target}"'
    return _config(tmp_path, *LIVE, ('access_token_env = "KITE_ACCESS_TOKEN"', line))


def _written(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _newer_journal(path: Path) -> Path:
    with sqlite3.connect(path) as db:  # rollback journal: the header carries the version
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    return path


Case = Callable[[Path], tuple[Path, dict[str, str]]]
REFUSALS: list[object] = []


def refusal(path: str, fragment: str) -> Callable[[Case], Case]:
    """Register a case: it sets up ``tmp_path`` and returns the config and the environment."""

    def register(make: Case) -> Case:
        REFUSALS.append(pytest.param(make, path, fragment, id=make.__name__))
        return make

    return register


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


# --- the state directory and the journal in it


@refusal("system.state_dir", "exists and is not a directory")
def state_dir_is_a_file(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, state=_written(t / "state", "")), _clean_env()


@refusal("system.state_dir", "file is not a directory")
def state_dir_below_a_file(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, state=_written(t / "file", "") / "state"), _clean_env()


@refusal("system.state_dir", "a Unix socket path allows 107: use a shorter state_dir")
def control_socket_path_too_long(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, state=t / ("s" * 100)), _clean_env()


@refusal("system.journal", "is not an SQLite database")
def journal_not_sqlite(t: Path) -> tuple[Path, dict[str, str]]:
    _written(_dir(t / "state") / "journal.sqlite", b"positions,pnl\n")
    return _config(t), _clean_env()


@refusal("system.journal", f"written by a newer shikra (journal schema {SCHEMA_VERSION + 1}")
def journal_from_a_newer_schema(t: Path) -> tuple[Path, dict[str, str]]:
    _newer_journal(_dir(t / "state") / "journal.sqlite")
    return _config(t), _clean_env()


@refusal("system.journal", "is not a regular file")
def journal_is_a_directory(t: Path) -> tuple[Path, dict[str, str]]:
    _dir(t / "state" / "journal.sqlite")
    return _config(t), _clean_env()


# --- the replay file


@refusal("feed.replay.path", "nope.csv does not exist")
def replay_file_missing(t: Path) -> tuple[Path, dict[str, str]]:
    return _replay(t, t / "nope.csv"), _clean_env()


@refusal("feed.replay.path", "ticks.csv:1: expected the header")
def replay_file_without_header(t: Path) -> tuple[Path, dict[str, str]]:
    return _replay(t, _written(t / "ticks.csv", TICK + "\n")), _clean_env()


@refusal("feed.replay.path", "cannot read")
def replay_file_unreadable(t: Path) -> tuple[Path, dict[str, str]]:
    return _replay(t, _dir(t / "ticks.csv")), _clean_env()  # a directory: whoever runs it


# --- the metrics address


@refusal("system.metrics.bind", "cannot listen on 192.0.2.1 on this host: Cannot assign")
def metrics_address_not_on_this_host(t: Path) -> tuple[Path, dict[str, str]]:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no host has it.
    return _config(t, append='\n[system.metrics]\nbind = "192.0.2.1"\n'), _clean_env()


# --- credential sources (live and dry-run)


@refusal("broker.kite.api_key_env", "the api_key is not set: environment variable KITE_API_KEY")
def api_key_variable_unset(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, *LIVE), _clean_env(KITE_ACCESS_TOKEN=TOKEN)


@refusal("broker.kite.api_key_env", "environment variable KITE_API_KEY is empty")
def api_key_variable_blank_in_dry_run(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, *DRY_RUN), _clean_env(KITE_API_KEY="  ", KITE_ACCESS_TOKEN=TOKEN)


@refusal("broker.kite.api_key_env", "cannot read the api_key file")
def api_key_systemd_credential_unreadable(t: Path) -> tuple[Path, dict[str, str]]:
    creds = _dir(t / "creds")
    _dir(creds / "kite_api_key")
    env = _clean_env(CREDENTIALS_DIRECTORY=str(creds), KITE_ACCESS_TOKEN=TOKEN)
    return _config(t, *DRY_RUN), env


@refusal(
    "broker.kite.access_token_env",
    "access_token does not exist, and environment variable KITE_ACCESS_TOKEN is not set: "
    "run `main.py login`",
)
def no_token_variable_and_no_login_yet(t: Path) -> tuple[Path, dict[str, str]]:
    return _config(t, *LIVE), _clean_env(KITE_API_KEY=KEY)


@refusal("broker.kite.access_token_file", "nope does not exist (run `main.py login`)")
def token_file_missing(t: Path) -> tuple[Path, dict[str, str]]:
    return _token_file(t, t / "nope"), _clean_env(KITE_API_KEY=KEY)


@refusal("broker.kite.access_token_file", "cannot read the access_token file")
def token_file_unreadable(t: Path) -> tuple[Path, dict[str, str]]:
    return _token_file(t, _dir(t / "token")), _clean_env(KITE_API_KEY=KEY)


@refusal("broker.kite.access_token_file", "is empty")
def token_file_empty(t: Path) -> tuple[Path, dict[str, str]]:
    return _token_file(t, _written(t / "token", "\n")), _clean_env(KITE_API_KEY=KEY)


@pytest.mark.parametrize(("make", "path", "fragment"), REFUSALS)
def test_check_config_refuses_what_run_would_refuse_at_its_path(
    tmp_path: Path, make: Case, path: str, fragment: str
):
    config, env = make(tmp_path)

    result = run_check_config(config, env=env)

    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    problems = result.stdout.splitlines()
    assert len(problems) == 1, problems  # one change, one reason
    assert problems[0].startswith(f"{path}: "), problems
    assert fragment in problems[0]
    assert "Traceback" not in output
    assert KEY not in output and TOKEN not in output


def test_live_with_every_source_readable_passes_and_shows_no_secret(tmp_path: Path):
    state = _dir(tmp_path / "state")
    _written(state / "access_token", TOKEN + "\n")  # where `main.py login` writes it
    result = run_check_config(_config(tmp_path, *LIVE), env=_clean_env(KITE_API_KEY=KEY))
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stdout
    assert KEY not in result.stdout + result.stderr


def test_systemd_credentials_and_a_token_file_pass(tmp_path: Path):
    creds = _dir(tmp_path / "creds")
    _written(creds / "kite_api_key", KEY)
    config = _token_file(tmp_path, _written(tmp_path / "token", TOKEN))
    result = run_check_config(config, env=_clean_env(CREDENTIALS_DIRECTORY=str(creds)))
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stdout


def test_paper_needs_no_credentials_and_a_state_dir_to_be_created_is_fine(tmp_path: Path):
    config = _config(tmp_path, state=tmp_path / "not" / "yet" / "made")
    result = run_check_config(config, env=_clean_env())
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stdout
    assert not (tmp_path / "not").exists()  # checked, not created


def test_a_journal_of_this_schema_and_a_replay_with_its_header_pass(tmp_path: Path):
    state = _dir(tmp_path / "state")
    Journal.open(state / "journal.sqlite", WallClock()).close()
    ticks = _written(tmp_path / "ticks.csv", f"# a comment\n{HEADER}\n{TICK}\n")
    before = sorted(p.name for p in state.iterdir())
    result = run_check_config(_replay(tmp_path, ticks), env=_clean_env())
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stdout
    assert sorted(p.name for p in state.iterdir()) == before  # no -wal or -shm left by a check


def test_every_problem_of_the_machine_is_listed_at_once(tmp_path: Path):
    config = _config(
        tmp_path,
        *LIVE,
        state=_written(tmp_path / "state", ""),
        append='\n[system.metrics]\nbind = "192.0.2.1"\n',
    )
    result = run_check_config(config, env=_clean_env())
    paths = [line.split(": ", 1)[0] for line in result.stdout.splitlines()]
    assert result.returncode == 2
    assert paths == [
        "system.state_dir",
        "system.metrics.bind",
        "broker.kite.api_key_env",
        "broker.kite.access_token_env",
    ]


@pytest.mark.parametrize(
    ("port", "euid", "start", "refused"),
    [
        (80, 1000, 1024, True),
        (1023, 1000, 1024, True),
        (1024, 1000, 1024, False),
        (80, 1000, 80, False),  # the sysctl lowered the bar
        (80, 0, 1024, False),  # root
        (0, 1000, 1024, False),  # any free port
        (9108, 1000, 1024, False),
    ],
)
def test_a_privileged_metrics_port_is_refused_for_an_ordinary_user(port, euid, start, refused):
    problem = privileged_port_problem(port, euid, start)
    assert (problem is not None) == refused
    if refused:
        assert problem is not None and f"port {port} is privileged" in problem


def test_the_longest_state_dir_accepted_holds_a_working_control_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The limit is the kernel's: the longest path check-config accepts binds, one more does not.
    name = "d" * (UNIX_SOCKET_PATH_MAX - len(CONTROL_SOCKET_NAME) - 1)  # "ddd.../control.sock"
    monkeypatch.chdir(tmp_path)
    for state, accepted in ((name, True), (name + "d", False)):
        config = tmp_path / "shikra.toml"
        config.write_text(changed(('mode = "', f'state_dir = "{state}"\nmode = "')))
        result = run_check_config(config, env=_clean_env(), cwd=tmp_path)
        assert (result.returncode == 0) == accepted, result.stdout
        _dir(Path(state))
        with socket.socket(socket.AF_UNIX) as sock:
            if accepted:
                sock.bind(f"{state}/{CONTROL_SOCKET_NAME}")  # relative, as the daemon binds it
            else:
                with pytest.raises(OSError, match="too long"):
                    sock.bind(f"{state}/{CONTROL_SOCKET_NAME}")
