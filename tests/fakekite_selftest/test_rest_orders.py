"""Orders through the real ``KiteConnect``: placement, fills against ``set_price``, modify,
cancel, rejections, and the positions the trades add up to."""

from __future__ import annotations

import datetime as dt

import pytest
from kiteconnect.exceptions import InputException

TO_OPEN = ["PUT ORDER REQ RECEIVED", "VALIDATION PENDING", "OPEN PENDING", "OPEN"]


def place(kite, side="BUY", qty=1, order_type="MARKET", symbol="INFY", exchange="NSE", **kw):
    return kite.place_order(
        variety="regular", exchange=exchange, tradingsymbol=symbol, transaction_type=side,
        quantity=qty, product=kw.pop("product", "MIS"), order_type=order_type, **kw,
    )  # fmt: skip


def current(kite, order_id):
    return kite.order_history(order_id)[-1]


def test_market_order_completes_at_the_last_price_with_one_trade_and_its_tag(fake, kite):
    order_id = place(kite, qty=3, tag="S1A2B3C4000001", market_protection=-1)
    (order,) = kite.orders()
    assert order["order_id"] == order_id
    assert (order["status"], order["tag"], order["tags"]) == (
        "COMPLETE", "S1A2B3C4000001", ["S1A2B3C4000001"]
    )  # fmt: skip
    assert (order["filled_quantity"], order["pending_quantity"], order["average_price"]) == (
        3, 0, 1500
    )  # fmt: skip
    assert isinstance(order["order_timestamp"], dt.datetime)  # parsed by the client, naive IST
    assert isinstance(order["exchange_timestamp"], dt.datetime)
    assert isinstance(order["exchange_update_timestamp"], str)  # not in the client's list
    assert [h["status"] for h in kite.order_history(order_id)] == [*TO_OPEN, "COMPLETE"]
    (trade,) = kite.order_trades(order_id)
    assert trade == kite.trades()[0]
    assert (trade["quantity"], trade["average_price"], trade["transaction_type"]) == (
        3, 1500, "BUY"
    )  # fmt: skip
    assert isinstance(trade["fill_timestamp"], dt.datetime)
    assert isinstance(trade["order_timestamp"], str)  # "HH:MM:SS" in Kite's trade sample
    (req,) = fake.requests_to("POST /orders/regular")
    assert req.form["tag"] == "S1A2B3C4000001" and req.form["market_protection"] == "-1"
    assert fake.orders_by_tag("S1A2B3C4000001")[0]["order_id"] == order_id


def test_limit_order_rests_then_fills_at_its_price_when_the_market_reaches_it(fake, kite):
    order_id = place(kite, order_type="LIMIT", price="1490.5", qty=2)
    assert current(kite, order_id)["status"] == "OPEN"
    fake.set_price("NSE:INFY", "1495")
    assert current(kite, order_id)["pending_quantity"] == 2
    fake.set_price("NSE:INFY", "1488")  # trades through the limit
    order = current(kite, order_id)
    assert (order["status"], order["average_price"]) == ("COMPLETE", 1490.5)
    assert kite.order_trades(order_id)[0]["average_price"] == 1490.5


def test_marketable_limit_fills_at_once_at_the_better_last_price(kite):
    order_id = place(kite, side="SELL", order_type="LIMIT", price="1450")
    assert current(kite, order_id)["average_price"] == 1500


def test_stop_loss_waits_for_its_trigger(fake, kite):
    slm = place(kite, side="SELL", order_type="SL-M", trigger_price="1480")
    sl = place(kite, side="BUY", order_type="SL", trigger_price="1520", price="1525")
    assert current(kite, slm)["status"] == current(kite, sl)["status"] == "TRIGGER PENDING"
    fake.set_price("NSE:INFY", "1479.95")
    assert (current(kite, slm)["status"], current(kite, slm)["average_price"]) == (
        "COMPLETE", 1479.95
    )  # fmt: skip
    fake.set_price("NSE:INFY", "1521")
    assert (current(kite, sl)["status"], current(kite, sl)["average_price"]) == ("COMPLETE", 1521)


def test_a_trigger_already_reached_is_rejected(kite):
    order_id = place(kite, side="BUY", order_type="SL-M", trigger_price="1450")
    order = current(kite, order_id)
    assert (order["status"], order["exchange_order_id"]) == ("REJECTED", None)  # RMS, not exchange
    assert "higher than the last traded price" in order["status_message"]


