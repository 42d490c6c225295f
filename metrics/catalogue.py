"""The metric catalogue: every metric, its help text and its labels, in one place.

One ``CollectorRegistry`` per daemon (tests build their own and stay isolated). Names follow
Prometheus conventions: a ``shikra_`` prefix, base units, ``_total`` on counters (the client adds
it), ``_seconds`` on durations. Labels are bounded: actor names and symbols come from the config,
reasons and message types from enums; never an order id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.registry import Collector

from brokers.errors import CAUSES
from brokers.unknown_values import FIELDS as UNKNOWN_VALUE_FIELDS
from feeds.base import SkipReason
from messages import DiffKind, OrderStatus, RejectReason, TradingState
from metrics.exposition import Exposition, is_wide

LATENCY_BUCKETS = (
    25e-6, 50e-6, 100e-6, 250e-6, 500e-6,
    1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3,
    1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
"""From 25 µs: the tick path is sub-millisecond, and the client's defaults start at 5 ms."""

CONTROL_DROP_REASONS = ("deadline", "evicted", "malformed", "incomplete", "busy")
"""Why the control socket closed a connection without serving its request (see
``daemon.control``): no whole request within the deadline; the oldest waiting connection, closed
to make room over the cap; a bad frame or request (answered with an error); closed by the client
mid-request; a status asked while as many as are allowed were already running (answered busy)."""

