"""The strategy's own average-entry position, worked by hand."""

from __future__ import annotations

from fractions import Fraction

import pytest

from messages.orders import Side
from strategies.position import PositionChange, StrategyPosition


def test_adding_re_averages_the_entry_exactly():
    position, change = StrategyPosition().apply(Side.BUY, 10, 10_000)
    assert (position, change) == (StrategyPosition(10, Fraction(10_000)), PositionChange.OPENED)
    position, change = position.apply(Side.BUY, 20, 10_001)
    # (10*10000 + 20*10001) / 30 = 300020 / 30 = 30002/3 (10000.666...)
    assert (position, change) == (StrategyPosition(30, Fraction(30_002, 3)), PositionChange.ADDED)


def test_reducing_keeps_the_average_entry():
    position = StrategyPosition(30, Fraction(30_002, 3))
    reduced, change = position.apply(Side.SELL, 10, 12_345)
    assert (reduced, change) == (StrategyPosition(20, Fraction(30_002, 3)), PositionChange.REDUCED)


def test_closing_returns_to_flat():
    position, change = StrategyPosition(-5, Fraction(100)).apply(Side.BUY, 5, 90)
    assert (position, change) == (StrategyPosition(), PositionChange.CLOSED)
    assert position.is_flat and position.average_entry is None


def test_reversing_starts_the_new_side_at_the_fill_price():
    position, change = StrategyPosition(5, Fraction(100)).apply(Side.SELL, 8, 95)
    assert (position, change) == (StrategyPosition(-3, Fraction(95)), PositionChange.REVERSED)


def test_short_entries_average_like_longs():
    position, _ = StrategyPosition().apply(Side.SELL, 1, 100)
    position, change = position.apply(Side.SELL, 3, 104)
    # (1*100 + 3*104) / 4 = 412 / 4 = 103
    assert (position, change) == (StrategyPosition(-4, Fraction(103)), PositionChange.ADDED)


def test_a_fill_quantity_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        StrategyPosition().apply(Side.BUY, 0, 100)
