"""No broker record makes an exception escape the adapter, whatever Kite sends: a property
test over arbitrary JSON-ish values, alone and mixed into Kite's documented records, through
the record functions and through every public read of ``KiteBroker`` (with the real
``kiteconnect`` client; only Zerodha's server is replaced, by the drawn data)."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kiteconnect import KiteConnect

from brokers import kite_records
from brokers.base import BrokerOrder, BrokerPosition, BrokerTrade
from brokers.credentials import Credentials
from brokers.errors import BrokerError
from brokers.kite import KiteBroker
from brokers.unknown_values import FIELDS
from messages import OrderStatus, Product, Side
from tests.brokers.kite_helpers import Reports, kite_order, kite_position, kite_trade

TRICKY_TEXT = st.sampled_from(
    ["", " ", "NaN", "-inf", "1e999999999", "-0", "0.005", "2026-11-20 09:15:03",
     "9999-12-31 23:59:59", "0001-01-01 00:00:00", "CANCELLED AMO", "MTF", "iceberg", "BUY"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    TRICKY_TEXT,
    st.datetimes(timezones=st.none() | st.just(datetime.UTC)),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def mutated(base: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A documented record with some fields replaced by anything, some removed; or anything."""
    keys = sorted(base)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        item = dict(base)
        for key in draw(st.lists(st.sampled_from(keys), max_size=5, unique=True)):
            if draw(st.booleans()):
                del item[key]
            else:
                item[key] = draw(JSONISH)
        return item

    return st.one_of(build(), JSONISH)


ORDERS = mutated(kite_order())
TRADES = mutated(kite_trade())
POSITIONS = mutated(kite_position())


def well_formed(record: Any) -> None:
    """What a record promises its readers: shikra's types, exact integers."""
    if isinstance(record, BrokerOrder | BrokerTrade | BrokerPosition):
        assert isinstance(record.symbol, str) and ":" in record.symbol
        assert type(record.quantity) is int and isinstance(record.product, Product)
    if isinstance(record, BrokerOrder):
        assert isinstance(record.status, OrderStatus) and isinstance(record.side, Side)
        assert type(record.filled_quantity) is int and record.quantity >= 0
        assert record.average_price_paise is None or type(record.average_price_paise) is int
    if isinstance(record, BrokerTrade):
        assert type(record.price) is int and record.price > 0 and record.quantity > 0
    if isinstance(record, BrokerPosition):
        assert type(record.open_cost) is int and type(record.multiplier) is int
        assert record.multiplier >= 1


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(item=ORDERS)
def test_any_order_is_a_record_or_skipped_and_reported(item):
    reports = Reports()
    record = kite_records.order(item, reports)
    well_formed(record)
    assert set(reports.fields()) <= set(FIELDS)
    if record is None:
        assert reports, "a skipped record is always reported"


@FAST
@given(item=TRADES, tags=st.dictionaries(JSONISH.filter(lambda k: isinstance(k, str)), st.text()))
def test_any_trade_is_a_record_or_skipped_and_reported(item, tags):
    reports = Reports()
    record = kite_records.trade(item, tags, reports)
    well_formed(record)
    assert set(reports.fields()) <= set(FIELDS)
    if record is None:
        assert reports


@FAST
@given(item=POSITIONS)
def test_any_position_is_a_record_or_skipped_and_reported(item):
    reports = Reports()
    record = kite_records.position(item, reports)
    well_formed(record)
    assert set(reports.fields()) <= set(FIELDS)
    if record is None:
        assert reports


class ScriptedKite(KiteConnect):
    """The real client, answered by ``answers`` (route -> data) instead of Zerodha."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__("key", access_token="token", root="http://127.0.0.1:9")
        self.answers = answers

    def _request(self, route: str, method: str, **_: Any) -> Any:
        return self.answers[route]


def responses(records: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(records, max_size=4), JSONISH)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orders=responses(ORDERS),
    trades=responses(TRADES),
    positions=st.one_of(
        st.fixed_dictionaries({"net": responses(POSITIONS), "day": JSONISH}), JSONISH
    ),
    update=ORDERS,
    tag=st.sampled_from(["", "S1A2B3C4000007", "x"]),
)
def test_every_public_read_returns_records_or_raises_a_broker_error(
    orders, trades, positions, update, tag
):
    reports = Reports()
    client = ScriptedKite(
        {"orders": orders, "order.info": orders, "trades": trades,
         "portfolio.positions": positions, "user.margins": positions}
    )  # fmt: skip
    env = {"KITE_API_KEY": "key", "KITE_ACCESS_TOKEN": "token"}
    broker = KiteBroker(
        client, Credentials(environ=env), read_attempts=1, sleep=lambda s: None, on_unknown=reports
    )
    heard: list[Any] = []
    broker.subscribe(heard.append)
    reads = [
        broker.orders, broker.trades, broker.positions, broker.margins,
        lambda: broker.order_by_tag(tag), lambda: broker.order_history("1"),
    ]  # fmt: skip
    for read in reads:
        try:
            result = read()
        except BrokerError:
            continue
        for record in result if isinstance(result, list) else [result]:
            well_formed(record)
    broker.on_order_update(update)  # the WebSocket's path: never raises either
    assert all(isinstance(record, BrokerOrder) for record in heard)
    assert set(reports.fields()) <= set(FIELDS)


def test_a_bug_in_a_record_function_skips_that_record_only(monkeypatch):
    # The last line of defence: an exception out of a record function (there is none today,
    # as the properties above show) would otherwise crash-loop the router on one record.
    real = kite_records.order

    def flaky(item: Any, on_unknown: Any) -> Any:
        if item.get("order_id") == "2":
            raise RuntimeError("a bug")
        return real(item, on_unknown)

    monkeypatch.setattr(kite_records, "order", flaky)
    reports = Reports()
    client = ScriptedKite({"orders": [kite_order(order_id="1"), kite_order(order_id="2")]})
    env = {"KITE_API_KEY": "key", "KITE_ACCESS_TOKEN": "token"}
    broker = KiteBroker(client, Credentials(environ=env), sleep=lambda s: None, on_unknown=reports)
    assert [order.broker_order_id for order in broker.orders()] == ["1"]
    assert reports == [("record", "adapter error RuntimeError: a bug")]
