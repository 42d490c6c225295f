"""The Kite adapter with the real kiteconnect client against the fake Kite: each call the daemon
makes, and each failure mapped to what the router must do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kiteconnect import KiteConnect

from brokers.credentials import Credentials
from brokers.errors import OrderRefused, OutcomeUnknown, TokenExpired
from brokers.kite import KiteBroker
from messages import OrderIntent, OrderStatus, OrderType, Side
from tests.fakekite import FakeKite


@pytest.fixture
def fake() -> Iterator[FakeKite]:
    with FakeKite() as running:
        running.add_instrument("NSE:INFY", 408065, last_price="1500")
        yield running


def adapter(fake: FakeKite, timeout: float = 1.0) -> KiteBroker:
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root,
                         timeout=timeout)  # fmt: skip
    env = {"KITE_API_KEY": fake.api_key, "KITE_ACCESS_TOKEN": fake.access_token}
    return KiteBroker(client, Credentials(environ=env), sleep=lambda s: None)


def intent(client_id: str, **kw) -> OrderIntent:
    return OrderIntent(client_id=client_id, symbol="NSE:INFY", side=Side.BUY, quantity=2, **kw)


def test_place_lookup_history_trades_positions_and_margins(fake: FakeKite):
    broker = adapter(fake)
    order_id = broker.place(intent("S0000001"))
    found = broker.order_by_tag("S0000001")
    assert found is not None and found.broker_order_id == order_id
    assert found.status is OrderStatus.FILLED and found.filled_quantity == 2
    assert [h.status for h in broker.order_history(order_id)][-1] is OrderStatus.FILLED
    (trade,) = broker.trades()
    assert (trade.tag, trade.quantity, trade.price) == ("S0000001", 2, 150_000)
    (position,) = broker.positions()
    assert (position.symbol, position.quantity, position.open_cost) == ("NSE:INFY", 2, 300_000)
    assert isinstance(broker.margins(), dict)
    # The market_protection and the tag went with the MARKET order.
    (request,) = fake.requests_to("POST /orders/*")
    assert request.form["tag"] == "S0000001" and request.form["market_protection"] == "-1"


def test_limit_prices_are_sent_as_exact_decimals_and_cancel_works(fake: FakeKite):
    broker = adapter(fake)
    order_id = broker.place(intent("S0000002", order_type=OrderType.LIMIT, limit_price=149_005))
    (request,) = fake.requests_to("POST /orders/*")
    assert request.form["price"] == "1490.05"
    broker.cancel(order_id)
    found = broker.order_by_tag("S0000002")
    assert found is not None and found.status is OrderStatus.CANCELLED


def test_failures_mean_what_the_router_needs(fake: FakeKite):
    broker = adapter(fake)
    fake.fail_next(1, 400, error_type="InputException", message="bad lot",
                   endpoint="POST /orders/*")  # fmt: skip
    with pytest.raises(OrderRefused, match="bad lot"):
        broker.place(intent("S0000003"))
    fake.delay_next_placement(2.0)
    with pytest.raises(OutcomeUnknown):
        broker.place(intent("S0000004"))
    fake.wait_until(lambda: bool(fake.orders_by_tag("S0000004")), 5, "the delayed order")
    assert broker.order_by_tag("S0000004") is not None  # it exists: looked up, not re-sent
    fake.expire_token()
    with pytest.raises(TokenExpired, match=r"run `main\.py login`"):
        broker.positions()


def test_reads_retry_through_429s(fake: FakeKite):
    broker = adapter(fake)
    fake.fail_next(2, 429, error_type="NetworkException", endpoint="GET /portfolio/positions")
    assert broker.positions() == []
    assert len(fake.requests_to("GET /portfolio/positions")) == 3


def test_orders_tagged_is_the_latest_order_of_each_tag_asked(fake: FakeKite):
    broker = adapter(fake)
    first = broker.place(intent("S0000007"))
    other = broker.place(intent("S0000008"))
    again = fake.by_hand("NSE:INFY", tag="S0000007")  # Kite allows a tag on many orders
    found = {o.tag: o.broker_order_id for o in broker.orders_tagged({"S0000007", "S0000009"})}
    assert found == {"S0000007": again} and first != again != other


def test_a_stop_rests_trigger_pending_moves_by_modification_and_fills_when_crossed(fake: FakeKite):
    broker = adapter(fake)
    stop = OrderIntent(client_id="S0000009", symbol="NSE:INFY", side=Side.SELL, quantity=2,
                       order_type=OrderType.SL_M, trigger_price=149_000)  # fmt: skip
    order_id = broker.place(stop)
    (request,) = fake.requests_to("POST /orders/*")
    assert (request.form["order_type"], request.form["trigger_price"]) == ("SL-M", "1490")
    resting = broker.order_by_tag("S0000009")
    assert resting is not None and resting.status is OrderStatus.OPEN  # TRIGGER PENDING
    assert resting.trigger_price == 149_000
    broker.modify(order_id, trigger_price=149_450)
    (modify,) = fake.requests_to("PUT /orders/*")
    assert modify.form["trigger_price"] == "1494.5"
    moved = broker.order_by_tag("S0000009")
    assert moved is not None and moved.trigger_price == 149_450
    fake.set_price("NSE:INFY", "1494.40")  # through the stop
    filled = broker.order_by_tag("S0000009")
    assert filled is not None and filled.status is OrderStatus.FILLED
    (trade,) = broker.trades()
    assert (trade.tag, trade.side, trade.quantity, trade.price) == (
        "S0000009",
        Side.SELL,
        2,
        149_440,
    )


def test_the_26th_modification_of_an_order_is_refused_as_kite_does(fake: FakeKite):
    broker = adapter(fake)
    stop = OrderIntent(client_id="S0000010", symbol="NSE:INFY", side=Side.SELL, quantity=2,
                       order_type=OrderType.SL_M, trigger_price=140_000)  # fmt: skip
    order_id = broker.place(stop)
    for n in range(25):
        broker.modify(order_id, trigger_price=140_000 + 5 * (n + 1))
    with pytest.raises(OrderRefused, match="modifications exceeded"):
        broker.modify(order_id, trigger_price=141_000)
    found = broker.order_by_tag("S0000010")
    assert found is not None and found.trigger_price == 140_125  # the 25th stands
