"""Live and dry-run: the Kite client, the instruments' facts, the Kite broker and tick source,
built from the config and the credential sources (never from the file itself)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokers.kite import KiteBroker
from brokers.unknown_values import UnknownValues
from config import Config
from config.environment import credentials_for
from core.clock import Clock
from core.market_hours import MarketHours
from feeds.kite import KiteTickSource
from feeds.kite_instruments import InstrumentFacts, csv_rows, load_instruments
from metrics import Metrics


@dataclass
class KiteParts:
    broker: KiteBroker
    source: KiteTickSource
    day_start_ns: int
    instruments: dict[str, InstrumentFacts]
    """The configured symbols' facts from today's instruments dump."""
    load_instruments: Callable[[datetime.date], dict[str, InstrumentFacts]]
    """The same for another trading day (one download a day, cached in the state dir): what
    the day boundary calls to refresh tick and lot sizes."""


def build_kite(config: Config, clock: Clock, hours: MarketHours, metrics: Metrics) -> KiteParts:
    from kiteconnect import KiteConnect, KiteTicker

    kite = config.broker.kite
    credentials = credentials_for(config)
    api_key = credentials.api_key()
    client = KiteConnect(
        api_key.reveal(),
        access_token=credentials.access_token().reveal(),
        root=kite.api_root,
        timeout=kite.timeout_seconds,
    )
    broker = KiteBroker(
        client,
        credentials,
        market_protection=config.orders.market_protection,
        sleep=clock.sleep,
        # Whatever the account holds that Kite does not document is counted and said once.
        on_unknown=UnknownValues(
            lambda field: metrics.broker_unknown_values.labels(field=field).inc()
        ),
    )
    today = hours.trading_day(clock.now_ns())
    symbols = [x.symbol for x in config.symbols]

    def fetch(exchange: str) -> Iterator[dict[str, str]]:
        return csv_rows(broker.read(lambda: raw_dump(client, exchange)))

    def load(day: datetime.date) -> dict[str, InstrumentFacts]:
        return load_instruments(symbols, fetch, Path(config.system.state_dir), day)

    instruments = load(today)
    tokens = {symbol: facts.token for symbol, facts in instruments.items()}
    default_mode = config.feed.kite.default_mode
    modes = {tokens[x.symbol]: x.feed_mode or default_mode for x in config.symbols}

    def make_ticker() -> KiteTicker:
        # The token is read afresh for each connection: a new login heals the feed too.
        return KiteTicker(api_key.reveal(), credentials.access_token().reveal(), root=kite.ws_root)

    source = KiteTickSource(
        make_ticker=make_ticker,
        tokens={token: symbol for symbol, token in tokens.items()},
        modes=modes,
        now_ns=clock.now_ns,
        stale_after=config.feed.stale_after_seconds,
        max_tokens=config.feed.kite.max_tokens_per_connection,
        max_connections=config.feed.kite.max_connections,
        on_order_update=broker.on_order_update if config.system.mode == "live" else None,
    )
    day_start = datetime.datetime.combine(today, hours.open, tzinfo=hours.zone)
    day_start_ns = int(day_start.timestamp()) * 1_000_000_000
    return KiteParts(broker, source, day_start_ns, instruments, load)


def raw_dump(client: Any, exchange: str) -> bytes:
    """The exchange's dump as Kite sends it (CSV). Not ``client.instruments``: its parser
    converts every row in one pass and raises on the first it cannot convert, losing the whole
    dump for one bad row; ``feeds.kite_instruments`` reads row by row and skips the bad ones."""
    data: bytes = client._get("market.instruments", url_args={"exchange": exchange})
    return data
