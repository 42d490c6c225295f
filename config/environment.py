"""Checks of a config against the machine it will run on, beyond the file itself.

``config.load`` judges the file, which can be checked anywhere (an editor, CI); this module
judges this host: can the state directory be made and written, is the journal in it one this
shikra can open, does the replay file exist with its header, can the metrics address be bound
here, are the credential sources set and readable. ``check-config`` reports these next to the
file's problems and ``run`` refuses to start on them (exit 2), so an ``ExecStartPre=`` check
gives ``run``'s verdict instead of "ok" followed by a crash loop.

Nothing here changes the machine: no directory is created, no file written, and the metrics
address is probed on port 0, so the configured port is never held (a running daemon may own
it). Credentials are read to learn whether they can be, never shown: a problem names the
source (a variable, a file), not a value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from brokers.credentials import TOKEN_FILE, Credentials, MissingCredential
from config.checks import MODES_NEEDING_CREDENTIALS
from config.host import metrics_address_problems
from config.schema import Config
from config.system import SystemConfig
from config.validate import Problem
from feeds.replay import ReplayFormatError, ReplaySource
from journal.schema import SCHEMA_VERSION

CONTROL_SOCKET_NAME = "control.sock"
"""The operator's control socket, in the state directory (``daemon.control``)."""
UNIX_SOCKET_PATH_MAX = 107
"""Bytes a Unix socket path may have on Linux (``sun_path`` is 108, with its terminating NUL)."""
SQLITE_MAGIC = b"SQLite format 3\x00"
_USER_VERSION_OFFSET = 60  # the header's "user cookie": PRAGMA user_version, big-endian


def environment_problems(config: Config, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem of ``config`` on this machine, as ``(dotted.path, message)`` pairs."""
    env = os.environ if environ is None else environ
    return [
        *state_dir_problems(config.system),
        *journal_problems(config.system),
        *metrics_address_problems(config.system.metrics),
        *replay_file_problems(config),
        *credential_problems(config, env),
    ]


def credentials_for(config: Config, environ: Mapping[str, str] | None = None) -> Credentials:
    """Where this config's Kite secrets come from on this machine. The token file written by
    ``main.py login`` is used unless the environment variable is set (or the config names a
    file of its own)."""
    env = os.environ if environ is None else environ
    kite = config.broker.kite
    token_file = Path(kite.access_token_file) if kite.access_token_file else None
    if token_file is None and not env.get(kite.access_token_env, "").strip():
        token_file = Path(config.system.state_dir) / TOKEN_FILE
    return Credentials(
        api_key_env=kite.api_key_env,
        access_token_env=kite.access_token_env,
        access_token_file=token_file,
        environ=env,
    )


def state_dir_problems(system: SystemConfig) -> list[Problem]:
    """The state directory must be a writable directory, or creatable (its nearest existing
    ancestor a writable directory); the control socket's path in it must fit a Unix socket."""
    path = Path(system.state_dir)
    problems: list[Problem] = []
    if os.path.lexists(path):
        if not path.is_dir():
            problems.append(("system.state_dir", f"{path} exists and is not a directory"))
        elif not os.access(path, os.W_OK | os.X_OK):
            problems.append(("system.state_dir", f"{path} is not writable by this user"))
    else:
        ancestor = next(p for p in path.absolute().parents if os.path.lexists(p))
        if not ancestor.is_dir():
            message = f"cannot create {path}: {ancestor} is not a directory"
            problems.append(("system.state_dir", message))
        elif not os.access(ancestor, os.W_OK | os.X_OK):
            message = f"cannot create {path}: {ancestor} is not writable by this user"
            problems.append(("system.state_dir", message))
    socket_path = os.fsencode(path / CONTROL_SOCKET_NAME)
    if len(socket_path) > UNIX_SOCKET_PATH_MAX:
        message = (
            f"the control socket {path / CONTROL_SOCKET_NAME} would be {len(socket_path)} bytes "
            f"long; a Unix socket path allows {UNIX_SOCKET_PATH_MAX}: use a shorter state_dir"
        )
        problems.append(("system.state_dir", message))
    return problems


def journal_problems(system: SystemConfig) -> list[Problem]:
    """An existing journal must be a regular SQLite file from this schema or an older one.

    Read from its header, not opened with SQLite: even a read-only open of a WAL database may
    create its ``-shm`` file, owned by whoever ran the check (root, under sudo), which the
    daemon's user then cannot open. The header's schema version can lag behind a newer one
    still in the WAL; ``run`` refuses that case when it opens the journal."""
    path = system.journal_path
    if not os.path.lexists(path):
        return []
    if not path.is_file():
        return [("system.journal", f"{path} is not a regular file")]
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        return [("system.journal", f"cannot read {path}: {exc.strerror}")]
    if not os.access(path, os.W_OK):
        return [("system.journal", f"{path} is not writable by this user")]
    if not header:
        return []  # SQLite treats an empty file as an empty database
    if not header.startswith(SQLITE_MAGIC):
        return [("system.journal", f"{path} is not an SQLite database")]
    start = _USER_VERSION_OFFSET
    version = int.from_bytes(header[start : start + 4], "big")
    if version > SCHEMA_VERSION:
        message = (
            f"{path} was written by a newer shikra (journal schema {version}; this one knows "
            f"up to {SCHEMA_VERSION}): run that version, or start on another state_dir"
        )
        return [("system.journal", message)]
    return []


def replay_file_problems(config: Config) -> list[Problem]:
    """The replay file must exist, be readable, and start with the header: opened exactly as
    the daemon will open it."""
    replay = config.feed.replay
    if config.feed.source != "replay" or replay is None:
        return []
    try:
        ReplaySource(replay.path, replay.speed).close()
    except FileNotFoundError:
        return [("feed.replay.path", f"{replay.path} does not exist")]
    except OSError as exc:
        return [("feed.replay.path", f"cannot read {replay.path}: {exc.strerror}")]
    except ReplayFormatError as exc:
        return [("feed.replay.path", str(exc))]
    return []


def credential_problems(config: Config, environ: Mapping[str, str]) -> list[Problem]:
    """In live and dry-run, the API key and the day's access token must be readable from the
    sources the daemon will use (``credentials_for``). Read, never shown."""
    if config.system.mode not in MODES_NEEDING_CREDENTIALS:
        return []
    kite = config.broker.kite
    credentials = credentials_for(config, environ)
    problems: list[Problem] = []
    try:
        credentials.api_key()
    except MissingCredential as exc:
        problems.append(("broker.kite.api_key_env", str(exc)))
    try:
        credentials.access_token()
    except MissingCredential as exc:
        if kite.access_token_file:
            problems.append(("broker.kite.access_token_file", f"{exc} (run `main.py login`)"))
        else:
            message = (
                f"{exc}, and environment variable {kite.access_token_env} is not set: "
                "run `main.py login`, or set the variable"
            )
            problems.append(("broker.kite.access_token_env", message))
    return problems
