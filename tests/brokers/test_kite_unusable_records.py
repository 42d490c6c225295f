"""A record the adapter cannot use at all is skipped and reported under ``record``, never
raised: no order id or symbol, numbers that are not numbers, a trade without a price, a time
that is not a time or no trading day's."""

from __future__ import annotations

import pytest

from brokers import kite_records
from tests.brokers.kite_helpers import Reports, kite_order, kite_position, kite_trade

BAD_NUMBERS = ["abc", "", "NaN", "inf", "1e999999999", True, [], {"n": 1}]


def skipped(record: object, reports: Reports) -> bool:
    return record is None and reports.fields() == ["record"]


@pytest.mark.parametrize(
    "changes",
    [
        {"order_id": None}, {"order_id": ""}, {"order_id": ["1"]},
        {"tradingsymbol": None}, {"exchange": 5},
        *({"quantity": bad} for bad in BAD_NUMBERS),
        {"quantity": 2.5}, {"quantity": -1},
        {"filled_quantity": "x"}, {"average_price": "-5"}, {"price": "twelve"},
        {"exchange_timestamp": "yesterday"}, {"exchange_timestamp": "9999-12-31 23:59:59"},
        {"exchange_timestamp": None, "order_timestamp": 12345},
    ],
)  # fmt: skip
def test_an_unusable_order_is_skipped_and_reported(changes):
    reports = Reports()
    assert skipped(kite_records.order(kite_order(**changes), reports), reports)


@pytest.mark.parametrize(
    "changes",
    [
        {"trade_id": None}, {"order_id": None}, {"tradingsymbol": ""},
        {"average_price": 0}, {"average_price": None}, {"average_price": "x"},
        {"quantity": 0}, {"quantity": "1.5"}, {"fill_timestamp": "1999-12-31 23:59:59"},
    ],
)  # fmt: skip
def test_an_unusable_trade_is_skipped_and_reported(changes):
    reports = Reports()
    assert skipped(kite_records.trade(kite_trade(**changes), {}, reports), reports)


@pytest.mark.parametrize(
    "changes",
    [
        {"tradingsymbol": None}, {"quantity": "lots"}, {"quantity": 1.5},
        {"average_price": "-1"}, {"multiplier": 0}, {"multiplier": 2.5}, {"multiplier": "x"},
    ],
)  # fmt: skip
def test_an_unusable_position_is_skipped_and_reported(changes):
    reports = Reports()
    assert skipped(kite_records.position(kite_position(**changes), reports), reports)


@pytest.mark.parametrize("item", [None, 3, "order", [kite_order()], b"{}"])
def test_an_item_that_is_not_an_object_is_skipped_and_reported(item):
    for convert in (
        lambda r: kite_records.order(item, r),
        lambda r: kite_records.trade(item, {}, r),
        lambda r: kite_records.position(item, r),
    ):
        reports = Reports()
        assert skipped(convert(reports), reports)


def test_the_report_names_the_order_and_the_field_for_the_log():
    reports = Reports()
    kite_records.order(kite_order(order_id="2511200042", quantity="abc"), reports)
    ((field, why),) = reports
    assert field == "record" and "2511200042" in why and "quantity" in why


def test_numbers_as_strings_and_whole_floats_are_numbers():
    reports = Reports()
    order = kite_records.order(
        kite_order(quantity="5", filled_quantity=5.0, average_price="1500.50"), reports
    )
    assert order is not None and reports == []
    assert (order.quantity, order.filled_quantity, order.average_price_paise) == (5, 5, 150050)
