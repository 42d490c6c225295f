"""Heartbeat: pings every actor through its address and reports who answers.

A hung actor cannot be killed in Python; what can be done is to notice. Every interval each
actor gets a Ping (answered by its shell from inside its message loop, so a Pong proves the loop
turns); an actor whose last Pong is older than the timeout is unhealthy. The feed is judged by
its own FeedStatus: no tick for ``stale_after`` seconds while the market is open is stale.
The verdict goes out as a HealthReport and to the metrics; the systemd watchdog (operations
issue) is petted only while it is healthy.
"""

from __future__ import annotations

import logging
from typing import Any

from config.actors import HEARTBEAT
from core.market_hours import MarketHours
from daemon.systemd import Notifier
from messages import (
    FeedStatus,
    HealthReport,
    Ping,
    Pong,
    TradingState,
    TradingStateChanged,
)
from supervisors import SupervisedActor
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
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__(link)
        self.actors = tuple(a for a in actors if a != self.name)
        self.interval = interval
        self.timeout = timeout
        self.stale_after = stale_after
        self.hours = hours
        self.report_to = report_to
        self.seq = 0
        self.last_pong: dict[str, float] = {}
        self.feed: FeedStatus | None = None
        self.unhealthy: frozenset[str] = frozenset()
        self.metrics = link.metrics
        self.notifier = notifier
        self.trading: TradingState = TradingState.RECONCILING
        self.ready_sent = False
        self._actor_gauges: dict[str, tuple[Any, Any]] = {}

    def started(self) -> None:
        now = self.link.clock.monotonic()
        # Every actor starts with a full timeout of credit: it has not been asked anything yet.
        self.last_pong = dict.fromkeys(self.actors, now)
        self.wake_in(0, "beat")

    def wakeup(self, purpose: str) -> None:
        self.seq += 1
        now_ns = self.link.clock.now_ns()
        for actor in self.actors:
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
        unhealthy = []
        for actor in self.actors:
            age = now - self.last_pong.get(actor, now)
            age_gauge, healthy_gauge = self._gauges(actor)
            age_gauge.set(age)
            healthy = age <= self.timeout
            healthy_gauge.set(1 if healthy else 0)
            if not healthy:
                unhealthy.append(actor)
        stale = self._feed_stale()
        current = frozenset(unhealthy)
        if current != self.unhealthy:
            if current - self.unhealthy:
                _log.error(
                    "no pong within %.1fs from: %s", self.timeout, ", ".join(sorted(current))
                )
            if self.unhealthy - current:
                _log.info("answering again: %s", ", ".join(sorted(self.unhealthy - current)))
            self.unhealthy = current
        report = HealthReport(
            healthy=not unhealthy and not stale,
            unhealthy=tuple(sorted(current)),
            feed_stale=stale,
            at_ns=self.link.clock.now_ns(),
        )
        for name in self.report_to:
            self.address(name).tell(report)
        wall = self.link.clock.now_ns() / 1e9
        self.metrics.heartbeat_round.set(wall)
        if not unhealthy:
            self.metrics.watchdog_pet.set(wall)
        if self.notifier is not None:
            if not unhealthy:  # a hung actor stops the petting: systemd restarts the process
                self.notifier.watchdog()
            self.notifier.status(self._status(len(self.actors) - len(unhealthy), stale))

    def _gauges(self, actor: str) -> tuple[Any, Any]:
        """The actor's two gauges, looked up once: a beat visits every actor (thousands of
        strategies), and ``labels()`` is the slow part of a metric update."""
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