AGE_BUCKETS = (1e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The daemon's metrics, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.build = Info(
            "shikra_build",
            "The running daemon: version, Python and trading mode (paper, replay, dry-run, live).",
            registry=r,
        )
        self.actor_up = Gauge(
            "shikra_actor_up",
            "1 while the actor's current instance is serving.",
            ["actor"],
            registry=r,
        )
        self.actor_restarts = Counter(
            "shikra_actor_restarts",
            "Restarts of the actor by its supervisor.",
            ["actor"],
            registry=r,
        )
        self.actor_crashes = Counter(
            "shikra_actor_crashes",
            "Exceptions that escaped the actor (in start-up or a handler).",
            ["actor"],
            registry=r,
        )
        self.messages_dropped = Counter(
            "shikra_messages_dropped",
            "Messages dropped because their recipient was down and their policy is DROP "
            "(market data, probes), or because the recipient was shut down for good.",
            ["actor", "message"],
            registry=r,
        )
        self.messages_held = Counter(
            "shikra_messages_held",
            "Messages held for a recipient that was down, to deliver after its restart.",
            ["actor"],
            registry=r,
        )
        self.messages_held_overflow = Counter(
            "shikra_messages_held_overflow",
            "Messages that could not be held because the recipient's hold queue was full.",
            ["actor"],
            registry=r,
        )
        self.handler_latency = Histogram(
            "shikra_actor_handler_seconds",
            "Time an actor took to handle one message, by role (every strategy is Strategy).",
            ["role"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.supervisor_escalations = Counter(
            "shikra_supervisor_escalations",
            "Times a supervisor exceeded its restart intensity and gave up.",
            ["supervisor"],
            registry=r,
        )
        self.faults_injected = Counter(
            "shikra_faults_injected",
            "Faults injected on purpose by the [faults] config (drills and tests).",
            ["actor", "action"],
            registry=r,
        )

        # -- feed ---------------------------------------------------------------------------
        self.ticks = Counter(
            "shikra_feed_ticks", "Ticks delivered to strategies.", ["symbol"], registry=r
        )
        self.ticks_dropped = Counter(
            "shikra_feed_ticks_dropped",
            "Ticks or records skipped: malformed, or for a symbol not in the config.",
            ["reason"],
            registry=r,
        )
        self.tick_age = Histogram(
            "shikra_feed_tick_age_seconds",
            "Receive time minus exchange time of each tick.",
            buckets=AGE_BUCKETS,
            registry=r,
        )
        self.feed_last_tick_age = Gauge(
            "shikra_feed_last_tick_age_seconds",
            "Seconds since the newest tick was received (as of the last health round).",
            registry=r,
        )
        self.feed_lag = Gauge(
            "shikra_feed_lag_seconds",
            "The largest feed lag in the last status round (a second): how long the oldest tick"
            " of a poll had been due (arrived, live) when TickFeed took it. Growing: a backlog.",
            registry=r,
        )
        self.feed_reconnects = Counter(
            "shikra_feed_reconnects",
            "Times the feed dropped a silent connection and opened a new one.",
            registry=r,
        )
        self.feed_stale = Gauge(
            "shikra_feed_stale", "1 while the feed is stale during market hours.", registry=r
        )
        # -- strategies ---------------------------------------------------------------------
        self.intents = Counter(
            "shikra_strategy_intents",
            "Order intents a strategy sent to RiskGate.",
            ["symbol", "side"],
            registry=r,
        )
        self.signals = Counter(
            "shikra_strategy_signals",
            "Signals a strategy's rule gave, whether or not they became intents.",
            ["symbol", "signal"],
            registry=r,
        )
        self.tick_to_intent = Histogram(
            "shikra_tick_to_intent_seconds",
            "From a tick's receipt to the intent it caused leaving the strategy.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        # -- risk ---------------------------------------------------------------------------
        self.risk_approvals = Counter(
            "shikra_risk_approvals", "Intents RiskGate approved.", registry=r
        )
        self.risk_rejections = Counter(
            "shikra_risk_rejections",
            "Intents RiskGate rejected, by the check that fired.",
            ["reason"],
            registry=r,
        )
        self.trading_state = Gauge(
            "shikra_trading_state",
            "1 for the current trading state (ACTIVE, REDUCING, HALTED, RECONCILING), else 0.",
            ["state"],
            registry=r,
        )
        self.risk_limit = Gauge(
            "shikra_risk_limit_rupees",
            "RiskGate's money limits as configured (max_daily_loss, max_drawdown, ...).",
            ["limit"],
            registry=r,
        )
        # -- orders -------------------------------------------------------------------------
        self.order_events = Counter(
            "shikra_orders",
            "Order status changes, by the status entered.",
            ["status"],
            registry=r,
        )
        self.fills = Counter("shikra_fills", "Fills applied.", ["symbol"], registry=r)
        self.order_modifications = Counter(
            "shikra_order_modifications",
            "Modifications the broker accepted (a venue stop trailing, a strategy's new LIMIT).",
            registry=r,
        )
        self.tick_to_order_sent = Histogram(
            "shikra_tick_to_order_sent_seconds",
            "From a tick's receipt to the order it caused being handed to the broker.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.order_round_trip = Histogram(
            "shikra_order_round_trip_seconds",
            "From handing an order to the broker to its final state (filled, rejected or "
            "cancelled).",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "shikra_orders_rate_limited",
            "Orders that had to wait for the order rate limiter.",
            registry=r,
        )
        self.orders_queued = Gauge(
            "shikra_orders_queued",
            "Orders and cancels waiting for the order rate limiter.",
            registry=r,
        )
        self.broker_calls = Counter(
            "shikra_broker_api_calls", "Calls to the broker API.", ["call"], registry=r
        )
        self.broker_errors = Counter(
            "shikra_broker_api_errors",
            "Broker API calls that failed, by kind (refused, unknown_outcome, token, "
            "rate_limited, unavailable).",
            ["call", "kind"],
            registry=r,
        )
        self.broker_error_causes = Counter(
            "shikra_broker_api_error_causes",
            "Broker API calls that failed, by what happened: http_429, http_403, http_5xx, "
            "timeout, connection, bad_response, refused (the broker said no), unavailable, "
            "unknown, other.",
            ["cause"],
            registry=r,
        )
        self.broker_unknown_values = Counter(
            "shikra_broker_unknown_values",
            "Values in the broker's records outside its documented sets, by field: product, "
            "status, variety, order_type (kept as an explicit unknown), transaction_type and "
            "record (the record skipped). Each distinct value is logged once.",
            ["field"],
            registry=r,
        )
        self.broker_latency = Histogram(
            "shikra_broker_api_latency_seconds",
            "Broker API call latency.",
            ["call"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        # -- PnL and positions ----------------------------------------------------------------
        self.position = Gauge(
            "shikra_position_quantity", "Net position (negative: short).", ["symbol"], registry=r
        )
        self.pnl_realized = Gauge(
            "shikra_pnl_realized_rupees", "Realized PnL today, before charges.", registry=r
        )
        self.pnl_unrealized = Gauge(
            "shikra_pnl_unrealized_rupees", "Unrealized PnL at the latest marks.", registry=r
        )
        self.pnl_charges = Gauge("shikra_pnl_charges_rupees", "Charges today.", registry=r)
        self.pnl_net = Gauge(
            "shikra_pnl_net_rupees", "Realized + unrealized - charges.", registry=r
        )
        self.pnl_symbol = Gauge(
            "shikra_pnl_symbol_net_rupees", "Net PnL per symbol.", ["symbol"], registry=r
        )
        self.drawdown = Gauge(
            "shikra_pnl_drawdown_rupees", "Fall of net PnL from the day's peak.", registry=r
        )
        self.trades = Gauge("shikra_trades", "Round trips closed today.", registry=r)
        self.win_rate = Gauge(
            "shikra_win_rate_ratio", "Winning round trips / round trips today.", registry=r
        )
        # -- reconciliation -------------------------------------------------------------------
        self.reconciliations = Counter(
            "shikra_reconciliation_runs",
            "Position reconciliations with the broker.",
            registry=r,
        )
        self.broker_position = Gauge(
            "shikra_broker_position_quantity",
            "Net position as the broker reports it (its products summed), at the last "
            "reconciliation.",
            ["symbol"],
            registry=r,
        )
        self.foreign_positions = Gauge(
            "shikra_foreign_positions",
            "Holdings in the broker account that are not shikra's (symbols or products it does "
            "not trade, or hand trades in its own): reported, never a difference.",
            registry=r,
        )
        self.foreign_orders = Gauge(
            "shikra_foreign_orders",
            "Today's orders in the broker account that shikra did not place (by hand in the "
            "Kite app, the broker's own square-offs): reported, left alone.",
            registry=r,
        )
        self.intraday_left_open = Counter(
            "shikra_intraday_left_open",
            "Intraday (MIS) positions still open when their trading day ended (the broker "
            "squares them off, for a fee).",
            registry=r,
        )
        self.multiplier_mismatches = Gauge(
            "shikra_multiplier_mismatches",
            "Configured symbols the broker values with another contract multiplier than the "
            "config declares (their order value, exposure, PnL and charges are wrong).",
            registry=r,
        )
        self.reconciliation_mismatches = Counter(
            "shikra_reconciliation_mismatches",
            "Differences found between local and broker positions, by kind.",
            ["kind"],
            registry=r,
        )
        # -- health ---------------------------------------------------------------------------
        self.heartbeat_rtt = Histogram(
            "shikra_heartbeat_round_trip_seconds",
            "Ping to Pong round trip, over the actors with a thread of their own (pooled actors "
            "are watched through their workers, not pinged).",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.heartbeat_age = Gauge(
            "shikra_heartbeat_last_pong_age_seconds",
            "Seconds since the actor last answered a ping; for a pooled actor, how long its "
            "current turn on a pool worker has run (0 when it is not on one).",
            ["actor"],
            registry=r,
        )
        self.heartbeat_round = Gauge(
            "shikra_heartbeat_last_round_timestamp_seconds",
            "Wall time of Heartbeat's last round: it stops moving if Heartbeat itself hangs.",
            registry=r,
        )
        self.watchdog_pet = Gauge(
            "shikra_watchdog_last_pet_timestamp_seconds",
            "Wall time of the last round in which every actor answered: when the systemd "
            "watchdog was petted, under systemd.",
            registry=r,
        )
        self.market_open = Gauge(
            "shikra_market_open",
            "1 while the market is open, judged at the feed's market time.",
            registry=r,
        )
        self.session_phase = Gauge(
            "shikra_session_phase",
            "1 for the phase each traded segment's session is in (closed, pre_open, open, "
            "entries_closed, square_off) at the feed's market time, else 0.",
            ["exchange", "phase"],
            registry=r,
        )
        self.control_dropped = Counter(
            "shikra_control_connections_dropped",
            "Control-socket connections closed without serving a request, by reason (deadline, "
            "evicted, malformed, incomplete, busy).",
            ["reason"],
            registry=r,
        )
        self.actor_healthy = Gauge(
            "shikra_actor_healthy",
            "1 while the actor answers pings within the timeout; for a pooled actor, while no "
            "turn of it on a pool worker has run past the timeout.",
            ["actor"],
            registry=r,
        )
        self.mailbox_depth = Gauge(
            "shikra_actor_mailbox_depth",
            "Messages waiting in the actor's mailbox at its last Pong; for a pooled actor, when "
            "Heartbeat last found it on a pool worker.",
            ["actor"],
            registry=r,
        )

        families = [v for v in vars(self).values() if isinstance(v, MetricWrapperBase)]
        self.wide = tuple(family for family in families if is_wide(family))
        """Counters and gauges with a series per symbol or per actor: rendered for ``/metrics``
        by ``metrics.exposition``, not by the library."""
        self.narrow = CollectorRegistry(auto_describe=True)
        """Every collector of ``registry`` but the wide families (``/metrics`` renders these
        through the library)."""
        for family in families:
            if not is_wide(family):
                self.narrow.register(family)

    def register(self, collector: Collector) -> None:
        """Add a collector of the process (``PROCESS_COLLECTOR``...) to what is exported."""
        self.registry.register(collector)
        self.narrow.register(collector)

    def exposition(self) -> Exposition:
        """What ``/metrics`` serves (see ``metrics.exposition``)."""
        return Exposition(self.registry, self.narrow, self.wide)

    def show_limits(self, limits_paise: Mapping[str, int]) -> None:
        """Export RiskGate's money limits (given in paise), so an alert can compare the day's
        loss with its limit without the limit written twice."""
        for name, paise in limits_paise.items():
            self.risk_limit.labels(limit=name).set(paise / 100)

    def prepare(
        self,
        actors: Iterable[str],
        symbols: Iterable[str],
        supervisors: Iterable[str] = ("root",),
        pooled: Collection[str] = (),
    ) -> None:
        """Create every known label value now, so each series exists (at 0) before its first
        event: a dashboard and an alert see "no rejections yet", not "no data".

        ``pooled`` actors (a strategy per symbol) get at start only the per-actor series an
        alert counts with ``increase`` (restarts, held-message overflow), which must exist
        before their first event or that event is not counted; their crash and held-message
        counters appear at their first event. So do the per-symbol signal counters (three per
        symbol; no alert counts them, the dashboard sums their rates). At 9,000 symbols each
        per-actor or per-symbol family is 9,000 series or more: memory (the signals alone were
        15 MB), and CPU on the daemon's own GIL at every scrape."""
        for supervisor in supervisors:
            self.supervisor_escalations.labels(supervisor=supervisor)
        for skip in (*(reason.value for reason in SkipReason), "unknown_symbol"):
            self.ticks_dropped.labels(reason=skip)
        alerting = (self.actor_restarts, self.messages_held_overflow)
        everything = (*alerting, self.actor_crashes, self.messages_held)
        for actor in actors:
            for family in alerting if actor in pooled else everything:
                family.labels(actor=actor)
            self.handler_latency.labels(role=role_of(actor))
        for symbol in symbols:
            self.ticks.labels(symbol=symbol)
            self.fills.labels(symbol=symbol)
            self.position.labels(symbol=symbol)
            self.broker_position.labels(symbol=symbol)
        for reason in RejectReason:
            self.risk_rejections.labels(reason=reason.value)
        for status in OrderStatus:
            self.order_events.labels(status=status.value)
        for state in TradingState:
            self.trading_state.labels(state=state.value)
        for kind in DiffKind:
            self.reconciliation_mismatches.labels(kind=kind.value)
        for call in ("place", "cancel", "modify", "order_by_tag", "orders", "trades", "positions"):
            self.broker_calls.labels(call=call)
            for kind in ("refused", "unknown_outcome", "token", "rate_limited", "unavailable"):
                self.broker_errors.labels(call=call, kind=kind)
        for cause in CAUSES:
            self.broker_error_causes.labels(cause=cause)
        for reason in CONTROL_DROP_REASONS:
            self.control_dropped.labels(reason=reason)
        for field in UNKNOWN_VALUE_FIELDS:
            self.broker_unknown_values.labels(field=field)


def role_of(actor: str) -> str:
    """The ``role`` label of an actor: its name up to a colon, so every ``Strategy:<symbol>``
    shares one ``Strategy`` series and a latency histogram does not multiply per symbol."""
    return actor.split(":", 1)[0]
