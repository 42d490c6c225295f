"""The reconciliation diff: one case per kind, flat versus missing, and the tolerance boundary
(exactly at the tolerance agrees, one paisa beyond disagrees)."""

from __future__ import annotations

import pytest

from core.reconcile import diff_positions
from messages.portfolio import DiffKind, PositionDiff

INFY = "NSE:INFY"
TCS = "NSE:TCS"


def kinds(diffs: list[PositionDiff]) -> list[tuple[str, DiffKind]]:
    return [(diff.symbol, diff.kind) for diff in diffs]


def test_identical_books_agree():
    book = {INFY: (10, 100000), TCS: (-3, -1050000)}
    assert diff_positions(book, dict(book), 0) == []


def test_missing_locally():
    diffs = diff_positions({}, {INFY: (10, 100000)}, 0)
    assert diffs == [
        PositionDiff(
            symbol=INFY,
            kind=DiffKind.MISSING_LOCALLY,
            local_quantity=0,
            broker_quantity=10,
            local_open_cost=0,
            broker_open_cost=100000,
        )
    ]


def test_missing_at_broker():
    diffs = diff_positions({INFY: (-5, -50000)}, {}, 0)
    assert diffs == [
        PositionDiff(
            symbol=INFY,
            kind=DiffKind.MISSING_AT_BROKER,
            local_quantity=-5,
            broker_quantity=0,
            local_open_cost=-50000,
            broker_open_cost=0,
        )
    ]


def test_a_flat_entry_counts_as_missing():
    assert kinds(diff_positions({INFY: (0, 0)}, {INFY: (10, 100000)}, 0)) == [
        (INFY, DiffKind.MISSING_LOCALLY)
    ]
    assert kinds(diff_positions({INFY: (10, 100000)}, {INFY: (0, 0)}, 0)) == [
        (INFY, DiffKind.MISSING_AT_BROKER)
    ]


def test_flat_on_both_sides_is_not_a_difference():
    assert diff_positions({INFY: (0, 0)}, {INFY: (0, 0)}, 0) == []
    assert diff_positions({INFY: (0, 0)}, {}, 0) == []
    assert diff_positions({}, {TCS: (0, 0)}, 0) == []


def test_quantity_mismatch():
    assert kinds(diff_positions({INFY: (10, 100000)}, {INFY: (12, 120000)}, 100)) == [
        (INFY, DiffKind.QUANTITY_MISMATCH)
    ]


def test_long_against_short_of_the_same_size_is_a_quantity_mismatch():
    assert kinds(diff_positions({INFY: (10, 100000)}, {INFY: (-10, -100000)}, 100)) == [
        (INFY, DiffKind.QUANTITY_MISMATCH)
    ]


def test_avg_price_mismatch():
    # local avg 101000/10 = 10100, broker avg 10000: 100 paise = 100 bps > 50 bps
    diffs = diff_positions({INFY: (10, 101000)}, {INFY: (10, 100000)}, 50)
    assert kinds(diffs) == [(INFY, DiffKind.AVG_PRICE_MISMATCH)]
    assert (diffs[0].local_open_cost, diffs[0].broker_open_cost) == (101000, 100000)


@pytest.mark.parametrize(
    ("local", "mismatch"),
    [
        # broker avg 10000 paise; 10 bps of it = 10 paise
        ((1, 10010), False),  # exactly +10: at the tolerance
        ((1, 10011), True),  # +11: one paisa beyond
        ((1, 9990), False),  # exactly -10
        ((1, 9989), True),  # -11
    ],
)
def test_tolerance_boundary_long(local, mismatch):
    diffs = diff_positions({INFY: local}, {INFY: (1, 10000)}, 10)
    assert kinds(diffs) == ([(INFY, DiffKind.AVG_PRICE_MISMATCH)] if mismatch else [])


@pytest.mark.parametrize(
    ("local", "mismatch"),
    [
        # short: broker avg -10000/-1 = 10000; 10 bps = 10 paise
        ((-1, -10010), False),
        ((-1, -10011), True),
    ],
)
def test_tolerance_boundary_short(local, mismatch):
    diffs = diff_positions({INFY: local}, {INFY: (-1, -10000)}, 10)
    assert kinds(diffs) == ([(INFY, DiffKind.AVG_PRICE_MISMATCH)] if mismatch else [])


@pytest.mark.parametrize(("local_cost", "mismatch"), [(3000030, False), (3000031, True)])
def test_fractional_bps_and_fractional_averages_are_compared_exactly(local_cost, mismatch):
    # broker avg 3,000,000/3 = 1,000,000 paise; 0.1 bps of it = 10 paise
    # local avg 3,000,030/3 = 1,000,010 (at the tolerance); 3,000,031/3 = 1,000,010.33.. (beyond)
    diffs = diff_positions({INFY: (3, local_cost)}, {INFY: (3, 3000000)}, 0.1)
    assert kinds(diffs) == ([(INFY, DiffKind.AVG_PRICE_MISMATCH)] if mismatch else [])


def test_diffs_are_sorted_by_symbol():
    local = {"NSE:ZEEL": (5, 5000), "NSE:ACC": (1, 200000), "NSE:MRF": (2, 20000000)}
    broker = {"NSE:MRF": (1, 10000000), "NSE:BEL": (7, 210000)}
    assert kinds(diff_positions(local, broker, 10)) == [
        ("NSE:ACC", DiffKind.MISSING_AT_BROKER),
        ("NSE:BEL", DiffKind.MISSING_LOCALLY),
        ("NSE:MRF", DiffKind.QUANTITY_MISMATCH),
        ("NSE:ZEEL", DiffKind.MISSING_AT_BROKER),
    ]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_a_nonsense_tolerance_is_refused(bad):
    with pytest.raises(ValueError):
        diff_positions({}, {}, bad)
