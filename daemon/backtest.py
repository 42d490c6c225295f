"""``main.py backtest``: the live actors, strategies, risk checks, router, paper venue, schedule
and exits, on recorded data, in market time; then the report.

**The same kernel as live.** The tree is the daemon's, built from the same config by the same
``daemon.topology.build``; what differs is what it runs on:

* the feed is the ``--data`` files merged by market time (``feeds.merged``: tick replays and
  candle files, several days each);
* time is a ``VirtualClock`` that *is* market time: it starts at the first record and moves
  only to the next timer (the feed's next tick, a venue's latency, the rate limiter's next
  slot, a periodic check), so rate limits and latency are in market time, and a night costs
  nothing;
* every actor runs on one thread (``supervisors.serial``), in a fixed order, and the journal
  is written inline, so the same config, data and seed run the same way on any machine at any
  load — the determinism ``trades.csv`` and ``summary.json`` are compared by. Python's string
  hashing is fixed too (``main.py`` runs a backtest with ``PYTHONHASHSEED=0``), so no set of
  names iterates differently from one run to the next.

Its state lives in ``<out>/state`` (made fresh each run, never the configured state dir);
it stops by itself at the end of the data, and exits 0, or 2 for bad input (a config, a data
file) with the reason.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from backtest.report import report
from config import Config, ConfigError, load_config
from config.feeds import ReplayFeedConfig
from core.clock import VirtualClock
from daemon.instruments import multipliers
from daemon.run import export
from daemon.topology import build, charge_rates
from feeds.candles import IST
from feeds.merged import MergedSource
from feeds.replay import ReplayFormatError
from metrics.unwatched import unwatched

_log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MARKER = ".shikra-backtest"
"""In a backtest's state dir: what lets the next run clear it (and nothing else)."""
QUIET = 3_600.0
"""Periodic checks (heartbeat, working orders) every market hour: on a venue that is the
process itself, they find nothing a run needs, and each costs turns."""

SYNC_EVERY = 86_400.0
"""PositionSync's comparison of the venue with the journal, after the start-up one that lets
trading begin: once a market day. Both sides are this process's, and each run reads the whole
day's fills and orders; hourly, nights included (the clock passes every timer of a night), it
was a third of a backtest of 100 symbols' candles."""


def for_backtest(config: Config, state_dir: Path, first_file: Path) -> Config:
    """The config as a backtest runs it: paper, its own state dir, the data as the feed."""
    system = msgspec.structs.replace(config.system, mode="paper", state_dir=str(state_dir))
    replay = ReplayFeedConfig(path=str(first_file), speed="max", exit_at_end=True)
    feed = msgspec.structs.replace(config.feed, source="replay", replay=replay)
    heartbeat = msgspec.structs.replace(
        config.heartbeat, interval_seconds=QUIET, timeout_seconds=2 * QUIET
    )
    sync = msgspec.structs.replace(config.position_sync, interval_seconds=SYNC_EVERY)
    orders = msgspec.structs.replace(config.orders, working_check_seconds=QUIET)
    return msgspec.structs.replace(
        config, system=system, feed=feed, heartbeat=heartbeat, position_sync=sync, orders=orders
    )


