"""``TradingLoop``: the baseline's trading, in plain calls on the thread that calls ``on_ticks``.

Each piece is production code, built as ``daemon.topology`` builds it, and called in the order
the tree's actors call it (``bench.baseline_side`` lists the correspondence). The router's part
(``_route``, ``_move``, ``_fill``, ``_order_update``) mirrors ``actors.order_router`` line for
line on the paths a paper order takes, and uses its ``BrokerRecovery.adopt`` for the broker's
order updates.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from actors.broker_recovery import BrokerRecovery
from actors.strategy import client_id_prefix
from brokers.errors import BrokerError
from brokers.updates import broker_listener
from config import Config
from core.clock import Clock
from core.order_book import OrderBook
from core.order_state import OrderStateError
from core.pnl import PnLLedger
from core.rate_limit import Priority, PriorityRateLimiter
from daemon.instruments import multipliers
from daemon.market import Market
from daemon.topology import _paper_broker, _risk_book, charge_rates
from journal import writes
from journal.writer import JournalWriter
from messages import (
    Fill,
    Message,
    OrderEvent,
    OrderIntent,
    OrderRejected,
    OrderStatus,
    Product,
    TradingState,
    WarmUp,
)
from strategies.registry import make_strategy
from strategies.trader import SymbolTrader

MARKS_INTERVAL_S = 0.1
"""TickFeed's ``marks_interval``: RiskGate and PnLTracker see prices this often."""


