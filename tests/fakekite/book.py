"""The fake exchange: validates orders as Kite does, walks them through Kite's statuses, and
fills them against the prices a test sets.

Rules (deterministic, so tests can hand-compute outcomes):
- MARKET fills at once at the last price; a marketable LIMIT at placement (or after a modify
  or a trigger) fills at the last price, which is at least as good as its limit.
- A resting LIMIT fills at its own price when the last price touches or crosses it.
- SL/SL-M wait in TRIGGER PENDING until the last price reaches the trigger (BUY: >=, SELL:
  <=), then behave as LIMIT/MARKET; a trigger already reached at placement is rejected.
- IOC cancels whatever does not fill at placement.
- An order takes at most ``MAX_MODIFICATIONS`` (25) modifications, as Zerodha allows; the
  next is refused with Kite's message.
- An instrument's ``liquidity`` caps the quantity filled per price event (partial fills).
Order updates for the WebSocket collect in ``outbox``; the caller sends them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.fakekite import forms, positions
from tests.fakekite.errors import ApiError
from tests.fakekite.market import Instrument, Quote
from tests.fakekite.orders import WORKING, Order, Trade

SIDES = ("BUY", "SELL")
ORDER_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
PRODUCTS = ("CNC", "MIS", "NRML", "MTF")
VALIDITIES = ("DAY", "IOC", "TTL")
VARIETIES = ("regular",)
TAG = re.compile(r"[A-Za-z0-9]{1,20}")
MAX_MODIFICATIONS = 25
DEFAULT_REJECTION = "Insufficient funds. Required margin is 0.00 but available margin is 0.00."


class Book:
    """Instruments, quotes, orders and trades of one fake account. Not thread-safe: the
    caller holds the fake's lock."""

    def __init__(self, clock: Callable[[], datetime], user_id: str) -> None:
        self.clock = clock
        self.user_id = user_id
        self.instruments: dict[str, Instrument] = {}
        self.quotes: dict[int, Quote] = {}
        self.orders: dict[str, Order] = {}
        self.trades: list[Trade] = []
        self.outbox: list[dict[str, Any]] = []
        self.carried: list[positions.Carried] = []
        """Positions held from earlier days (``by_hand``)."""
        self.multipliers: dict[str, int] = {}
        """Contract multipliers by "EXCHANGE:SYMBOL" (1 if absent), as positions show them."""
        self._rejections: list[str] = []
        self._order_seq = itertools.count(1)
        self._trade_seq = itertools.count(1)

    # -- market ---------------------------------------------------------------------------

    def add(self, instrument: Instrument, quote: Quote) -> None:
        self.instruments[instrument.key] = instrument
        self.quotes[instrument.instrument_token] = quote

    def lookup(self, exchange: str | None, tradingsymbol: str | None) -> Instrument:
        ins = self.instruments.get(f"{exchange}:{tradingsymbol}")
        if ins is None:
            raise ApiError(f"Invalid `tradingsymbol` {exchange}:{tradingsymbol}.")
        return ins

    def print_price(self, ins: Instrument, price: Decimal, quantity: int) -> None:
        """A market print: move the quote, then let resting orders meet it in time order."""
        quote = self.quotes[ins.instrument_token]
        quote.trade(price, quantity, int(self.clock().timestamp()))
        budget = [quote.liquidity] if quote.liquidity is not None else None
        for order in list(self.orders.values()):
            if order.instrument is ins and order.status in WORKING:
                self._match(order, aggressive=False, budget=budget)

    def positions(self) -> dict[str, Any]:
        """GET /portfolio/positions' data."""
        return positions.positions(self.trades, self.quotes, self.carried, self.multipliers)

    def next_order_id(self) -> tuple[str, int]:
        seq = next(self._order_seq)
        return f"{self.clock():%y%m%d}{seq:09d}", seq

    def next_trade_id(self) -> str:
        return str(50_000_000 + next(self._trade_seq))

    # -- orders ---------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError("Couldn't find that `order_id`.")
        return order

    def reject_next(self, message: str = DEFAULT_REJECTION) -> None:
        self._rejections.append(message)

    def place(self, variety: str, form: Mapping[str, str]) -> Order:
        if variety not in VARIETIES:
            raise ApiError(f"Invalid `variety` {variety} (the fake supports regular only).")
        ins = self.lookup(form.get("exchange"), form.get("tradingsymbol"))
        order_type = forms.choice(form, "order_type", ORDER_TYPES)
        side = forms.choice(form, "transaction_type", SIDES)
        quantity = forms.quantity(form, ins)
        price = forms.price(form, "price", ins, required=order_type in ("LIMIT", "SL"))
        trigger = forms.price(form, "trigger_price", ins, required=order_type in ("SL", "SL-M"))
        if order_type == "SL" and (trigger > price if side == "BUY" else trigger < price):
            raise ApiError("Trigger price should be within the limit price for a stoploss order.")
        tag = form.get("tag") or None
        if tag is not None and not TAG.fullmatch(tag):
            raise ApiError("`tag` must be alphanumeric and at most 20 characters.")
        now = self.clock()
        order_id, seq = self.next_order_id()
        order = Order(
            order_id=order_id,
            variety=variety,
            instrument=ins,
            transaction_type=side,
            order_type=order_type,
            product=forms.choice(form, "product", PRODUCTS),
            quantity=quantity,
            price=price if order_type in ("LIMIT", "SL") else Decimal(0),
            trigger_price=trigger if order_type in ("SL", "SL-M") else Decimal(0),
            validity=forms.choice(form, "validity", VALIDITIES, default="DAY"),
            tag=tag,
            placed_at=now,
            guid=f"{seq:06d}fakekite",
            user_id=self.user_id,
            disclosed_quantity=forms.integer(form, "disclosed_quantity", 0),
            market_protection=forms.integer(form, "market_protection", 0),
        )
        self.orders[order.order_id] = order
        self._advance(order, "PUT ORDER REQ RECEIVED")
        self._advance(order, "VALIDATION PENDING")
        reason = self._rejections.pop(0) if self._rejections else self._trigger_problem(order)
        if reason is not None:
            order.status_message = reason
            self._advance(order, "REJECTED", push=True)
            return order
        self._advance(order, "OPEN PENDING")
        order.exchange_order_id = str(1_100_000_000_000_000 + seq)
        order.exchange_at = now
        if order_type in ("SL", "SL-M"):
            self._advance(order, "TRIGGER PENDING", push=True)
            return order
        self._advance(order, "OPEN", push=True)
        self._match(order, aggressive=True, budget=self._budget(ins))
        if order.validity == "IOC" and order.status == "OPEN":
            self._cancel_rest(order)
        return order

    def modify(self, variety: str, order_id: str, form: Mapping[str, str]) -> Order:
        order = self._working(variety, order_id, "modified")
        if order.modifications >= MAX_MODIFICATIONS:
            raise ApiError("Maximum allowed order modifications exceeded.")
        ins = order.instrument
        order_type = forms.choice(form, "order_type", ORDER_TYPES, default=order.order_type)
        if "quantity" in form:
            quantity = forms.quantity(form, ins)
            if quantity <= order.filled_quantity:
                raise ApiError("New quantity must exceed the quantity already filled.")
            order.quantity = quantity
        if form.get("price"):
            order.price = forms.price(form, "price", ins, required=True)
        if form.get("trigger_price"):
            order.trigger_price = forms.price(form, "trigger_price", ins, required=True)
        order.order_type = order_type
        if order_type in ("MARKET", "SL-M"):
            order.price = Decimal(0)
        if order_type in ("MARKET", "LIMIT"):
            order.trigger_price = Decimal(0)
        order.validity = forms.choice(form, "validity", VALIDITIES, default=order.validity)
        order.disclosed_quantity = forms.integer(
            form, "disclosed_quantity", order.disclosed_quantity
        )
        order.modified = True
        order.modifications += 1
        self._advance(order, "MODIFY VALIDATION PENDING")
        self._advance(order, "MODIFY PENDING")
        waiting = order_type in ("SL", "SL-M") and not order.triggered
        self._advance(order, "TRIGGER PENDING" if waiting else "OPEN", True, "UPDATE")
        self._match(order, aggressive=True, budget=self._budget(ins))
        return order

    def cancel(self, variety: str, order_id: str) -> Order:
        order = self._working(variety, order_id, "cancelled")
        self._advance(order, "CANCEL PENDING")
        self._cancel_rest(order)
        return order

    def fill(self, order_id: str, quantity: int | None, price: Decimal | None) -> Trade:
        """Fill a working order by hand (e.g. one partial fill), at ``price`` or the LTP."""
        order = self.get(order_id)
        if order.status != "OPEN":
            raise ValueError(f"order {order_id} is {order.status}, not OPEN")
        qty = order.pending_quantity if quantity is None else quantity
        if not 0 < qty <= order.pending_quantity:
            raise ValueError(f"cannot fill {qty} of {order.pending_quantity} pending")
        ltp = self.quotes[order.instrument.instrument_token].last_price
        return self._fill(order, qty, ltp if price is None else price)

    # -- internals ------------------------------------------------------------------------

    def _working(self, variety: str, order_id: str, verb: str) -> Order:
        order = self.get(order_id)
        if variety != order.variety:
            raise ApiError(f"Order {order_id} is not of variety {variety}.")
        if order.status not in WORKING:
            raise ApiError(f"Order cannot be {verb} as it is {order.status.lower()}.")
        return order

    def _advance(
        self, order: Order, status: str, push: bool = False, push_status: str | None = None
    ) -> None:
        order.status = status
        order.updated_at = self.clock()
        order.history.append(order.to_json())
        if push:
            self.outbox.append(order.to_update(push_status))

    def _budget(self, ins: Instrument) -> list[int] | None:
        liquidity = self.quotes[ins.instrument_token].liquidity
        return None if liquidity is None else [liquidity]

    def _trigger_problem(self, order: Order) -> str | None:
        """Kite's RMS refuses a stop-loss whose trigger the market has already reached."""
        if order.order_type not in ("SL", "SL-M") or not self._trigger_reached(order):
            return None
        where = "higher" if order.is_buy else "lower"
        return (
            f"Trigger price for stoploss {order.transaction_type.lower()} orders should be "
            f"{where} than the last traded price."
        )

    def _trigger_reached(self, order: Order) -> bool:
        ltp = self.quotes[order.instrument.instrument_token].last_price
        return ltp >= order.trigger_price if order.is_buy else ltp <= order.trigger_price

    def _match(self, order: Order, *, aggressive: bool, budget: list[int] | None) -> None:
        if order.status == "TRIGGER PENDING":
            if not self._trigger_reached(order):
                return
            order.triggered = True
            self._advance(order, "OPEN", push=True)
            aggressive = True
        ltp = self.quotes[order.instrument.instrument_token].last_price
        if order.order_type in ("MARKET", "SL-M"):
            price = ltp
        elif (ltp <= order.price) if order.is_buy else (ltp >= order.price):
            price = ltp if aggressive else order.price
        else:
            return
        quantity = order.pending_quantity
        if budget is not None:
            quantity = min(quantity, budget[0])
            budget[0] -= quantity
        if quantity > 0:
            self._fill(order, quantity, price)

    def _fill(self, order: Order, quantity: int, price: Decimal) -> Trade:
        trade = Trade(self.next_trade_id(), order, quantity, price, self.clock())
        self.trades.append(trade)
        order.filled_quantity += quantity
        order.fill_value += price * quantity
        if order.filled_quantity == order.quantity:
            self._advance(order, "COMPLETE", push=True)
        else:
            self._advance(order, order.status, push=True, push_status="UPDATE")
        return trade

    def _cancel_rest(self, order: Order) -> None:
        order.cancelled_quantity = order.quantity - order.filled_quantity
        self._advance(order, "CANCELLED", push=True)
