"""The real daemon on a replay file with bytes that are not UTF-8 and a line from year 9999:
each costs its own line only. The daemon starts, trades the rest of the day, counts both lines
by reason, logs their line numbers, and stops cleanly. Played to its end, a replay stops the
daemon by itself."""

from __future__ import annotations

import re
from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from messages import OrderStatus
from tests.e2e.configs import SYMBOLS, replay_config
from tests.e2e.daemon_process import SAMPLE, DaemonProcess, free_port, total, value
from tests.e2e.reckoning import read_replay

BAD_BYTES = b"2026-11-20T09:15:00.500+05:30,NSE:INFY,1523.45,1523.40,1523.50,12\xff0,85,1000"
YEAR_9999 = b"9999-12-31T23:59:59+05:30,NSE:INFY,1523.45,1523.40,1523.50,120,85,1000"


def _damaged_sample(tmp_path: Path) -> tuple[Path, int, int]:
    """The sample day with the undecodable line first after the header (where it used to fail
    start-up) and the year-9999 line in the middle; returns the file and both line numbers."""
    lines = SAMPLE.read_bytes().splitlines()
    header = lines.index(b"exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume")
    lines.insert(header + 1, BAD_BYTES)
    middle = len(lines) // 2
    lines.insert(middle, YEAR_9999)
    path = tmp_path / "damaged.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, header + 2, middle + 1


def test_an_undecodable_line_and_a_year_9999_line_are_skipped_and_the_day_trades(
    tmp_path: Path,
):
    replay, bad_bytes_line, year_9999_line = _damaged_sample(tmp_path)
    facts = read_replay(SAMPLE)  # the sample's own lines: what must still be delivered
    expected_ticks = sum(n for s, n in facts.ticks.items() if s in SYMBOLS)
    port = free_port()
    daemon = DaemonProcess(tmp_path, replay_config(replay, port), port).start()
    try:
        samples = daemon.wait_for(
            lambda s: (
                total(s, "shikra_feed_ticks_total") >= expected_ticks
                and total(s, "shikra_fills_total") >= 1
            ),
            timeout=90,
        )
        dropped = "shikra_feed_ticks_dropped_total"
        assert value(samples, dropped, reason="bad_encoding") == 1
        assert value(samples, dropped, reason="bad_time") == 1
        assert value(samples, dropped, reason="bad_price") == 1  # the sample's own bad line
        assert total(samples, "shikra_feed_ticks_total") == expected_ticks
        assert total(samples, "shikra_actor_crashes_total") == 0
        assert daemon.terminate() == 0, daemon.log()
    finally:
        daemon.kill()
    log = daemon.log()
    assert re.search(rf"\(line {bad_bytes_line}\): bad_encoding: not UTF-8", log), log
    assert re.search(rf"\(line {year_9999_line}\): bad_time: time '9999-12-31T", log), log
    assert "Traceback" not in log


def test_a_replay_played_to_its_end_stops_the_daemon_by_itself_with_every_order_answered(
    tmp_path: Path,
):
    port = free_port()
    config = replay_config(SAMPLE, port).replace("exit_at_end = false", "exit_at_end = true")
    daemon = DaemonProcess(tmp_path, config, port).start()
    try:
        code = daemon.wait(timeout=120)  # no signal: it ends by itself
    finally:
        daemon.kill()
    log = daemon.log()
    assert code == 0, log
    assert "tick source finished" in log
    assert "the replay is over and every order has its answer: stopping" in log
    assert "stopped cleanly" in log
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        orders = journal.orders()
    assert len(orders) >= 10
    unanswered = [o for o in orders if o.status in (OrderStatus.NEW, OrderStatus.UNKNOWN)]
    assert unanswered == [] and all(o.status is not OrderStatus.SUBMITTED for o in orders)
    assert (tmp_path / "state" / "exports" / "2026-11-20" / "trades.csv").exists()


def test_a_candle_file_replays_through_the_daemon_four_ticks_a_candle(tmp_path: Path):
    # Two symbols' minute candles for one session, a slow wave the built-in EMA cross trades.
    lines = ["# candles", "time,symbol,interval_seconds,open,high,low,close,volume"]
    for minute in range(375):
        at = f"2026-11-20T{9 + (15 + minute) // 60:02d}:{(15 + minute) % 60:02d}:00+05:30"
        for symbol, base in (("NSE:INFY", 150_000), ("NSE:TCS", 340_000)):
            wave = (minute % 40 - 20) * 50 if (minute // 40) % 2 else (20 - minute % 40) * 50
            o = base + wave
            c = o + (25 if (minute // 40) % 2 else -25)
            h, lo = max(o, c) + 10, min(o, c) - 10
            prices = ",".join(f"{p // 100}.{p % 100:02d}" for p in (o, h, lo, c))
            lines.append(f"{at},{symbol},60,{prices},{100 + minute}")
    candles = tmp_path / "candles.csv"
    candles.write_text("\n".join(lines) + "\n")
    port = free_port()
    config = replay_config(candles, port).replace("exit_at_end = false", "exit_at_end = true")
    daemon = DaemonProcess(tmp_path, config, port).start()
    try:
        code = daemon.wait(timeout=120)
    finally:
        daemon.kill()
    log = daemon.log()
    assert code == 0, log
    assert "tick source finished after 3000 ticks" in log  # 2 x 375 candles x 4
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        fills = journal.fills()
    assert {f.symbol for f in fills} == {"NSE:INFY", "NSE:TCS"}
