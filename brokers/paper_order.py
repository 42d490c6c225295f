"""One simulated order's mutable state inside the paper broker, and Kite's price rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from brokers.base import BrokerOrder
from brokers.errors import OrderRefused
from messages.orders import OrderIntent, OrderStatus, OrderType, Product, Side

_NEEDS_LIMIT = frozenset({OrderType.LIMIT, OrderType.SL})
_NEEDS_TRIGGER = frozenset({OrderType.SL, OrderType.SL_M})


def validate_prices(
    order_type: OrderType, limit_price: int | None, trigger_price: int | None, tick_size: int
) -> None:
    """Refuse, as Kite does, a price the order type does not take, a missing one, or one that
    is not a positive multiple of the instrument's tick."""
    for name, price, needed in (
        ("limit", limit_price, order_type in _NEEDS_LIMIT),
        ("trigger", trigger_price, order_type in _NEEDS_TRIGGER),
    ):
        if needed and price is None:
            raise OrderRefused(f"a {order_type.value} order needs a {name} price")
        if not needed and price is not None:
            raise OrderRefused(f"a {order_type.value} order takes no {name} price")
        if price is not None and (price <= 0 or price % tick_size):
            raise OrderRefused(
                f"{name} price {price} must be a positive multiple of the tick {tick_size}"
            )


def order_id(seq: int) -> str:
    """The venue's order id for its order number ``seq``."""
    return f"PO{seq}"


@dataclass(slots=True)
class PaperOrder:
    """Guarded by the paper broker's lock; the world only sees ``snapshot()`` copies. Every
    field is stored in the venue's file (``paper_store``), so an order outlives the process."""

    seq: int
    """The venue's order number, never reused; the id is ``PO`` and this number."""
    broker_order_id: str
    tag: str
    symbol: str
    side: Side
    order_type: OrderType
    product: Product
    quantity: int
    limit_price: int | None
    trigger_price: int | None
    tick_size: int
    eligible_ns: int
    """Wall time (the clock's ``now_ns``) before which the order is still "on its way" and
    cannot fill: a point in time, not a monotonic reading, so it means the same after a
    restart."""
    created_ns: int
    trading_day: datetime.date | None
    """The venue's trading day when the order was placed (None: a venue with no calendar)."""
    status: OrderStatus = OrderStatus.OPEN
    status_message: str = ""
    filled_quantity: int = 0
    filled_value: int = 0
    triggered: bool = False
    updated_ns: int = 0

    @classmethod
    def from_intent(
        cls,
        seq: int,
        intent: OrderIntent,
        tick_size: int,
        *,
        now_ns: int,
        eligible_ns: int,
        trading_day: datetime.date | None,
    ) -> PaperOrder:
        return cls(
            seq=seq,
            broker_order_id=order_id(seq),
            tag=intent.client_id,
            symbol=intent.symbol,
            side=intent.side,
            order_type=intent.order_type,
            product=intent.product,
            quantity=intent.quantity,
            limit_price=intent.limit_price,
            trigger_price=intent.trigger_price,
            tick_size=tick_size,
            eligible_ns=eligible_ns,
            created_ns=now_ns,
            trading_day=trading_day,
            updated_ns=now_ns,
        )

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled_quantity

    def modify(
        self, *, quantity: int | None, limit_price: int | None, trigger_price: int | None
    ) -> None:
        """Change the given fields after checking them all; refused changes change nothing."""
        if quantity is not None and quantity <= self.filled_quantity:
            raise OrderRefused(f"quantity {quantity} must exceed the filled {self.filled_quantity}")
        if limit_price is not None and self.order_type not in _NEEDS_LIMIT:
            raise OrderRefused(f"a {self.order_type.value} order has no limit price")
        if trigger_price is not None and self.order_type not in _NEEDS_TRIGGER:
            raise OrderRefused(f"a {self.order_type.value} order has no trigger price")
        new_limit = self.limit_price if limit_price is None else limit_price
        new_trigger = self.trigger_price if trigger_price is None else trigger_price
        validate_prices(self.order_type, new_limit, new_trigger, self.tick_size)
        if quantity is not None:
            self.quantity = quantity
        self.limit_price, self.trigger_price = new_limit, new_trigger

    def snapshot(self) -> BrokerOrder:
        average = None
        if self.filled_quantity:
            # Rounded half-even to the paisa, for display only: trades carry exact prices.
            average = round(Fraction(self.filled_value, self.filled_quantity))
        return BrokerOrder(
            broker_order_id=self.broker_order_id,
            tag=self.tag,
            symbol=self.symbol,
            side=self.side,
            order_type=self.order_type,
            product=self.product,
            quantity=self.quantity,
            filled_quantity=self.filled_quantity,
            average_price_paise=average,
            status=self.status,
            limit_price=self.limit_price,
            trigger_price=self.trigger_price,
            status_message=self.status_message,
            updated_ns=self.updated_ns,
        )
