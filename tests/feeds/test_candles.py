"""Candle files and the ticks a candle becomes: four, a quarter interval apart, open first and
close last, the nearer extreme second (low for a rising candle, high for a falling one), the
day's volume growing to the candle's; a line written is read back the same; a bad line is
skipped with its reason."""

from __future__ import annotations

import datetime

import pytest

from feeds.base import SkippedRecord, SkipReason
from feeds.candles import IST, Candle, candle_ticks, format_candle, parse_candle

START = datetime.datetime(2026, 11, 20, 9, 15, tzinfo=IST)
START_NS = int(START.timestamp()) * 1_000_000_000


def candle(o: int, h: int, lo: int, c: int, volume: int = 1_000) -> Candle:
    return Candle(7, START_NS, "NSE:INFY", 60, o, h, lo, c, volume)


def test_a_rising_candle_goes_open_low_high_close_a_quarter_minute_apart():
    ticks = candle_ticks(candle(100_000, 100_500, 99_800, 100_300), volume_before=5_000)
    assert [t.ltp for t in ticks] == [100_000, 99_800, 100_500, 100_300]
    assert [t.exchange_ns - START_NS for t in ticks] == [0, 15 * 10**9, 30 * 10**9, 45 * 10**9]
    assert [t.volume for t in ticks] == [5_250, 5_500, 5_750, 6_000]
    assert all(t.bid == t.ask == t.ltp and t.symbol == "NSE:INFY" for t in ticks)


def test_a_falling_candle_goes_open_high_low_close_and_the_volume_remainder_is_on_the_close():
    ticks = candle_ticks(candle(100_300, 100_500, 99_800, 100_000, volume=7), volume_before=0)
    assert [t.ltp for t in ticks] == [100_300, 100_500, 99_800, 100_000]
    assert [t.volume for t in ticks] == [1, 2, 3, 7]


def test_a_flat_candle_counts_as_rising():
    ticks = candle_ticks(candle(100_000, 100_000, 100_000, 100_000), volume_before=0)
    assert [t.ltp for t in ticks] == [100_000] * 4


def test_a_written_line_reads_back_the_same():
    original = candle(152_345, 152_500, 152_005, 152_400, volume=12_034)
    line = format_candle(original)
    assert line == "2026-11-20T09:15:00+05:30,NSE:INFY,60,1523.45,1525.00,1520.05,1524.00,12034"
    assert parse_candle(line, 7) == original


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2026-11-20T09:15:00+05:30,NSE:INFY,60,1523.45,1525.00,1520.05", SkipReason.COLUMN_COUNT),
        ("2026-11-20T09:15:00,NSE:INFY,60,1523.45,1525.00,1520.05,1524.00,1", SkipReason.BAD_TIME),
        (
            "2026-11-20T09:15:00+05:30,INFY,60,1523.45,1525.00,1520.05,1524.00,1",
            SkipReason.BAD_SYMBOL,
        ),
        (
            "2026-11-20T09:15:00+05:30,NSE:INFY,60,1523.455,1525,1520,1524,1",
            SkipReason.TOO_MANY_DECIMALS,
        ),
        (
            "2026-11-20T09:15:00+05:30,NSE:INFY,0,1523.45,1525.00,1520.05,1524.00,1",
            SkipReason.BAD_QUANTITY,
        ),
        (
            "2026-11-20T09:15:00+05:30,NSE:INFY,60,1523.45,1522.00,1520.05,1524.00,1",
            SkipReason.BAD_PRICE,
        ),
    ],
)
def test_a_bad_line_is_skipped_with_its_reason(line: str, reason: SkipReason):
    parsed = parse_candle(line, 3)
    assert isinstance(parsed, SkippedRecord) and parsed.reason is reason and parsed.line == 3
