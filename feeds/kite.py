"""The live tick source: Kite's WebSocket through kiteconnect's ``KiteTicker``.

Facts that shape it (DESIGN, "Kite facts"):

* KiteTicker runs on Twisted's one global reactor, started once for the life of the process in
  a daemon thread (``connect(threaded=True)``); it cannot be restarted. A reconnect — ours or a
  TickFeed restart — opens a *new connection* on the same reactor, and every call into the
  ticker from another thread goes through ``reactor.callFromThread``.
* Callbacks run on the reactor thread: ``on_message`` only decodes (``feeds.kite_packets``,
  exact and never raising) and queues; TickFeed drains the queue when it polls.
* The client's keep-alive never notices a connection that stays open and silent, so this source
  keeps its own watchdog: no frame at all (Kite sends a heartbeat byte every second) for
  ``stale_after`` seconds means the connection is dead: close it and open a new one, counted.
* After one of *its own* automatic reconnects the ticker resubscribes by itself; subscribing
  again in ``on_connect`` would double the subscription. So each ticker subscribes once, on its
  first connect.
* At most ``max_tokens`` instruments per connection and ``max_connections`` connections.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from feeds.base import Batch, SkippedRecord, SkipReason, SourceStats
from feeds.kite_packets import Quote, decode_frame, paise
from messages import Tick

_log = logging.getLogger(__name__)

POLL_INTERVAL_NS = 2_000_000


class KiteTickSource:
    def __init__(
        self,
        *,
        make_ticker: Callable[[], Any],
        tokens: Mapping[int, str],
        modes: Mapping[int, str],
        now_ns: Callable[[], int],
        stale_after: float,
        max_tokens: int = 3000,
        max_connections: int = 1,
        on_order_update: Callable[[dict[str, Any]], None] | None = None,
        call_in_reactor: Callable[..., None] | None = None,
    ) -> None:
        """``make_ticker`` builds an unconnected ``KiteTicker`` (key, token and ws root bound
        by the caller, so no secret passes through here). ``tokens`` maps instrument tokens
        to shikra symbols; ``modes`` gives each token's mode (ltp, quote, full)."""
        groups = _groups(sorted(tokens), max_tokens)
        if len(groups) > max_connections:
            raise ValueError(
                f"{len(tokens)} instruments need {len(groups)} connections; "
                f"at most {max_connections} are configured"
            )
        self._make_ticker = make_ticker
        self._tokens = dict(tokens)
        self._modes = dict(modes)
        self._groups = groups
        self._now_ns = now_ns
        self._stale_after_ns = int(stale_after * 1e9)
        self._on_order_update = on_order_update
        self._call_in_reactor = call_in_reactor or _call_in_reactor
        self._lock = threading.Lock()
        self._queue: deque[Tick] = deque()
        self._skipped: list[SkippedRecord] = []
        self._tickers: list[Any] = []
        self._last_frame_ns = 0
        self.stats = SourceStats()
        self.reconnects = 0
        self.connected = False

    # -- lifecycle (TickFeed calls these) ------------------------------------------------

    def connect(self) -> None:
        self._last_frame_ns = self._now_ns()
        self._tickers = [self._open(group) for group in self._groups]

    def disconnect(self) -> None:
        tickers, self._tickers = self._tickers, []
        for ticker in tickers:
            self._call_in_reactor(ticker.close)
        self.connected = False

    def watchdog(self, now_ns: int) -> bool:
        """Reopen every connection if no frame came for ``stale_after``; True if it did."""
        if not self._tickers or now_ns - self._last_frame_ns < self._stale_after_ns:
            return False
        silent = (now_ns - self._last_frame_ns) / 1e9
        _log.warning("Kite WebSocket silent for %.1fs: reconnecting", silent)
        self.disconnect()
        self.reconnects += 1
        self.connect()
        return True

    # -- TickSource ----------------------------------------------------------------------

    def poll(self, now_ns: int) -> Batch:
        with self._lock:
            ticks, self._queue = list(self._queue), deque()
            skipped, self._skipped = self._skipped, []
        self.stats.delivered += len(ticks)
        lag_ns = max(0, now_ns - ticks[0].receive_ns) if ticks else 0  # stamped on arrival
        return Batch(ticks, now_ns + POLL_INTERVAL_NS, skipped, lag_ns)

    def close(self) -> None:
        self.disconnect()

    # -- on the reactor thread -------------------------------------------------------------

    def _open(self, group: Sequence[int]) -> Any:
        ticker = self._make_ticker()
        first = [True]

        def on_connect(ws: Any, response: Any) -> None:
            self.connected = True
            if first[0]:  # the client resubscribes by itself after its own reconnects
                first[0] = False
                ws.subscribe(list(group))
                for mode in sorted({self._modes.get(t, "quote") for t in group}):
                    ws.set_mode(mode, [t for t in group if self._modes.get(t, "quote") == mode])
            _log.info("Kite WebSocket connected (%d instruments)", len(group))

        def on_close(ws: Any, code: Any, reason: Any) -> None:
            self.connected = False
            _log.warning("Kite WebSocket closed: %s %s", code, reason)

        def on_error(ws: Any, code: Any, reason: Any) -> None:
            _log.warning("Kite WebSocket error: %s %s", code, reason)

        ticker.on_connect = on_connect
        ticker.on_close = on_close
        ticker.on_error = on_error
        ticker.on_message = self._on_message
        ticker.on_ticks = None  # we decode the frames ourselves, exactly
        self._call_in_reactor(ticker.connect, threaded=True)
        return ticker

    def _on_message(self, ws: Any, payload: bytes, is_binary: bool) -> None:
        now = self._now_ns()
        self._last_frame_ns = now
        if not is_binary:
            self._on_text(payload)
            return
        decoded = decode_frame(payload)
        ticks = [t for t in (self._tick(q, now) for q in decoded.quotes) if t is not None]
        with self._lock:
            self._queue.extend(ticks)
            for reason in decoded.malformed:
                self._skipped.append(SkippedRecord(SkipReason(reason), 0, "Kite binary frame"))

    def _on_text(self, payload: bytes | str) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if data.get("type") == "order" and isinstance(data.get("data"), dict):
            if self._on_order_update is not None:
                self._on_order_update(data["data"])
        elif data.get("type") == "error":
            _log.warning("Kite WebSocket says: %s", data.get("data"))

    def _tick(self, quote: Quote, now: int) -> Tick | None:
        symbol = self._tokens.get(quote.token)
        ltp = paise(quote.last_price, quote.scale)
        if symbol is None or ltp is None:
            return None
        exchange_ns = quote.exchange_timestamp * 1_000_000_000 if quote.exchange_timestamp else now
        return Tick(
            symbol=symbol,
            ltp=ltp,
            bid=paise(quote.bid, quote.scale) if quote.bid is not None else None,
            ask=paise(quote.ask, quote.scale) if quote.ask is not None else None,
            bid_qty=quote.bid_quantity,
            ask_qty=quote.ask_quantity,
            volume=quote.volume or 0,
            exchange_ns=exchange_ns,
            receive_ns=now,
        )


def _groups(tokens: Sequence[int], size: int) -> list[list[int]]:
    return [list(tokens[i : i + size]) for i in range(0, len(tokens), size)] or [[]]


def _call_in_reactor(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``function`` on the reactor thread: directly if the reactor is not running yet (the
    very first connect starts it), else through ``callFromThread``."""
    from twisted.internet import reactor

    if reactor.running:  # type: ignore[attr-defined]
        reactor.callFromThread(function, *args, **kwargs)  # type: ignore[attr-defined]
    else:
        function(*args, **kwargs)
