"""Heartbeat: watches every actor and reports whether each one's loop still turns.

A hung actor cannot be killed in Python; what can be done is to notice, by runtime
(``supervisors.liveness``). An actor with a thread of its own gets a Ping every interval, answered
by its shell from inside its message loop, so a Pong proves the loop turns; one whose last Pong is
older than the timeout is unhealthy. A pooled actor (a strategy per symbol) is not pinged: that was
two messages per actor per beat, 18,000 a second at 9,000 symbols, more than the ticks. Instead
each beat reads the pool once (``PoolWatch.running``: which actor each worker is in, and for how
long) and an actor whose turn has run past the timeout is unhealthy: a cost that grows with the
workers, not the symbols. An idle pooled actor is healthy (nothing waits on it), and its gauges
exist only once a beat has seen it on a worker. The feed is judged by its own FeedStatus: no tick
for ``stale_after`` seconds while the market is open is stale. The verdict goes out as a
HealthReport and to the metrics, and the service manager's watchdog (systemd, injected as a
``ServiceManager``) is petted only while every actor is healthy.
"""

from __future__ import annotations

import logging
from typing import Any

from config.actors import HEARTBEAT
from core.market_hours import MarketHours
from messages import (
    FeedStatus,
    HealthReport,
    Ping,
    Pong,
    TradingState,
    TradingStateChanged,
)
from supervisors import PoolWatch, ServiceManager, SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = HEARTBEAT


