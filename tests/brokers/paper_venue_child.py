"""A process that trades on a paper venue file until it is killed (test_paper_kill.py).

Every line it prints is about something the venue has already committed: ``ORDER tag id``
after ``place`` returned, ``TRADE trade_id order_id quantity price`` from the venue's listener
(updates are pushed only after their commit). Bounded: it stops by itself after ``--seconds``.

    python -m tests.brokers.paper_venue_child VENUE_FILE PREFIX [SECONDS]
"""

from __future__ import annotations

import sys
import time

from brokers.base import BrokerOrder, BrokerTrade
from brokers.paper import PaperBroker
from core.clock import VirtualClock
from messages import OrderIntent, OrderType, Side, Tick

SYMBOL = "NSE:INFY"


def main(venue_file: str, prefix: str, seconds: float) -> None:
    broker = PaperBroker(VirtualClock(), {SYMBOL: 5}, store=venue_file, partial_fill_ratio=0.5)

    def report(update: BrokerOrder | BrokerTrade) -> None:
        if isinstance(update, BrokerTrade):
            line = f"TRADE {update.trade_id} {update.broker_order_id} {update.quantity}"
            print(f"{line} {update.price}", flush=True)

    broker.subscribe(report)
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        price = 100_000 + 5 * (n % 11)
        broker.observe(Tick(symbol=SYMBOL, ltp=price, exchange_ns=n, receive_ns=n))
        side = Side.BUY if n % 2 else Side.SELL
        if n % 3:
            intent = OrderIntent(client_id=f"{prefix}{n}", symbol=SYMBOL, side=side, quantity=4)
        else:  # a limit away from the market: some rest, some fill on a later tick
            limit = price - 25 if side is Side.BUY else price + 25
            intent = OrderIntent(
                client_id=f"{prefix}{n}",
                symbol=SYMBOL,
                side=side,
                quantity=3,
                order_type=OrderType.LIMIT,
                limit_price=limit,
            )
        print(f"ORDER {intent.client_id} {broker.place(intent)}", flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 20.0)
