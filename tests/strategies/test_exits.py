"""Exit rules at their boundaries. Entry 100000 paise (Rs 1,000) throughout, so a basis point
is 10 paise and every level is a round number worked in the comments. Boundaries are
inclusive: a price exactly at a level fires, one paisa short does not."""

from __future__ import annotations

from fractions import Fraction

import pytest

from config.symbols import ExitsConfig
from strategies.exits import (
    ExitDecision,
    ExitReason,
    ExitRules,
    ExitState,
    partial_quantity,
)

ENTRY = Fraction(100_000)
T0 = 1_700_000_000_000_000_000
SECOND = 1_000_000_000


def fresh(best: int = 100_000) -> ExitState:
    return ExitState(entry_ns=T0, best_price=best)


def decide(
    rules: ExitRules,
    quantity: int,
    price: int,
    state: ExitState | None = None,
    at_ns: int = T0 + SECOND,
) -> ExitDecision | None:
    return rules.on_price(quantity, ENTRY, state or fresh(), price, at_ns)[1]


def test_no_rules_no_exits():
    rules = ExitRules(ExitsConfig())
    assert decide(rules, 10, 1) is None
    assert decide(rules, 10, 10_000_000, at_ns=T0 + 10**6 * SECOND) is None


@pytest.mark.parametrize(
    ("quantity", "at_stop", "short_of_stop"),
    [
        (10, 99_500, 99_501),  # long:  100000 * (1 - 50/10000) = 99500, fires at or below
        (-10, 100_500, 100_499),  # short: 100000 * (1 + 50/10000) = 100500, fires at or above
    ],
)
def test_stop_loss_fires_exactly_at_the_stop(quantity, at_stop, short_of_stop):
    rules = ExitRules(ExitsConfig(stop_loss_bps=50))
    assert decide(rules, quantity, at_stop) == ExitDecision(10, ExitReason.STOP_LOSS)
    assert decide(rules, quantity, short_of_stop) is None


@pytest.mark.parametrize(
    ("quantity", "at_target", "short_of_target"),
    [
        (10, 101_000, 100_999),  # long:  100000 * (1 + 100/10000) = 101000
        (-10, 99_000, 99_001),  # short: 100000 * (1 - 100/10000) = 99000
    ],
)
def test_take_profit_fires_exactly_at_the_target(quantity, at_target, short_of_target):
    rules = ExitRules(ExitsConfig(take_profit_bps=100))
    assert decide(rules, quantity, at_target) == ExitDecision(10, ExitReason.TAKE_PROFIT)
    assert decide(rules, quantity, short_of_target) is None


def test_fractional_bps_are_exact():
    rules = ExitRules(ExitsConfig(stop_loss_bps=12.5))
    # 100000 * (1 - 12.5/10000) = 100000 - 125 = 99875 exactly
    assert decide(rules, 10, 99_875) == ExitDecision(10, ExitReason.STOP_LOSS)
    assert decide(rules, 10, 99_876) is None


def test_trailing_stop_follows_the_highest_price_of_a_long():
    rules = ExitRules(ExitsConfig(trailing_stop_bps=100))
    state = fresh()
    for price in (101_000, 102_000, 101_500):  # best rises to 102000, then a dip
        state, decision = rules.on_price(10, ENTRY, state, price, T0 + SECOND)
        assert decision is None
    assert state.best_price == 102_000
    # trail = 102000 * (1 - 100/10000) = 100980
    assert rules.on_price(10, ENTRY, state, 100_981, T0 + SECOND)[1] is None
    assert rules.on_price(10, ENTRY, state, 100_980, T0 + SECOND)[1] == ExitDecision(
        10, ExitReason.TRAILING_STOP
    )


def test_trailing_stop_follows_the_lowest_price_of_a_short():
    rules = ExitRules(ExitsConfig(trailing_stop_bps=100))
    state = fresh()
    for price in (99_000, 98_000, 98_500):
        state, decision = rules.on_price(-10, ENTRY, state, price, T0 + SECOND)
        assert decision is None
    assert state.best_price == 98_000
    # trail = 98000 * (1 + 100/10000) = 98980
    assert rules.on_price(-10, ENTRY, state, 98_979, T0 + SECOND)[1] is None
    assert rules.on_price(-10, ENTRY, state, 98_980, T0 + SECOND)[1] == ExitDecision(
        10, ExitReason.TRAILING_STOP
    )


def test_trailing_stop_starts_from_the_entry_price():
    rules = ExitRules(ExitsConfig(trailing_stop_bps=100))
    # no better price yet: trail = 100000 * 0.99 = 99000
    assert decide(rules, 10, 99_001) is None
    assert decide(rules, 10, 99_000) == ExitDecision(10, ExitReason.TRAILING_STOP)


