"""Shared set-up for the paper broker tests: one broker, ticks and intents in two lines."""

from __future__ import annotations

from brokers.paper import PaperBroker
from core.clock import VirtualClock
from messages import OrderIntent, OrderStatus, OrderType, Side, Tick

S = OrderStatus
SYM = "NSE:INFY"


def make_broker(clock: VirtualClock | None = None, **kw) -> PaperBroker:
    """Tick size 5 paise (0.05) for INFY, 10 for RELI."""
    return PaperBroker(clock or VirtualClock(), {SYM: 5, "NSE:RELI": 10}, **kw)


EXCHANGE_NS = 1_795_146_300_000_000_000
"""The market time helper ticks carry (2026-11-20 09:15 IST): trades are stamped with it."""


def tick(
    ltp: int,
    bid: int | None = None,
    ask: int | None = None,
    symbol: str = SYM,
    exchange_ns: int = EXCHANGE_NS,
) -> Tick:
    return Tick(symbol=symbol, ltp=ltp, bid=bid, ask=ask, exchange_ns=exchange_ns, receive_ns=0)


def order(
    client_id: str, side: Side, quantity: int = 10, kind: OrderType = OrderType.MARKET, **kw
) -> OrderIntent:
    return OrderIntent(
        client_id=client_id,
        symbol=kw.pop("symbol", SYM),
        side=side,
        quantity=quantity,
        order_type=kind,
        **kw,
    )


def fill_prices(broker: PaperBroker) -> list[int]:
    return [trade.price for trade in broker.trades()]


def status(broker: PaperBroker, broker_order_id: str) -> OrderStatus:
    return next(o.status for o in broker.orders() if o.broker_order_id == broker_order_id)
