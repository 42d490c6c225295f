"""TickFeed: polls the tick source and hands each tick to the strategy of its symbol.

The source (synthetic, replay, or later Kite) is a plain object that is *polled*: this shell owns
the only thread and the only clock read. Each tick goes to ``Strategy:<symbol>`` at once (its
mailbox at once; the strategies it wakes go in the pool's line together, ``Dispatcher.batch``); the
paper venue (when there is one) observes it as the market; the latest price of every symbol
goes out in batched ``Marks`` to the actors that value positions and check prices; and a
``FeedStatus`` goes to Heartbeat for the staleness watchdog.

The source object outlives this actor: a restarted TickFeed continues the same replay or the
same synthetic session instead of starting the day over.

TickFeed owns market time, so it also says when a **trading day** begins: the first tick of a
later day (or, with a live feed, the wall clock crossing midnight in the exchange's zone) makes
it close the old day's marks, let the paper venue begin the day (expire day orders, square off
MIS), and tell ``DayStarted`` to every actor that keeps daily figures — all before that tick goes
anywhere, so no order of the new day can meet yesterday's books. In the same way it announces
each segment's **session phase** (``SessionPhase``: the pre-open, the open, the entry cut-off,
the intraday square-off, the close; a holiday is closed all day) to RiskGate as market time
crosses each boundary, and the phase it finds at its first tick.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections import deque
from typing import Any, Protocol

from config.actors import TICK_FEED, is_strategy, strategy_actor_name, symbol_of_strategy
from core.market_hours import MarketHours, exchange_of, is_sane_market_time
from feeds.base import Batch, TickSource
from messages import (
    ChildRestarted,
    DayStarted,
    FeedStatus,
    Mark,
    Marks,
    Phase,
    SessionPhase,
    Tick,
    WarmUp,
)
from supervisors import SupervisedActor
from supervisors.directory import Address
from supervisors.spec import Link

_log = logging.getLogger(__name__)

SKIPS_LOGGED = 20
"""Skipped records logged one by one; after these, only counted: a file of bad lines (a wrong
format, a truncated export) must not turn into as many log lines."""

NAME = TICK_FEED


class MarketObserver(Protocol):
    """Something that must see the market as it moves: the paper venue."""

    def observe(self, tick: Tick) -> None: ...

    def begin_day(self, day: datetime.date) -> None: ...


class TickFeed(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        source: TickSource,
        symbols: frozenset[str],
        marks_to: tuple[str, ...],
        status_to: tuple[str, ...],
        observer: MarketObserver | None = None,
        marks_interval: float = 0.1,
        status_interval: float = 1.0,
        max_poll_wait: float = 0.05,
        min_poll_interval: float = 0.002,
        measure_delay: bool = False,
        pace_by: tuple[str, ...] = (),
        market_start_ns: int | None = None,
        warmup_depth: dict[str, int] | None = None,
        hours: MarketHours | None = None,
        start_day: datetime.date | None = None,
        day_to: tuple[str, ...] = (),
        phase_to: tuple[str, ...] = (),
        live_time: bool = False,
        finished: threading.Event | None = None,
    ) -> None:
        super().__init__(link)
        self.finished_event = finished
        """Set once the source is exhausted (a replay played to its end): the process may
        stop (``[feed.replay] exit_at_end``). Set again by a restarted feed: it is idempotent."""
        self.hours = hours
        self.day = start_day
        self.day_end_ns = hours.day_bounds(start_day)[1] if hours and start_day else 2**63 - 1
        self.day_to = day_to
        self.phase_to = phase_to
        self.exchanges = tuple(sorted({exchange_of(symbol) for symbol in symbols}))
        self.phases: dict[str, Phase] = {}
        """Each traded segment's session phase as last announced (none before the first tick)."""
        self.next_phase_ns = 0 if hours is not None and phase_to else 2**63 - 1
        """Market time at which some segment's phase may change next (0: find out at once)."""
        self.next_event_ns = min(self.day_end_ns, self.next_phase_ns)
        """The earlier of the day's end and the next phase change: one comparison per tick."""
        self.live_time = live_time
        """The feed's market time is the wall clock (Kite): midnight comes without a tick."""
        self.source = source
        self.symbols = symbols
        self.marks_to = marks_to
        self.status_to = status_to
        self.observer = observer
        self.marks_interval = marks_interval
        self.status_interval = status_interval
        self.max_poll_wait = max_poll_wait
        self.min_poll_interval = min_poll_interval
        """Ticks are collected at most this often (2 ms): a poll per tick would cost a timer and
        a thread switch per tick; a live socket delivers frames of ticks the same way."""
        self.measure_delay = measure_delay  # receive - exchange only means a delay when live
        self.pace_by = pace_by
        self.market_start_ns = market_start_ns
        """Where market time starts when it is not the wall clock (replay, synthetic session):
        until the first tick, the feed's market time runs on from here."""
        """Actors whose mailboxes must be empty before the next poll: a replay "as fast as
        possible" runs as fast as the system *consumes* ticks, so that orders and fills keep
        up with market time instead of a day's ticks arriving before the first fill."""
        self.latest: dict[str, Tick] = {}
        """The newest tick of each symbol since the last ``Marks`` batch."""
        self.counted: dict[str, int] = {}
        """Ticks delivered per symbol since they were last added to the counters."""
        self.max_lag_ns = 0
        """The largest ``Batch.lag_ns`` since the last status round."""
        self.skipped_total = 0
        """Malformed records the source skipped, all counted; the first ``SKIPS_LOGGED`` logged."""
        self.market_ns = 0
        self._marks_sent_at = 0  # market time of the last Marks batch
        self.last_tick_ns: int | None = None
        self.started_ns = 0
        self.ticks_total = 0
        self.strategies: dict[str, Address] = {}
        self.tick_counters: dict[str, Any] = {}
        self.finished = False
        # Recent prices per symbol, as many as its strategy needs to warm up, for a restart.
        self.recent: dict[str, deque[int]] = {
            symbol: deque(maxlen=max(1, (warmup_depth or {}).get(symbol, 64))) for symbol in symbols
        }

    def started(self) -> None:
        self.started_ns = self.link.clock.now_ns()
        # A live source (Kite) connects when the feed starts: a TickFeed restart is a new
        # connection. Synthetic and replay sources have nothing to connect.
        connect = getattr(self.source, "connect", None)
        if connect is not None:
            connect()
        for symbol in self.symbols:
            self.strategies[symbol] = self.address(strategy_actor_name(symbol))
            self.tick_counters[symbol] = self.link.metrics.ticks.labels(symbol=symbol)
        self.wake_in(0, "poll")
        self.wake_in(self.marks_interval, "marks")
        self.wake_in(0, "status")

    def wakeup(self, purpose: str) -> None:
        if purpose == "poll":
            self._poll()
        elif purpose == "marks":
            self._send_marks()
            self.wake_in(self.marks_interval, "marks")
        elif purpose == "status":
            self._send_status()
            self.wake_in(self.status_interval, "status")

    def stopping(self) -> None:
        self._count()  # what is not yet in the counters
        disconnect = getattr(self.source, "disconnect", None)
        if disconnect is not None:
            disconnect()

    def handle(self, message: Any) -> None:
        if isinstance(message, ChildRestarted) and is_strategy(message.child):
            symbol = symbol_of_strategy(message.child)
            recent = self.recent.get(symbol)
            if recent:
                self.strategies[symbol].tell(WarmUp(symbol=symbol, prices=tuple(recent)))
        else:
            super().handle(message)

    def _poll(self) -> None:
        directory = self.link.directory
        if self.pace_by and any(directory.backlog(name) for name in self.pace_by):
            self.wake_in(0.0005, "poll")
            return
        now_ns = self.link.clock.now_ns()
        watchdog = getattr(self.source, "watchdog", None)
        if watchdog is not None and watchdog(now_ns):
            self.link.metrics.feed_reconnects.inc()
        batch: Batch = self.source.poll(now_ns)
        if batch.lag_ns > self.max_lag_ns:
            self.max_lag_ns = batch.lag_ns
        for record in batch.skipped:
            self.link.metrics.ticks_dropped.labels(reason=record.reason.value).inc()
            self.skipped_total += 1
            if self.skipped_total > SKIPS_LOGGED:
                continue
            where = f" (line {record.line})" if record.line else ""
            _log.warning(
                "skipped a tick record%s: %s: %s", where, record.reason.value, record.detail
            )
            if self.skipped_total == SKIPS_LOGGED:
                _log.warning(
                    "%d tick records skipped: later ones are counted (shikra_ticks_dropped_total"
                    " by reason), not logged each",
                    SKIPS_LOGGED,
                )
        dispatcher = self.link.dispatcher
        if dispatcher is None:
            self._deliver(batch.ticks)
        else:
            with dispatcher.batch():  # the strategies go in line together, not one by one
                self._deliver(batch.ticks)
        if batch.next_due_ns is None:
            if not self.finished:
                self.finished = True
                _log.info("tick source finished after %d ticks", self.ticks_total)
                self._send_marks()
                if self.finished_event is not None:
                    self.finished_event.set()
            return
        if batch.next_due_ns <= now_ns:  # held back by the batch cap: more are due already
            self.wake_in(0, "poll")
            return
        wait = (batch.next_due_ns - now_ns) / 1e9
        self.wake_in(min(self.max_poll_wait, max(self.min_poll_interval, wait)), "poll")

    def _deliver(self, ticks: list[Tick]) -> None:
        """Each tick to its strategy, then to the venue; what the feed keeps of it. One loop
        over the poll's ticks with its lookups held in locals: it runs 30,000 times a second
        at a full subscription, and is the largest share of the feed's CPU after the source."""
        strategy_of, observer = self.strategies.get, self.observer
        counted, recent, latest = self.counted, self.recent, self.latest
        delivered = 0
        for tick in ticks:
            symbol, exchange_ns = tick.symbol, tick.exchange_ns
            if exchange_ns >= self.next_event_ns and is_sane_market_time(exchange_ns):
                self._market_moved(exchange_ns)  # (an absurd time moves no day and no phase)
                latest = self.latest  # the old day's marks may have gone out
            strategy = strategy_of(symbol)
            if strategy is None:
                self.link.metrics.ticks_dropped.labels(reason="unknown_symbol").inc()
                continue
            strategy.tell(tick)
            if observer is not None:
                observer.observe(tick)
            counted[symbol] = counted.get(symbol, 0) + 1
            if self.measure_delay:
                age = (tick.receive_ns - exchange_ns) / 1e9
                self.link.metrics.tick_age.observe(max(0.0, age))
            recent[symbol].append(tick.ltp)
            latest[symbol] = tick  # a Mark is made only when the batch goes out
            delivered += 1
            self.last_tick_ns = tick.receive_ns
            if exchange_ns > self.market_ns:
                self.market_ns = exchange_ns
                # In a replay at full speed, market time races ahead of the wall clock: marks
                # must follow market time too, or loss limits would be judged on stale prices.
                if exchange_ns - self._marks_sent_at > 1_000_000_000:
                    self._send_marks()
                    latest = self.latest  # a new batch of marks begins
        self.ticks_total += delivered

    def _market_moved(self, at_ns: int) -> None:
        """Market time reached the next day or session boundary: a new day first (its
        ``DayStarted`` before anything of the day), then the segments' new phases."""
        if at_ns >= self.day_end_ns:
            self._begin_day(at_ns)
        if at_ns >= self.next_phase_ns:
            self._announce_phases(at_ns)
        self.next_event_ns = min(self.day_end_ns, self.next_phase_ns)

    def _announce_phases(self, at_ns: int) -> None:
        """Tell each segment whose session phase changed (or is first known) where it is now,
        before any tick of that phase goes anywhere (see ``SessionPhase``)."""
        hours = self.hours
        assert hours is not None
        day = hours.trading_day(at_ns)
        gauge = self.link.metrics.session_phase
        for exchange in self.exchanges:
            phase = hours.phase(at_ns, exchange)
            if self.phases.get(exchange) is phase:
                continue
            self.phases[exchange] = phase
            for each in Phase:
                gauge.labels(exchange=exchange, phase=each.value).set(1 if each is phase else 0)
            _log.info("%s session: %s (market time %s)", exchange, phase, hours.local(at_ns))
            announced = SessionPhase(exchange=exchange, phase=phase, day=day, market_ns=at_ns)
            for name in self.phase_to:
                self.address(name).tell(announced)
        self.next_phase_ns = min(
            (hours.next_change_ns(at_ns, e) for e in self.exchanges), default=2**63 - 1
        )

    def _begin_day(self, at_ns: int) -> None:
        """Market time has reached a later trading day: see the module docstring."""
        assert self.hours is not None
        day = self.hours.trading_day(at_ns)
        self.day_end_ns = self.hours.day_bounds(day)[1]
        if self.day is not None and day <= self.day:
            return
        previous, self.day = self.day, day
        self._send_marks()  # the old day's last prices, valued on the old day
        begin = getattr(self.observer, "begin_day", None)
        if begin is not None:
            begin(day)
        _log.info("trading day %s begins (market time %s)", day, self.hours.local(at_ns))
        started = DayStarted(day=day, previous=previous, market_ns=at_ns)
        for name in self.day_to:
            self.address(name).tell(started)

    def _count(self) -> None:
        """The ticks delivered since the last count, into the per-symbol counters: once a status
        interval (a second), not once a tick (a counter's lock per tick was a measurable share
        of the tick path at thousands of symbols; Prometheus scrapes every few seconds)."""
        counters = self.tick_counters
        for symbol, ticks in self.counted.items():
            counters[symbol].inc(ticks)
        self.counted = {}

    def _send_marks(self) -> None:
        if not self.latest:
            return
        latest = [
            Mark(symbol=t.symbol, ltp=t.ltp, bid=t.bid, ask=t.ask) for t in self.latest.values()
        ]
        marks = Marks(marks=tuple(latest), market_ns=self.market_ns)
        self.latest = {}
        self._marks_sent_at = self.market_ns
        for name in self.marks_to:
            self.address(name).tell(marks)

    def _market_now(self, now_ns: int) -> int:
        if self.market_ns and self.last_tick_ns is not None:
            return self.market_ns + (now_ns - self.last_tick_ns)
        if self.market_start_ns is not None:
            return self.market_start_ns + (now_ns - self.started_ns)
        return now_ns

    def _send_status(self) -> None:
        self._count()
        self.link.metrics.feed_lag.set(self.max_lag_ns / 1e9)
        self.max_lag_ns = 0  # each round shows its own worst, so a cleared lag clears
        now_ns = self.link.clock.now_ns()
        if self.live_time and now_ns >= self.next_event_ns:
            self._market_moved(now_ns)  # the wall clock is the market's: no tick needed
        status = FeedStatus(
            connected=bool(getattr(self.source, "connected", not self.finished)),
            started_ns=self.started_ns,
            last_tick_ns=self.last_tick_ns,
            last_market_ns=self.market_ns or None,
            ticks_total=self.ticks_total,
            reconnects_total=int(getattr(self.source, "reconnects", 0)),
            at_ns=now_ns,
            market_ns=self._market_now(now_ns),
        )
        for name in self.status_to:
            self.address(name).tell(status)
