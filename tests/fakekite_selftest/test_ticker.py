"""The real ``KiteTicker`` against the fake ticker.

Twisted's reactor runs once per process and cannot restart, so every ticker test lives in
this module and shares one reactor, started here in a daemon thread and never stopped (other
modules may need it). Calls into a ticker go through the reactor thread
(``blockingCallFromThread``), as the adapter must do; every wait has a deadline.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kiteconnect import KiteConnect, KiteTicker
from kiteconnect.ticker import KiteTickerClientProtocol
from twisted.internet import reactor
from twisted.internet.threads import blockingCallFromThread

from tests.fakekite import FakeKite
from tests.fakekite_selftest.market_setup import INFY, NIFTY, USDINR

EVENTS = ("connect", "close", "error", "reconnect", "ticks", "order", "message")


@pytest.fixture(scope="module", autouse=True)
def running_reactor() -> Iterator[None]:
    if not reactor.running:
        started = threading.Event()
        reactor.callWhenRunning(started.set)
        threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                         name="twisted-reactor", daemon=True).start()  # fmt: skip
        assert started.wait(10), "the reactor did not start"
    yield


class Client:
    """A KiteTicker whose callbacks feed one queue per event kind."""

    def __init__(self, fake: FakeKite, token: str | None = None) -> None:
        self.fake = fake
        self.ticker = KiteTicker(fake.api_key, token or fake.access_token, root=fake.ws_root)
        self.queues: dict[str, queue.Queue[Any]] = {kind: queue.Queue() for kind in EVENTS}
        q = self.queues
        self.ticker.on_connect = lambda ws, response: q["connect"].put(response)
        self.ticker.on_close = lambda ws, code, reason: q["close"].put((code, reason))
        self.ticker.on_error = lambda ws, code, reason: q["error"].put((code, reason))
        self.ticker.on_reconnect = lambda ws, attempt: q["reconnect"].put(attempt)
        self.ticker.on_ticks = lambda ws, ticks: q["ticks"].put(ticks)
        self.ticker.on_order_update = lambda ws, data: q["order"].put(data)
        self.ticker.on_message = lambda ws, payload, binary: q["message"].put((payload, binary))

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return blockingCallFromThread(reactor, fn, *args)

    def connect(self) -> None:
        self.call(lambda: self.ticker.connect(threaded=True))
        self.next("connect")

    def next(self, kind: str, timeout: float = 5.0) -> Any:
        try:
            return self.queues[kind].get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {kind} event within {timeout}s") from None

    def tick(self, token: int, match: Callable[[dict], bool] = lambda t: True) -> dict:
        """The next tick for ``token`` satisfying ``match`` (earlier ones are skipped)."""
        while True:
            for tick in self.next("ticks"):
                if tick["instrument_token"] == token and match(tick):
                    return tick

    def close(self) -> None:
        self.call(self.ticker.close)
        self.fake.wait_until(lambda: self.fake.open_connection_count == 0, what="ticker close")


@pytest.fixture
def client(fake: FakeKite) -> Iterator[Client]:
    ticker = Client(fake)
    yield ticker
    ticker.close()


def subscribe(client: Client, mode: str, *tokens: int) -> None:
    client.call(client.ticker.subscribe, list(tokens))
    set_mode(client, mode, *tokens)


def set_mode(client: Client, mode: str, *tokens: int) -> None:
    """Set the mode and wait until the fake has applied it (the client's send returns before
    the message is even on the wire)."""
    client.call(client.ticker.set_mode, mode, list(tokens))
    fake = client.fake
    fake.wait_until(
        lambda: all(fake.connections[-1].modes.get(t) == mode for t in tokens),
        what=f"mode {mode} for {tokens}",
    )


def test_ticks_decode_to_the_prices_set_in_every_mode(fake, client):
    client.connect()
    subscribe(client, "ltp", INFY)
    assert client.tick(INFY, lambda t: t["mode"] == "ltp")["last_price"] == 1500.0
    fake.set_price("NSE:INFY", "1501.35")
    assert client.tick(INFY, lambda t: t["last_price"] == 1501.35)["mode"] == "ltp"

    set_mode(client, "quote", INFY)
    fake.set_price("NSE:INFY", "1502.05", quantity=10)
    tick = client.tick(INFY, lambda t: t["mode"] == "quote" and t["last_price"] == 1502.05)
    assert (tick["last_traded_quantity"], tick["ohlc"]["close"], tick["ohlc"]["open"]) == (
        10, 1490.0, 1501.35
    )  # fmt: skip
    assert tick["volume_traded"] == 11

    set_mode(client, "full", INFY)
    fake.set_price("NSE:INFY", "1503", bid="1502.9", ask="1503.2")
    tick = client.tick(INFY, lambda t: t["mode"] == "full" and t["last_price"] == 1503.0)
    assert (tick["depth"]["buy"][0]["price"], tick["depth"]["sell"][0]["price"]) == (
        1502.9, 1503.2
    )  # fmt: skip
    assert [lv["price"] for lv in tick["depth"]["sell"]] == [1503.2, 1503.25, 1503.3, 1503.35,
                                                             1503.4]  # fmt: skip

    subscribe(client, "quote", USDINR)
    fake.set_price("CDS:USDINR25DECFUT", "83.2525")
    assert client.tick(USDINR, lambda t: t["last_price"] == 83.2525)["mode"] == "quote"

    subscribe(client, "full", NIFTY)
    fake.set_price("NSE:NIFTY 50", "24010.35")
    tick = client.tick(NIFTY, lambda t: t["last_price"] == 24010.35)
    assert (tick["mode"], tick["tradable"], tick["ohlc"]["close"]) == ("full", False, 23900.0)
    (conn,) = fake.connections
    assert conn.modes == {INFY: "full", USDINR: "quote", NIFTY: "full"}


def test_heartbeats_reach_on_message_but_not_on_ticks():
    with FakeKite(heartbeat_interval=0.05) as quick:
        client = Client(quick)
        client.connect()
        for _ in range(3):
            assert client.next("message", timeout=1) == (b"\x00", True)
        assert client.queues["ticks"].empty()
        client.close()


def test_order_updates_arrive_as_text_frames_with_the_order_json(fake, client):
    client.connect()
    kite = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root)
    with kite.reqsession:
        order_id = kite.place_order(variety="regular", exchange="NSE", tradingsymbol="INFY",
                                    transaction_type="BUY", quantity=2, product="MIS",
                                    order_type="MARKET", tag="WS1")  # fmt: skip
    opened, completed = client.next("order"), client.next("order")
    assert (opened["status"], completed["status"]) == ("OPEN", "COMPLETE")
    assert (completed["order_id"], completed["tag"], completed["filled_quantity"]) == (
        order_id, "WS1", 2
    )  # fmt: skip
    assert isinstance(completed["order_timestamp"], str)  # updates are not date-parsed
    assert completed["unfilled_quantity"] == 0
    fake.send_ws_error("Something broke")
    assert client.next("error") == (0, "Something broke")  # text errors reach on_error, code 0


def test_partial_fills_and_modifications_are_pushed_with_status_update(fake, client):
    """Kite's postbacks (and their WebSocket twins) say UPDATE for a partial fill or a
    modification of a working order: the adapter must not read it as a new status."""
    fake.add_instrument("NSE:THIN", (99 << 8) | 1, last_price="100", liquidity=4)
    client.connect()
    kite = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root)
    with kite.reqsession:
        order_id = kite.place_order(variety="regular", exchange="NSE", tradingsymbol="THIN",
                                    transaction_type="BUY", quantity=10, product="MIS",
                                    order_type="LIMIT", price="99")  # fmt: skip
        kite.modify_order("regular", order_id, price="100")
    fake.set_price("NSE:THIN", "100")
    fake.set_price("NSE:THIN", "100")
    seen = [client.next("order") for _ in range(5)]
    assert [(u["status"], u["filled_quantity"]) for u in seen] == [
        ("OPEN", 0), ("UPDATE", 0), ("UPDATE", 4), ("UPDATE", 8), ("COMPLETE", 10)
    ]  # fmt: skip
    assert fake.orders()[0]["status"] == "COMPLETE"


def test_reconnect_after_a_dropped_socket_resubscribes_exactly_once(fake, client):
    client.connect()
    subscribe(client, "full", INFY)
    client.tick(INFY, lambda t: t["mode"] == "full")
    fake.close_sockets()
    assert client.next("close")[0] == 1006  # abnormal closure
    client.next("connect")  # the client reconnects by itself (about 1 s backoff)
    tick = client.tick(INFY, lambda t: t["mode"] == "full")  # mode restored too
    assert tick["last_price"] == 1500.0
    first, second = fake.connections
    for conn in (first, second):
        assert conn.actions("subscribe") == [[INFY]]
        assert conn.actions("mode") == [["full", [INFY]]]
    assert (first.open, second.open) == (False, True)


def test_subscribing_in_on_connect_doubles_the_subscription_after_a_reconnect(fake, client):
    def subscribe_on_connect(ws: KiteTicker, response: object) -> None:
        ws.subscribe([INFY])  # the pitfall: the ticker resubscribes on reconnect by itself
        client.queues["connect"].put(response)

    client.ticker.on_connect = subscribe_on_connect
    client.connect()
    fake.wait_until(lambda: fake.connections[0].actions("subscribe") == [[INFY]], what="subscribe")
    fake.close_sockets(clean=True)
    client.next("connect")
    fake.wait_until(lambda: len(fake.connections[-1].actions("subscribe")) == 2,
                    what="the doubled subscription")  # fmt: skip
    assert fake.connections[0].actions("subscribe") == [[INFY]]
    assert fake.connections[1].actions("subscribe") == [[INFY], [INFY]]


def test_a_silent_socket_gives_no_ticks_and_no_disconnect(fake, client, monkeypatch):
    """kiteconnect 5.2.2's keep-alive never sends a ping (``_loop_ping`` only notes the time)
    and its pong check only acts once a pong has been seen, so a silent link stays 'open'
    for ever: shikra needs its own staleness watchdog. The check interval is shortened here so
    that many rounds of it run within the test."""
    monkeypatch.setattr(KiteTickerClientProtocol, "PING_INTERVAL", 0.05)
    client.connect()
    subscribe(client, "ltp", INFY)
    client.tick(INFY, lambda t: t["mode"] == "ltp")  # the last snapshot before silence
    fake.go_silent()
    (conn,) = fake.connections
    sent_before = conn.frames_sent
    fake.set_price("NSE:INFY", "1511")
    with pytest.raises(queue.Empty):
        client.queues["close"].get(timeout=1.5)  # ~30 pong checks, no drop
    assert client.queues["ticks"].empty()
    assert (conn.frames_sent, conn.pings, conn.open) == (sent_before, 0, True)
    assert client.call(client.ticker.is_connected)
    fake.resume()
    fake.set_price("NSE:INFY", "1512")
    assert client.tick(INFY, lambda t: t["last_price"] == 1512.0)


def test_a_malformed_frame_drops_the_client_connection_not_the_fake(fake, client):
    client.connect()
    subscribe(client, "ltp", INFY)
    client.tick(INFY, lambda t: t["mode"] == "ltp")
    fake.send_raw_frame(b"\x00\x01\x00\x0c" + b"\x00" * 12)  # a 12-byte packet: no such size
    assert client.next("ticks") == []  # skipped silently: on_ticks gets an empty list
    fake.send_raw_frame(b"\x00\x01\x00\x08\x00\x06")  # claims 8 bytes, carries 2
    assert client.next("close")[0] == 1006  # the parser raised; Twisted dropped the link
    client.next("connect")
    fake.set_price("NSE:INFY", "1520")
    assert client.tick(INFY, lambda t: t["last_price"] == 1520.0)
    assert fake.connection_count == 2 and fake.internal_errors == []


def test_an_exception_in_on_ticks_also_drops_the_connection(fake, client):
    """Whatever raises inside a callback escapes to Twisted, which drops the link: the
    adapter's on_ticks/on_order_update must never raise."""
    client.connect()
    subscribe(client, "ltp", INFY)
    client.tick(INFY, lambda t: t["mode"] == "ltp")
    deliver = client.ticker.on_ticks

    def explode(ws: KiteTicker, ticks: list[dict]) -> None:
        client.ticker.on_ticks = deliver
        raise RuntimeError("bug in a callback")

    client.ticker.on_ticks = explode
    fake.set_price("NSE:INFY", "1530")
    assert client.next("close")[0] == 1006
    client.next("connect")
    assert client.tick(INFY, lambda t: t["last_price"] == 1530.0)


def test_a_bad_token_is_refused_and_the_client_keeps_retrying(fake):
    bad = Client(fake, token="expired")
    bad.call(lambda: bad.ticker.connect(threaded=True))
    code, reason = bad.next("close")
    assert code == 1006 and "403" in reason
    fake.wait_until(lambda: len(fake.refused_connections) == 2, timeout=5, what="a retry")
    bad.call(bad.ticker.stop_retry)
    assert fake.connection_count == 0
