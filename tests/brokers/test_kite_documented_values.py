"""Every value Kite documents becomes shikra's own, and every other value an explicit unknown,
reported once, never an exception: records built from the documented sets (products, varieties,
order types, every order status including the intermediate ones and CANCELLED AMO) and from
values that do not exist."""

from __future__ import annotations

import pytest

from brokers import kite_records
from brokers.base import Variety
from messages import OrderStatus, OrderType, Product, Side
from tests.brokers.kite_helpers import (
    FINAL_STATUSES,
    IN_TRANSIT_STATUSES,
    MODIFYING_STATUSES,
    NONSENSE,
    ORDER_TYPES,
    PRODUCTS,
    VARIETIES,
    WORKING_STATUSES,
    Reports,
    kite_order,
    kite_position,
    kite_trade,
)

ABSENT = object()
"""The key left out of the record altogether."""


def without(record: dict, key: str, value: object) -> dict:
    changed = dict(record)
    if value is ABSENT:
        del changed[key]
    else:
        changed[key] = value
    return changed


# -- products ----------------------------------------------------------------------------------


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_documented_product_is_known_in_orders_trades_and_positions(product):
    reports = Reports()
    order = kite_records.order(kite_order(product=product), reports)
    trade = kite_records.trade(kite_trade(product=product), {}, reports)
    position = kite_records.position(kite_position(product=product), reports)
    assert order is not None and trade is not None and position is not None
    assert order.product.value == trade.product.value == position.product.value == product
    assert order.product is not Product.UNKNOWN
    assert reports == []


@pytest.mark.parametrize("spelled", [" mtf", "Nrml ", "co"])
def test_products_are_matched_whatever_the_case_and_spaces(spelled):
    reports = Reports()
    order = kite_records.order(kite_order(product=spelled), reports)
    assert order is not None and order.product.value == spelled.strip().upper()
    assert reports == []


@pytest.mark.parametrize("value", [*NONSENSE, ABSENT])
def test_an_undocumented_product_is_unknown_and_reported_once(value):
    for build, convert in (
        (kite_order, lambda item, r: kite_records.order(item, r)),
        (kite_trade, lambda item, r: kite_records.trade(item, {}, r)),
        (kite_position, lambda item, r: kite_records.position(item, r)),
    ):
        reports = Reports()
        record = convert(without(build(), "product", value), reports)
        assert record is not None  # the record is kept: its quantity and fate still count
        assert record.product is Product.UNKNOWN
        assert reports.fields() == ["product"]


# -- varieties and order types -----------------------------------------------------------------


@pytest.mark.parametrize("variety", VARIETIES)
def test_every_documented_variety_is_known(variety):
    reports = Reports()
    order = kite_records.order(kite_order(variety=variety), reports)
    assert order is not None and order.variety.value == variety
    assert order.variety is not Variety.UNKNOWN
    assert reports == []


@pytest.mark.parametrize("value", [*NONSENSE, "bo", ABSENT])
def test_an_undocumented_variety_is_unknown_and_reported_once(value):
    # "bo" was a variety in older docs; today's list has no bracket orders.
    reports = Reports()
    order = kite_records.order(without(kite_order(), "variety", value), reports)
    assert order is not None and order.variety is Variety.UNKNOWN
    assert reports.fields() == ["variety"]


@pytest.mark.parametrize("order_type", ORDER_TYPES)
def test_every_documented_order_type_is_known(order_type):
    reports = Reports()
    order = kite_records.order(kite_order(order_type=order_type), reports)
    assert order is not None and order.order_type is OrderType(order_type)
    assert reports == []


@pytest.mark.parametrize("value", [*NONSENSE, "STOPLOSS", ABSENT])
def test_an_undocumented_order_type_is_none_and_reported_once(value):
    reports = Reports()
    order = kite_records.order(without(kite_order(), "order_type", value), reports)
    assert order is not None and order.order_type is None
    assert reports.fields() == ["order_type"]


# -- statuses ----------------------------------------------------------------------------------

FINAL = {
    "COMPLETE": OrderStatus.FILLED,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCELLED AMO": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
}


