"""The one interface every broker implements: the paper simulator and the Kite adapter.

The OrderRouter and PositionSync speak only to this, so a paper run exercises exactly the code
paths a live run does. The records are the broker's own account of things, in shikra's units
(integer paise, ``messages`` enums); an adapter converts at its edge (Kite's rupee floats and
status strings) so nothing past it ever sees a float price.

Errors are in ``brokers.errors``; each says what the caller must do.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from typing import Protocol

import msgspec

from messages.base import Nanos, Paise
from messages.orders import OrderIntent, OrderStatus, OrderType, Product, Side


class Variety(enum.Enum):
    """Kite's order varieties: regular, after-market (amo), cover (co), iceberg (an order
    sliced into legs) and auction. shikra places only regular orders; the others are in the
    account because its owner placed them by hand. ``UNKNOWN`` is a variety Kite does not
    document (counted and logged where it is read)."""

    REGULAR = "regular"
    AMO = "amo"
    CO = "co"
    ICEBERG = "iceberg"
    AUCTION = "auction"
    UNKNOWN = "unknown"


class BrokerOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the broker reports it. ``tag`` is our client id, sent at placement: it is
    how an order whose placement reply was lost is found again ("" for an order placed without
    one, e.g. by hand in the Kite app: not shikra's). ``average_price_paise`` is the broker's
    (rounded) figure, for display; exact amounts come from the trades.

    ``status`` is the broker's status in shikra's lifecycle; ``broker_status`` the broker's
    own words for it (Kite's "MODIFY PENDING", "CANCELLED AMO"…), for logs and the operator.

    ``order_type`` is ``None`` when the broker reported a type Kite does not document. None
    rather than an ``OrderType.UNKNOWN`` member: an unknown type exists only at the broker's
    edge, so ``OrderType`` stays the set an intent can be made of, and no check downstream
    (RiskGate, the paper venue) has to remember to refuse a member that must never be sent.
    Nothing decides on an order's type after it is placed; the order's fate still counts.

    The paper venue places regular orders only, so ``variety`` and ``broker_status`` have
    defaults that say so."""

    broker_order_id: str
    tag: str
    symbol: str
    side: Side
    order_type: OrderType | None
    product: Product
    quantity: int
    filled_quantity: int
    average_price_paise: Paise | None
    status: OrderStatus
    limit_price: Paise | None = None
    trigger_price: Paise | None = None
    status_message: str = ""
    updated_ns: Nanos = 0
    variety: Variety = Variety.REGULAR
    broker_status: str = ""


class BrokerTrade(msgspec.Struct, frozen=True, kw_only=True):
    """One execution as the broker reports it. ``trade_id`` is unique at the broker: it is
    what makes a fill applicable at most once, however often it is reported."""

    trade_id: str
    broker_order_id: str
    tag: str
    symbol: str
    side: Side
    quantity: int
    price: Paise
    product: Product
    at_ns: Nanos


class BrokerPosition(msgspec.Struct, frozen=True, kw_only=True):
    """The broker's net position in a symbol *and product* (one record per pair, as Kite's net
    positions are: CNC carries to the next day, MIS never does): ``quantity`` signed (negative
    is short), ``open_cost`` the signed paise cost of the open quantity, comparable with
    ``messages.PositionUpdate.open_cost``. For Kite it is derived as average price x quantity,
    so it can differ from shikra's FIFO figure by rounding: compare it with a tolerance.

    ``multiplier`` is the contract's (Kite's positions carry it: 1000 for an MCX mini
    contract, 1 for equity): the position's value is price x quantity x multiplier.
    ``open_cost`` does NOT include it (average price x quantity only), so it stays comparable
    with shikra's books, which are kept per unit; whoever needs money multiplies."""

    symbol: str
    product: Product
    quantity: int
    open_cost: Paise
    multiplier: int = 1
    """Kite's contract multiplier (value = price x quantity x multiplier), e.g. 10 for an MCX
    crude-oil mini; ``open_cost`` is not multiplied."""


BrokerUpdate = BrokerOrder | BrokerTrade
BrokerListener = Callable[[BrokerUpdate], None]
"""Receives pushed updates. Called on the broker's thread (Kite: the ticker's reactor thread),
so it must only hand the update on (send a message), never do slow work."""


class Broker(Protocol):
    """What the OrderRouter and PositionSync need from a broker."""

    def place(self, intent: OrderIntent) -> str:
        """Send an order; return the broker's order id. ``intent.client_id`` travels as the
        tag. Raises ``OrderRefused`` (it does not exist), ``OutcomeUnknown`` (it may exist:
        look it up by tag, never re-send), ``TokenExpired`` or ``RateLimited``."""
        ...

    def cancel(self, broker_order_id: str) -> None:
        """Cancel a working order. ``OrderRefused`` if it is already complete or cancelled.
        The cancellation itself arrives as an order update."""
        ...

    def modify(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        limit_price: int | None = None,
        trigger_price: int | None = None,
    ) -> None:
        """Change a working order; only the given fields change. ``OrderRefused`` if it is not
        open, or the change is invalid."""
        ...

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        """The order placed with this tag, or None if the broker has none. Raises
        ``BrokerUnavailable`` if it could not be asked: that is not the same as None."""
        ...

    def orders(self) -> list[BrokerOrder]:
        """Every order of the day. ``BrokerUnavailable`` on a failed read."""
        ...

    def orders_tagged(self, tags: Collection[str]) -> list[BrokerOrder]:
        """The latest order of each of ``tags`` that the broker has: the router's check of
        what it still waits on. Kite answers it from the whole order book (it has no narrower
        call); the paper venue looks each tag up, so the check costs what is working, not the
        whole day. ``BrokerUnavailable`` on a failed read."""
        ...

    def trades(self) -> list[BrokerTrade]:
        """Every execution of the day. ``BrokerUnavailable`` on a failed read."""
        ...

    def positions(self) -> list[BrokerPosition]:
        """Net positions per (symbol, product): every open one (carried CNC/NRML included)
        and every one traded flat today (quantity 0).
        ``BrokerUnavailable`` on a failed read."""
        ...

    def subscribe(self, listener: BrokerListener) -> None:
        """Push every order update and trade to ``listener``, as Kite's order-update WebSocket
        does. Pushes can arrive before ``place`` has returned the order id: match by tag."""
        ...