def backtest(
    config_path: str,
    data: Sequence[str],
    out: Path,
    *,
    stream: IO[str] = sys.stdout,
    stopwatch: Callable[[], float] = time.perf_counter,
    timings: dict[str, float] | None = None,
) -> int:
    """Run it; the exit code. ``timings``, if given, gets what the run and the report took
    (seconds by ``stopwatch``: a benchmark's figures; nothing the result depends on)."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    files, problem = data_files(data)
    if problem is not None:
        print(f"backtest: {problem}", file=sys.stderr)
        return EXIT_USAGE
    state = out / "state"
    if state.exists():
        if not (state / MARKER).exists():
            print(f"backtest: {state} exists and is not a backtest's: not touched", file=sys.stderr)
            return EXIT_USAGE
        shutil.rmtree(state)
    state.mkdir(parents=True)
    (state / MARKER).write_text("a backtest's state: cleared by the next run into this --out\n")
    try:
        source = MergedSource(files)
    except (OSError, ReplayFormatError) as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    first = source.first_exchange_ns
    if first is None:
        print("backtest: the data files hold no record", file=sys.stderr)
        return EXIT_USAGE
    config = for_backtest(config, state, files[0])
    clock = VirtualClock(start_ns=first)
    began = stopwatch()
    daemon = build(config, clock=clock, metrics=unwatched(), data=source, serial=True)
    ran = run_to_end(daemon, clock, _progress(first, source.last_exchange_ns))
    reported = stopwatch()
    valued = multipliers(daemon.market.instruments)
    export(daemon.journal_path, daemon.market.hours, clock, valued)
    if daemon.tree.escalated:
        print("backtest: the actor tree gave up (see the log)", file=sys.stderr)
        return EXIT_FAILED
    not_traded, without_data = data_coverage(config, source.ticks_by_symbol)
    run = {
        "config": Path(config_path).name,
        "data": [{"file": f.name, "sha256": _sha256(f)} for f in files],
        "ticks": source.stats.delivered,
        "skipped_records": source.stats.skipped_total,
        "ticks_not_traded": not_traded,
        "symbols_without_data": without_data,
    }
    report(
        daemon.journal_path,
        out,
        rates=charge_rates(config),
        multipliers=valued,
        day_of=daemon.market.hours.trading_day,
        run=run,
        out=stream,
        terminal=stream.isatty(),
    )
    _say_coverage(not_traded, without_data)
    if timings is not None:
        timings["run_s"], timings["report_s"] = reported - began, stopwatch() - reported
    _log.info("backtest: %d turns, %d ticks", ran, source.stats.delivered)
    return EXIT_OK


def run_to_end(
    daemon: Any, clock: VirtualClock, progress: Callable[[int], None] | None = None
) -> int:
    """Start the tree, run it until the data is played and nothing is left to do, stop it;
    the number of turns it took. ``progress(market_ns)`` is told where the run is."""
    tree = daemon.tree
    dispatcher = tree.dispatcher
    try:
        tree.start()
        while not tree.escalated:
            dispatcher.run()
            if daemon.feed_finished.is_set() and dispatcher.idle:
                break
            due = clock.next_due()
            if due is None:
                break
            clock.advance(max(0.0, due - clock.monotonic()))
            if progress is not None:
                progress(clock.now_ns())
        if progress is not None:
            progress(-1)  # done
        tree.stop()
        dispatcher.run()
    finally:
        dispatcher.shutdown()  # this thread's latches block again from here
        daemon.journal.close()
    return dispatcher.turns


def data_files(data: Sequence[str]) -> tuple[list[Path], str | None]:
    """The files ``--data`` names, in order: a directory stands for its ``*.csv`` files in
    name order (``main.py history --out DIR`` writes one per symbol there); or what is wrong."""
    files: list[Path] = []
    missing, empty = [], []
    for name in data:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.glob("*.csv") if p.is_file())
            files.extend(found)
            if not found:
                empty.append(name)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(name)
    if missing:
        return files, f"no such data file: {', '.join(missing)}"
    if empty:
        return files, f"no .csv data file in {', '.join(empty)}"
    seen: set[Path] = set()
    twice = []
    for file in files:
        if file.resolve() in seen:
            twice.append(str(file))
        seen.add(file.resolve())
    if twice:  # its every tick would play twice
        return files, f"data file named twice: {', '.join(twice)}"
    return files, None


def data_coverage(
    config: Config, ticks_by_symbol: dict[str, int]
) -> tuple[dict[str, int], list[str]]:
    """What of the data no strategy traded (ticks per symbol the config has not) and which of
    the config's symbols had no tick: a data file for the wrong symbol is a result of nothing,
    and must say so rather than look like a strategy that never traded."""
    configured = {s.symbol for s in config.symbols}
    not_traded = {s: n for s, n in sorted(ticks_by_symbol.items()) if s not in configured}
    return not_traded, sorted(configured - ticks_by_symbol.keys())


def _say_coverage(not_traded: dict[str, int], without_data: list[str]) -> None:
    if not_traded:
        names = ", ".join(f"{s} ({n})" for s, n in list(not_traded.items())[:5])
        more = f" and {len(not_traded) - 5} more" if len(not_traded) > 5 else ""
        print(
            f"backtest: {sum(not_traded.values())} ticks dropped, of {len(not_traded)} symbols "
            f"with no strategy in the config: {names}{more}",
            file=sys.stderr,
        )
    if without_data:
        names = ", ".join(without_data[:5])
        more = f" and {len(without_data) - 5} more" if len(without_data) > 5 else ""
        print(f"backtest: no tick in the data for {names}{more}: not traded", file=sys.stderr)


def _progress(first_ns: int, last_ns: int | None) -> Callable[[int], None] | None:
    """A progress bar over market time on a terminal (``rich``); nothing otherwise."""
    if not sys.stderr.isatty() or last_ns is None or last_ns <= first_ns:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("backtest"),
        BarColumn(),
        TextColumn("{task.fields[at]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),  # the terminal it checked; stdout may be a results file
    )
    task = bar.add_task("run", total=last_ns - first_ns, at="")
    bar.start()
    shown = [0]

    def update(at_ns: int) -> None:
        if at_ns < 0:
            bar.update(task, completed=last_ns - first_ns)
            bar.stop()
            return
        done = min(at_ns, last_ns) - first_ns
        if done - shown[0] >= (last_ns - first_ns) // 500:  # a few hundred redraws at most
            shown[0] = done
            when = datetime.datetime.fromtimestamp(at_ns // 1_000_000_000, IST)
            bar.update(task, completed=done, at=when.strftime("%Y-%m-%d %H:%M"))

    return update


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