@pytest.mark.parametrize("status", FINAL_STATUSES)
def test_final_statuses_are_final(status):
    reports = Reports()
    order = kite_records.order(kite_order(status=status, filled_quantity=0), reports)
    assert order is not None and order.status is FINAL[status]
    assert order.status.is_terminal and order.broker_status == status
    assert reports == []


def test_a_cancelled_amo_is_over():
    order = kite_records.order(kite_order(status="CANCELLED AMO", variety="amo"), Reports())
    assert order is not None and order.status is OrderStatus.CANCELLED
    assert order.status.is_terminal


@pytest.mark.parametrize("status", [*WORKING_STATUSES, *MODIFYING_STATUSES])
def test_working_and_modifying_orders_are_open_or_partly_filled(status):
    # A modify or a cancel on its way leaves the order working at the exchange: not SUBMITTED,
    # or every modification would move a working order backwards.
    reports = Reports()
    untouched = kite_records.order(kite_order(status=status, filled_quantity=0), reports)
    partly = kite_records.order(kite_order(status=status, filled_quantity=2), reports)
    assert untouched is not None and untouched.status is OrderStatus.OPEN
    assert partly is not None and partly.status is OrderStatus.PARTIALLY_FILLED
    assert reports == []


@pytest.mark.parametrize("status", IN_TRANSIT_STATUSES)
def test_orders_on_their_way_to_the_exchange_are_submitted(status):
    reports = Reports()
    order = kite_records.order(kite_order(status=status, filled_quantity=0), reports)
    assert order is not None and order.status is OrderStatus.SUBMITTED
    assert not order.status.is_terminal
    assert reports == []


@pytest.mark.parametrize(
    ("spelled", "ours"),
    [(" complete", OrderStatus.FILLED), ("Cancelled Amo ", OrderStatus.CANCELLED),
     ("trigger pending", OrderStatus.OPEN), ("amo req received", OrderStatus.SUBMITTED)],
)  # fmt: skip
def test_statuses_are_matched_whatever_the_case_and_spaces(spelled, ours):
    reports = Reports()
    order = kite_records.order(kite_order(status=spelled, filled_quantity=0), reports)
    assert order is not None and order.status is ours and reports == []
    assert order.broker_status == spelled.strip()  # Kite's own words, for the operator


@pytest.mark.parametrize("value", [*NONSENSE, "EXPIRED", "COMPLETED", ABSENT])
def test_an_undocumented_status_is_in_transit_never_final_and_reported_once(value):
    reports = Reports()
    order = kite_records.order(without(kite_order(filled_quantity=0), "status", value), reports)
    assert order is not None and order.status is OrderStatus.SUBMITTED
    assert reports.fields() == ["status"]


# -- sides -------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["BUY", "SELL", " sell"])
def test_both_sides_are_known(side):
    reports = Reports()
    order = kite_records.order(kite_order(transaction_type=side), reports)
    trade = kite_records.trade(kite_trade(transaction_type=side), {}, reports)
    assert order is not None and trade is not None
    assert order.side is trade.side is Side(side.strip().upper())
    assert reports == []


@pytest.mark.parametrize("value", [*NONSENSE, "SHORT", ABSENT])
def test_a_record_without_a_known_side_is_skipped_and_reported_once(value):
    # Without a side a record says nothing usable about a position.
    for build, convert in (
        (kite_order, lambda item, r: kite_records.order(item, r)),
        (kite_trade, lambda item, r: kite_records.trade(item, {}, r)),
    ):
        reports = Reports()
        assert convert(without(build(), "transaction_type", value), reports) is None
        assert reports.fields() == ["transaction_type"]


def test_one_record_with_every_field_unknown_is_kept_and_each_field_reported():
    reports = Reports()
    order = kite_records.order(
        kite_order(product="XYZ", variety="basket", order_type="GTT", status="PARKED"), reports
    )
    assert order is not None
    assert (order.product, order.variety, order.order_type, order.status) == (
        Product.UNKNOWN, Variety.UNKNOWN, None, OrderStatus.SUBMITTED
    )  # fmt: skip
    assert sorted(reports.fields()) == ["order_type", "product", "status", "variety"]
    assert ("product", "'XYZ'") in reports  # the value, shown, for the log line
