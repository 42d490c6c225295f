"""``main.py history``: the configured symbols' candles from Kite's historical API, written as
candle files (``feeds/CANDLE_FORMAT.md``) that a replay and ``main.py backtest`` read.

One file per symbol, ``<out>/<EXCHANGE>-<TRADINGSYMBOL>.<interval>.csv``, oldest first. The
instrument tokens come from the day's instruments dump (cached in the state directory, as the
daemon caches it); the requests are cut to Kite's span per request and paced to its 3 a
second (``feeds.kite_history``); a read Kite fails for a moment (a 429, a 5xx, a timeout) is
retried by the Kite adapter, as every read of the daemon's. A file is written whole to a
temporary name and renamed, so a failed run never leaves half a file under the final name.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from brokers.credentials import MissingCredential
from brokers.errors import BrokerError
from brokers.kite import KiteBroker
from config import Config
from config.environment import credentials_for
from daemon.kite_wiring import raw_dump
from feeds.candles import HEADER_LINE, Candle, format_candle
from feeds.kite_history import INTERVAL_SECONDS, HistoryFetcher
from feeds.kite_instruments import UnknownInstrument, csv_rows, load_instruments

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def candle_file(out: Path, symbol: str, interval: str) -> Path:
    exchange, tradingsymbol = symbol.split(":", 1)
    return out / f"{exchange}-{tradingsymbol}.{interval}.csv"


def history(
    config: Config,
    first: datetime.date,
    last: datetime.date,
    out: Path,
    interval: str = "minute",
) -> int:
    """Fetch and write every configured symbol's candles; the exit code."""
    from zoneinfo import ZoneInfo

    from kiteconnect import KiteConnect

    if last < first:
        print(f"history: --to {last} is before --from {first}", file=sys.stderr)
        return EXIT_USAGE
    if interval not in INTERVAL_SECONDS:
        known = ", ".join(INTERVAL_SECONDS)
        print(f"history: unknown --interval {interval!r} (known: {known})", file=sys.stderr)
        return EXIT_USAGE
    kite = config.broker.kite
    credentials = credentials_for(config)
    try:
        client = KiteConnect(
            credentials.api_key().reveal(),
            access_token=credentials.access_token().reveal(),
            root=kite.api_root,
            timeout=kite.timeout_seconds,
        )
    except MissingCredential as exc:
        print(f"history: {exc} (log in first: main.py login --config FILE)", file=sys.stderr)
        return EXIT_USAGE
    broker = KiteBroker(client, credentials, sleep=time.sleep)
    zone = ZoneInfo(config.market.timezone)
    symbols = [x.symbol for x in config.symbols]
    today = datetime.datetime.now(zone).date()
    try:
        facts = load_instruments(
            symbols,
            lambda exchange: csv_rows(broker.read(lambda: raw_dump(client, exchange))),
            Path(config.system.state_dir),
            today,
        )
        fetcher = HistoryFetcher(
            client, monotonic=time.monotonic, sleep=time.sleep, zone=zone, read=broker.read
        )
        out.mkdir(parents=True, exist_ok=True)
        for symbol in symbols:
            path = candle_file(out, symbol, interval)
            candles = fetcher.candles(symbol, facts[symbol].token, first, last, interval)
            count = _write(path, candles)
            print(f"{symbol}: {count} {interval} candles -> {path}")
    except (UnknownInstrument, BrokerError) as exc:
        print(f"history: {exc}", file=sys.stderr)
        return EXIT_FAILED
    skipped = f", {fetcher.skipped} unusable candles skipped" if fetcher.skipped else ""
    print(f"{fetcher.requests} requests to Kite's historical API{skipped}")
    return EXIT_OK


def _write(path: Path, candles: Iterable[Candle]) -> int:
    temporary = path.with_name(f".{path.name}.tmp")
    count = 0
    with temporary.open("w", encoding="utf-8", newline="\n") as file:
        file.write("# shikra candles from Kite's historical API (main.py history)\n")
        file.write(HEADER_LINE + "\n")
        for candle in candles:
            file.write(format_candle(candle) + "\n")
            count += 1
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    return count
