"""PaperBroker: a simulated venue behind the same ``Broker`` interface as Kite.

It stands for the outside world, so it is called from more than one actor's thread (the router
places, the feed's ticks arrive through ``observe``) and guards its state with one lock. Pushed
updates are delivered *outside* that lock, in the order they happened: whichever thread finds
the outbox idle drains it, and any other thread only adds to it. So a listener may call back
into the broker without deadlocking, and a fill is never reported after the cancel that
followed it.

Fills happen in ``place`` (an eligible order against the last known price) and in ``observe``
(every eligible working order of the tick's symbol, one fill each). Prices follow
``brokers.paper_pricing``; positions are kept in the broker's own book (``paper_book``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from fractions import Fraction

from brokers.base import BrokerListener, BrokerOrder, BrokerPosition, BrokerTrade, BrokerUpdate
from brokers.errors import OrderRefused
from brokers.paper_book import PaperPositionBook
from brokers.paper_order import PaperOrder, validate_prices
from brokers.paper_pricing import (
    FillModel,
    executable_price,
    fill_quantity,
    limit_fill_price,
    stop_triggered,
)
from core.clock import Clock
from messages.market import Tick
from messages.orders import Fill, OrderIntent, OrderStatus, OrderType

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
        default_tick_paise: int | None = None,
        fill_model: FillModel | str = FillModel.LTP,
        slippage_bps: int | float | str = 0,
        partial_fill_ratio: float | str = 1.0,
        latency_seconds: float = 0.0,
    ) -> None:
        """``tick_sizes`` maps each tradable symbol to its tick in paise; a symbol not in it is
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
        self._latency = latency_seconds
        self._lock = threading.Lock()
        self._orders: dict[str, PaperOrder] = {}
        self._working: dict[str, dict[str, PaperOrder]] = {}  # symbol -> id -> order
        self._latest_by_tag: dict[str, PaperOrder] = {}
        self._trades: list[BrokerTrade] = []
        self._last_tick: dict[str, Tick] = {}
        self._book = PaperPositionBook()
        self._listeners: list[BrokerListener] = []
        self._outbox: deque[BrokerUpdate] = deque()
        self._delivering = False
        self._order_seq = 0
        self._trade_seq = 0

    # -- the Broker interface -------------------------------------------------------------

    def place(self, intent: OrderIntent) -> str:
        with self._lock:
            tick_size = self._validate(intent)
            self._order_seq += 1
            order = PaperOrder.from_intent(
                f"PO{self._order_seq}",
                intent,
                tick_size,
                eligible_at=self._clock.monotonic() + self._latency,
            )
            self._orders[order.broker_order_id] = order
            self._working.setdefault(order.symbol, {})[order.broker_order_id] = order
            self._latest_by_tag[order.tag] = order
            self._outbox.append(self._snapshot(order))
            self._match(order, self._last_tick.get(order.symbol))
        self._deliver()
        return order.broker_order_id

    def cancel(self, broker_order_id: str) -> None:
        with self._lock:
            order = self._working_order(broker_order_id)
            order.status = OrderStatus.CANCELLED
            order.status_message = "cancelled by user"
            self._retire(order)
            self._outbox.append(self._snapshot(order))
        self._deliver()

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
        with self._lock:
            order = self._working_order(broker_order_id)
            order.modify(quantity=quantity, limit_price=limit_price, trigger_price=trigger_price)
            self._outbox.append(self._snapshot(order))
            self._match(order, self._last_tick.get(order.symbol))
        self._deliver()

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        """The most recent order with this tag (Kite allows a tag on many orders; shikra's
        client ids are unique, so more than one means an order was sent twice)."""
        with self._lock:
            order = self._latest_by_tag.get(tag)
            return None if order is None else order.snapshot()

    def orders(self) -> list[BrokerOrder]:
        with self._lock:
            return [order.snapshot() for order in self._orders.values()]

    def trades(self) -> list[BrokerTrade]:
        with self._lock:
            return list(self._trades)

    def positions(self) -> list[BrokerPosition]:
        with self._lock:
            return self._book.positions()

    def subscribe(self, listener: BrokerListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def restore(self, fills: Iterable[Fill]) -> None:
        """Reload the day's trades after a restart of the process. A real broker keeps its
        books while we restart; this simulated one lives in our process, so it is reloaded
        from the journal's fills (orders still open are not: they died with the process, and
        the router's lookup by tag finds them gone)."""
        with self._lock:
            for fill in fills:
                self._book.apply(
                    fill.symbol, fill.side.sign * fill.quantity, fill.price, fill.product
                )
                self._trades.append(
                    BrokerTrade(
                        trade_id=fill.trade_id,
                        broker_order_id=fill.broker_order_id or "",
                        tag=fill.client_id,
                        symbol=fill.symbol,
                        side=fill.side,
                        quantity=fill.quantity,
                        price=fill.price,
                        product=fill.product,
                        at_ns=fill.at_ns,
                    )
                )
                self._trade_seq = max(self._trade_seq, _number(fill.trade_id, "P"))
                self._order_seq = max(self._order_seq, _number(fill.broker_order_id, "PO"))

    # -- the market -----------------------------------------------------------------------

    def observe(self, tick: Tick) -> None:
        """A market update: remember it, and give each eligible working order of its symbol
        one chance to trigger and fill, oldest order first."""
        with self._lock:
            self._last_tick[tick.symbol] = tick
            for order in list(self._working.get(tick.symbol, {}).values()):
                self._match(order, tick)
        self._deliver()

    # -- inside the lock ------------------------------------------------------------------

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
        order = self._orders.get(broker_order_id)
        if order is None:
            raise OrderRefused(f"no order {broker_order_id}")
        if order.status.is_terminal:
            raise OrderRefused(f"order {broker_order_id} is {order.status.value}")
        return order

    def _match(self, order: PaperOrder, tick: Tick | None) -> None:
        """Trigger and fill ``order`` once against ``tick`` if it is eligible."""
        if tick is None or order.status.is_terminal:
            return
        if self._clock.monotonic() < order.eligible_at:
            return
        if order.order_type in (OrderType.SL, OrderType.SL_M) and not order.triggered:
            assert order.trigger_price is not None
            if not stop_triggered(order.side, tick.ltp, order.trigger_price):
                return
            order.triggered = True
        market = executable_price(
            tick, order.side, self._fill_model, self._slippage_bps, order.tick_size
        )
        price: int | None = market
        if order.order_type in (OrderType.LIMIT, OrderType.SL):
            assert order.limit_price is not None
            price = limit_fill_price(order.side, market, order.limit_price)
        if price is None:
            return
        self._fill(order, fill_quantity(order.remaining, self._fill_ratio), price)

    def _fill(self, order: PaperOrder, quantity: int, price: int) -> None:
        # A trade is stamped with the exchange's time, as a real one is: the market time of
        # the symbol's last tick (in a replay, far from the wall clock), else the clock.
        last = self._last_tick.get(order.symbol)
        now_ns = last.exchange_ns if last is not None else self._clock.now_ns()
        self._trade_seq += 1
        trade = BrokerTrade(
            trade_id=f"P{self._trade_seq}",
            broker_order_id=order.broker_order_id,
            tag=order.tag,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            product=order.product,
            at_ns=now_ns,
        )
        self._trades.append(trade)
        self._book.apply(order.symbol, order.side.sign * quantity, price, order.product)
        order.filled_quantity += quantity
        order.filled_value += price * quantity
        if order.remaining == 0:
            order.status = OrderStatus.FILLED
            self._retire(order)
        else:
            order.status = OrderStatus.PARTIALLY_FILLED
        self._outbox.append(trade)
        self._outbox.append(self._snapshot(order, now_ns))

    def _snapshot(self, order: PaperOrder, now_ns: int | None = None) -> BrokerOrder:
        order.updated_ns = self._clock.now_ns() if now_ns is None else now_ns
        return order.snapshot()

    def _retire(self, order: PaperOrder) -> None:
        self._working.get(order.symbol, {}).pop(order.broker_order_id, None)

    # -- outside the lock -----------------------------------------------------------------

    def _deliver(self) -> None:
        """Hand queued updates to the listeners, in order, holding no lock while calling out.
        Only one thread drains at a time; the others return and leave their updates to it."""
        with self._lock:
            if self._delivering:
                return
            self._delivering = True
        while True:
            with self._lock:
                if not self._outbox:
                    self._delivering = False
                    return
                update = self._outbox.popleft()
                listeners = list(self._listeners)
            for listener in listeners:
                try:
                    listener(update)
                except Exception:
                    # The order is already placed, cancelled or filled at the "venue": a
                    # failing listener must not make that look like the call failed.
                    _log.exception("paper broker listener failed on %s", type(update).__name__)
                except BaseException:
                    with self._lock:
                        self._delivering = False
                    raise


def _number(identifier: str | None, prefix: str) -> int:
    """The counter inside one of our own ids ("P12" -> 12), 0 for anyone else's."""
    rest = (identifier or "")[len(prefix) :]
    return int(rest) if (identifier or "").startswith(prefix) and rest.isdigit() else 0
