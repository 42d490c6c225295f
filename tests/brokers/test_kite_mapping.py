"""Kite's JSON and failures as shikra understands them: records exact to the paisa, and each
failure mapped to what the router must do (never re-send a placement that may exist)."""

from __future__ import annotations

import datetime

import pytest
import requests
from kiteconnect import exceptions as kite

from brokers import kite_errors, kite_records
from brokers.errors import (
    BrokerUnavailable,
    OrderRefused,
    OutcomeUnknown,
    RateLimited,
    TokenExpired,
)
from messages import OrderStatus, OrderType, Product, Side

ORDER = {
    "order_id": "251120000000123",
    "tag": "S1A2B3C4000007",
    "exchange": "NSE",
    "tradingsymbol": "INFY",
    "transaction_type": "BUY",
    "order_type": "LIMIT",
    "product": "MIS",
    "quantity": 10,
    "filled_quantity": 4,
    "average_price": 1523.45,
    "price": 1523.5,
    "trigger_price": 0,
    "status": "OPEN",
    "status_message": None,
    "order_timestamp": datetime.datetime(2026, 11, 20, 9, 15, 2),
    "exchange_timestamp": "2026-11-20 09:15:03",
}


def test_an_order_becomes_an_exact_record():
    record = kite_records.order(ORDER)
    assert record.symbol == "NSE:INFY" and record.tag == "S1A2B3C4000007"
    assert (record.side, record.order_type, record.product) == (
        Side.BUY,
        OrderType.LIMIT,
        Product.MIS,
    )
    assert record.status is OrderStatus.PARTIALLY_FILLED  # OPEN with fills
    assert (record.average_price_paise, record.limit_price, record.trigger_price) == (
        152345,
        152350,
        None,
    )
    # 09:15:03 IST = 03:45:03 UTC.
    expected = datetime.datetime(2026, 11, 20, 3, 45, 3, tzinfo=datetime.UTC).timestamp()
    assert record.updated_ns == int(expected) * 1_000_000_000


@pytest.mark.parametrize(
    ("kite_status", "ours"),
    [
        ("COMPLETE", OrderStatus.FILLED),
        ("CANCELLED", OrderStatus.CANCELLED),
        ("REJECTED", OrderStatus.REJECTED),
        ("TRIGGER PENDING", OrderStatus.OPEN),
        ("PUT ORDER REQ RECEIVED", OrderStatus.SUBMITTED),
        ("VALIDATION PENDING", OrderStatus.SUBMITTED),
    ],
)
def test_kite_statuses(kite_status, ours):
    assert kite_records.order({**ORDER, "status": kite_status, "filled_quantity": 0}).status is ours


def test_prices_never_pass_through_float_arithmetic():
    # 0.1 + 0.2 style values: 1523.45 * 100 in floats is 152344.99999999997.
    assert kite_records.paise(1523.45) == 152345
    assert kite_records.paise(0.07) == 7
    assert kite_records.paise(0) is None and kite_records.paise(None) is None


def test_net_positions_are_one_per_symbol_and_product():
    data = {
        "net": [
            {"exchange": "NSE", "tradingsymbol": "INFY", "product": "MIS", "quantity": 10,
             "average_price": 1500.25},
            {"exchange": "NSE", "tradingsymbol": "INFY", "product": "CNC", "quantity": -4,
             "average_price": 1510.0},
            {"exchange": "NSE", "tradingsymbol": "TCS", "product": "MIS", "quantity": 0,
             "average_price": 0},
        ],
        "day": [],
    }  # fmt: skip
    infy_cnc, infy_mis, tcs = kite_records.net_positions(data)
    # MIS: 10 x 150025 = 1500250; CNC: -4 x 151000 = -604000
    assert (infy_mis.symbol, infy_mis.product, infy_mis.quantity, infy_mis.open_cost) == (
        "NSE:INFY", Product.MIS, 10, 1_500_250,
    )  # fmt: skip
    assert (infy_cnc.symbol, infy_cnc.product, infy_cnc.quantity, infy_cnc.open_cost) == (
        "NSE:INFY", Product.CNC, -4, -604_000,
    )  # fmt: skip
    assert (tcs.product, tcs.quantity, tcs.open_cost) == (Product.MIS, 0, 0)


@pytest.mark.parametrize(
    ("exc", "meaning"),
    [
        (requests.ReadTimeout("read timed out"), OutcomeUnknown),
        (requests.ConnectionError("reset"), OutcomeUnknown),
        (kite.GeneralException("gateway", code=502), OutcomeUnknown),
        (kite.DataException("bad json", code=502), OutcomeUnknown),
        (kite.TokenException("expired", code=403), TokenExpired),
        (kite.NetworkException("too many", code=429), RateLimited),
        (kite.InputException("bad quantity", code=400), OrderRefused),
        (kite.OrderException("margin", code=400), OrderRefused),
        (kite.GeneralException("strange type", code=400), OrderRefused),
    ],
)
def test_placement_failures(exc, meaning):
    assert type(kite_errors.for_placement(exc)) is meaning


def test_a_refusal_keeps_the_brokers_words_and_an_unknown_type_its_class():
    assert "margin" in str(kite_errors.for_placement(kite.OrderException("margin", code=400)))
    unknown = kite_errors.for_placement(kite.GeneralException("odd", code=400))
    assert "GeneralException" in str(unknown) and "odd" in str(unknown)


@pytest.mark.parametrize(
    ("exc", "meaning"),
    [
        (kite.TokenException("expired", code=403), TokenExpired),
        (kite.NetworkException("slow down", code=429), RateLimited),
        (requests.ReadTimeout("slow"), BrokerUnavailable),
        (kite.GeneralException("boom", code=500), BrokerUnavailable),
    ],
)
def test_read_failures(exc, meaning):
    assert type(kite_errors.for_read(exc)) is meaning


def test_the_token_advice_tells_the_operator_what_to_do():
    error = kite_errors.for_placement(kite.TokenException("Incorrect api_key or access_token"))
    assert str(error) == "access token expired or invalid: run `main.py login`"
