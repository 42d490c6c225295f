"""``main.py run``: the daemon as a process.

Make everything it creates owner-only (``daemon.state_dir``), load the config (a bad one exits 2
with every problem listed), check it against this machine as ``check-config`` does, secure the
state directory, serve metrics on the configured address, build the tree, start the actors in
order, then wait for SIGTERM/SIGINT, the optional ``--duration``, or the root supervisor giving
up. Shutdown stops the actors in reverse order, writes the day's CSV export, and exits 0 — or 1
when the root gave up, so that systemd (``Restart=on-failure``) restarts the process.

**Exit 2, one line, no traceback** for anything a person must fix before a start can succeed:
the config, this machine (paths, addresses, credential sources), a port another process holds,
a journal from a newer shikra, a missing login. The unit does not restart on 2
(``RestartPreventExitStatus=2``): restarting would fail the same way, in a loop. A traceback
is kept for what is a bug.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    disable_created_metrics,
)

from brokers.credentials import MissingCredential
from brokers.errors import BrokerError
from config import Config, ConfigError, load_config
from config.calendars import calendar_problems
from config.environment import environment_problems
from core.clock import Clock
from core.market_hours import MarketHours
from daemon import gc_tuning, instruments, logs
from daemon.clock import WallClock
from daemon.control import ControlServer
from daemon.control_wire import SOCKET_NAME
from daemon.market import NotAvailableYet
from daemon.replay_end import ReplayEnd
from daemon.state_dir import restrict_umask, secure_state_dir
from daemon.state_lock import StateDirInUse, hold_state_lock
from daemon.systemd import Notifier
from daemon.topology import Daemon, build
from feeds.kite_instruments import UnknownInstrument
from journal import Journal, export_days
from journal.schema import JournalError
from metrics import Metrics
from metrics.exposition import serve

_log = logging.getLogger("shikra")

EXIT_OK = 0
EXIT_ESCALATED = 1
EXIT_CONFIG = 2


NEEDS_A_PERSON = (
    NotAvailableYet,
    MissingCredential,
    UnknownInstrument,
    BrokerError,
    sqlite3.DatabaseError,
    OSError,
    ValueError,
)
"""What building the daemon raises when the config, the machine or the account is wrong (a
journal that is not a database, a symbol Kite does not list, a token Kite refuses): exit 2
with the reason."""


def run(config_path: str, duration: float | None) -> int:
    restrict_umask()  # before anything is created: the state directory is private
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print(exc)
        return EXIT_CONFIG
    logs.configure(config.system.log_level)
    if not _machine_ready(config):
        return EXIT_CONFIG
    try:
        lock = hold_state_lock(Path(config.system.state_dir))  # held until the process ends
    except (StateDirInUse, OSError) as exc:
        _cannot_start(f"system.state_dir: {_reason(exc)}")
        return EXIT_CONFIG
    clock = WallClock()
    for warning in calendar_problems(config, clock):
        _log.warning("%s", warning)
    disable_created_metrics()  # *_created series double every counter for no dashboard use
    metrics = Metrics()
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        metrics.register(collector)
    bind, port = config.system.metrics.bind, config.system.metrics.port
    try:  # before building: a port another process holds must not cost a Kite login first
        server, _ = serve(metrics.exposition(), bind, port)
    except OSError as exc:
        _cannot_start(f"system.metrics.port: cannot listen on {bind}:{port}: {_reason(exc)}")
        return EXIT_CONFIG
    _log.info("metrics on http://%s:%d/metrics", bind, server.server_port)
    notifier = Notifier()
    try:
        daemon = build(config, clock=clock, metrics=metrics, notifier=notifier)
    except JournalError as exc:  # seen only once the journal is open: a newer schema in its WAL
        _cannot_start(f"system.journal: {_reason(exc)}")
        _stop_server(server)
        return EXIT_CONFIG
    except NEEDS_A_PERSON as exc:
        _cannot_start(_reason(exc))
        _stop_server(server)
        return EXIT_CONFIG

    stop = threading.Event()
    received: list[str] = []

    def on_signal(number: int, _frame: object) -> None:
        received.append(signal.Signals(number).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tree = daemon.tree
    # The operator's socket before the first actor: a halt must be possible from the first
    # order on (one sent while RiskGate starts is held for it, like any control message).
    control = ControlServer(
        Path(config.system.state_dir) / SOCKET_NAME,
        tree,
        daemon.journal_path,
        config.actor_names(),
        clock,
    )
    try:
        control.start()
    except OSError as exc:
        _cannot_start(f"system.state_dir: cannot open the control socket: {_reason(exc)}")
        daemon.journal.close()
        _stop_server(server)
        return EXIT_CONFIG
    tree.start()
    gc_tuning.settle_after_start()  # the start-up state is never scanned again
    _log.info("shikra running in %s mode: %d actors", config.system.mode, len(config.actor_names()))
    deadline = None if duration is None else time.monotonic() + duration
    replay_end = _replay_end(config, daemon)
    while not stop.wait(0.1):
        if tree.escalated:
            break
        if deadline is not None and time.monotonic() >= deadline:
            _log.info("duration of %.0fs reached", duration)
            break
        if replay_end is not None and replay_end.done():
            if replay_end.gave_up:
                _log.warning("the replay is over; some orders never had an answer: stopping")
            else:
                _log.info("the replay is over and every order has its answer: stopping")
            break
    if received:
        _log.info("received %s: shutting down", received[0])
    notifier.stopping()
    control.stop()
    stopped = tree.stop(timeout=60.0)
    if not stopped:
        _log.error("some actors did not stop in time")
    daemon.journal.close()  # after the actors: they write as they stop
    valued = instruments.multipliers(daemon.market.instruments)
    export(daemon.journal_path, daemon.market.hours, clock, valued)
    _stop_server(server)
    if tree.escalated:
        _log.critical("exiting non-zero: the root supervisor gave up")
        lock.close()
        return EXIT_ESCALATED
    _log.info("stopped cleanly")
    lock.close()
    return EXIT_OK


def _replay_end(config: Config, daemon: Daemon) -> ReplayEnd | None:
    """The watcher that stops a replay at its end, when the config asks for it."""
    replay = config.feed.replay
    if config.feed.source != "replay" or replay is None or not replay.exit_at_end:
        return None
    tree, names = daemon.tree, config.actor_names()
    return ReplayEnd(
        daemon.feed_finished,
        daemon.journal_path,
        backlog=lambda: (tree.directory.backlog(name) for name in names),
        journal_waiting=daemon.journal.waiting,
    )


def _machine_ready(config: Config) -> bool:
    """``check-config``'s verdict on this machine, then a private state directory. Logs each
    problem on one line and returns False if the daemon cannot start here."""
    problems = environment_problems(config)
    for path, message in problems:
        _cannot_start(f"{path}: {message}")
    if problems:
        return False
    state_dir = Path(config.system.state_dir)
    try:
        tightened = secure_state_dir(state_dir)
    except OSError as exc:
        _cannot_start(f"system.state_dir: cannot make {state_dir} private: {_reason(exc)}")
        return False
    if tightened is not None:
        _log.warning(
            "state directory %s was mode %03o: made %d path(s) in it owner-only "
            "(others could read positions, PnL and orders)",
            state_dir, tightened.directory_mode, tightened.paths,
        )  # fmt: skip
    return True


def _cannot_start(reason: str) -> None:
    _log.error("cannot start: %s", reason)


def _reason(exc: BaseException) -> str:
    """An exception as one line: the OS's words for an OS error, else its message."""
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _stop_server(server: WSGIServer) -> None:
    server.shutdown()
    server.server_close()


def export(
    journal_path: Path, hours: MarketHours, clock: Clock, multipliers: Mapping[str, int]
) -> None:
    """The day being traded, and every earlier day without its files (a kill -9 leaves none),
    as CSV next to the journal: orders, fills and round trips (money with each symbol's
    contract multiplier)."""
    try:
        with Journal.open(journal_path, clock, zone=str(hours.zone)) as journal:
            today = journal.current_day()
            days = export_days(
                journal,
                journal_path.parent / "exports",
                str(hours.zone),
                through=today,
                again=() if today is None else (today,),
                multipliers=multipliers,
            )
        _log.info("exported %s", ", ".join(day.isoformat() for day in days) or "nothing")
    except Exception:  # an export failure must not turn a clean stop into a crash
        _log.exception("daily export failed")
