"""The benchmark's own instruments: ticks stamped when they were due, "sent" stamped after the
broker call returns, and the pacing strategy's rate. Pure and fast: no actors, no timing."""

from __future__ import annotations

import time

from bench.paced import PacedParams, PacedStrategy
from bench.probes import DueStamps, SentStamps
from feeds.synthetic import SyntheticSource
from messages import OrderIntent, Side
from strategies.base import Signal

SECOND = 1_000_000_000
OPEN_NS = (20_777 * 86_400 + 3 * 3600 + 45 * 60) * SECOND  # a 09:15 IST
WALL_START = 1_800_000_000 * SECOND


def test_ticks_are_stamped_when_they_were_due_not_when_polled() -> None:
    # Evenly spaced at 10 a second: the k-th tick is due k/10 s after the first poll.
    source = SyntheticSource(
        [("NSE:A", 100_000, 5)], session_start_ns=OPEN_NS, ticks_per_second=10.0
    )
    stamps = DueStamps(source, OPEN_NS)
    assert source.poll(WALL_START).ticks[0].receive_ns == WALL_START  # the first is due at once
    late = WALL_START + 2 * SECOND  # a feed that polls two seconds late
    ticks = source.poll(late).ticks
    assert [t.receive_ns for t in ticks] == [WALL_START + k * SECOND // 10 for k in range(1, 21)]
    assert all(t.receive_ns - t.exchange_ns == WALL_START - OPEN_NS for t in ticks)
    assert stamps.released == 21
    assert stamps.newest_due_ns == late  # the 20th is due exactly at the late poll


def test_order_sent_is_stamped_after_the_broker_call_returns() -> None:
    class SlowBroker:
        returned_ns = 0

        def place(self, intent: OrderIntent) -> str:
            # The call "takes" 50 ms: its reply comes 50 ms after the tick, on the clock.
            self.returned_ns = intent.origin_ns + 50_000_000
            return "1"

    broker = SlowBroker()
    sent = SentStamps(broker)
    sent.recording = True
    origin = time.time_ns() - 50_000_000
    intent = OrderIntent(
        client_id="S1", symbol="NSE:A", side=Side.BUY, quantity=1, origin_ns=origin
    )
    assert broker.place(intent) == "1"
    assert sent.placed == 1
    assert sent.values[0] >= 0.05  # measured from the tick to after the return


def test_paced_strategy_signals_every_nth_price_alternating_once_warm() -> None:
    strategy = PacedStrategy(PacedParams(every=4, phase=1, slow=5, fast=2))
    signals = [strategy.on_price(100_000 + i) for i in range(16)]
    # After price n (from 0) the count, started at the phase, is 1 + n + 1: a multiple of 4 at
    # n = 2, 6, 10, 14; n = 2 is the 3rd price, before the 5-price warm-up, so it is held back.
    fired = [n for n, s in enumerate(signals) if s is not None]
    assert fired == [6, 10, 14]
    assert [signals[n] for n in fired] == [Signal.LONG, Signal.SHORT, Signal.LONG]
