"""What the adapter does with a value it does not know: every report counted, each distinct
value logged once (a strange order polled every second is one line), the log bounded."""

from __future__ import annotations

import logging

import pytest

from brokers.unknown_values import UnknownValues, shown


def test_every_report_is_counted_and_each_distinct_value_logged_once(caplog):
    counted: list[str] = []
    unknown = UnknownValues(counted.append)
    with caplog.at_level(logging.WARNING, logger="brokers.kite"):
        for _ in range(3):
            unknown("product", "'XYZ'")
        unknown("status", "'PARKED'")
        unknown("record", "order '42': quantity: 'abc' is not a number")
    assert counted == ["product", "product", "product", "status", "record"]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert "product" in lines[0] and "'XYZ'" in lines[0]
    assert lines[2].startswith("skipped a broker record") and "'42'" in lines[2]


def test_the_log_is_bounded_but_the_count_is_not(caplog):
    counted: list[str] = []
    unknown = UnknownValues(counted.append, log_limit=5)
    with caplog.at_level(logging.WARNING, logger="brokers.kite"):
        for n in range(50):
            unknown("status", f"'S{n}'")
    assert len(counted) == 50
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 6  # five values, then one line saying the rest are only counted
    assert "no longer logged" in lines[-1]


@pytest.mark.parametrize(("value", "text"), [("MTF", "'MTF'"), (None, "None"), (7, "7")])
def test_values_are_shown_as_their_repr(value, text):
    assert shown(value) == text


def test_a_long_value_is_cut():
    assert len(shown("x" * 500)) == 40
