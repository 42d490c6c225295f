"""Flatten, pure: cancels only what adds exposure, closes what reducing orders do not already
close, in the symbol's own product, with ids that continue a sequence and never repeat."""

from __future__ import annotations

from dataclasses import dataclass

from core.flatten import cancels_for_flatten, closing_orders, flatten_client_id, is_flat
from messages import OrderType, Product, Side


@dataclass
class Working:
    symbol: str
    side: Side
    remaining: int
    reduces: bool


def test_every_working_order_but_its_own_is_cancelled():
    # The reducing one too: a resting stop (or a LIMIT exit) would keep the position open
    # until the market came to it, and the flatten's close is sent once it is done.
    working = {
        "E1": Working("NSE:INFY", Side.BUY, 5, reduces=False),
        "X1": Working("NSE:TCS", Side.SELL, 3, reduces=True),
        flatten_client_id(7): Working("NSE:TCS", Side.SELL, 2, reduces=True),
    }
    cancels = cancels_for_flatten(working, "flatten: eod")
    assert [(c.client_id, c.symbol, c.reason) for c in cancels] == [
        ("E1", "NSE:INFY", "flatten: eod"),
        ("X1", "NSE:TCS", "flatten: eod"),
    ]


def test_each_position_is_closed_for_what_reducing_orders_leave_in_its_product():
    positions = {"NSE:TCS": 10, "NSE:INFY": -4, "NSE:SBIN": 0}
    working = [Working("NSE:TCS", Side.SELL, 3, reduces=True)]
    plan = closing_orders(
        positions,
        working,
        {"NSE:TCS": 340_000},
        market_ns=7,
        last_seq=41,
        products={"NSE:TCS": Product.CNC},
    )
    assert [(i.client_id, i.symbol, i.side, i.quantity, i.product) for i in plan.intents] == [
        ("FLAT000042", "NSE:INFY", Side.BUY, 4, Product.MIS),
        ("FLAT000043", "NSE:TCS", Side.SELL, 7, Product.CNC),
    ]
    assert plan.next_seq == 43
    assert all(i.order_type is OrderType.MARKET and i.market_ns == 7 for i in plan.intents)
    assert plan.intents[1].market_price == 340_000 and plan.intents[0].market_price is None


def test_nothing_to_close_uses_no_id():
    plan = closing_orders({"NSE:TCS": 3}, [Working("NSE:TCS", Side.SELL, 3, True)], {}, 0, 9, {})
    assert plan.intents == () and plan.next_seq == 9
    assert flatten_client_id(12) == "FLAT000012"


def test_flat_means_nothing_held_and_nothing_working():
    assert is_flat({"A": 0}, {})
    assert not is_flat({"A": 1}, {})
    assert not is_flat({"A": 0}, {"X": object()})
