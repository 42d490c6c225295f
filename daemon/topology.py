"""The actor tree, built from a config: one child spec per actor, in start order, each with the
supervision the config gives it, and the shared outside world (broker, tick source, journal
file) made once and handed to the actors that talk to it.

Start order (config ``actor_names``): PnLTracker, RiskGate, OrderRouter, PositionSync, the
strategies, TickFeed, Heartbeat. Everything an actor sends to is started before it, except the
reports that flow back up (fills, marks), which are held or dropped per message while their
recipient is down, so order only matters for start-up: ticks must not flow before strategies
exist, and reconciliation must not run before the router has looked up its open orders.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from actors.heartbeat import Heartbeat
from actors.order_router import OrderRouter
from actors.pnl_tracker import PnLTracker
from actors.position_sync import PositionSync
from actors.risk_gate import RiskGate
from actors.strategy import Strategy
from actors.tick_feed import TickFeed
from brokers.metered import MeteredBroker
from brokers.paper import PaperBroker
from brokers.updates import broker_listener
from config import Config
from config.actors import (
    HEARTBEAT,
    ORDER_ROUTER,
    PNL_TRACKER,
    POSITION_SYNC,
    RISK_GATE,
    TICK_FEED,
    is_strategy,
    symbol_of_strategy,
)
from core.charges import ChargeRates, ProductRates
from core.clock import Clock
from core.risk import RiskBook, RiskLimits
from daemon.instruments import live_specs, multipliers, refresher
from daemon.market import Market, hours_for, market_for
from feeds.base import TickSource
from journal import writes
from journal.writer import JournalWriter
from messages import Product, ReconcilePolicy
from metrics import Metrics
from metrics.build import build_labels
from strategies.registry import make_strategy
from supervisors import (
    Backoff,
    ChildSpec,
    FaultInjector,
    Restart,
    ServiceManager,
    SupervisionTree,
    SupervisorSpec,
)
from supervisors import (
    Strategy as SupervisionStrategy,
)
from supervisors.serial import SerialDispatcher

BPS = Decimal(10_000)
NSE_FUTURES = ProductRates(
    brokerage=Decimal("0.0003"),
    stt_buy=Decimal("0"),
    stt_sell=Decimal("0.0002"),
    exchange=Decimal("0.0000173"),
    stamp_buy=Decimal("0.00002"),
)
"""NRML defaults (NSE futures); options differ and need their own rates."""


@dataclass
class Daemon:
    """Everything built from the config: the tree and the outside world it talks to."""

    config: Config
    tree: SupervisionTree
    market: Market
    broker: Any
    """The broker orders go to: the paper broker (paper, replay, dry-run) or Kite (live)."""
    journal_path: Path
    journal: JournalWriter
    """The one journal writer every actor writes (and restores) through: close it after the
    tree has stopped (actors write as they stop)."""
    feed_finished: threading.Event = field(default_factory=threading.Event)
    """Set by TickFeed when its source is exhausted (a replay at its end)."""


def build(
    config: Config,
    *,
    clock: Clock,
    metrics: Metrics,
    notifier: ServiceManager | None = None,
    data: TickSource | None = None,
    serial: bool = False,
) -> Daemon:
    """The tree and what it talks to. ``data`` and ``serial`` are a backtest's: its merged
    data files as the feed, and the whole tree on one thread (``supervisors.serial``) with the
    journal written inline, so the same data runs the same way every time."""
    state_dir = Path(config.system.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    journal_path = state_dir / config.system.journal
    market, venue, outside = _outside_world(config, clock, metrics, data, serial)
    start_day = market.hours.trading_day(market.day_start_ns)
    # The schema once, before any actor; and the day this process trades in, which an actor
    # restarted later in this process reads (the journal's current day moves at each boundary).
    journal = JournalWriter(journal_path, zone=str(market.hours.zone), inline=serial)
    journal.run(lambda db: writes.current_day(db, start_day, clock.now_ns()))
    broker = MeteredBroker(outside, metrics)
    feed_finished = threading.Event()
    children = tuple(
        _child(
            config,
            name,
            _factory(config, name, market, broker, venue, journal, notifier, feed_finished, serial),
        )
        for name in config.actor_names()
    )
    s = config.supervision
    root = SupervisorSpec(
        name="root",
        children=children,
        strategy=SupervisionStrategy(s.strategy),
        max_restarts=s.max_restarts,
        within_seconds=s.within_seconds,
        backoff=_backoff(s),
        restart_listeners=(TICK_FEED,),
    )
    faults = None
    if config.faults.enabled:
        faults = FaultInjector(
            config.faults.rules,
            seed=config.faults.seed,
            sleep=clock.sleep,
            on_inject=lambda actor, action: metrics.faults_injected.labels(
                actor=actor, action=action
            ).inc(),
        )
    names = config.actor_names()
    pooled = frozenset(filter(is_strategy, names))  # a Strategy runs on the pool
    metrics.prepare(names, [x.symbol for x in config.symbols], pooled=pooled)
    metrics.build.info(build_labels(config.system.mode))
    limits = _risk_limits(config)
    metrics.show_limits(
        {
            name: getattr(limits, name)
            for name in ("max_daily_loss", "max_drawdown", "max_gross_exposure", "max_order_value")
        }
    )
    dispatcher = SerialDispatcher(monotonic=clock.monotonic) if serial else None
    tree = SupervisionTree(root, clock=clock, metrics=metrics, faults=faults, dispatcher=dispatcher)
    outside.subscribe(broker_listener(tree.address(ORDER_ROUTER).tell))
    if venue is not None:
        # After subscribing: what ending an earlier day does to shikra's orders (expiries, a
        # MIS square-off) is held for the router and reaches it when it starts.
        venue.begin_day(market.hours.trading_day(market.day_start_ns))
    return Daemon(config, tree, market, outside, journal_path, journal, feed_finished)


def _outside_world(
    config: Config,
    clock: Clock,
    metrics: Metrics,
    data: TickSource | None = None,
    backtest: bool = False,
) -> tuple[Market, PaperBroker | None, Any]:
    """The market and the broker: synthetic or replayed ticks with the paper broker; Kite's
    ticks with the paper broker (dry-run) or with Kite itself (live)."""
    if config.system.mode not in ("live", "dry-run"):
        market = market_for(config, clock, data)
        venue = _paper_broker(config, clock, market, in_memory=backtest)
        return market, venue, venue
    from daemon.kite_wiring import build_kite

    hours = hours_for(config)
    kite = build_kite(config, clock, hours, metrics)
    specs = live_specs(config, kite.instruments)  # the dump's tick and lot, the multiplier
    market = Market(
        hours, kite.source, kite.day_start_ns, specs, live_time=True,
        refresh_instruments=refresher(kite.load_instruments, specs),
    )  # fmt: skip
    if config.system.mode == "live":
        return market, None, kite.broker
    venue = _paper_broker(config, clock, market)
    return market, venue, venue


def _paper_broker(
    config: Config, clock: Clock, market: Market, in_memory: bool = False
) -> PaperBroker:
    """The paper venue, rebuilt from its own file in the state directory (never from the
    journal: a venue outlives the trading process, and shikra's view of it is what gets
    checked against it). ``in_memory``: a backtest's, which lives exactly as long as its one
    process (the same books and SQL, on SQLite's memory database: a file's commit on every
    venue call was a quarter of what an order cost there)."""
    paper = config.broker.paper
    return PaperBroker(
        clock,
        {symbol: spec.tick_size for symbol, spec in market.instruments.items()},
        store=None if in_memory else Path(config.system.state_dir) / paper.venue_file,
        hours=market.hours,
        fill_model=paper.fill_model,
        slippage_bps=str(paper.slippage_bps),
        partial_fill_ratio=str(paper.partial_fill_ratio),
        latency_seconds=paper.latency_ms / 1000,
    )


def _child(config: Config, name: str, factory: Any) -> ChildSpec:
    s = config.supervision_for(name)
    return ChildSpec(
        name=name,
        factory=factory,
        restart=Restart(s.restart),
        shutdown_timeout=s.shutdown_timeout_seconds,
        held_max=s.held_messages_max,
        backoff=_backoff(s),
    )


def _backoff(settings: Any) -> Backoff:
    """``[supervision]`` defaults or one actor's merged settings: the same three fields."""
    return Backoff(
        min_seconds=settings.backoff_min_seconds,
        max_seconds=settings.backoff_max_seconds,
        jitter=settings.backoff_jitter,
    )


