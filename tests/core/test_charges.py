"""Charges per fill, worked by hand component by component (default NSE equity rates:
brokerage 0.03% capped at 2000 paise per order (0 for CNC), STT 0.025% MIS sell / 0.1% CNC both
sides, exchange 0.00297%, SEBI 0.0001%, stamp 0.003% MIS buy / 0.015% CNC buy, GST 18% on
brokerage + exchange + SEBI; every component rounded half-up to the paisa)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from core.charges import (
    ChargeCalculator,
    ChargeRates,
    Charges,
    ProductRates,
    round_half_up,
)
from messages.orders import Fill, Product, Side


def fill(
    side: Side,
    quantity: int,
    price: int,
    product: Product = Product.MIS,
    client_id: str = "order-1",
    trade_id: str = "t1",
) -> Fill:
    return Fill(
        trade_id=trade_id,
        client_id=client_id,
        symbol="NSE:INFY",
        side=side,
        quantity=quantity,
        price=price,
        product=product,
    )


# 10 @ ₹1,234.50: turnover = 10 * 123450 = 1,234,500 paise in every example below.
# brokerage 0.0003 * 1234500 = 370.35   -> 370
# exchange 0.0000297 * 1234500 = 36.66465 -> 37
# SEBI 0.000001 * 1234500 = 1.2345       -> 1


def test_mis_buy():
    charges = ChargeCalculator().charge(fill(Side.BUY, 10, 123450))
    # STT: none on an intraday buy; stamp 0.00003 * 1234500 = 37.035 -> 37
    # GST 0.18 * (370 + 37 + 1) = 0.18 * 408 = 73.44 -> 73
    assert charges == Charges(brokerage=370, stt=0, exchange=37, sebi=1, stamp=37, gst=73)
    assert charges.total == 518  # 370 + 0 + 37 + 1 + 37 + 73


def test_mis_sell():
    charges = ChargeCalculator().charge(fill(Side.SELL, 10, 123450))
    # STT 0.00025 * 1234500 = 308.625 -> 309; no stamp on a sell; GST as for the buy: 73
    assert charges == Charges(brokerage=370, stt=309, exchange=37, sebi=1, stamp=0, gst=73)
    assert charges.total == 790  # 370 + 309 + 37 + 1 + 0 + 73


def test_cnc_buy():
    charges = ChargeCalculator().charge(fill(Side.BUY, 10, 123450, Product.CNC))
    # brokerage 0 (delivery); STT 0.001 * 1234500 = 1234.5 -> 1235 (half up);
    # stamp 0.00015 * 1234500 = 185.175 -> 185; GST 0.18 * (0 + 37 + 1) = 6.84 -> 7
    assert charges == Charges(brokerage=0, stt=1235, exchange=37, sebi=1, stamp=185, gst=7)
    assert charges.total == 1465  # 0 + 1235 + 37 + 1 + 185 + 7


def test_cnc_sell():
    charges = ChargeCalculator().charge(fill(Side.SELL, 10, 123450, Product.CNC))
    # STT on the sell side too: 1235; no stamp; GST 7
    assert charges == Charges(brokerage=0, stt=1235, exchange=37, sebi=1, stamp=0, gst=7)
    assert charges.total == 1280


@pytest.mark.parametrize("product", [Product.CO, Product.BO])
def test_cover_and_bracket_orders_are_intraday_and_charged_as_mis(product):
    # The figures of test_mis_buy and test_mis_sell, worked there by hand.
    assert ChargeCalculator().charge(fill(Side.BUY, 10, 123450, product)) == Charges(
        brokerage=370, stt=0, exchange=37, sebi=1, stamp=37, gst=73
    )
    assert ChargeCalculator().charge(fill(Side.SELL, 10, 123450, product)) == Charges(
        brokerage=370, stt=309, exchange=37, sebi=1, stamp=0, gst=73
    )


def test_mtf_is_a_delivery_and_charged_as_cnc():
    # The figures of test_cnc_buy and test_cnc_sell (MTF's interest is not modelled).
    assert ChargeCalculator().charge(fill(Side.BUY, 10, 123450, Product.MTF)) == Charges(
        brokerage=0, stt=1235, exchange=37, sebi=1, stamp=185, gst=7
    )
    assert ChargeCalculator().charge(fill(Side.SELL, 10, 123450, Product.MTF)) == Charges(
        brokerage=0, stt=1235, exchange=37, sebi=1, stamp=0, gst=7
    )


def test_an_unknown_product_is_never_charged_at_a_guessed_rate():
    with pytest.raises(ValueError, match="UNKNOWN"):
        ChargeCalculator().charge(fill(Side.BUY, 10, 123450, Product.UNKNOWN))


def test_brokerage_cap_is_shared_by_the_partial_fills_of_one_order():
    calculator = ChargeCalculator()
    first = calculator.charge(fill(Side.BUY, 50, 100000, trade_id="t1"))
    # 0.0003 * 50*100000 = 0.0003 * 5,000,000 = 1500 (under the 2000 cap)
    assert first.brokerage == 1500
    second = calculator.charge(fill(Side.BUY, 30, 100000, trade_id="t2"))
    # uncapped 0.0003 * 3,000,000 = 900, but only 2000 - 1500 = 500 of the cap is left
    assert second.brokerage == 500
    # GST on the brokerage actually charged: exchange 0.0000297 * 3,000,000 = 89.1 -> 89,
    # SEBI 3; 0.18 * (500 + 89 + 3) = 0.18 * 592 = 106.56 -> 107
    assert second.gst == 107
    third = calculator.charge(fill(Side.BUY, 10, 100000, trade_id="t3"))
    assert third.brokerage == 0
    assert calculator.brokerage_charged("order-1") == 2000
    other_order = calculator.charge(fill(Side.BUY, 30, 100000, client_id="order-2", trade_id="t4"))
    assert other_order.brokerage == 900  # a new order has its own cap


def test_brokerage_cap_within_a_single_fill():
    # 0.0003 * 100 * 1,000,000 = 30000 -> capped at 2000
    charges = ChargeCalculator().charge(fill(Side.SELL, 100, 1000000))
    assert charges.brokerage == 2000


def test_gst_is_not_levied_on_stt_or_stamp():
    charges = ChargeCalculator().charge(fill(Side.BUY, 10, 123450, Product.CNC))
    # right base: 0.18 * (0 + 37 + 1) = 6.84 -> 7; with STT and stamp it would be
    # 0.18 * (38 + 1235 + 185) = 262.44
    assert charges.gst == 7


def test_half_a_paisa_rounds_up():
    # 100 @ ₹500: turnover 5,000,000; exchange 0.0000297 * 5,000,000 = 148.5 -> 149
    # (banker's rounding would give 148)
    charges = ChargeCalculator().charge(fill(Side.SELL, 100, 50000))
    assert charges.exchange == 149
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("2.4999")) == 2


def test_nrml_needs_configured_rates():
    nrml_fill = fill(Side.SELL, 10, 123450, Product.NRML)
    with pytest.raises(ValueError, match="NRML"):
        ChargeCalculator().charge(nrml_fill)
    futures = ProductRates(
        brokerage=Decimal("0.0003"),
        stt_buy=Decimal("0"),
        stt_sell=Decimal("0.0002"),
        exchange=Decimal("0.0000173"),
        stamp_buy=Decimal("0.00002"),
    )
    charges = ChargeCalculator(ChargeRates(nrml=futures)).charge(nrml_fill)
    # STT 0.0002 * 1234500 = 246.9 -> 247; exchange 0.0000173 * 1234500 = 21.35685 -> 21
    assert charges.stt == 247
    assert charges.exchange == 21


def test_float_rates_are_refused():
    with pytest.raises(ValueError, match="Decimal"):
        ChargeRates(gst=0.18)  # type: ignore[arg-type]
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"sebi": "-0.1"}', type=ChargeRates)


def test_rates_round_trip_through_config_encoding():
    custom = ChargeRates(brokerage_cap=1500)
    decoded = msgspec.json.decode(msgspec.json.encode(custom), type=ChargeRates)
    assert decoded == custom
    assert decoded.mis.stt_sell == Decimal("0.00025")


def test_float_price_is_refused():
    with pytest.raises(TypeError):
        ChargeCalculator().charge(fill(Side.BUY, 10, 1234.5))  # type: ignore[arg-type]