class Heartbeat(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        actors: tuple[str, ...],
        interval: float,
        timeout: float,
        stale_after: float,
        hours: MarketHours,
        report_to: tuple[str, ...] = (),
        notifier: ServiceManager | None = None,
        pool: PoolWatch | None = None,
    ) -> None:
        super().__init__(link)
        self.actors = tuple(a for a in actors if a != self.name)
        self.interval = interval
        self.timeout = timeout
        self.stale_after = stale_after
        self.hours = hours
        self.report_to = report_to
        self.pool = pool
        """Without one, every actor is pinged (correct, at two messages per actor per beat)."""
        self.pinged: tuple[str, ...] = ()
        self.seq = 0
        self.last_pong: dict[str, float] = {}
        self.stuck: frozenset[str] = frozenset()
        self._turning: frozenset[str] = frozenset()  # pooled actors last seen on a worker
        self.feed: FeedStatus | None = None
        self.unhealthy: frozenset[str] = frozenset()
        self.metrics = link.metrics
        self.notifier = notifier
        self.trading: TradingState = TradingState.RECONCILING
        self.ready_sent = False
        self._actor_gauges: dict[str, tuple[Any, Any]] = {}

    def started(self) -> None:
        now = self.link.clock.monotonic()
        pool = self.pool
        # Whichever actor the pool has not started is pinged: an actor is never left unwatched.
        self.pinged = tuple(a for a in self.actors if pool is None or not pool.runs(a))
        # Every pinged actor starts with a full timeout of credit: it has not been asked yet.
        self.last_pong = dict.fromkeys(self.pinged, now)
        # A pooled actor's two gauges appear when a worker is first found in it (age) or stuck
        # in it (healthy 0): a series per symbol that only ever says "fine" is 18,000 series at
        # 9,000 symbols, rendered at every scrape. Its absence reads as healthy (the status
        # command and the dashboard count unhealthy actors, not healthy ones).
        self.wake_in(0, "beat")

    def wakeup(self, purpose: str) -> None:
        self.seq += 1
        now_ns = self.link.clock.now_ns()
        for actor in self.pinged:
            self.address(actor).tell(Ping(seq=self.seq, reply_to=self.name, sent_ns=now_ns))
        self._judge()
        self.wake_in(self.interval, "beat")

    def handle(self, message: Any) -> None:
        if isinstance(message, Pong):
            self.last_pong[message.actor] = self.link.clock.monotonic()
            rtt = (self.link.clock.now_ns() - message.sent_ns) / 1e9
            self.metrics.heartbeat_rtt.observe(max(0.0, rtt))
            self.metrics.mailbox_depth.labels(actor=message.actor).set(message.mailbox_depth)
        elif isinstance(message, FeedStatus):
            self.feed = message
        elif isinstance(message, TradingStateChanged):
            self.trading = message.state
            first_clean = message.previous is TradingState.RECONCILING
            if self.notifier is not None and not self.ready_sent and first_clean:
                # Ready means: the tree is up and the books agree with the broker's.
                self.ready_sent = True
                self.notifier.ready(self._status(len(self.actors), stale=False))

    def _judge(self) -> None:
        now = self.link.clock.monotonic()
        silent = []
        for actor in self.pinged:
            age = now - self.last_pong.get(actor, now)
            age_gauge, healthy_gauge = self._gauges(actor)
            age_gauge.set(age)
            healthy = age <= self.timeout
            healthy_gauge.set(1 if healthy else 0)
            if not healthy:
                silent.append(actor)
        stuck = self._watch_pool()
        stale = self._feed_stale()
        current = frozenset(silent) | stuck
        if current != self.unhealthy:
            if current - self.unhealthy:
                self._log_unhealthy(frozenset(silent), stuck)
            if self.unhealthy - current:
                _log.info("answering again: %s", ", ".join(sorted(self.unhealthy - current)))
            self.unhealthy = current
        report = HealthReport(
            healthy=not current and not stale,
            unhealthy=tuple(sorted(current)),
            feed_stale=stale,
            at_ns=self.link.clock.now_ns(),
        )
        for name in self.report_to:
            self.address(name).tell(report)
        wall = self.link.clock.now_ns() / 1e9
        self.metrics.heartbeat_round.set(wall)
        if not current:
            self.metrics.watchdog_pet.set(wall)
        if self.notifier is not None:
            if not current:  # a hung actor stops the petting: systemd restarts the process
                self.notifier.watchdog()
            answering = max(0, len(self.actors) - len(current))
            self.notifier.status(self._status(answering, stale))

    def _watch_pool(self) -> frozenset[str]:
        """One read of the pool: the pooled actors whose current turn has run past the
        timeout. Gauges change only for the actors on a worker now or at the last beat, and for
        those whose verdict changed: a handful per beat, however many symbols there are."""
        if self.pool is None:
            return frozenset()
        m = self.metrics
        stuck, turning = set(), set()
        for turn in self.pool.running():
            turning.add(turn.actor)
            m.heartbeat_age.labels(actor=turn.actor).set(turn.seconds)
            m.mailbox_depth.labels(actor=turn.actor).set(turn.mailbox_depth)
            if turn.seconds > self.timeout:
                stuck.add(turn.actor)
        for actor in self._turning - turning:  # off its worker: no turn is running long
            m.heartbeat_age.labels(actor=actor).set(0)
        for actor in stuck - self.stuck:
            m.actor_healthy.labels(actor=actor).set(0)
        for actor in self.stuck - stuck:
            m.actor_healthy.labels(actor=actor).set(1)
        self._turning, self.stuck = frozenset(turning), frozenset(stuck)
        return self.stuck

    def _log_unhealthy(self, silent: frozenset[str], stuck: frozenset[str]) -> None:
        if silent - self.unhealthy:
            _log.error("no pong within %.1fs from: %s", self.timeout, ", ".join(sorted(silent)))
        if stuck - self.unhealthy:
            _log.error(
                "stuck on a pool worker for over %.1fs: %s", self.timeout, ", ".join(sorted(stuck))
            )

    def _gauges(self, actor: str) -> tuple[Any, Any]:
        """A pinged actor's two gauges, looked up once: a beat visits every pinged actor, and
        ``labels()`` is the slow part of a metric update."""
        gauges = self._actor_gauges.get(actor)
        if gauges is None:
            gauges = self._actor_gauges[actor] = (
                self.metrics.heartbeat_age.labels(actor=actor),
                self.metrics.actor_healthy.labels(actor=actor),
            )
        return gauges

    def _status(self, answering: int, stale: bool) -> str:
        feed = "stale" if stale else "fresh"
        actors = f"{answering}/{len(self.actors)} actors answering"
        return f"trading {self.trading.value}; {actors}; feed {feed}"

    def _feed_stale(self) -> bool:
        """Stale when no tick has come for ``stale_after`` seconds while the market is open.
        Whether it is open is judged at the feed's market time carried forward by the wall
        time since its report (in a replay, market time is far from the wall clock)."""
        feed = self.feed
        if feed is None:
            return False  # no report yet: TickFeed's own liveness is judged by its pongs
        now_ns = self.link.clock.now_ns()
        since = feed.last_tick_ns if feed.last_tick_ns is not None else feed.started_ns
        age = max(0.0, (now_ns - since) / 1e9)
        market_now = (feed.market_ns or feed.at_ns) + (now_ns - feed.at_ns)
        market_open = self.hours.is_open(market_now)
        stale = age > self.stale_after and market_open
        self.metrics.market_open.set(1 if market_open else 0)
        self.metrics.feed_last_tick_age.set(age)
        self.metrics.feed_stale.set(1 if stale else 0)
        return stale