def _factory(
    config: Config,
    name: str,
    market: Market,
    broker: MeteredBroker,
    venue: PaperBroker | None,
    journal: JournalWriter,
    notifier: ServiceManager | None = None,
    feed_finished: threading.Event | None = None,
    serial: bool = False,
) -> Any:
    hours, day = market.hours, market.hours.trading_day(market.day_start_ns)
    paths = tuple(config.system.strategy_paths)
    if is_strategy(name):
        settings = config.symbol(symbol_of_strategy(name))
        instrument = market.instruments[settings.symbol]
        return lambda link: Strategy.start(
            link,
            settings=settings,
            instrument=instrument,
            journal=journal,
            hours=hours,
            start_day=day,
            strategy_paths=paths,
        )
    if name == PNL_TRACKER:
        rates = charge_rates(config)
        valued = multipliers(market.instruments)
        return lambda link: PnLTracker.start(
            link,
            journal=journal,
            rates=rates,
            multipliers=valued,
            publish_to=(RISK_GATE,),
            hours=hours,
            start_day=day,
        )
    if name == RISK_GATE:
        return lambda link: RiskGate.start(
            link,
            book=_risk_book(config, market),
            journal=journal,
            start_day=day,
            products=_products(config),
            publish_to=(HEARTBEAT, *(x.actor_name for x in config.symbols)),
        )
    if name == ORDER_ROUTER:
        o = config.orders
        limits = [(o.per_second, 1.0), (o.per_minute, 60.0), (o.per_day, 86_400.0)]
        return lambda link: OrderRouter.start(
            link,
            broker=broker,
            journal=journal,
            limits=limits,
            lookup_attempts=o.unknown_lookup_attempts,
            check_interval=o.working_check_seconds,
            hours=hours,
            start_day=day,
        )
    if name == POSITION_SYNC:
        p = config.position_sync
        return lambda link: PositionSync.start(
            link,
            broker=broker,
            journal=journal,
            interval=p.interval_seconds,
            policy=ReconcilePolicy(p.policy),
            tolerance_bps=p.avg_price_tolerance_bps,
            hours=hours,
            start_day=day,
            scope=_products(config),
            halt_on_foreign=p.foreign == "halt",
            # Wider than the router's working-order check: a fill whose update was lost
            # reaches the journal by that check, and must not look like a difference meanwhile.
            confirm_seconds=max(1.0, 2 * config.orders.working_check_seconds),
            # Kite's positions carry the contract multiplier: checked against the config's.
            # (The paper venue values with the config's own, so there is nothing to check.)
            declared_multipliers=multipliers(market.instruments) if market.live_time else None,
            multipliers=multipliers(market.instruments),
            on_new_day=market.refresh_instruments,
        )
    if name == TICK_FEED:
        return lambda link: TickFeed.start(
            link,
            source=market.source,
            symbols=frozenset(x.symbol for x in config.symbols),
            marks_to=(PNL_TRACKER, RISK_GATE),
            status_to=(HEARTBEAT,),
            observer=venue,
            status_interval=config.heartbeat.interval_seconds,
            measure_delay=market.live_time,
            pace_by=_downstream(config) if market.paced else (),
            market_start_ns=None if market.live_time else market.day_start_ns,
            warmup_depth={
                x.symbol: make_strategy(
                    x.strategy, x.strategy_params(paths), x.entry, paths
                ).warmup_ticks
                for x in config.symbols
            },
            hours=hours,
            start_day=day,
            day_to=_day_keepers(config),
            phase_to=(RISK_GATE,),
            live_time=market.live_time,
            finished=feed_finished,
            # On the serial runtime time moves only to the next timer: the feed sleeps until
            # its next tick is due, not 50 ms at a time through a night.
            max_poll_wait=86_400.0 if serial else 0.05,
            # Marks also go out every second of market time with the ticks; the timer is for
            # a quiet live feed, and would tick through every night of a backtest.
            marks_interval=3_600.0 if serial else 0.1,
        )
    if name == HEARTBEAT:
        h = config.heartbeat
        return lambda link: Heartbeat.start(
            link,
            actors=config.actor_names(),
            interval=h.interval_seconds,
            timeout=h.timeout_seconds,
            stale_after=config.feed.stale_after_seconds,
            hours=market.hours,
            notifier=notifier,
            # Pooled actors are watched through their workers, not pinged one by one.
            pool=link.dispatcher,
        )
    raise ValueError(f"no actor named {name!r}")


