"""A broker wrapped so that every call is counted, timed and its failures classified in the
metrics, whichever actor makes it (the router places orders, PositionSync reads positions)."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from brokers.base import BrokerListener, BrokerOrder, BrokerPosition, BrokerTrade
from brokers.errors import (
    BrokerError,
    BrokerUnavailable,
    OrderRefused,
    OutcomeUnknown,
    RateLimited,
    TokenExpired,
)
from messages import OrderIntent
from metrics import Metrics

_KINDS: dict[type[BrokerError], str] = {
    OrderRefused: "refused",
    OutcomeUnknown: "unknown_outcome",
    TokenExpired: "token",
    RateLimited: "rate_limited",
    BrokerUnavailable: "unavailable",
}


class MeteredBroker:
    """Implements ``Broker`` by delegating to ``inner`` and recording each call."""

    def __init__(self, inner: Any, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def place(self, intent: OrderIntent) -> str:
        return self._call("place", self.inner.place, intent)

    def cancel(self, broker_order_id: str) -> None:
        self._call("cancel", self.inner.cancel, broker_order_id)

    def modify(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        limit_price: int | None = None,
        trigger_price: int | None = None,
    ) -> None:
        self._call(
            "modify",
            lambda: self.inner.modify(
                broker_order_id,
                quantity=quantity,
                limit_price=limit_price,
                trigger_price=trigger_price,
            ),
        )

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        return self._call("order_by_tag", self.inner.order_by_tag, tag)

    def orders(self) -> list[BrokerOrder]:
        return self._call("orders", self.inner.orders)

    def orders_tagged(self, tags: Collection[str]) -> list[BrokerOrder]:
        return self._call("orders", self.inner.orders_tagged, tags)  # Kite: the orders call

    def trades(self) -> list[BrokerTrade]:
        return self._call("trades", self.inner.trades)

    def positions(self) -> list[BrokerPosition]:
        return self._call("positions", self.inner.positions)

    def subscribe(self, listener: BrokerListener) -> None:
        self.inner.subscribe(listener)

    def _call(self, call: str, function: Callable[..., Any], *args: Any) -> Any:
        self.metrics.broker_calls.labels(call=call).inc()
        start = time.perf_counter()
        try:
            return function(*args)
        except BrokerError as exc:
            kind = _KINDS.get(type(exc), "other")
            self.metrics.broker_errors.labels(call=call, kind=kind).inc()
            self.metrics.broker_error_causes.labels(cause=exc.cause).inc()
            raise
        finally:
            self.metrics.broker_latency.labels(call=call).observe(time.perf_counter() - start)
