"""``FakeKite``: Kite Connect's REST API and ticker on loopback, for the real ``kiteconnect``
client to talk to in tests. Start it as a context manager; point ``KiteConnect(root=
fake.api_root)`` and ``KiteTicker(root=fake.ws_root)`` at it; move prices with ``set_price``;
break it on purpose with the misbehaviour methods; assert on what it received.

Everything shares one re-entrant lock; ``wait_until`` waits on a condition over that lock,
notified on every change, so tests synchronise on state rather than on sleeps.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any

from tests.fakekite import by_hand, faults, packets
from tests.fakekite.api import Api, Request
from tests.fakekite.book import Book
from tests.fakekite.controls import Misbehaviour
from tests.fakekite.market import IST, Instrument, Number, Quote, packet_for, to_decimal
from tests.fakekite.rest import RestServer
from tests.fakekite.session import Sessions
from tests.fakekite.ws_server import Connection, TickerServer
from tests.fakekite.wsproto import OP_BINARY, OP_TEXT


class FakeKite(Misbehaviour):
    def __init__(
        self,
        *,
        api_key: str = "fakeapikey",
        api_secret: str = "fakeapisecret",
        access_token: str = "fakeaccesstoken",
        user_id: str = "FK1234",
        cash: Number = "1000000",
        heartbeat_interval: float | None = 1.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.api_key, self.api_secret, self.access_token = api_key, api_secret, access_token
        self.clock = clock or (lambda: datetime.now(IST))
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.requests: list[Request] = []
        self.internal_errors: list[str] = []
        self.lost_order_updates = 0
        self.sessions = Sessions(api_key, api_secret, access_token)
        self.book = Book(self.clock, user_id)
        self.faults = faults.FaultPlan()
        self.api = Api(self.book, self.sessions, self._lock, self._flush, to_decimal(cash))
        self.rest = RestServer(
            self.api, self.faults, self._lock, self.requests.append, self._internal_error
        )
        self.ticker = TickerServer(
            self._lock,
            self._notify,
            self.sessions.is_valid,
            self._snapshot,
            self._internal_error,
            heartbeat_interval,
        )

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> FakeKite:
        self.rest.start()
        self.ticker.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.ticker.stop()
        self.rest.stop()
        if kind is None and self.internal_errors:
            raise AssertionError("the fake itself failed:\n" + "\n".join(self.internal_errors))

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.rest.port}"

    @property
    def ws_root(self) -> str:
        return f"ws://127.0.0.1:{self.ticker.port}"

    # -- market ---------------------------------------------------------------------------

    def add_instrument(
        self,
        symbol: str,
        token: int,
        *,
        last_price: Number,
        tick_size: Number = "0.05",
        lot_size: int = 1,
        close: Number | None = None,
        liquidity: int | None = None,
        **details: Any,
    ) -> Instrument:
        """Create ``"EXCHANGE:SYMBOL"`` with token (its low byte is the segment), its tick and
        lot size and last price. ``close`` (previous close) defaults to the last price;
        ``liquidity`` caps the quantity filled per price event; ``details`` go to
        ``Instrument`` (name, instrument_type, segment, expiry, strike)."""
        exchange, tradingsymbol = symbol.split(":", 1)
        ins = Instrument(exchange, tradingsymbol, token, to_decimal(tick_size), lot_size, **details)
        ltp = to_decimal(last_price)
        quote = Quote(ltp, to_decimal(close) if close is not None else ltp, liquidity=liquidity)
        with self._lock:
            self.book.add(ins, quote)
        return ins

    def add_candles(self, symbol: str, rows: list, interval: str = "minute") -> None:
        """Candles the historical API serves for ``symbol``: ``(start, open, high, low, close,
        volume)`` with a timezone-aware start."""
        with self._lock:
            token = self.book.instruments[symbol].instrument_token
            self.api.history.add(token, interval, rows)

    def set_price(
        self,
        symbol: str,
        ltp: Number,
        bid: Number | None = None,
        ask: Number | None = None,
        quantity: int = 1,
    ) -> None:
        """A trade prints at ``ltp`` (``quantity`` adds to volume): resting orders fill or
        trigger, then subscribers get the tick and the order updates. ``bid``/``ask`` set
        the best depth (default: one tick either side of the LTP)."""
        with self._lock:
            ins = self.book.instruments[symbol]
            quote = self.book.quotes[ins.instrument_token]
            quote.bid = None if bid is None else to_decimal(bid)
            quote.ask = None if ask is None else to_decimal(ask)
            self.book.print_price(ins, to_decimal(ltp), quantity)
            self._stream(ins, [c for c in self.ticker.connections if c.open])
            self._flush()

    def fill(self, order_id: str, quantity: int | None = None, price: Number | None = None) -> str:
        """Fill an OPEN order by hand (all that is pending, or ``quantity``), at ``price`` or
        the LTP; returns the trade id."""
        with self._lock:
            trade = self.book.fill(order_id, quantity, None if price is None else to_decimal(price))
            self._flush()
            return trade.trade_id

    # -- the owner's own hand (see ``by_hand``) ------------------------------------------

    def by_hand(
        self,
        symbol: str,
        *,
        side: str = "BUY",
        quantity: int = 1,
        product: str = "CNC",
        variety: str = "regular",
        order_type: str = "MARKET",
        status: str = "COMPLETE",
        price: Number | None = None,
        filled_quantity: int | None = None,
        tag: str | None = None,
        kite_tags: tuple[str, ...] = (),
        push: bool = True,
    ) -> str:
        """An order placed in the Kite app, not by shikra (any product, variety, status;
        filled: all of it if COMPLETE, else ``filled_quantity``, at ``price`` or the LTP).
        ``push``: send its order update on the WebSocket, as Kite does. Returns its id."""
        with self._lock:
            order = by_hand.place(
                self.book, symbol, side=side, quantity=quantity, product=product,
                variety=variety, order_type=order_type, status=status,
                price=None if price is None else to_decimal(price),
                filled_quantity=filled_quantity, tag=tag, kite_tags=kite_tags, push=push,
            )  # fmt: skip
            self._flush()
            return order.order_id

    def carry_position(
        self, symbol: str, quantity: int, average_price: Number, *, product: str = "CNC"
    ) -> None:
        """A position held since an earlier day (e.g. MTF shares bought last week)."""
        with self._lock:
            by_hand.carry(
                self.book,
                symbol,
                product=product,
                quantity=quantity,
                average_price=to_decimal(average_price),
            )
            self._notify()

    def set_multiplier(self, symbol: str, multiplier: int) -> None:
        """The contract multiplier Kite's positions show for ``symbol`` (1000 for an MCX
        mini contract): positions' value and PnL are price x quantity x multiplier."""
        with self._lock:
            self.book.multipliers[symbol] = multiplier

    # -- introspection --------------------------------------------------------------------

    def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = ""
    ) -> None:
        """Block until ``predicate()`` holds (evaluated under the fake's lock, after every
        change), or raise ``TimeoutError`` after ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                raise TimeoutError(f"fake kite: timed out after {timeout}s waiting for {what}")

    def requests_to(self, endpoint: str) -> list[Request]:
        """Received requests matching ``endpoint`` (``"METHOD /glob"`` or ``"/glob"``)."""
        with self._lock:
            return [r for r in self.requests if faults.matches(endpoint, r.method, r.path)]

    def orders(self) -> list[dict[str, Any]]:
        with self._lock:
            return [o.to_json() for o in self.book.orders.values()]

    def orders_by_tag(self, tag: str) -> list[dict[str, Any]]:
        return [o for o in self.orders() if o["tag"] == tag]

    def order_history(self, order_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.book.get(order_id).history)

    def trades(self) -> list[dict[str, Any]]:
        with self._lock:
            return [t.to_json() for t in self.book.trades]

    def positions(self) -> dict[str, Any]:
        with self._lock:
            return self.book.positions()

    @property
    def connections(self) -> list[Connection]:
        """Every WebSocket connection accepted so far (open or not), oldest first."""
        with self._lock:
            return list(self.ticker.connections)

    @property
    def connection_count(self) -> int:
        return len(self.connections)

    @property
    def open_connection_count(self) -> int:
        return len(self.ticker.open_connections())

    @property
    def refused_connections(self) -> list[dict[str, str]]:
        """Query strings of WebSocket handshakes refused for a bad token."""
        with self._lock:
            return list(self.ticker.refused)

    # -- internals (all called under the lock) --------------------------------------------

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _flush(self) -> None:
        """Push the book's pending order updates to every connection, wake waiters."""
        updates, self.book.outbox = self.book.outbox, []
        for update in updates:
            if self.lost_order_updates > 0:
                self.lost_order_updates -= 1
                continue
            text = json.dumps({"type": "order", "data": update}).encode()
            for conn in self.ticker.connections:
                self.ticker.send(conn, OP_TEXT, text)
        self._notify()

    def _stream(self, ins: Instrument, connections: list[Connection]) -> None:
        token = ins.instrument_token
        quote = self.book.quotes[token]
        now = int(self.clock().timestamp())
        built: dict[str, bytes] = {}
        for conn in connections:
            if token in conn.subscribed:
                mode = conn.modes.get(token, "quote")
                if mode not in built:
                    built[mode] = packets.frame([packet_for(ins, quote, mode, now)])
                self.ticker.send(conn, OP_BINARY, built[mode])

    def _snapshot(self, conn: Connection, tokens: list[int]) -> None:
        for ins in self.book.instruments.values():
            if ins.instrument_token in tokens:
                self._stream(ins, [conn])

    def _internal_error(self, text: str) -> None:
        with self._lock:
            self.internal_errors.append(text)