def _products(config: Config) -> dict[str, Product]:
    """Each configured symbol and the product shikra trades it in."""
    return {x.symbol: Product(x.product) for x in config.symbols}


def _day_keepers(config: Config) -> tuple[str, ...]:
    """Every actor that keeps daily figures and is told when a trading day begins."""
    strategies = tuple(x.actor_name for x in config.symbols)
    return (RISK_GATE, PNL_TRACKER, ORDER_ROUTER, POSITION_SYNC, *strategies)


def _downstream(config: Config) -> tuple[str, ...]:
    """Every actor a tick's consequences pass through before the next tick should come."""
    strategies = tuple(x.actor_name for x in config.symbols)
    return (*strategies, RISK_GATE, ORDER_ROUTER, PNL_TRACKER)


def _risk_book(config: Config, market: Market) -> RiskBook:
    """Tick, lot and multiplier per symbol as this run trades it (``Market.instruments``)."""
    instruments = dict(market.instruments)
    return RiskBook(limits=_risk_limits(config), instruments=instruments, hours=market.hours)


def _risk_limits(config: Config) -> RiskLimits:
    """``[risk]`` in exact units (money in paise): for RiskGate, and exported to the metrics
    so an alert compares the day's loss with the same limit RiskGate enforces."""
    r = config.risk
    return RiskLimits(
        max_order_quantity=r.max_order_quantity,
        max_order_value=r.max_order_value_paise,
        max_position_quantity=r.max_position_quantity,
        max_gross_exposure=r.max_gross_exposure_paise,
        max_open_orders=r.max_open_orders,
        max_orders_per_minute=r.max_orders_per_minute,
        price_band_bps=r.price_band_bps,
        max_daily_loss=r.max_daily_loss_paise,
        max_drawdown=r.max_drawdown_paise,
        soft_loss=r.soft_loss_paise,
    )


def charge_rates(config: Config) -> ChargeRates:
    c = config.charges
    mis = ProductRates(
        brokerage=c.brokerage_bps / BPS,
        stt_buy=Decimal(0),
        stt_sell=c.stt_sell_bps / BPS,
        exchange=c.exchange_txn_bps / BPS,
        stamp_buy=c.stamp_buy_bps / BPS,
    )
    return ChargeRates(
        mis=mis,
        nrml=NSE_FUTURES,
        brokerage_cap=c.brokerage_cap_paise,
        sebi=Decimal(c.sebi_per_crore_paise) / Decimal(10**9),
        gst=c.gst_percent / Decimal(100),
    )
