"""The paper venue's trading day, as a real venue has it.

A day is the exchange-local date of market time (``MarketHours.trading_day``). When it changes,
before anything of the new day happens, the old day ends as it does at Zerodha:

* every order still working expires (CANCELLED, "expired at the end of the trading day"): Kite's
  orders are DAY orders, and an exchange's book is empty in the morning;
* every open MIS position is squared off by an order of the venue's own, with an empty tag, at
  the last price the venue saw for the symbol that day (or the position's average cost if it
  saw none), as Zerodha's risk team does; shikra sees it as a foreign order. CNC and NRML carry.

Both are committed and pushed with the day change itself, and logged at WARNING: either means
shikra left something open that it should have closed.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from fractions import Fraction

from brokers.paper_books import PaperBooks
from brokers.paper_order import PaperOrder, order_id
from brokers.paper_pricing import round_against
from core.market_hours import MarketHours
from messages.orders import OrderStatus, OrderType, Product, Side

_log = logging.getLogger("brokers.paper")

EXPIRED = "expired at the end of the trading day"
SQUARED_OFF = "squared off by the venue at the end of the trading day"
_NEVER = -(2**63)


class DayCalendar:
    """Which trading day a tick belongs to, cheaply: most ticks are compared with the start of
    the next day, and only one past it is converted to a date."""

    def __init__(self, hours: MarketHours | None, day: datetime.date | None) -> None:
        self.hours = hours
        self._next_day_ns = _NEVER
        self.moved_to(day)

    def later_day(self, at_ns: int, current: datetime.date | None) -> datetime.date | None:
        """The trading day of ``at_ns`` if it is later than ``current``, else None. Without
        hours there is no calendar: never."""
        if self.hours is None or at_ns < self._next_day_ns:
            return None
        day = self.hours.trading_day(at_ns)
        return day if current is None or day > current else None

    def moved_to(self, day: datetime.date | None) -> None:
        """The venue's day is now ``day`` (None: it has none yet, every tick is looked at)."""
        self._next_day_ns = _NEVER
        if self.hours is not None and day is not None:
            midnight = datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(0), tzinfo=self.hours.zone
            )
            self._next_day_ns = int(midnight.timestamp()) * 1_000_000_000

    def end_ns(self, day: datetime.date | None, fallback_ns: int) -> int:
        """When ``day`` ended: its market close (the time its expiries and square-offs carry),
        or ``fallback_ns`` without a calendar or a day."""
        if self.hours is None or day is None:
            return fallback_ns
        close = datetime.datetime.combine(day, self.hours.close, tzinfo=self.hours.zone)
        return int(close.timestamp()) * 1_000_000_000


def end_the_day(books: PaperBooks, tick_size: Callable[[str], int], at_ns: int) -> None:
    """Inside the venue's lock: expire every working order, then square off every open MIS
    position (see the module docstring). Changes go to ``books``, committed by the caller."""
    for orders in list(books.working.values()):
        for order in list(orders.values()):
            order.status = OrderStatus.CANCELLED
            order.status_message = EXPIRED
            order.updated_ns = at_ns
            books.changed(order, order.snapshot())
            _log.warning(
                "paper venue: order %s (tag %r, %s %d %s) %s with %d filled",
                order.broker_order_id,
                order.tag,
                order.side.value,
                order.quantity,
                order.symbol,
                EXPIRED,
                order.filled_quantity,
            )
    for symbol, quantity, open_cost in books.book.open_positions(Product.MIS):
        side = Side.SELL if quantity > 0 else Side.BUY
        size = tick_size(symbol)
        price = books.last_price.get(symbol)
        if price is None:
            price = round_against(Fraction(open_cost, quantity), side, size)
        seq = books.last_order + 1
        order = PaperOrder(
            seq=seq,
            broker_order_id=order_id(seq),
            tag="",
            symbol=symbol,
            side=side,
            order_type=OrderType.MARKET,
            product=Product.MIS,
            quantity=abs(quantity),
            limit_price=None,
            trigger_price=None,
            tick_size=size,
            eligible_ns=at_ns,
            created_ns=at_ns,
            trading_day=books.day,
            status_message=SQUARED_OFF,
            updated_ns=at_ns,
        )
        books.add_order(order)
        books.changed(order, order.snapshot())
        books.execute(order, abs(quantity), price, at_ns)
        _log.warning(
            "paper venue: open MIS position %+d %s %s at %d paise",
            quantity,
            symbol,
            SQUARED_OFF,
            price,
        )
