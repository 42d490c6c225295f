"""The paper venue's books in memory, and the one way they change: durably.

``PaperBooks`` holds what the venue knows (the day's orders, the working ones, the day's trades,
the position book, the id counters, the trading day) and remembers what changed since the last
commit. ``PaperBroker`` changes it under its lock, then ``commit`` writes those changes to the
venue file in one transaction and hands back the updates to push; if the write (or anything
before it) fails, ``discard`` puts the books back to what the file holds. So memory never runs
ahead of the file, and a listener never hears of a change a restart would take back.
"""

from __future__ import annotations

import datetime

from brokers.base import BrokerOrder, BrokerTrade, BrokerUpdate
from brokers.paper_book import PaperPositionBook, PositionKey
from brokers.paper_order import PaperOrder
from brokers.paper_store import PaperStore
from messages.orders import OrderStatus


class PaperBooks:
    """Not thread-safe: the venue's lock guards every call."""

    def __init__(self, store: PaperStore) -> None:
        self.store = store
        self._load()

    def _load(self) -> None:
        records = self.store.load()
        self.day: datetime.date | None = records.day
        self.last_order = records.last_order
        self.last_trade = records.last_trade
        self.orders: dict[str, PaperOrder] = {}
        """The current day's orders, oldest first (what ``orders()`` lists)."""
        self.working: dict[str, dict[str, PaperOrder]] = {}
        """symbol -> id -> every order that can still fill, oldest first."""
        self.latest_by_tag: dict[str, PaperOrder] = {}
        self.trades: list[BrokerTrade] = []
        """The current day's trades."""
        self.traded_today: set[PositionKey] = set()
        self.last_price: dict[str, int] = {}
        """The last price the venue saw each symbol at today (a tick, or its own trade)."""
        self.book = PaperPositionBook()
        self._changed: dict[int, PaperOrder] = {}
        self._placed: set[int] = set()
        """Numbers of the orders placed since the commit: inserted (a number reused would
        fail loudly), where the others are updated."""
        self._new_trades: list[tuple[int, BrokerTrade, datetime.date | None]] = []
        self._updates: list[BrokerUpdate] = []
        self._day_changed = False
        for order in records.orders:
            if order.trading_day == self.day:
                self._list(order)
            if not order.status.is_terminal:
                self.working.setdefault(order.symbol, {})[order.broker_order_id] = order
        for trade, day in records.trades:
            self._book(trade)
            if day == self.day:
                self._today(trade)

    # -- changes, remembered until the commit ------------------------------------------------

    def add_order(self, order: PaperOrder) -> None:
        self.last_order = max(self.last_order, order.seq)
        self._placed.add(order.seq)
        self._changed[order.seq] = order
        self._list(order)
        if not order.status.is_terminal:
            self.working.setdefault(order.symbol, {})[order.broker_order_id] = order

    def changed(self, order: PaperOrder, update: BrokerOrder | None = None) -> None:
        """``order`` changed (its row is rewritten at the commit); ``update`` is to be pushed.
        A final order leaves the working set."""
        self._changed[order.seq] = order
        if order.status.is_terminal:
            self.working.get(order.symbol, {}).pop(order.broker_order_id, None)
        if update is not None:
            self._updates.append(update)

    def add_trade(self, seq: int, trade: BrokerTrade) -> None:
        self.last_trade = max(self.last_trade, seq)
        self._new_trades.append((seq, trade, self.day))
        self._book(trade)
        self._today(trade)
        self._updates.append(trade)

    def execute(self, order: PaperOrder, quantity: int, price: int, at_ns: int) -> None:
        """Fill ``quantity`` of ``order`` at ``price``: a trade and the order's new state, to
        be committed and pushed (the trade first)."""
        seq = self.last_trade + 1
        self.add_trade(
            seq,
            BrokerTrade(
                trade_id=f"P{seq}",
                broker_order_id=order.broker_order_id,
                tag=order.tag,
                symbol=order.symbol,
                side=order.side,
                quantity=quantity,
                price=price,
                product=order.product,
                at_ns=at_ns,
            ),
        )
        order.filled_quantity += quantity
        order.filled_value += price * quantity
        order.status = OrderStatus.FILLED if order.remaining == 0 else OrderStatus.PARTIALLY_FILLED
        order.updated_ns = at_ns
        self.changed(order, order.snapshot())

    def begin_day(self, day: datetime.date) -> None:
        """The day's views start empty; open positions and working orders carry on."""
        self.day = day
        self._day_changed = True
        self.orders, self.latest_by_tag = {}, {}
        self.trades, self.traded_today, self.last_price = [], set(), {}

    # -- the commit --------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return bool(self._changed or self._new_trades or self._updates or self._day_changed)

    def commit(self) -> list[BrokerUpdate]:
        """Write every change since the last commit in one transaction; return the updates to
        push, in order. Raises what the store raises, having written nothing."""
        if self._changed or self._new_trades or self._day_changed:
            self.store.save(
                placed=[o for seq, o in self._changed.items() if seq in self._placed],
                changed=[o for seq, o in self._changed.items() if seq not in self._placed],
                trades=self._new_trades,
                day=self.day,
                last_order=self.last_order,
                last_trade=self.last_trade,
            )
        updates = self._updates
        self._changed, self._placed, self._new_trades, self._updates = {}, set(), [], []
        self._day_changed = False
        return updates

    def discard(self) -> None:
        """Forget every uncommitted change: the books become what the file holds."""
        if self.dirty:
            self._load()

    def close(self) -> None:
        self.store.close()

    def _list(self, order: PaperOrder) -> None:
        self.orders[order.broker_order_id] = order
        if order.tag:  # the venue's own orders (an end-of-day square-off) carry no tag
            self.latest_by_tag[order.tag] = order

    def _book(self, trade: BrokerTrade) -> None:
        signed = trade.side.sign * trade.quantity
        self.book.apply(trade.symbol, trade.product, signed, trade.price)

    def _today(self, trade: BrokerTrade) -> None:
        self.trades.append(trade)
        self.traded_today.add((trade.symbol, trade.product))
        self.last_price[trade.symbol] = trade.price
