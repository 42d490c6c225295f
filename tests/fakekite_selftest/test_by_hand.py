"""What the owner does by hand shows in the fake's account as Kite shows it, through the real
client: orders of any product, variety and status (untagged, or with Kite's own tags), their
trades, positions carried from earlier days, and contract multipliers."""

from __future__ import annotations

import pytest


def test_an_order_from_the_kite_app_has_its_fields_and_trade(fake, kite):
    order_id = fake.by_hand(
        "NSE:INFY", product="MTF", quantity=3, price="1490.5", kite_tags=("mktp",), push=False
    )
    (order,) = kite.orders()
    assert (order["order_id"], order["product"], order["variety"], order["status"]) == (
        order_id, "MTF", "regular", "COMPLETE"
    )  # fmt: skip
    assert (order["tag"], order["tags"]) == (None, ["mktp"])
    assert (order["filled_quantity"], order["pending_quantity"], order["average_price"]) == (
        3, 0, 1490.5
    )  # fmt: skip
    (trade,) = kite.trades()
    assert (trade["order_id"], trade["product"], trade["quantity"], trade["average_price"]) == (
        order_id, "MTF", 3, 1490.5
    )  # fmt: skip
    assert [h["status"] for h in kite.order_history(order_id)] == ["COMPLETE"]


@pytest.mark.parametrize(
    ("variety", "status", "pending"),
    [("amo", "AMO REQ RECEIVED", 5), ("amo", "CANCELLED AMO", 0), ("co", "TRIGGER PENDING", 5),
     ("iceberg", "MODIFY PENDING", 5), ("auction", "OPEN PENDING", 5)],
)  # fmt: skip
def test_any_variety_and_status_is_shown_as_given(fake, kite, variety, status, pending):
    fake.by_hand("NSE:INFY", variety=variety, status=status, quantity=5, order_type="LIMIT",
                 price="1400", tag="manual1")  # fmt: skip
    (order,) = kite.orders()
    assert (order["variety"], order["status"], order["pending_quantity"]) == (
        variety, status, pending
    )  # fmt: skip
    assert (order["tag"], order["tags"], order["price"]) == ("manual1", ["manual1"], 1400)
    assert kite.trades() == []


def test_a_carried_position_is_net_not_day_and_keeps_its_multiplier(fake, kite):
    fake.set_multiplier("CDS:USDINR25DECFUT", 1000)
    fake.carry_position("CDS:USDINR25DECFUT", -2, "83.2", product="NRML")
    fake.carry_position("NSE:INFY", 10, "1450", product="MTF")
    positions = kite.positions()
    assert positions["day"] == []
    usd, infy = positions["net"]
    assert (usd["product"], usd["quantity"], usd["overnight_quantity"], usd["multiplier"]) == (
        "NRML", -2, -2, 1000
    )  # fmt: skip
    # pnl = ((sell_value - buy_value) + quantity * ltp) * multiplier
    #     = ((166.4 - 0) + -2 * 83.2475) * 1000 = -0.095 * 1000 = -95
    assert usd["average_price"] == 83.2 and usd["pnl"] == -95
    assert (infy["product"], infy["quantity"], infy["average_price"], infy["multiplier"]) == (
        "MTF", 10, 1450, 1
    )  # fmt: skip


def test_the_days_trades_add_to_a_carried_position(fake, kite):
    fake.carry_position("NSE:INFY", 10, "1450", product="CNC")
    fake.by_hand("NSE:INFY", side="SELL", quantity=4, product="CNC", push=False)  # at 1500
    (net,) = kite.positions()["net"]
    (day,) = kite.positions()["day"]
    assert (net["quantity"], net["buy_quantity"], net["sell_quantity"]) == (6, 10, 4)
    assert (day["quantity"], day["overnight_quantity"]) == (-4, 0)
