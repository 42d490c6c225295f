"""The replay reader: exact paise and nanoseconds, malformed lines skipped and counted by
reason, and ticks released by elapsed (virtual) time at the requested speed."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.base import SkipReason
from feeds.replay import ReplayFormatError, ReplaySource

SECOND = 1_000_000_000
# 2026-11-20T09:15:00+05:30 = 03:45:00Z = (20777 days + 13500 s) after the epoch.
OPEN_NS = 1_795_146_300 * SECOND
WALL = 1_900_000_000 * SECOND  # the poller's clock: unrelated to the recording's
HEADER = "exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "ticks.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_valid_file_gives_exact_paise_and_nanoseconds(tmp_path):
    path = _write(
        tmp_path,
        "# recorded by hand",
        HEADER,
        "2026-11-20T09:15:00.250+05:30,NSE:INFY,1523.45,1523.40,1523.5,120,85,1000",
        "",
        "2026-11-20T09:15:01+05:30, NSE:SBIN ,801,,,,,",
        "2026-11-20T03:45:02.000000001Z,NSE:M&M,0.05,0.05,0.10,1,2,1001",
        "2026-11-19T23:15:03.5-05:00,NSE:TCS,3400.1,,,,,7",
    )
    with ReplaySource(path, "max") as source:
        batch = source.poll(WALL)
    got = [
        (t.symbol, t.exchange_ns, t.ltp, t.bid, t.ask, t.bid_qty, t.ask_qty, t.volume)
        for t in batch.ticks
    ]
    assert got == [
        ("NSE:INFY", OPEN_NS + 250_000_000, 152345, 152340, 152350, 120, 85, 1000),
        ("NSE:SBIN", OPEN_NS + SECOND, 80100, None, None, 0, 0, 0),
        ("NSE:M&M", OPEN_NS + 2 * SECOND + 1, 5, 5, 10, 1, 2, 1001),
        # 23:15:03.5 at -05:00 is 04:15:03.5Z: 30 min 3.5 s after 03:45Z.
        ("NSE:TCS", OPEN_NS + 1803 * SECOND + 500_000_000, 340010, None, None, 0, 0, 7),
    ]
    assert {t.receive_ns for t in batch.ticks} == {WALL}
    assert batch.next_due_ns is None
    assert batch.skipped == []
    assert source.stats.delivered == 4


MALFORMED = [
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,,,,", SkipReason.COLUMN_COUNT),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,,,,,,", SkipReason.COLUMN_COUNT),
    ("2026-11-20T09:15:01,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-13-20T09:15:01+05:30,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("20/11/2026 09:15,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-11-20T09:15:01+25:00,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-11-20T09:15:01+05:30,INFY,1523.45,,,,,", SkipReason.BAD_SYMBOL),
    ("2026-11-20T09:15:01+05:30,,1523.45,,,,,", SkipReason.BAD_SYMBOL),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,abc,,,,,", SkipReason.BAD_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,,,,,,", SkipReason.BAD_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1e3,,,,,", SkipReason.BAD_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,x,,,,", SkipReason.BAD_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,0.00,,,,,", SkipReason.NONPOSITIVE_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,-5,,,,,", SkipReason.NONPOSITIVE_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.455,,,,,", SkipReason.TOO_MANY_DECIMALS),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,,1523.501,,,", SkipReason.TOO_MANY_DECIMALS),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.450,,,,,", SkipReason.TOO_MANY_DECIMALS),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,-0.00,,,,,", SkipReason.NONPOSITIVE_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,+5,,,,,", SkipReason.BAD_PRICE),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,5.,,,,,", SkipReason.BAD_PRICE),
    # The minute of the good lines, already read: its second is still checked.
    ("2026-11-20T09:15:60+05:30,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-02-30T09:15:01+05:30,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-11-20T24:00:00+05:30,NSE:INFY,1523.45,,,,,", SkipReason.BAD_TIME),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,,,-5,,", SkipReason.BAD_QUANTITY),
    ("2026-11-20T09:15:01+05:30,NSE:INFY,1523.45,,,,1.5,", SkipReason.BAD_QUANTITY),
]


def test_each_kind_of_malformed_line_is_skipped_and_counted_with_its_line(tmp_path):
    good = "2026-11-20T09:15:00+05:30,NSE:INFY,1500.00,,,,,"
    path = _write(tmp_path, HEADER, good, *(line for line, _ in MALFORMED), good)
    with ReplaySource(path, "max") as source:
        batch = source.poll(WALL)
    assert [t.ltp for t in batch.ticks] == [150000, 150000]
    # Line 1 is the header, line 2 the first good line: the malformed ones are lines 3...
    assert [(s.reason, s.line) for s in batch.skipped] == [
        (reason, number) for number, (_, reason) in enumerate(MALFORMED, start=3)
    ]
    expected_counts: dict[SkipReason, int] = {}
    for _, reason in MALFORMED:
        expected_counts[reason] = expected_counts.get(reason, 0) + 1
    assert dict(source.stats.skipped) == expected_counts
    assert source.stats.skipped_total == len(MALFORMED)
    assert all(s.detail for s in batch.skipped)


def test_out_of_order_times_are_delivered_in_file_order_and_counted(tmp_path):
    path = _write(
        tmp_path,
        HEADER,
        "2026-11-20T09:15:02+05:30,NSE:INFY,1500.00,,,,,",
        "2026-11-20T09:15:01+05:30,NSE:SBIN,800.00,,,,,",
        "2026-11-20T09:15:03+05:30,NSE:INFY,1500.05,,,,,",
    )
    with ReplaySource(path, 1.0) as source:
        first = source.poll(WALL)
    assert [t.symbol for t in first.ticks] == ["NSE:INFY", "NSE:SBIN"]
    assert first.next_due_ns == WALL + SECOND
    assert source.stats.out_of_order == 1
    assert source.stats.skipped_total == 0


def test_a_file_without_the_header_is_refused_when_opened(tmp_path):
    with pytest.raises(ReplayFormatError):
        ReplaySource(_write(tmp_path, "2026-11-20T09:15:00+05:30,NSE:INFY,1.00,,,,,"), "max")
    with pytest.raises(ReplayFormatError):
        ReplaySource(_write(tmp_path, "# only a comment"), "max")


@pytest.mark.parametrize("speed", [0.0, -1.0, float("inf"), float("nan"), "fast"])
def test_a_meaningless_speed_is_refused(tmp_path, speed):
    with pytest.raises(ValueError):
        ReplaySource(_write(tmp_path, HEADER), speed)


def _seven(tmp_path: Path) -> Path:
    lines = [f"2026-11-20T09:{15 + i}:00+05:30,NSE:INFY,{1500 + i}.00,,,,," for i in range(7)]
    return _write(tmp_path, HEADER, *lines)


def test_max_speed_returns_everything_in_batches_without_time_passing(tmp_path):
    with ReplaySource(_seven(tmp_path), "max", max_batch=3) as source:
        batches = [source.poll(WALL) for _ in range(4)]
    assert [len(b.ticks) for b in batches] == [3, 3, 1, 0]
    assert [b.next_due_ns for b in batches] == [WALL, WALL, None, None]
    assert [t.ltp for b in batches for t in b.ticks] == [150000 + 100 * i for i in range(7)]


TIMED = [
    "2026-11-20T09:15:00+05:30,NSE:INFY,1500.00,,,,,",
    "2026-11-20T09:15:00.250+05:30,NSE:INFY,1500.05,,,,,",
    "2026-11-20T09:15:01+05:30,NSE:INFY,1500.10,,,,,",
    "2026-11-20T09:15:01+05:30,NSE:SBIN,800.00,,,,,",
    "2026-11-20T09:15:03.500+05:30,NSE:INFY,1500.15,,,,,",
]


def _released(source: ReplaySource, after_ns: int) -> tuple[list[int], int | None]:
    batch = source.poll(WALL + after_ns)
    return [t.ltp for t in batch.ticks], batch.next_due_ns


def test_real_time_speed_releases_each_tick_when_its_recorded_offset_has_elapsed(tmp_path):
    with ReplaySource(_write(tmp_path, HEADER, *TIMED), 1.0) as source:
        assert _released(source, 0) == ([150000], WALL + 250_000_000)
        assert _released(source, 249_999_999) == ([], WALL + 250_000_000)
        assert _released(source, 250_000_000) == ([150005], WALL + SECOND)
        assert _released(source, 2 * SECOND) == ([150010, 80000], WALL + 3_500_000_000)
        assert _released(source, 3_500_000_000) == ([150015], None)


def test_ten_times_speed_releases_at_a_tenth_of_the_recorded_offsets(tmp_path):
    with ReplaySource(_write(tmp_path, HEADER, *TIMED), 10.0) as source:
        assert _released(source, 0) == ([150000], WALL + 25_000_000)
        assert _released(source, 24_999_999) == ([], WALL + 25_000_000)
        assert _released(source, 100_000_000) == ([150005, 150010, 80000], WALL + 350_000_000)
        assert _released(source, 350_000_000) == ([150015], None)


def test_due_times_are_exact_for_speeds_that_do_not_divide_evenly(tmp_path):
    # At 3x, the tick recorded 1 s after the first is due after ceil(1e9 / 3) ns of wall time.
    lines = [TIMED[0], TIMED[2]]
    with ReplaySource(_write(tmp_path, HEADER, *lines), 3.0) as source:
        assert _released(source, 0) == ([150000], WALL + 333_333_334)
        assert _released(source, 333_333_333) == ([], WALL + 333_333_334)
        assert _released(source, 333_333_334) == ([150010], None)


def test_windows_line_endings_and_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + TIMED[0] + "\r\n").encode("utf-8"))
    with ReplaySource(path, "max") as source:
        assert [t.ltp for t in source.poll(WALL).ticks] == [150000]


def test_an_undecodable_line_is_skipped_with_its_number_and_the_rest_is_read(tmp_path):
    # Line 3 carries a byte that is never UTF-8 (0xff) inside its symbol; line 5 a truncated
    # two-byte sequence at its end; comments may hold any bytes, valid or not.
    good = [line.encode() for line in TIMED[:3]]
    path = tmp_path / "bytes.csv"
    path.write_bytes(
        b"\n".join(
            [
                HEADER.encode(),
                good[0],
                b"2026-11-20T09:15:00.100+05:30,NSE:IN\xffFY,1500.00,,,,,",
                "# caf\u00e9 \u2014 recorded in Mumbai".encode() + b" \xff\xfe",
                good[1] + b"\xc3",
                good[2],
            ]
        )
        + b"\n"
    )
    with ReplaySource(path, "max") as source:
        batch = source.poll(WALL)
    assert [t.ltp for t in batch.ticks] == [150000, 150010]
    assert [(s.reason, s.line) for s in batch.skipped] == [
        (SkipReason.BAD_ENCODING, 3),
        (SkipReason.BAD_ENCODING, 5),
    ]
    assert batch.skipped[0].detail == "not UTF-8: byte 37 is 0xff"
    assert source.stats.skipped == {SkipReason.BAD_ENCODING: 2}


def test_a_header_with_an_undecodable_byte_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "bad-header.csv"
    path.write_bytes(b"# comment\n" + HEADER.encode().replace(b"symbol", b"sym\xffbol") + b"\n")
    with pytest.raises(ReplayFormatError, match=r"bad-header\.csv:2: expected the header"):
        ReplaySource(path, "max")


@pytest.mark.parametrize(
    ("time", "sane"),
    [
        ("9999-12-31T23:59:59Z", False),  # crashed Heartbeat before: year 10000 in IST
        ("9999-12-31T12:00:00+05:30", False),
        ("1970-01-01T00:00:00Z", False),
        ("1999-12-31T23:59:59.999999999Z", False),
        ("2000-01-01T05:29:59+05:30", False),  # 1999-12-31T23:59:59Z
        ("2000-01-01T00:00:00Z", True),
        ("2099-12-31T23:59:59.999999999Z", True),
        ("2100-01-01T00:00:00Z", False),
        ("2100-01-01T05:29:59+05:30", True),  # 2099-12-31T23:59:59Z
        ("2100-01-01T05:30:00+05:30", False),
    ],
)
def test_times_outside_2000_to_2099_are_refused_as_bad_time(tmp_path, time, sane):
    path = _write(tmp_path, HEADER, f"{time},NSE:INFY,1500.00,,,,,")
    with ReplaySource(path, "max") as source:
        batch = source.poll(WALL)
    if sane:
        assert (len(batch.ticks), batch.skipped) == (1, [])
    else:
        assert batch.ticks == []
        assert [(s.reason, s.line) for s in batch.skipped] == [(SkipReason.BAD_TIME, 2)]
        assert "outside 2000-01-01..2100-01-01" in batch.skipped[0].detail


def test_the_first_valid_record_names_the_replayed_day(tmp_path):
    lines = ["9999-12-31T23:59:59Z,NSE:INFY,1500.00,,,,,", TIMED[1], TIMED[2]]
    with ReplaySource(_write(tmp_path, HEADER, *lines), "max") as source:
        assert source.first_exchange_ns == OPEN_NS + 250_000_000
    with ReplaySource(_write(tmp_path, HEADER, lines[0]), "max") as source:
        assert source.first_exchange_ns is None


def test_a_paced_replay_reports_how_late_its_oldest_released_tick_was(tmp_path):
    with ReplaySource(_write(tmp_path, HEADER, *TIMED), 1.0) as source:
        assert source.poll(WALL).lag_ns == 0
        # Polled at 2.2 s: the 250 ms tick is the oldest released, 1.95 s late.
        assert source.poll(WALL + 2_200_000_000).lag_ns == 1_950_000_000
        assert source.poll(WALL + 2_300_000_000).lag_ns == 0  # nothing was due


def test_a_replay_as_fast_as_possible_is_never_late(tmp_path):
    with ReplaySource(_seven(tmp_path), "max", max_batch=3) as source:
        assert [source.poll(WALL + k * SECOND).lag_ns for k in range(3)] == [0, 0, 0]


CANDLE_HEADER = "time,symbol,interval_seconds,open,high,low,close,volume"


def test_a_candle_file_replays_as_four_ticks_a_candle_with_the_days_volume(tmp_path):
    path = _write(
        tmp_path,
        "# shikra candles",
        CANDLE_HEADER,
        "2026-11-20T09:15:00+05:30,NSE:INFY,60,1523.45,1525.00,1520.05,1524.00,400",
        "2026-11-20T09:15:00+05:30,NSE:TCS,60,3400.00,3401.00,3399.00,3399.50,8",
        "2026-11-20T09:16:00+05:30,NSE:INFY,60,1524.00,1524.50,1522.00,1522.10,100",
        "2026-11-20T09:17:00+05:30,NSE:INFY,60,1523.00,1522.00,1521.00,1523.00,1",  # high < open
        "2026-11-23T09:15:00+05:30,NSE:INFY,60,1500.00,1500.00,1500.00,1500.00,4",
    )
    with ReplaySource(path, "max", max_batch=100) as source:
        batch = source.poll(WALL)
    infy = [
        (t.exchange_ns - OPEN_NS, t.ltp, t.volume) for t in batch.ticks if t.symbol == "NSE:INFY"
    ]
    assert infy == [
        (0, 152_345, 100), (15 * SECOND, 152_005, 200), (30 * SECOND, 152_500, 300),
        (45 * SECOND, 152_400, 400),  # rising: open, low, high, close
        (60 * SECOND, 152_400, 425), (75 * SECOND, 152_450, 450), (90 * SECOND, 152_200, 475),
        (105 * SECOND, 152_210, 500),  # falling: open, high, low, close
    ] + [
        (3 * 86_400 * SECOND + k * 15 * SECOND, 150_000, k + 1) for k in range(4)
    ]  # a new day: the volume starts again  # fmt: skip
    tcs = [t.ltp for t in batch.ticks if t.symbol == "NSE:TCS"]
    assert tcs == [340_000, 340_100, 339_900, 339_950]
    # The two symbols' 09:15 candles are played together, in time order: INFY then TCS at
    # each quarter (their lines' order), not one candle's four ticks and then the other's.
    first_eight = [(t.symbol[4:], (t.exchange_ns - OPEN_NS) // SECOND) for t in batch.ticks[:8]]
    assert first_eight == [
        ("INFY", 0), ("TCS", 0), ("INFY", 15), ("TCS", 15),
        ("INFY", 30), ("TCS", 30), ("INFY", 45), ("TCS", 45),
    ]  # fmt: skip
    assert source.stats.out_of_order == 0
    assert batch.exhausted
    assert source.stats.skipped[SkipReason.BAD_PRICE] == 1
    assert source.stats.delivered == 16


def test_one_minute_read_again_gives_each_line_its_own_exact_time_and_offset(tmp_path):
    """The same minute in several lines and offsets: each line's time from its own digits."""
    path = _write(
        tmp_path,
        HEADER,
        "2026-11-20T09:15:00+05:30,NSE:INFY,1500,,,,,",
        "2026-11-20T09:15:59.999999999+05:30,NSE:INFY,007.5,,,,,",
        "2026-11-20T09:15:30+05:00,NSE:INFY,0.05,,,,,",
        "2026-11-20T09:15:30Z,NSE:INFY,1,,,,,",
        "2026-11-20T09:15:01+05:30,NSE:INFY,1.2,,,,,",
    )
    with ReplaySource(path, "max") as source:
        batch = source.poll(WALL)
    assert [(t.exchange_ns - OPEN_NS, t.ltp) for t in batch.ticks] == [
        (0, 150000),
        (59 * SECOND + 999_999_999, 750),
        (30 * 60 * SECOND + 30 * SECOND, 5),  # 30 minutes later in UTC than at +05:30
        (5 * 3600 * SECOND + 30 * 60 * SECOND + 30 * SECOND, 100),
        (SECOND, 120),
    ]
    assert batch.skipped == []
