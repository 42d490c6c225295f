"""The broker adapter over Kite Connect's REST API (``kiteconnect.KiteConnect``).

Placements carry the client id as Kite's ``tag`` and are never retried (``brokers.kite_errors``
says what each failure means). Reads are retried with a backoff on 429s and transient errors,
and re-read the access token when Kite calls it invalid, so a ``main.py login`` during the day
heals a running daemon without a restart. Order updates pushed over the WebSocket arrive
through ``on_order_update`` (called by the Kite feed) and go to the subscribed listeners.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from brokers import kite_errors, kite_records
from brokers.base import BrokerListener, BrokerOrder, BrokerPosition, BrokerTrade
from brokers.credentials import Credentials
from brokers.errors import BrokerError, RateLimited, TokenExpired
from messages import OrderIntent, OrderType

_log = logging.getLogger(__name__)


def rupees(paise: int | None) -> str | None:
    """Paise as the decimal string Kite's form fields take ("1523.45"), never a float."""
    return None if paise is None else str(Decimal(paise) / 100)


class KiteBroker:
    def __init__(
        self,
        client: Any,
        credentials: Credentials,
        *,
        market_protection: int = -1,
        variety: str = "regular",
        read_attempts: int = 4,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None],
    ) -> None:
        self.client = client
        self.credentials = credentials
        self.market_protection = market_protection
        self.variety = variety
        self.read_attempts = read_attempts
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._listeners: list[BrokerListener] = []
        self._tags: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- orders --------------------------------------------------------------------------

    def place(self, intent: OrderIntent) -> str:
        exchange, tradingsymbol = intent.symbol.split(":", 1)
        params: dict[str, Any] = {
            "variety": self.variety,
            "exchange": exchange,
            "tradingsymbol": tradingsymbol,
            "transaction_type": intent.side.value,
            "quantity": intent.quantity,
            "product": intent.product.value,
            "order_type": intent.order_type.value,
            "price": rupees(intent.limit_price),
            "trigger_price": rupees(intent.trigger_price),
            "tag": intent.client_id,
        }
        if intent.order_type in (OrderType.MARKET, OrderType.SL_M):
            params["market_protection"] = self.market_protection
        try:
            order_id = str(self.client.place_order(**params))
        except Exception as exc:
            error = kite_errors.for_placement(exc)
            _log.warning("placement of %s failed: %s", intent.client_id, error)
            raise error from exc
        with self._lock:
            self._tags[order_id] = intent.client_id
        return order_id

    def cancel(self, broker_order_id: str) -> None:
        try:
            self.client.cancel_order(self.variety, broker_order_id)
        except Exception as exc:
            raise kite_errors.for_cancel(exc) from exc

    def modify(
        self,
        broker_order_id: str,
        *,
        quantity: int | None = None,
        limit_price: int | None = None,
        trigger_price: int | None = None,
    ) -> None:
        try:
            self.client.modify_order(
                self.variety,
                broker_order_id,
                quantity=quantity,
                price=rupees(limit_price),
                trigger_price=rupees(trigger_price),
            )
        except Exception as exc:
            raise kite_errors.for_cancel(exc) from exc

    # -- reads ---------------------------------------------------------------------------

    def orders(self) -> list[BrokerOrder]:
        records = [kite_records.order(item) for item in self.read(self.client.orders)]
        with self._lock:
            for record in records:
                if record.tag:
                    self._tags[record.broker_order_id] = record.tag
        return records

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        found = [order for order in self.orders() if order.tag == tag]
        return found[-1] if found else None

    def trades(self) -> list[BrokerTrade]:
        self.orders()  # trades carry no tag: learn each order's first
        with self._lock:
            tags = dict(self._tags)
        return [
            kite_records.trade(item, tags.get(str(item["order_id"]), ""))
            for item in self.read(self.client.trades)
        ]

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        """Every state the order went through, oldest first."""
        return [
            kite_records.order(item)
            for item in self.read(lambda: self.client.order_history(broker_order_id))
        ]

    def margins(self) -> dict[str, Any]:
        """Kite's margins, as it sends them (for the operator's status, not for decisions)."""
        result: dict[str, Any] = self.read(self.client.margins)
        return result

    def positions(self) -> list[BrokerPosition]:
        return kite_records.net_positions(self.read(self.client.positions))

    def read(self, call: Callable[[], Any]) -> Any:
        """Any read of the client, with this adapter's retries and token reload."""
        reloaded = False
        error: BrokerError | None = None
        for attempt in range(self.read_attempts):
            try:
                return call()
            except Exception as exc:
                error = kite_errors.for_read(exc)
            if isinstance(error, TokenExpired):
                if reloaded or not self._reload_token():
                    raise error
                reloaded = True
                continue
            if attempt + 1 < self.read_attempts:
                wait = self.backoff_seconds * 2**attempt
                if isinstance(error, RateLimited):
                    _log.info("Kite rate limit on a read: retrying in %.2fs", wait)
                self._sleep(wait)
        assert error is not None
        raise error

    def _reload_token(self) -> bool:
        """Re-read the access token from its source; True if it changed (a new login)."""
        try:
            token = self.credentials.access_token().reveal()
        except Exception:
            return False
        if token == getattr(self.client, "access_token", None):
            return False
        self.client.set_access_token(token)
        _log.info("picked up a new Kite access token")
        return True

    # -- pushed updates ------------------------------------------------------------------

    def subscribe(self, listener: BrokerListener) -> None:
        self._listeners.append(listener)

    def on_order_update(self, data: dict[str, Any]) -> None:
        """An order update from the WebSocket (on the feed's thread: only convert and pass
        on; the listener only sends a message)."""
        try:
            record = kite_records.order(data)
        except (KeyError, ValueError) as exc:
            _log.warning("ignored a malformed order update: %s", exc)
            return
        if record.tag:
            with self._lock:
                self._tags[record.broker_order_id] = record.tag
        for listener in self._listeners:
            listener(record)
