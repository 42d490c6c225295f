"""Positions, profit and loss, and the reconciliation of shikra's books with the broker's."""

from __future__ import annotations

import enum
from typing import ClassVar

from messages.base import Delivery, Message, Nanos, Paise
from messages.orders import Product


class PositionUpdate(Message, frozen=True, kw_only=True):
    """A symbol's net position after a fill or an adoption from the broker.

    ``quantity`` is signed (negative is short). ``open_cost`` is the exact signed cost of the open
    quantity in paise (sum of price x quantity of the lots still open), so the average price
    ``open_cost / quantity`` is derived, never rounded and stored.
    """

    symbol: str
    quantity: int
    open_cost: Paise
    at_ns: Nanos = 0


class SymbolPnL(Message, frozen=True, kw_only=True):
    """One symbol's part of a PnL update. All figures in paise."""

    symbol: str
    realized: Paise
    unrealized: Paise
    charges: Paise
    quantity: int


class PnLUpdate(Message, frozen=True, kw_only=True):
    """The day's PnL, published by the PnLTracker; RiskGate enforces the loss limits from it.

    ``net = realized + unrealized - charges``. ``drawdown`` is peak net minus current net (>= 0).
    Held when RiskGate is down: a loss limit must never miss the update that breaches it.
    """

    realized: Paise
    unrealized: Paise
    charges: Paise
    net: Paise
    peak_net: Paise
    drawdown: Paise
    trades: int = 0
    symbols: tuple[SymbolPnL, ...] = ()
    at_ns: Nanos = 0


class DiffKind(enum.Enum):
    """How a local position can disagree with the broker's."""

    MISSING_LOCALLY = "missing_locally"
    MISSING_AT_BROKER = "missing_at_broker"
    QUANTITY_MISMATCH = "quantity_mismatch"
    AVG_PRICE_MISMATCH = "avg_price_mismatch"


class PositionDiff(Message, frozen=True, kw_only=True):
    """One disagreement found by PositionSync, in one symbol and product (the broker keeps a
    position per product: an MIS and a CNC position in one stock are two)."""

    symbol: str
    kind: DiffKind
    local_quantity: int
    broker_quantity: int
    local_open_cost: Paise
    broker_open_cost: Paise
    product: Product = Product.MIS


class ReconcilePolicy(enum.Enum):
    """What PositionSync does about a disagreement: take the broker's book as truth, stop new
    trading until a person looks, or only report it."""

    ADOPT = "adopt"
    HALT = "halt"
    ALERT = "alert"


class ReconciliationReport(Message, frozen=True, kw_only=True):
    """The outcome of one comparison of local and broker positions. ``clean`` with no diffs is
    what lets RiskGate leave RECONCILING at start-up."""

    delivery: ClassVar[Delivery] = Delivery.HOLD

    run: int
    clean: bool
    diffs: tuple[PositionDiff, ...] = ()
    policy: ReconcilePolicy = ReconcilePolicy.ALERT
    at_ns: Nanos = 0