class TradingLoop:
    def __init__(
        self, config: Config, clock: Clock, market: Market, state_dir: Path, *,
        backtest: bool = False,
    ) -> None:  # fmt: skip
        """``backtest``: the parts as ``main.py backtest`` builds them (the journal written
        inline, the paper venue in memory), and prices marked as its TickFeed marks them: once
        market time has moved a second since the last marks, before the tick's strategy."""
        self.clock = clock
        self.backtest = backtest
        self.marks_sent_ns = 0
        self.recording = False
        self.intents = self.approved = self.fills = 0
        self.rejected: Counter[str] = Counter()
        self.intent_latency: list[float] = []
        self.day = market.hours.trading_day(market.day_start_ns)
        self.journal_path = state_dir / config.system.journal
        # The same writer the tree writes through (one thread, group commit), driven as the
        # router drives it: each write waited on, so the work per order is the tree's.
        self.journal = JournalWriter(
            self.journal_path, zone=str(market.hours.zone), inline=backtest
        )
        day, now = self.day, clock.now_ns()
        self.journal.run(lambda db: writes.current_day(db, day, now))
        self.venue = _paper_broker(config, clock, market, in_memory=backtest)
        self.updates: list[Message] = []
        self.venue.subscribe(broker_listener(self.updates.append))
        self.venue.begin_day(self.day)
        self.risk = _risk_book(config, market)
        self.risk.state = TradingState.ACTIVE  # what a clean start-up reconciliation leads to
        self.ledger = PnLLedger(charge_rates(config), multipliers=multipliers(market.instruments))
        self.last_net: int | None = None
        o = config.orders
        limits = [(o.per_second, 1.0), (o.per_minute, 60.0), (o.per_day, 86_400.0)]
        self.queue: PriorityRateLimiter[OrderIntent] = PriorityRateLimiter(limits)
        self.book = OrderBook()
        self.recovery = BrokerRecovery(
            book=self.book, broker=self.venue, journal=self.journal, move=self._move,
            to_router=self.updates.append, look_up_again=lambda: None,
            attempts=o.unknown_lookup_attempts, lookups={}, trade_ids=set(),
        )  # fmt: skip
        self.settings = {x.symbol: x for x in config.symbols}
        self.traders = {
            x.symbol: SymbolTrader(
                symbol=x.symbol,
                quantity=x.quantity,
                lot_size=market.instruments[x.symbol].lot_size,
                product=Product(x.product),
                strategy=make_strategy(x.strategy, x.strategy_params()),
                exits=x.exits,
                client_id_prefix=client_id_prefix(x.symbol),
                next_seq=1,
                tick_size_paise=market.instruments[x.symbol].tick_size,
            )
            for x in config.symbols
        }
        self.latest: dict[str, int] = {}
        self.market_ns = 0
        self.marks_due = 0.0

    def warm_up(self, symbol: str, prices: tuple[int, ...]) -> None:
        """What the Strategy actor does with a ``WarmUp``."""
        message = WarmUp(symbol=symbol, prices=prices)
        x = self.settings[symbol]
        self.traders[symbol].rewarm(make_strategy(x.strategy, x.strategy_params()), message.prices)

    def close(self) -> None:
        self.journal.close()
        self.venue.close()

    # -- the callback ----------------------------------------------------------------------

    def on_ticks(self, ticks: list[Any]) -> None:
        for tick in ticks:
            self.venue.observe(tick)
            self._updates()
            self.latest[tick.symbol] = tick.ltp
            if self.backtest and tick.exchange_ns > self.market_ns:
                self.market_ns = tick.exchange_ns
                if tick.exchange_ns - self.marks_sent_ns > 1_000_000_000:
                    self.marks_sent_ns = tick.exchange_ns
                    self.on_marks(self.latest, self.market_ns)
                    self.latest = {}
            self.market_ns = max(self.market_ns, tick.exchange_ns)
            trader = self.traders[tick.symbol]
            intent = trader.on_tick(tick)
            if intent is not None:
                self._decide(trader, intent, tick.receive_ns)
        now = time.monotonic()
        if not self.backtest and now >= self.marks_due:
            self.marks_due = now + MARKS_INTERVAL_S
            self.on_marks(self.latest, self.market_ns)
            self.latest = {}

    def on_marks(self, marks: dict[str, int], market_ns: int) -> None:
        """RiskGate's and PnLTracker's handling of one ``Marks``."""
        self.risk.on_marks(marks, market_ns)
        for symbol, ltp in marks.items():
            self.ledger.mark(symbol, ltp, at_ns=market_ns)
        self.ledger.take_carry_references()
        if self.ledger.net != self.last_net:
            self._publish_pnl(market_ns)

    # -- Strategy and RiskGate ---------------------------------------------------------------

    def _decide(self, trader: SymbolTrader, intent: OrderIntent, receive_ns: int) -> None:
        seq, day, now = trader.next_seq - 1, self.day, self.clock.now_ns()
        self.journal.run(lambda db: writes.intent(db, intent, seq, day, now))
        if self.recording:
            self.intents += 1
            self.intent_latency.append(max(0.0, (self.clock.now_ns() - receive_ns) / 1e9))
        verdict = self.risk.evaluate(intent)
        if not verdict.approved:
            assert verdict.reason is not None
            if self.recording:
                self.rejected[verdict.reason.value] += 1
            rejection = OrderRejected(
                client_id=intent.client_id, symbol=intent.symbol, reason=verdict.reason,
                detail=verdict.detail, at_ns=self.clock.now_ns(),
            )  # fmt: skip
            trader.on_rejected(rejection)
            return
        if self.recording:
            self.approved += 1
        self._route(intent, Priority.EXIT if verdict.reduces else Priority.ENTRY)

    def _publish_pnl(self, at_ns: int) -> None:
        update = self.ledger.to_update(at_ns, per_symbol=False)
        self.last_net = update.net
        self.risk.on_pnl(update, at_ns)

    # -- OrderRouter ---------------------------------------------------------------------------

    def _route(self, intent: OrderIntent, priority: Priority) -> None:
        day, now = self.day, self.clock.now_ns()
        if intent.client_id in self.book or not self.journal.run(
            lambda db: writes.order(db, intent, day, now)
        ):
            return
        self.book.add(intent, at_ns=self.clock.now_ns())
        self.queue.push(intent, priority)
        for item in self.queue.pop_ready(self.clock.monotonic()):
            try:
                broker_id = self.venue.place(item)
            except BrokerError as exc:
                self._move(item.client_id, OrderStatus.REJECTED, str(exc), sent=True)
            else:
                self._move(
                    item.client_id, OrderStatus.SUBMITTED, "sent", broker_order_id=broker_id,
                    sent=True,
                )  # fmt: skip
        self._updates()

    def _updates(self) -> None:
        """The venue's pushed updates, in order, as the router receives them."""
        while self.updates:
            update = self.updates.pop(0)
            if isinstance(update, Fill):
                self._fill(update)
            elif isinstance(update, OrderEvent):
                self._order_update(update)

    def _fill(self, fill: Fill) -> None:
        order = self.book.get(fill.client_id)
        if order is None:
            return
        if fill.product is not order.intent.product:
            fill = msgspec.structs.replace(fill, product=order.intent.product)
        self.recovery.trade_ids.add(fill.trade_id)
        fill_day = self.journal.fill_day(fill)
        if not self.journal.run(lambda db: writes.fill(db, fill, fill_day)):
            return
        with contextlib.suppress(OrderStateError):  # the router logs it; the fill still counts
            self.book.apply_fill(fill)
        if self.recording:
            self.fills += 1
        self.risk.on_fill(fill)
        self.ledger.apply_fill(fill)
        self.ledger.take_carry_references()
        self._publish_pnl(fill.at_ns)
        self.traders[fill.symbol].on_fill(fill)
        self._publish(order.client_id)

    def _order_update(self, event: OrderEvent) -> None:
        order = self.book.get(event.client_id)
        if order is None:
            return
        self.recovery.adopt(
            order, event.status, event.broker_order_id or "", event.filled_quantity, event.reason
        )

    def _move(
        self, client_id: str, status: OrderStatus, reason: str, *,
        broker_order_id: str | None = None, sent: bool = False,
    ) -> None:  # fmt: skip
        try:
            self.book.transition(
                client_id, status, self.clock.now_ns(), reason, broker_order_id=broker_order_id
            )
        except OrderStateError:
            return
        self._publish(client_id, sent=sent)

    def _publish(self, client_id: str, *, sent: bool = False) -> None:
        event = self.book.to_event(client_id, self.clock.now_ns())
        day = self.day
        self.journal.run(lambda db: writes.order_event(db, event, sent=sent, day=day))
        if event.status.is_terminal:
            self.risk.on_order_done(client_id)
        self.traders[event.symbol].on_order_event(event)
