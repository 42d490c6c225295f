"""An instrument's value rule, and the declared multipliers checked against the broker's
positions (Kite reports ``multiplier`` 10 for an MCX crude-oil mini: 10 barrels a contract)."""

from __future__ import annotations

import pytest

from brokers.base import BrokerPosition
from core.instruments import InstrumentSpec, MultiplierMismatch, multiplier_mismatches
from messages import Product

CRUDE_MINI = "MCX:CRUDEOILM25DECFUT"
INFY = "NSE:INFY"


def test_value_is_price_times_quantity_times_multiplier():
    crude = InstrumentSpec(tick_size=100, lot_size=1, multiplier=10)
    assert crude.value(540_000, 3) == 540_000 * 3 * 10  # 3 lots at ₹5,400/bbl: ₹1,62,000
    assert InstrumentSpec(tick_size=5, lot_size=1).value(150_000, 4) == 600_000


@pytest.mark.parametrize("field", ["tick_size", "lot_size", "multiplier"])
@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_every_figure_must_be_a_positive_int(field, bad):
    values = {"tick_size": 5, "lot_size": 1, "multiplier": 1, field: bad}
    with pytest.raises(ValueError, match=field):
        InstrumentSpec(**values)


def position(symbol: str, quantity: int, multiplier: int = 1) -> BrokerPosition:
    return BrokerPosition(
        symbol=symbol,
        product=Product.NRML,
        quantity=quantity,
        open_cost=quantity * 540_000,
        multiplier=multiplier,
    )


def test_a_declared_multiplier_the_broker_agrees_with_is_no_mismatch():
    positions = [position(CRUDE_MINI, 2, multiplier=10), position(INFY, 5)]
    assert multiplier_mismatches({CRUDE_MINI: 10, INFY: 1}, positions) == []


def test_an_undeclared_multiplier_is_a_mismatch_once_per_symbol():
    positions = [
        position(CRUDE_MINI, 2, multiplier=10),
        position(CRUDE_MINI, 0, multiplier=10),  # e.g. the same contract under another product
        position(INFY, 5),
    ]
    found = multiplier_mismatches({CRUDE_MINI: 1, INFY: 1}, positions)
    assert found == [MultiplierMismatch(CRUDE_MINI, declared=1, reported=10)]
    assert "set multiplier = 10" in found[0].describe()


def test_a_flat_position_still_tells_its_multiplier():
    found = multiplier_mismatches({CRUDE_MINI: 100}, [position(CRUDE_MINI, 0, multiplier=10)])
    assert found == [MultiplierMismatch(CRUDE_MINI, declared=100, reported=10)]


def test_positions_shikra_does_not_trade_are_not_checked():
    assert multiplier_mismatches({INFY: 1}, [position(CRUDE_MINI, 2, multiplier=10)]) == []


def test_mismatches_come_sorted_by_symbol():
    positions = [position("MCX:ZINCMINI25DECFUT", 1, 1000), position(CRUDE_MINI, 1, 10)]
    found = multiplier_mismatches({"MCX:ZINCMINI25DECFUT": 1, CRUDE_MINI: 1}, positions)
    assert [m.symbol for m in found] == [CRUDE_MINI, "MCX:ZINCMINI25DECFUT"]
