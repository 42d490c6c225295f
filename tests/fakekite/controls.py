"""``FakeKite``'s misbehaviour on request, and its login controls: each method breaks one
thing the way Kite or the network breaks it, so the adapter's handling can be tested."""

from __future__ import annotations

import json
import threading

from tests.fakekite import faults
from tests.fakekite.book import DEFAULT_REJECTION, Book
from tests.fakekite.session import Sessions
from tests.fakekite.ws_server import TickerServer
from tests.fakekite.wsproto import OP_BINARY, OP_CLOSE, OP_TEXT, close_payload


class Misbehaviour:
    """Mixed into ``FakeKite``, whose state these methods change under its lock."""

    _lock: threading.RLock
    lost_order_updates: int
    book: Book
    faults: faults.FaultPlan
    sessions: Sessions
    ticker: TickerServer

    def _notify(self) -> None:
        raise NotImplementedError

    # -- session --------------------------------------------------------------------------

    def new_request_token(self) -> str:
        """A single-use request token, as Kite's login redirect would give."""
        with self._lock:
            return self.sessions.new_request_token()

    def expire_token(self) -> None:
        """Every access token stops working (REST: 403 TokenException; new WebSocket
        handshakes: HTTP 403). Open sockets stay open; ``close_sockets`` drops them."""
        with self._lock:
            self.sessions.expire_all()
            self._notify()

    # -- misbehaviour ---------------------------------------------------------------------

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        error_type: str | None = None,
        message: str | None = None,
        endpoint: str | None = None,
        *,
        processed: bool = False,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        """The next ``n`` requests (to ``endpoint``, e.g. ``"POST /orders/*"``) get Kite's
        error envelope with ``status`` and ``error_type`` (default: the one Kite sends with
        that status). ``processed``: the request takes effect first (an order placed although
        the answer is an error). ``body``: send these bytes instead of the envelope."""
        raw = body if body is not None else faults.error_body(status, error_type, message)
        failure = faults.Failure(status, raw, content_type, endpoint, processed, n)
        with self._lock:
            self.faults.add_failure(failure)

    def delay_next(self, seconds: float, endpoint: str | None = None, n: int = 1) -> None:
        """The next ``n`` requests (to ``endpoint``) take effect at once but are answered only
        after ``seconds`` (or when the fake stops)."""
        with self._lock:
            self.faults.add_delay(faults.Delay(seconds, endpoint, n))

    def delay_next_placement(self, seconds: float) -> None:
        """The next order placement is accepted and recorded, then answered ``seconds``
        late: longer than the client's timeout, the client sees a timeout for an order that
        exists."""
        self.delay_next(seconds, "POST /orders/*")

    def lose_order_updates(self, n: int) -> None:
        """The next ``n`` order updates are never sent (0: send them again), as on a link that
        dropped them: Kite does not send a missed update again, only its order book tells."""
        with self._lock:
            self.lost_order_updates = n

    def reject_next_order(self, message: str = DEFAULT_REJECTION) -> None:
        """The next placement gets an order id, then the order is REJECTED with ``message``
        as its status_message (Kite's RMS rejections look like this)."""
        with self._lock:
            self.book.reject_next(message)

    def close_sockets(self, *, clean: bool = False) -> None:
        """Drop every WebSocket connection: abruptly (like a network failure), or after a
        close frame (1001, going away) if ``clean``."""
        with self._lock:
            connections = [c for c in self.ticker.connections if c.open]
            if clean:
                for conn in connections:
                    conn.send(OP_CLOSE, close_payload(1001, "going away"))
        for conn in connections:
            conn.cut()

    def go_silent(self) -> None:
        """Keep every socket open but send nothing at all: no ticks, heartbeats, pongs or
        order updates (what is not sent meanwhile is lost, as on a dead link)."""
        with self._lock:
            self.ticker.silent = True

    def resume(self) -> None:
        with self._lock:
            self.ticker.silent = False

    def send_raw_frame(self, payload: bytes, *, binary: bool = True) -> None:
        """Send ``payload`` as one binary (or text) message to every open connection."""
        with self._lock:
            for conn in self.ticker.connections:
                self.ticker.send(conn, OP_BINARY if binary else OP_TEXT, payload)

    def send_ws_error(self, message: str) -> None:
        """Kite's error text message: ``{"type": "error", "data": message}``."""
        self.send_raw_frame(json.dumps({"type": "error", "data": message}).encode(), binary=False)
