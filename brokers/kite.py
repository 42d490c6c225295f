"""The broker adapter over Kite Connect's REST API (``kiteconnect.KiteConnect``).

Placements carry the client id as Kite's ``tag`` and are never retried (``brokers.kite_errors``
says what each failure means). Reads are retried with a backoff on 429s and transient errors,
and re-read the access token when Kite calls it invalid, so a ``main.py login`` during the day
heals a running daemon without a restart. Order updates pushed over the WebSocket arrive
through ``on_order_update`` (called by the Kite feed) and go to the subscribed listeners.

The account holds what its owner does by hand (MTF, cover orders, AMOs, icebergs…): every
read accepts all of Kite's documented values, maps anything else to an explicit unknown,
skips a record it cannot use (``kite_records``), and raises only ``BrokerError``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any, TypeVar

from brokers import kite_errors, kite_records
from brokers.base import BrokerListener, BrokerOrder, BrokerPosition, BrokerTrade
from brokers.credentials import Credentials
from brokers.errors import BrokerError, BrokerUnavailable, RateLimited, TokenExpired
from brokers.unknown_values import UnknownValue, UnknownValues
from messages import OrderIntent, OrderType

_log = logging.getLogger(__name__)
_Record = TypeVar("_Record", BrokerOrder, BrokerTrade, BrokerPosition)


def rupees(paise: int | None) -> str | None:
    """Paise as the decimal string Kite's form fields take ("1523.45"), never a float."""
    return None if paise is None else str(Decimal(paise) / 100)


def _listed(data: Any, what: str) -> list[Any]:
    """A response that must be a list; anything else is a bad response, not "none"."""
    if not isinstance(data, list):
        raise BrokerUnavailable(f"Kite's {what} response is not a list").caused_by("bad_response")
    return data


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
        on_unknown: UnknownValue | None = None,
    ) -> None:
        """``on_unknown`` hears of every value outside Kite's documented sets and every
        record skipped (``brokers.unknown_values``); the daemon's counts them in a metric.
        By default they are only logged, once each."""
        self.client = client
        self.on_unknown: UnknownValue = on_unknown if on_unknown is not None else UnknownValues()
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
    # Each raises only ``BrokerError``: a response of the wrong shape is ``BrokerUnavailable``
    # (cause bad_response); a record in it that cannot be used is skipped and reported.

    def orders(self) -> list[BrokerOrder]:
        return self._orders()[0]

    def orders_tagged(self, tags: Collection[str]) -> list[BrokerOrder]:
        wanted, latest = set(tags), {}
        for order in self.orders():  # oldest first: the last of a tag is its latest
            if order.tag in wanted:
                latest[order.tag] = order
        return list(latest.values())

    def order_by_tag(self, tag: str) -> BrokerOrder | None:
        orders, unreadable = self._orders()
        found = [order for order in orders if order.tag == tag]
        if found:
            return found[-1]
        if tag in unreadable:
            # Not "no such order": an order of ours exists that we cannot read. None would let
            # the router conclude it was never placed.
            raise BrokerUnavailable(
                f"Kite's record of the order tagged {tag} cannot be read"
            ).caused_by("bad_response")
        return None

    def trades(self) -> list[BrokerTrade]:
        self.orders()  # trades carry no tag: learn each order's first
        with self._lock:
            tags = dict(self._tags)
        items = _listed(self.read(self.client.trades), "trades")
        return self._records(items, lambda item: kite_records.trade(item, tags, self.on_unknown))

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        """Every state the order went through, oldest first."""
        items = _listed(
            self.read(lambda: self.client.order_history(broker_order_id)), "order history"
        )
        return self._records(items, lambda item: kite_records.order(item, self.on_unknown))

    def margins(self) -> dict[str, Any]:
        """Kite's margins, as it sends them (for the operator's status, not for decisions)."""
        result = self.read(self.client.margins)
        if not isinstance(result, dict):
            raise BrokerUnavailable("Kite's margins are not an object").caused_by("bad_response")
        return result

    def positions(self) -> list[BrokerPosition]:
        """Kite's ``net`` positions, one per (symbol, product), sorted."""
        data = self.read(self.client.positions)
        net = data.get("net") if isinstance(data, dict) else None
        items = _listed(net, "net positions")
        found = self._records(items, lambda item: kite_records.position(item, self.on_unknown))
        return sorted(found, key=lambda p: (p.symbol, p.product.value))

    def _orders(self) -> tuple[list[BrokerOrder], set[str]]:
        """The day's orders, and the tags of those that could not be read."""
        items = _listed(self.read(self.client.orders), "orders")
        unreadable: set[str] = set()

        def convert(item: Any) -> BrokerOrder | None:
            record = kite_records.order(item, self.on_unknown)
            if record is None and kite_records.tag_of(item):
                unreadable.add(kite_records.tag_of(item))
            return record

        records = self._records(items, convert)
        with self._lock:
            for record in records:
                if record.tag:
                    self._tags[record.broker_order_id] = record.tag
        return records, unreadable

    def _records(self, items: list[Any], convert: Callable[[Any], _Record | None]) -> list[_Record]:
        """Each item converted; the unusable ones (None) left out. The record functions never
        raise; should one ever (a bug), the item is skipped and reported like an unusable
        one, because an exception here would crash-loop the router on one strange record."""
        records: list[_Record] = []
        for item in items:
            try:
                record = convert(item)
            except Exception as exc:
                _log.debug("the adapter failed on a record", exc_info=True)
                self.on_unknown("record", f"adapter error {type(exc).__name__}: {exc}"[:120])
                continue
            if record is not None:
                records.append(record)
        return records

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

    def on_order_update(self, data: Any) -> None:
        """An order update from the WebSocket (on the feed's thread: only convert and pass
        on; the listener only sends a message). One that cannot be used is reported and
        dropped: the router's check of working orders reads the order book anyway."""
        records = self._records([data], lambda item: kite_records.order(item, self.on_unknown))
        if not records:
            return
        record = records[0]
        if record.tag:
            with self._lock:
                self._tags[record.broker_order_id] = record.tag
        for listener in self._listeners:
            listener(record)
