"""The Kite tick source's own logic, with stand-in tickers (the real client on the fake is
tested end to end): instruments split over connections, one subscription per connection,
frames decoded into ticks, malformed packets and order updates handed on, and the watchdog."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest

from feeds.base import SkipReason
from feeds.kite import KiteTickSource


class StandInTicker:
    def __init__(self) -> None:
        self.connected = False
        self.closed = False
        self.subscribed: list[list[int]] = []
        self.modes: list[tuple[str, list[int]]] = []
        self.on_connect: Any = None
        self.on_message: Any = None

    def connect(self, threaded: bool = False) -> None:
        self.connected = True

    def close(self) -> None:
        self.closed = True

    def subscribe(self, tokens: list[int]) -> None:
        self.subscribed.append(tokens)

    def set_mode(self, mode: str, tokens: list[int]) -> None:
        self.modes.append((mode, tokens))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000_000_000

    def __call__(self) -> int:
        return self.now


def source(tokens: dict[int, str], **kw: Any) -> tuple[KiteTickSource, list[StandInTicker], Clock]:
    made: list[StandInTicker] = []
    clock = Clock()

    def make() -> StandInTicker:
        made.append(StandInTicker())
        return made[-1]

    src = KiteTickSource(
        make_ticker=make,
        tokens=tokens,
        modes=kw.pop("modes", {}),
        now_ns=clock,
        stale_after=kw.pop("stale_after", 5.0),
        call_in_reactor=lambda f, *a, **k: f(*a, **k),
        **kw,
    )
    return src, made, clock


def test_instruments_are_split_over_connections_each_subscribing_once():
    tokens = {t: f"NSE:S{t}" for t in range(1, 8)}
    src, made, _ = source(tokens, max_tokens=3, max_connections=3,
                          modes={1: "full", 2: "ltp"})  # fmt: skip
    src.connect()
    assert len(made) == 3 and all(t.connected for t in made)
    for ticker in made:
        ticker.on_connect(ticker, None)
        ticker.on_connect(ticker, None)  # the client's own reconnect: no second subscription
    assert [t.subscribed for t in made] == [[[1, 2, 3]], [[4, 5, 6]], [[7]]]
    assert made[0].modes == [("full", [1]), ("ltp", [2]), ("quote", [3])]


def test_too_many_instruments_for_the_connections_is_refused_up_front():
    with pytest.raises(ValueError, match="need 3 connections; at most 2"):
        source({t: f"NSE:S{t}" for t in range(7)}, max_tokens=3, max_connections=2)


def test_frames_become_ticks_and_bad_packets_are_counted_by_reason():
    updates: list[dict[str, Any]] = []
    src, made, clock = source({(408065 << 8) | 1: "NSE:INFY"}, on_order_update=updates.append)
    src.connect()
    token = (408065 << 8) | 1
    frame = struct.pack(">HH", 2, 8) + struct.pack(">ii", token, 152345) + struct.pack(">H", 5)
    frame += b"\x00" * 5
    made[0].on_message(made[0], frame, True)
    made[0].on_message(made[0], json.dumps({"type": "order", "data": {"order_id": "1"}}), False)
    batch = src.poll(clock.now)
    (tick,) = batch.ticks
    assert (tick.symbol, tick.ltp, tick.receive_ns) == ("NSE:INFY", 152345, clock.now)
    assert [r.reason for r in batch.skipped] == [SkipReason.UNKNOWN_LENGTH]
    assert updates == [{"order_id": "1"}]
    assert src.poll(clock.now).ticks == []  # drained


def test_the_watchdog_reopens_a_silent_connection_and_only_then():
    src, made, clock = source({1: "NSE:A"}, stale_after=2.0)
    src.connect()
    clock.now += 1_900_000_000
    made[0].on_message(made[0], b"\x00", True)  # a heartbeat keeps it alive
    clock.now += 1_900_000_000
    assert not src.watchdog(clock.now)
    clock.now += 200_000_000  # 2.1 s without a frame
    assert src.watchdog(clock.now)
    assert made[0].closed and len(made) == 2 and made[1].connected
    assert src.reconnects == 1


def test_the_lag_is_how_long_the_oldest_queued_tick_waited_since_it_arrived():
    token = (408065 << 8) | 1
    src, made, clock = source({token: "NSE:INFY"})
    src.connect()
    frame = struct.pack(">HH", 1, 8) + struct.pack(">ii", token, 152345)
    made[0].on_message(made[0], frame, True)
    clock.now += 30_000_000
    made[0].on_message(made[0], frame, True)
    clock.now += 5_000_000
    assert src.poll(clock.now).lag_ns == 35_000_000  # the first frame waited 35 ms
    assert src.poll(clock.now).lag_ns == 0  # nothing queued
