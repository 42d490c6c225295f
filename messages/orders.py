"""Orders: from a strategy's wish (intent) through risk (approved or rejected) to the broker's
account of what happened (order events and fills)."""

from __future__ import annotations

import enum

from messages.base import Message, Nanos, Paise


class Side(enum.Enum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell: the change in position per unit of quantity."""
        return 1 if self is Side.BUY else -1

    def signed(self, quantity: int) -> int:
        """``quantity`` as a change in position: positive for a buy, negative for a sell."""
        return quantity if self is Side.BUY else -quantity


class OrderType(enum.Enum):
    """Kite's order types. SL is a stop-limit (trigger and limit price), SL-M a stop-market."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SL_M = "SL-M"


class Product(enum.Enum):
    """Kite's products: MIS intraday, CNC delivery, NRML carry-forward derivatives, MTF margin
    trading (delivery bought on the broker's funding), CO and BO cover and bracket orders
    (legacy intraday). shikra places only MIS, CNC and NRML (the config allows no other), but
    the account holds whatever its owner trades by hand, and the broker's records say so.

    ``UNKNOWN`` is a product the broker reported that Kite does not document: the record is
    kept (an order's fate still matters), the value is counted and logged, and nothing is
    charged or traded on it."""

    MIS = "MIS"
    CNC = "CNC"
    NRML = "NRML"
    MTF = "MTF"
    CO = "CO"
    BO = "BO"
    UNKNOWN = "UNKNOWN"


class OrderIntent(Message, frozen=True, kw_only=True):
    """A strategy's request to trade. Nothing is sent until RiskGate approves it.

    ``client_id`` is deterministic (strategy, symbol and a per-strategy sequence), so the same
    decision replayed after a restart produces the same id and the journal recognises it: this is
    what makes "never send an order twice" checkable. It travels to Kite as the order ``tag``.
    ``origin_ns`` is the receive time of the tick that caused the intent, for latency tracing.
    ``market_price`` and ``market_ns`` are the last price and exchange time the strategy saw: the
    fallback reference for RiskGate when it has no mark of its own yet, and the market time by
    which market hours are judged.
    """

    client_id: str
    symbol: str
    side: Side
    quantity: int
    order_type: OrderType = OrderType.MARKET
    limit_price: Paise | None = None
    trigger_price: Paise | None = None
    product: Product = Product.MIS
    reason: str = ""
    origin_ns: Nanos = 0
    market_price: Paise | None = None
    market_ns: Nanos = 0


class CancelIntent(Message, frozen=True, kw_only=True):
    """A request to cancel a working order. Cancels always pass risk: they only reduce risk."""

    client_id: str
    symbol: str
    reason: str = ""


class ModifyIntent(Message, frozen=True, kw_only=True):
    """A request to change a working order's prices: a protective stop trailing its position,
    or a strategy moving its LIMIT. Only the given prices change. It goes through RiskGate (the
    order must be one it knows as working, the prices on the tick grid) to the router, which
    sends it within the rate limiter (Kite counts a modification as an order request) and
    answers with ``OrderModified``."""

    client_id: str
    symbol: str
    trigger_price: Paise | None = None
    limit_price: Paise | None = None
    reason: str = ""


class OrderModified(Message, frozen=True, kw_only=True):
    """The answer to a ``ModifyIntent``, to the strategy that asked: ``accepted`` with the
    prices the order now has, or refused (by RiskGate, the router or the broker) with a
    ``detail`` a person can act on. A refusal changes nothing: the order keeps its prices."""

    client_id: str
    symbol: str
    accepted: bool
    trigger_price: Paise | None = None
    limit_price: Paise | None = None
    detail: str = ""
    at_ns: Nanos = 0


class ApprovedOrder(Message, frozen=True, kw_only=True):
    """An intent RiskGate let through, with the time it did so. Only the OrderRouter acts on it."""

    intent: OrderIntent
    approved_ns: Nanos
    reduces_exposure: bool = False


class RejectReason(enum.Enum):
    """Why an intent or order did not go out. One reason per check, so the metric and the log
    say which limit fired."""

    INVALID_QUANTITY = "invalid_quantity"
    INVALID_PRICE = "invalid_price"
    UNKNOWN_SYMBOL = "unknown_symbol"
    MAX_ORDER_QUANTITY = "max_order_quantity"
    MAX_ORDER_VALUE = "max_order_value"
    MAX_POSITION = "max_position"
    MAX_GROSS_EXPOSURE = "max_gross_exposure"
    MAX_OPEN_ORDERS = "max_open_orders"
    MAX_ORDERS_PER_MINUTE = "max_orders_per_minute"
    PRICE_BAND = "price_band"
    MARKET_CLOSED = "market_closed"
    MAX_DAILY_LOSS = "max_daily_loss"
    MAX_DRAWDOWN = "max_drawdown"
    HALTED = "halted"
    REDUCING = "reducing"
    """Only exposure-reducing orders go: the REDUCING state, or past the entry cut-off."""
    RECONCILING = "reconciling"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    BROKER_REJECTED = "broker_rejected"
    BROKER_ERROR = "broker_error"


class OrderRejected(Message, frozen=True, kw_only=True):
    """An intent refused before it reached the broker, or an order the broker refused.
    ``detail`` is for a person: what limit, what value, what to do."""

    client_id: str
    symbol: str
    reason: RejectReason
    detail: str = ""
    at_ns: Nanos = 0


class OrderStatus(enum.Enum):
    """An order's lifecycle. ``UNKNOWN`` is the honest state after a placement whose reply was
    lost (timeout, 5xx): the order may or may not exist at the broker, and until it is looked up
    by tag nothing may be re-sent."""

    NEW = "new"
    SUBMITTED = "submitted"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNKNOWN = "unknown"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED})


class OrderEvent(Message, frozen=True, kw_only=True):
    """A change in an order's status, published by the OrderRouter."""

    client_id: str
    symbol: str
    side: Side
    status: OrderStatus
    quantity: int
    filled_quantity: int = 0
    broker_order_id: str | None = None
    reason: str = ""
    at_ns: Nanos = 0


class Fill(Message, frozen=True, kw_only=True):
    """One execution. ``trade_id`` is the broker's and unique: a fill is applied at most once."""

    trade_id: str
    client_id: str
    symbol: str
    side: Side
    quantity: int
    price: Paise
    broker_order_id: str | None = None
    product: Product = Product.MIS
    at_ns: Nanos = 0
