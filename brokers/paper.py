"""PaperBroker: a simulated venue behind the same ``Broker`` interface as Kite, durable as one.

It stands for the outside world, so it is called from more than one actor's thread (the router
places, the feed's ticks arrive through ``observe``) and guards its state with one lock. Its
books live in its own file (``paper_store``), apart from the journal: every call commits what it
changed before it returns, and only then are the updates pushed (``paper_outbox``: outside the
lock, in the order they happened). So an order the router heard of is still there after a kill
-9, with its fills, its trigger and its id, and no id is ever handed out twice.

Fills happen in ``place`` (an eligible order against the last known price) and in ``observe``
(every eligible working order of the tick's symbol, one fill each). Prices follow
``brokers.paper_pricing``; positions are kept per symbol and product (``paper_book``).

The trading day is the venue's, as a real one has it (``paper_day``): ``orders()`` and
``trades()`` list the current day's; at a day change every working order expires and every open
MIS position is squared off by the venue.
"""

from __future__ import annotations

import datetime
import logging
import re
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

from brokers.base import BrokerListener, BrokerOrder, BrokerPosition, BrokerTrade
from brokers.errors import BrokerError, BrokerUnavailable, OrderRefused, OutcomeUnknown
from brokers.paper_books import PaperBooks
from brokers.paper_day import DayCalendar, end_the_day
from brokers.paper_order import PaperOrder, validate_prices
from brokers.paper_outbox import Outbox
from brokers.paper_pricing import (
    FillModel,
    executable_price,
    fill_quantity,
    limit_fill_price,
    stop_triggered,
)
from brokers.paper_store import PaperStore
from core.clock import Clock
from core.market_hours import MarketHours
from messages.market import Tick
from messages.orders import OrderIntent, OrderStatus, OrderType

_log = logging.getLogger(__name__)

_KITE_TAG = re.compile(r"[A-Za-z0-9]{1,20}")
"""Kite accepts an alphanumeric tag of at most 20 characters; the paper broker refuses what
Kite would, so a bad client id fails in paper instead of on the first live order."""


