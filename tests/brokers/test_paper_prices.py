"""PaperBroker prices: fill models, slippage and rounding, limits and stops.

Every expected price is computed by hand in a comment next to it. Tick size 5 paise (0.05).
"""

from __future__ import annotations

import pytest

from brokers.errors import OrderRefused
from messages import OrderType, Side
from tests.brokers.paper_helpers import S, fill_prices, make_broker, order, status, tick

# -- fill models, slippage, rounding against the trader --------------------------------------


def test_ltp_model_with_slippage_rounds_buys_up_and_sells_down():
    broker = make_broker(fill_model="ltp", slippage_bps=10)
    broker.observe(tick(150_005))
    broker.place(order("b1", Side.BUY))
    broker.place(order("s1", Side.SELL))
    # buy:  150005 x 1.001 = 150155.005 -> up to the tick of 5   -> 150160
    # sell: 150005 x 0.999 = 149854.995 -> down to the tick of 5 -> 149850
    assert fill_prices(broker) == [150_160, 149_850]


def test_mid_model_with_slippage():
    broker = make_broker(fill_model="mid", slippage_bps=2)
    broker.observe(tick(100_000, bid=100_000, ask=100_005))
    broker.place(order("b1", Side.BUY))
    broker.place(order("s1", Side.SELL))
    # mid = 100002.5; 2 bps of it = 20.0005
    # buy:  100022.5005 -> up   -> 100025
    # sell:  99982.4995 -> down ->  99980
    assert fill_prices(broker) == [100_025, 99_980]


def test_mid_model_without_slippage_rounds_the_half_tick_against_the_trader():
    broker = make_broker(fill_model="mid")
    broker.observe(tick(100_000, bid=100_000, ask=100_005))
    broker.place(order("b1", Side.BUY))
    broker.place(order("s1", Side.SELL))
    assert fill_prices(broker) == [100_005, 100_000]


def test_bid_ask_model_buys_at_the_ask_and_sells_at_the_bid_with_slippage():
    broker = make_broker(fill_model="bid_ask", slippage_bps=5)
    broker.observe(tick(100_010, bid=100_000, ask=100_020))
    broker.place(order("b1", Side.BUY))
    broker.place(order("s1", Side.SELL))
    # buy:  ask 100020 x 1.0005 = 100070.01 -> up -> 100075
    # sell: bid 100000 x 0.9995 =  99950     (already on the tick)
    assert fill_prices(broker) == [100_075, 99_950]


@pytest.mark.parametrize("model", ["mid", "bid_ask"])
def test_quote_models_fall_back_to_ltp_without_bid_and_ask(model):
    broker = make_broker(fill_model=model)
    broker.observe(tick(100_010, bid=None, ask=None))
    broker.place(order("b1", Side.BUY))
    broker.observe(tick(100_020, bid=0, ask=0))  # Kite reports an empty book side as 0
    broker.place(order("s1", Side.SELL))
    assert fill_prices(broker) == [100_010, 100_020]


def test_a_market_order_placed_before_any_price_rests_until_the_first_tick():
    broker = make_broker()
    oid = broker.place(order("b1", Side.BUY))
    assert status(broker, oid) is S.OPEN and broker.trades() == []
    broker.observe(tick(100_000))
    assert status(broker, oid) is S.FILLED and fill_prices(broker) == [100_000]


# -- limit and stop orders -------------------------------------------------------------------


def test_buy_limit_rests_until_crossed_and_fills_at_the_better_price():
    broker = make_broker()
    broker.observe(tick(100_050))
    oid = broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    broker.observe(tick(100_010))
    broker.observe(tick(100_005))
    assert status(broker, oid) is S.OPEN and broker.trades() == []
    broker.observe(tick(99_990))
    assert status(broker, oid) is S.FILLED and fill_prices(broker) == [99_990]


def test_sell_limit_fills_when_the_market_reaches_it_exactly():
    broker = make_broker()
    oid = broker.place(order("s1", Side.SELL, kind=OrderType.LIMIT, limit_price=100_100))
    broker.observe(tick(100_095))
    assert status(broker, oid) is S.OPEN
    broker.observe(tick(100_100))
    assert fill_prices(broker) == [100_100]


def test_a_marketable_limit_fills_on_placement_at_the_market():
    broker = make_broker()
    broker.observe(tick(99_900))
    broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    assert fill_prices(broker) == [99_900]


def test_limit_crossing_includes_slippage():
    broker = make_broker(slippage_bps=10)
    oid = broker.place(order("b1", Side.BUY, kind=OrderType.LIMIT, limit_price=100_000))
    broker.observe(tick(99_950))  # 99950 x 1.001 = 100049.95 -> 100050 > limit: no fill
    assert status(broker, oid) is S.OPEN
    broker.observe(tick(99_850))  # 99850 x 1.001 = 99949.85 -> 99950 <= limit
    assert fill_prices(broker) == [99_950]


def test_buy_sl_m_triggers_at_or_above_its_trigger_and_fills_at_market():
    broker = make_broker()
    broker.observe(tick(100_000))
    oid = broker.place(order("b1", Side.BUY, kind=OrderType.SL_M, trigger_price=101_000))
    broker.observe(tick(100_995))
    assert status(broker, oid) is S.OPEN
    broker.observe(tick(101_000))
    assert fill_prices(broker) == [101_000]


def test_sell_sl_m_triggers_at_or_below_its_trigger_even_through_a_gap():
    broker = make_broker()
    broker.observe(tick(100_000))
    oid = broker.place(order("s1", Side.SELL, kind=OrderType.SL_M, trigger_price=99_000))
    broker.observe(tick(99_500))
    assert status(broker, oid) is S.OPEN
    broker.observe(tick(98_900))
    assert fill_prices(broker) == [98_900]


def test_buy_sl_triggers_then_behaves_as_a_limit():
    broker = make_broker()
    broker.observe(tick(100_000))
    intent = order("b1", Side.BUY, kind=OrderType.SL, trigger_price=101_000, limit_price=101_050)
    oid = broker.place(intent)
    broker.observe(tick(101_100))  # triggers; 101100 is above the limit: no fill yet
    assert status(broker, oid) is S.OPEN and broker.trades() == []
    broker.observe(tick(100_990))  # below the trigger, but triggered stays triggered
    assert fill_prices(broker) == [100_990]


def test_sell_sl_triggers_then_behaves_as_a_limit():
    broker = make_broker()
    broker.observe(tick(100_000))
    intent = order("s1", Side.SELL, kind=OrderType.SL, trigger_price=99_000, limit_price=98_950)
    oid = broker.place(intent)
    broker.observe(tick(99_005))
    broker.observe(tick(98_900))  # triggers; 98900 is below the limit: no fill yet
    assert status(broker, oid) is S.OPEN and broker.trades() == []
    broker.observe(tick(98_960))  # at or above the limit: fills at the better 98960
    assert fill_prices(broker) == [98_960]


@pytest.mark.parametrize(("side", "trigger"), [(Side.BUY, 100_000), (Side.SELL, 100_050)])
def test_a_stop_whose_trigger_is_already_crossed_is_refused(side, trigger):
    broker = make_broker()
    broker.observe(tick(100_000))
    with pytest.raises(OrderRefused, match="already crossed"):
        broker.place(order("x1", side, kind=OrderType.SL_M, trigger_price=trigger))
