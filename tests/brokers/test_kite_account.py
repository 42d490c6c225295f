"""The Kite adapter on an account that is not shikra's alone, with the real kiteconnect client
against the fake Kite: orders and trades its owner made in the Kite app (MTF, cover orders,
AMOs, icebergs, untagged) are read, not raised on; a CANCELLED AMO is over; an order being
modified is still working; a position carried in MTF keeps its product and multiplier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kiteconnect import KiteConnect

from brokers.base import Variety
from brokers.credentials import Credentials
from brokers.errors import BrokerUnavailable
from brokers.kite import KiteBroker
from messages import OrderIntent, OrderStatus, Product, Side
from tests.brokers.kite_helpers import MODIFYING_STATUSES, Reports
from tests.fakekite import FakeKite


@pytest.fixture
def fake() -> Iterator[FakeKite]:
    with FakeKite() as running:
        running.add_instrument("NSE:INFY", 408065, last_price="1500")
        running.add_instrument("NSE:SBIN", 779521, last_price="800")
        running.add_instrument("MCX:GOLDM26JANFUT", (4711 << 8) | 5, last_price="160000")
        yield running


def adapter(fake: FakeKite, reports: Reports) -> KiteBroker:
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root,
                         timeout=2)  # fmt: skip
    env = {"KITE_API_KEY": fake.api_key, "KITE_ACCESS_TOKEN": fake.access_token}
    return KiteBroker(client, Credentials(environ=env), sleep=lambda s: None, on_unknown=reports)


def test_foreign_mtf_and_cover_orders_are_read_with_their_trades(fake):
    reports = Reports()
    broker = adapter(fake, reports)
    mtf = fake.by_hand("NSE:SBIN", product="MTF", quantity=10, kite_tags=("mktp",))
    cover = fake.by_hand("NSE:INFY", product="CO", variety="co", side="SELL", quantity=2,
                         status="TRIGGER PENDING", order_type="LIMIT", price="1510")  # fmt: skip
    ours = broker.place(
        OrderIntent(client_id="S0000001", symbol="NSE:INFY", side=Side.BUY, quantity=1)
    )
    orders = {order.broker_order_id: order for order in broker.orders()}
    assert (orders[mtf].product, orders[mtf].tag, orders[mtf].status) == (
        Product.MTF, "", OrderStatus.FILLED
    )  # fmt: skip
    assert (orders[cover].product, orders[cover].variety, orders[cover].status) == (
        Product.CO, Variety.CO, OrderStatus.OPEN
    )  # fmt: skip
    assert orders[ours].tag == "S0000001"
    trades = {trade.broker_order_id: trade for trade in broker.trades()}
    assert set(trades) == {mtf, ours}
    # Kite's trades carry no tag: the foreign one stays untagged, ours gets its client id.
    assert (trades[mtf].product, trades[mtf].tag, trades[mtf].quantity) == (Product.MTF, "", 10)
    assert trades[ours].tag == "S0000001"
    assert broker.order_by_tag("S0000001") is not None
    assert reports == []  # all of it documented: nothing unknown


def test_a_cancelled_amo_is_final(fake):
    broker = adapter(fake, Reports())
    order_id = fake.by_hand("NSE:INFY", variety="amo", status="CANCELLED AMO", tag="S0000002",
                            order_type="LIMIT", price="1400")  # fmt: skip
    found = broker.order_by_tag("S0000002")
    assert found is not None and found.broker_order_id == order_id
    assert (found.status, found.variety, found.broker_status) == (
        OrderStatus.CANCELLED, Variety.AMO, "CANCELLED AMO"
    )  # fmt: skip
    assert found.status.is_terminal


@pytest.mark.parametrize("status", MODIFYING_STATUSES)
def test_an_order_being_modified_or_cancelled_is_still_working(fake, status):
    broker = adapter(fake, Reports())
    fake.by_hand("NSE:INFY", variety="iceberg", status=status, tag="S0000003", quantity=4,
                 filled_quantity=1, order_type="LIMIT", price="1450")  # fmt: skip
    found = broker.order_by_tag("S0000003")
    assert found is not None and found.status is OrderStatus.PARTIALLY_FILLED
    assert (found.variety, found.broker_status) == (Variety.ICEBERG, status)


def test_an_order_on_its_way_is_submitted_never_over(fake):
    broker = adapter(fake, Reports())
    fake.by_hand("NSE:INFY", variety="amo", status="AMO REQ RECEIVED", tag="S0000004",
                 order_type="LIMIT", price="1450")  # fmt: skip
    found = broker.order_by_tag("S0000004")
    assert found is not None and found.status is OrderStatus.SUBMITTED


def test_an_undocumented_product_and_status_are_counted_not_raised(fake):
    reports = Reports()
    broker = adapter(fake, reports)
    order_id = fake.by_hand("NSE:SBIN", product="SUPERMTF", status="PARKED", filled_quantity=1)
    (order,) = broker.orders()
    assert (order.broker_order_id, order.product, order.status) == (
        order_id, Product.UNKNOWN, OrderStatus.SUBMITTED
    )  # fmt: skip
    (trade,) = broker.trades()
    assert trade.product is Product.UNKNOWN
    # Each read reports again (counted each time); the log says each value once.
    assert set(reports) == {("product", "'SUPERMTF'"), ("status", "'PARKED'")}


def test_an_order_of_ours_that_cannot_be_read_is_not_reported_absent(fake):
    # Absent would let the router conclude it was never placed, and reject it.
    reports = Reports()
    broker = adapter(fake, reports)
    fake.by_hand("NSE:INFY", side="SHORT", tag="S0000005")
    assert broker.orders() == []
    with pytest.raises(BrokerUnavailable, match="S0000005") as raised:
        broker.order_by_tag("S0000005")
    assert raised.value.cause == "bad_response"
    assert broker.order_by_tag("S0000006") is None  # an order that is not there: None
    assert "transaction_type" in reports.fields()


def test_positions_are_per_product_with_the_multiplier(fake):
    broker = adapter(fake, Reports())
    fake.set_multiplier("MCX:GOLDM26JANFUT", 1000)
    fake.carry_position("NSE:SBIN", 25, "790.25", product="MTF")
    fake.carry_position("MCX:GOLDM26JANFUT", 1, "159000.5", product="NRML")
    fake.by_hand("NSE:SBIN", product="MIS", side="SELL", quantity=5)  # at 800
    positions = [(p.symbol, p.product, p.quantity, p.open_cost, p.multiplier)
                 for p in broker.positions()]  # fmt: skip
    assert positions == [
        # 1 x 15900050 paise: the open cost leaves the multiplier out
        ("MCX:GOLDM26JANFUT", Product.NRML, 1, 15_900_050, 1000),
        ("NSE:SBIN", Product.MIS, -5, -400_000, 1),  # sold 5 at 80000 paise
        ("NSE:SBIN", Product.MTF, 25, 1_975_625, 1),  # 25 x 79025 paise
    ]


def test_a_pushed_update_of_a_foreign_order_reaches_the_listener_as_a_record(fake):
    broker = adapter(fake, Reports())
    heard = []
    broker.subscribe(heard.append)
    order_id = fake.by_hand("NSE:SBIN", product="MTF", variety="amo", status="AMO REQ RECEIVED",
                            order_type="LIMIT", price="790", push=False)  # fmt: skip
    (update,) = [o for o in fake.orders() if o["order_id"] == order_id]
    broker.on_order_update({**update, "unfilled_quantity": 1, "app_id": 0})
    broker.on_order_update({"order_id": order_id, "status": "garbage"})  # dropped, not raised
    (record,) = heard
    assert (record.product, record.variety, record.tag) == (Product.MTF, Variety.AMO, "")