class PaperBroker:
    """A simulated broker. See the module docstring for threading; all money in paise."""

    def __init__(
        self,
        clock: Clock,
        tick_sizes: Mapping[str, int],
        *,
        store: PaperStore | str | Path | None = None,
        hours: MarketHours | None = None,
        default_tick_paise: int | None = None,
        fill_model: FillModel | str = FillModel.LTP,
        slippage_bps: int | float | str = 0,
        partial_fill_ratio: float | str = 1.0,
        latency_seconds: float = 0.0,
    ) -> None:
        """``store``: the venue file (a path, or an open ``PaperStore``); None or
        ``":memory:"`` keeps the books in memory only. The venue rebuilds itself from it here.
        ``hours``: the exchange's calendar, which decides the trading day of each tick; None
        for a venue with no calendar (a day changes only through ``begin_day``).
        ``tick_sizes`` maps each tradable symbol to its tick in paise; a symbol not in it is
        refused unless ``default_tick_paise`` is given. ``partial_fill_ratio`` is the share of
        the remaining quantity one market update fills (rounded up). ``latency_seconds`` of
        clock time pass before a new order can fill or trigger."""
        self._clock = clock
        self._tick_sizes = dict(tick_sizes)
        self._default_tick = default_tick_paise
        self._fill_model = FillModel(fill_model)
        # Through str so that 0.1 means one tenth, not the nearest binary float.
        self._slippage_bps = Fraction(str(slippage_bps))
        self._fill_ratio = Fraction(str(partial_fill_ratio))
        if not 0 < self._fill_ratio <= 1:
            raise ValueError(f"partial_fill_ratio must be in (0, 1], got {partial_fill_ratio}")
        ticks = [*self._tick_sizes.values(), default_tick_paise or 1]
        if min(ticks) <= 0:
            raise ValueError("tick sizes must be positive paise")
        if self._slippage_bps < 0 or latency_seconds < 0:
            raise ValueError("slippage_bps and latency_seconds must not be negative")
        self._latency_ns = round(Fraction(str(latency_seconds)) * 1_000_000_000)
        self._lock = threading.Lock()
        self._last_tick: dict[str, Tick] = {}
        self._outbox = Outbox(self._lock)
        self._books = PaperBooks(store if isinstance(store, PaperStore) else PaperStore.open(store))
        self._calendar = DayCalendar(hours, self._books.day)

    # -- the Broker interface -------------------------------------------------------------

    def place(self, intent: OrderIntent) -> str:
        """Placed means durable at the venue: the order's row is committed before its id is
        returned. A failed write is ``OutcomeUnknown`` (look it up by tag, as with Kite)."""
        with self._lock, self._durable(OutcomeUnknown):
            tick_size = self._validate(intent)
            now = self._clock.now_ns()
            if self._books.day is None and self._calendar.hours is not None:
                self._begin(self._calendar.hours.trading_day(now))
            order = PaperOrder.from_intent(
                self._books.last_order + 1,
                intent,
                tick_size,
                now_ns=now,
                eligible_ns=now + self._latency_ns,
                trading_day=self._books.day,
            )
            self._books.add_order(order)
            self._books.changed(order, order.snapshot())
            self._match(order, self._last_tick.get(order.symbol))
        self._outbox.deliver()
        return order.broker_order_id

    def cancel(self, broker_order_id: str) -> None:
        with self._lock, self._durable(BrokerUnavailable):
            order = self._working_order(broker_order_id)
            order.status = OrderStatus.CANCELLED
            order.status_message = "cancelled by user"
            self._changed(order)
        self._outbox.deliver()

    def modify(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        limit_price: int | None = None,
        trigger_price: int | None = None,
    ) -> None:
        """Changes take effect at once and the order is matched again against the last price
        (a limit moved through the market fills, as on an exchange)."""
        with self._lock, self._durable(BrokerUnavailable):
            order = self._working_order(broker_order_id)
            order.modify(quantity=quantity, limit_price=limit_price, trigger_price=trigger_price)
            self._changed(order)
            self._match(order, self._last_tick.get(order.symbol))
        self._outbox.deliver()

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        """The day's most recent order with this tag (Kite allows a tag on many orders;
        shikra's client ids are unique, so more than one means an order was sent twice)."""
        with self._lock:
            order = self._books.latest_by_tag.get(tag)
            return None if order is None else order.snapshot()

    def orders_tagged(self, tags: Collection[str]) -> list[BrokerOrder]:
        with self._lock:
            latest = self._books.latest_by_tag
            return [latest[tag].snapshot() for tag in tags if tag in latest]

    def orders(self) -> list[BrokerOrder]:
        """The current trading day's orders, as Kite's order book lists them."""
        with self._lock:
            return [order.snapshot() for order in self._books.orders.values()]

    def trades(self) -> list[BrokerTrade]:
        """The current trading day's trades."""
        with self._lock:
            return list(self._books.trades)

    def positions(self) -> list[BrokerPosition]:
        with self._lock:
            return self._books.book.positions(self._books.traded_today)

    def subscribe(self, listener: BrokerListener) -> None:
        with self._lock:
            self._outbox.subscribe(listener)

    def close(self) -> None:
        """Close the venue file. Not needed for durability (every call has committed)."""
        with self._lock:
            self._books.close()

    # -- the market and the calendar ------------------------------------------------------

    def observe(self, tick: Tick) -> None:
        """A market update: a tick of a later trading day first ends the current one; then
        remember it, and give each eligible working order of its symbol one chance to trigger
        and fill, oldest order first. A failed write is logged: the tick is as if unseen."""
        books = self._books
        if not books.working.get(tick.symbol) and (
            self._calendar.later_day(tick.exchange_ns, books.day) is None
        ):
            # Nothing working in the symbol and the same day: only the last price changes, and
            # a dict store is atomic. Most ticks of a busy market take this path; a placement
            # racing it matches this tick or the next one, as an order reaching an exchange
            # just before or after a print would.
            self._last_tick[tick.symbol] = tick
            books.last_price[tick.symbol] = tick.ltp
            return
        try:
            with self._lock, self._durable(BrokerUnavailable):
                later = self._calendar.later_day(tick.exchange_ns, self._books.day)
                if later is not None:
                    self._begin(later)
                self._last_tick[tick.symbol] = tick
                self._books.last_price[tick.symbol] = tick.ltp
                for order in list(self._books.working.get(tick.symbol, {}).values()):
                    self._match(order, tick)
        except BrokerUnavailable:
            _log.exception("paper venue could not record the fills of a %s tick", tick.symbol)
        self._outbox.deliver()

    def begin_day(self, day: datetime.date) -> None:
        """Make ``day`` the venue's trading day (the daemon calls it at start with the run's
        day): a later day first ends the current one. The day never goes back: an earlier day
        is logged and ignored."""
        with self._lock, self._durable(BrokerUnavailable):
            current = self._books.day
            if current is not None and day < current:
                _log.warning("paper venue is at %s already: not going back to %s", current, day)
            elif current is None or day > current:
                self._begin(day)
        self._outbox.deliver()

    @property
    def trading_day(self) -> datetime.date | None:
        with self._lock:
            return self._books.day

    def _begin(self, day: datetime.date) -> None:
        """Inside the lock: end the current day (expiries, MIS square-off), then start ``day``."""
        old = self._books.day
        at_ns = self._calendar.end_ns(old, self._clock.now_ns())
        end_the_day(self._books, self._tick_size_or_one, at_ns)
        self._books.begin_day(day)
        self._last_tick.clear()  # yesterday's quotes do not fill today's orders
        self._calendar.moved_to(day)
        _log.info("paper venue: trading day %s begins", day)

    # -- inside the lock ------------------------------------------------------------------

    @contextmanager
    def _durable(self, failure: type[BrokerError]) -> Iterator[None]:
        """Inside the lock: commit what the block changed, then queue its updates. If the
        block raises, or the write fails (as ``failure``), the books return to the file's."""
        try:
            yield
            updates = self._books.commit()
        except sqlite3.Error as exc:
            self._discard()
            raise failure(f"the paper venue could not record it: {exc}") from exc
        except BaseException:
            self._discard()
            raise
        self._outbox.add(updates)

    def _discard(self) -> None:
        self._books.discard()
        self._calendar.moved_to(self._books.day)

    def _tick_size_or_one(self, symbol: str) -> int:
        return self._tick_sizes.get(symbol, self._default_tick or 1)

    def _validate(self, intent: OrderIntent) -> int:
        if not _KITE_TAG.fullmatch(intent.client_id):
            raise OrderRefused(
                f"tag {intent.client_id!r} must be 1-20 alphanumeric characters (Kite's rule)"
            )
        if intent.quantity <= 0:
            raise OrderRefused(f"quantity {intent.quantity} must be positive")
        tick_size = self._tick_sizes.get(intent.symbol, self._default_tick)
        if tick_size is None:
            raise OrderRefused(f"unknown instrument {intent.symbol}")
        validate_prices(intent.order_type, intent.limit_price, intent.trigger_price, tick_size)
        last = self._last_tick.get(intent.symbol)
        trigger = intent.trigger_price
        if (
            trigger is not None
            and last is not None
            and stop_triggered(intent.side, last.ltp, trigger)
        ):
            # Kite refuses a stop whose trigger the market has already passed.
            raise OrderRefused(
                f"trigger {trigger} for a {intent.side.value} stop is already crossed by the "
                f"last price {last.ltp}"
            )
        return tick_size

    def _working_order(self, broker_order_id: str) -> PaperOrder:
        order = self._books.orders.get(broker_order_id)
        if order is None:
            raise OrderRefused(f"no order {broker_order_id}")
        if order.status.is_terminal:
            raise OrderRefused(f"order {broker_order_id} is {order.status.value}")
        return order

    def _match(self, order: PaperOrder, tick: Tick | None) -> None:
        """Trigger and fill ``order`` once against ``tick`` if it is eligible."""
        if tick is None or order.status.is_terminal:
            return
        if self._clock.now_ns() < order.eligible_ns:
            return
        if order.order_type in (OrderType.SL, OrderType.SL_M) and not order.triggered:
            assert order.trigger_price is not None
            if not stop_triggered(order.side, tick.ltp, order.trigger_price):
                return
            order.triggered = True
            self._books.changed(order)  # a trigger is durable even if nothing fills yet
        market = executable_price(
            tick, order.side, self._fill_model, self._slippage_bps, order.tick_size
        )
        price: int | None = market
        if order.order_type in (OrderType.LIMIT, OrderType.SL):
            assert order.limit_price is not None
            price = limit_fill_price(order.side, market, order.limit_price)
        if price is None:
            return
        # A trade is stamped with the exchange's time, as a real one is: the market time of
        # the symbol's last tick (in a replay, far from the wall clock), else the clock.
        last = self._last_tick.get(order.symbol)
        at_ns = last.exchange_ns if last is not None else self._clock.now_ns()
        self._books.execute(order, fill_quantity(order.remaining, self._fill_ratio), price, at_ns)

    def _changed(self, order: PaperOrder) -> None:
        order.updated_ns = self._clock.now_ns()
        self._books.changed(order, order.snapshot())
