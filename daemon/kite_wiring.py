"""Live and dry-run: the Kite client, the instrument tokens, the Kite broker and tick source,
built from the config and the credential sources (never from the file itself)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from brokers.kite import KiteBroker
from config import Config
from config.environment import credentials_for
from core.clock import Clock
from core.market_hours import MarketHours
from feeds.kite import KiteTickSource
from feeds.kite_instruments import instrument_tokens


@dataclass
class KiteParts:
    broker: KiteBroker
    source: KiteTickSource
    day_start_ns: int


def build_kite(config: Config, clock: Clock, hours: MarketHours) -> KiteParts:
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
    )
    today = hours.trading_day(clock.now_ns())
    tokens = instrument_tokens(
        [x.symbol for x in config.symbols],
        lambda exchange: broker.read(lambda: client.instruments(exchange)),
        Path(config.system.state_dir),
        today,
    )
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
    return KiteParts(broker, source, int(day_start.timestamp()) * 1_000_000_000)
