"""``main.py run``: the daemon as a process.

Load the config (a bad one exits 2 with every problem listed), build the tree, serve metrics on
the configured address, start the actors in order, then wait for SIGTERM/SIGINT, the optional
``--duration``, or the root supervisor giving up. Shutdown stops the actors in reverse order,
writes the day's CSV export, and exits 0 — or 1 when the root gave up, so that systemd
(``Restart=on-failure``) restarts the process.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    disable_created_metrics,
    start_http_server,
)

from brokers.credentials import MissingCredential
from brokers.errors import BrokerError
from config import ConfigError, load_config
from core.clock import WallClock
from core.market_hours import MarketHours
from daemon import instruments, logs
from daemon.control import ControlServer
from daemon.control_wire import SOCKET_NAME
from daemon.market import NotAvailableYet
from daemon.systemd import Notifier
from daemon.topology import build
from feeds.kite_instruments import UnknownInstrument
from journal import Journal, export_days
from metrics import Metrics

_log = logging.getLogger("shikra")

EXIT_OK = 0
EXIT_ESCALATED = 1
EXIT_CONFIG = 2


def run(config_path: str, duration: float | None) -> int:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print(exc)
        return EXIT_CONFIG
    logs.configure(config.system.log_level)
    clock = WallClock()
    disable_created_metrics()  # *_created series double every counter for no dashboard use
    metrics = Metrics()
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        metrics.registry.register(collector)
    notifier = Notifier()
    try:
        daemon = build(config, clock=clock, metrics=metrics, notifier=notifier)
    except (
        NotAvailableYet,
        MissingCredential,
        UnknownInstrument,
        BrokerError,
        OSError,
        ValueError,
    ) as exc:
        # Exit 2: a person must act (config, credentials, login). Restarting would not help,
        # and the systemd unit does not restart on 2 (RestartPreventExitStatus).
        _log.error("cannot start: %s", exc)
        return EXIT_CONFIG
    bind, port = config.system.metrics.bind, config.system.metrics.port
    server, _ = start_http_server(port, addr=bind, registry=metrics.registry)
    _log.info("metrics on http://%s:%d/metrics", bind, server.server_port)

    stop = threading.Event()
    received: list[str] = []

    def on_signal(number: int, _frame: object) -> None:
        received.append(signal.Signals(number).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tree = daemon.tree
    tree.start()
    control = ControlServer(
        Path(config.system.state_dir) / SOCKET_NAME,
        tree,
        daemon.journal_path,
        config.actor_names(),
        clock,
    )
    control.start()
    _log.info("shikra running in %s mode: %d actors", config.system.mode, len(config.actor_names()))
    deadline = None if duration is None else time.monotonic() + duration
    while not stop.wait(0.1):
        if tree.escalated:
            break
        if deadline is not None and time.monotonic() >= deadline:
            _log.info("duration of %.0fs reached", duration)
            break
    if received:
        _log.info("received %s: shutting down", received[0])
    notifier.stopping()
    control.stop()
    stopped = tree.stop(timeout=60.0)
    if not stopped:
        _log.error("some actors did not stop in time")
    valued = instruments.multipliers(daemon.market.instruments)
    _export(daemon.journal_path, daemon.market.hours, clock, valued)
    server.shutdown()
    server.server_close()
    if tree.escalated:
        _log.critical("exiting non-zero: the root supervisor gave up")
        return EXIT_ESCALATED
    _log.info("stopped cleanly")
    return EXIT_OK


def _export(
    journal_path: Path, hours: MarketHours, clock: WallClock, multipliers: Mapping[str, int]
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