def test_modify_then_cancel_an_open_order(fake, kite):
    order_id = place(kite, order_type="LIMIT", price="1400", qty=5, tag="T1")
    assert kite.modify_order("regular", order_id, price="1410", quantity=10) == order_id
    order = current(kite, order_id)
    assert (order["price"], order["quantity"], order["status"], order["modified"]) == (
        1410, 10, "OPEN", True
    )  # fmt: skip
    assert [h["status"] for h in kite.order_history(order_id)][-3:] == [
        "MODIFY VALIDATION PENDING", "MODIFY PENDING", "OPEN"
    ]  # fmt: skip
    assert kite.cancel_order("regular", order_id) == order_id
    order = current(kite, order_id)
    assert (order["status"], order["cancelled_quantity"], order["pending_quantity"]) == (
        "CANCELLED", 10, 0
    )  # fmt: skip
    fake.set_price("NSE:INFY", "1300")
    assert kite.trades() == []
    with pytest.raises(InputException, match="cancelled"):
        kite.cancel_order("regular", order_id)
    with pytest.raises(InputException):
        kite.modify_order("regular", order_id, price="1420")


def test_modify_to_a_marketable_price_fills_at_once(kite):
    order_id = place(kite, order_type="LIMIT", price="1400")
    kite.modify_order("regular", order_id, order_type="MARKET")
    assert (current(kite, order_id)["status"], current(kite, order_id)["average_price"]) == (
        "COMPLETE", 1500
    )  # fmt: skip


def test_liquidity_makes_partial_fills_each_with_its_own_trade(fake, kite):
    fake.add_instrument("NSE:THIN", (99 << 8) | 1, last_price="100", liquidity=4)
    order_id = place(kite, symbol="THIN", qty=10, order_type="LIMIT", price="100")
    assert (current(kite, order_id)["status"], current(kite, order_id)["filled_quantity"]) == (
        "OPEN", 4
    )  # fmt: skip
    fake.set_price("NSE:THIN", "99.5")
    fake.set_price("NSE:THIN", "99.95")
    trades = kite.order_trades(order_id)
    assert [t["quantity"] for t in trades] == [4, 4, 2]
    assert [t["average_price"] for t in trades] == [100, 100, 100]
    assert len({t["trade_id"] for t in trades}) == 3
    assert current(kite, order_id)["status"] == "COMPLETE"


def test_manual_partial_fill_then_ioc_and_rejection(fake, kite):
    resting = place(kite, order_type="LIMIT", price="1400", qty=10)
    fake.fill(resting, quantity=3, price="1400")
    assert (current(kite, resting)["filled_quantity"], current(kite, resting)["status"]) == (
        3, "OPEN"
    )  # fmt: skip
    ioc = place(kite, order_type="LIMIT", price="1400", validity="IOC")
    assert current(kite, ioc)["status"] == "CANCELLED"
    fake.reject_next_order("Insufficient funds.")
    rejected = place(kite, tag="R1")  # Kite still answers with an order id
    order = current(kite, rejected)
    assert (order["status"], order["status_message"], order["exchange_order_id"]) == (
        "REJECTED", "Insufficient funds.", None
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "1500.03", "order_type": "LIMIT"}, "Tick size"),
        ({"qty": 10, "symbol": "NIFTY25DECFUT", "exchange": "NFO"}, "lot size"),
        ({"tag": "x" * 21}, "tag"),
        ({"tag": "has space"}, "tag"),
        ({"symbol": "NOSUCH"}, "tradingsymbol"),
        ({"order_type": "LIMIT"}, "price"),
        ({"order_type": "STOP"}, "order_type"),
    ],
)
def test_invalid_orders_are_input_exceptions_and_create_nothing(fake, kite, overrides, message):
    with pytest.raises(InputException, match=message) as raised:
        place(kite, **overrides)
    assert raised.value.code == 400
    assert kite.orders() == []


def test_positions_add_up_trades_as_kite_does(fake, kite):
    place(kite, qty=10)  # buy 10 @ 1500
    fake.set_price("NSE:INFY", "1510")
    place(kite, side="SELL", qty=4)  # sell 4 @ 1510
    fake.set_price("NSE:INFY", "1520")
    place(kite, qty=2, product="CNC")  # a separate CNC position: buy 2 @ 1520
    fake.set_price("NSE:INFY", "1505.5")
    positions = kite.positions()
    mis, cnc = positions["net"]
    assert positions["day"] == positions["net"]
    assert (mis["product"], mis["quantity"], mis["average_price"], mis["last_price"]) == (
        "MIS", 6, 1500, 1505.5
    )  # fmt: skip
    assert (mis["buy_quantity"], mis["buy_value"], mis["sell_quantity"], mis["sell_value"]) == (
        10, 15000, 4, 6040
    )  # fmt: skip
    assert (mis["day_buy_quantity"], mis["day_sell_price"]) == (10, 1510)
    # pnl = (sell_value - buy_value) + quantity * last_price = -8960 + 9033
    assert (mis["pnl"], mis["realised"], mis["unrealised"], mis["value"]) == (73, 40, 33, -8960)
    assert (cnc["product"], cnc["quantity"], cnc["pnl"]) == ("CNC", 2, -29)
    place(kite, side="SELL", qty=6)  # flat again, at 1505.5
    flat = kite.positions()["net"][0]
    assert (flat["quantity"], flat["average_price"], flat["pnl"]) == (0, 0, 73)