@pytest.mark.parametrize("quantity", [10, -10])
def test_time_stop_fires_at_exactly_n_seconds_of_market_time(quantity):
    rules = ExitRules(ExitsConfig(time_stop_seconds=60))
    assert decide(rules, quantity, 100_000, at_ns=T0 + 60 * SECOND - 1) is None
    assert decide(rules, quantity, 100_000, at_ns=T0 + 60 * SECOND) == ExitDecision(
        10, ExitReason.TIME_STOP
    )


def test_fractional_time_stop_is_exact():
    rules = ExitRules(ExitsConfig(time_stop_seconds=0.1))
    # 0.1 s = 100_000_000 ns exactly (the decimal as written, not the nearest binary float)
    assert decide(rules, 10, 100_000, at_ns=T0 + 99_999_999) is None
    assert decide(rules, 10, 100_000, at_ns=T0 + 100_000_000) is not None


@pytest.mark.parametrize(
    ("units", "fraction", "lot", "expected"),
    [
        (100, "0.5", 25, 50),  # 50 = 2 lots exactly
        (75, "0.5", 25, 25),  # 37.5 -> rounded down to 1 lot
        (50, "0.3", 25, 25),  # 15 -> 0 lots -> raised to the minimum of 1 lot
        (50, "0.9", 25, 25),  # 45 -> 1 lot (2 lots would be the whole position)
        (100, "0.99", 25, 75),  # 99 -> 3 lots, the most that leaves something open
        (25, "0.5", 25, 25),  # one lot cannot be split: closed whole
        (100, "0.29", 1, 29),  # 0.29 * 100 in floats is 28.999...; exact gives 29
        (110, "0.5", 25, 50),  # 4 lots + 10 odd units: 55 -> 2 lots
        (30, "0.9", 25, 25),  # 1 lot + 5 odd units: 27 -> 1 lot, which leaves 5 open
    ],
)
def test_partial_quantity_rounding(units, fraction, lot, expected):
    assert partial_quantity(units, Fraction(fraction), lot) == expected


def partial_rules() -> ExitRules:
    return ExitRules(ExitsConfig(take_profit_bps=100, partial_exit_fraction=0.5), lot_size=25)


def test_partial_take_profit_then_break_even_for_a_long():
    rules = partial_rules()
    # target 101000: closes 0.5 * 100 = 50 (2 lots)
    assert decide(rules, 100, 101_000) == ExitDecision(50, ExitReason.PARTIAL_TAKE_PROFIT)
    after = ExitState(entry_ns=T0, best_price=101_000, partial_taken=True)
    assert decide(rules, 50, 102_000, after) is None  # take profit disarmed
    assert decide(rules, 50, 100_001, after) is None  # above break-even
    assert decide(rules, 50, 100_000, after) == ExitDecision(50, ExitReason.BREAK_EVEN)


def test_partial_take_profit_then_break_even_for_a_short():
    rules = partial_rules()
    # target 99000: closes 50 of a 100 short
    assert decide(rules, -100, 99_000) == ExitDecision(50, ExitReason.PARTIAL_TAKE_PROFIT)
    after = ExitState(entry_ns=T0, best_price=99_000, partial_taken=True)
    assert decide(rules, -50, 98_000, after) is None
    assert decide(rules, -50, 99_999, after) is None
    assert decide(rules, -50, 100_000, after) == ExitDecision(50, ExitReason.BREAK_EVEN)


def test_partial_exit_of_a_single_lot_closes_it_whole():
    rules = partial_rules()
    assert decide(rules, 25, 101_000) == ExitDecision(25, ExitReason.TAKE_PROFIT)


def test_a_full_exit_beats_the_partial_on_the_same_tick():
    rules = ExitRules(
        ExitsConfig(take_profit_bps=100, partial_exit_fraction=0.5, time_stop_seconds=60),
        lot_size=25,
    )
    # at the target and at the time stop together: everything goes
    decision = decide(rules, 100, 101_000, at_ns=T0 + 60 * SECOND)
    assert decision == ExitDecision(100, ExitReason.TIME_STOP)


def test_without_a_partial_fraction_a_reduction_keeps_the_ordinary_rules():
    rules = ExitRules(ExitsConfig(take_profit_bps=100))
    reduced = ExitState(entry_ns=T0, best_price=100_000, partial_taken=True)
    assert decide(rules, 50, 100_000, reduced) is None  # no break-even stop
    assert decide(rules, 50, 101_000, reduced) == ExitDecision(50, ExitReason.TAKE_PROFIT)


def test_exits_measure_from_the_exact_average_entry():
    rules = ExitRules(ExitsConfig(stop_loss_bps=100))
    average = Fraction(200_001, 2)  # e.g. 1 @ 100000 + 1 @ 100001
    # stop = 100000.5 * 0.99 = 99000.495: 99001 is above it, 99000 below
    assert rules.on_price(2, average, fresh(), 99_001, T0)[1] is None
    assert rules.on_price(2, average, fresh(), 99_000, T0)[1] == ExitDecision(
        2, ExitReason.STOP_LOSS
    )
