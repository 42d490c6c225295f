"""Several data files as one market (``feeds.merged``): released by market time, the earliest
first and for one time the file named first first; out-of-order records of a file in file
order; each malformed line reported once, with the poll that read it; ticks counted per
symbol. A backtest's determinism rests on this order, whatever the number of files."""

from __future__ import annotations

from pathlib import Path

from feeds.base import SkipReason
from feeds.merged import MergedSource

SECOND = 1_000_000_000
OPEN_NS = 1_795_146_300 * SECOND  # 2026-11-20T09:15:00+05:30
HEADER = "exchange_time,symbol,ltp,bid,ask,bid_qty,ask_qty,volume"


def line(second: int, symbol: str, rupees: int) -> str:
    return f"2026-11-20T09:15:{second:02d}+05:30,{symbol},{rupees},,,,,"


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def played(source: MergedSource, until_ns: int) -> list[tuple[int, str, int]]:
    """Everything due by ``until_ns``, a poll a second: (second, symbol, rupees)."""
    out = []
    for now in range(OPEN_NS, until_ns + 1, SECOND):
        for tick in source.poll(now).ticks:
            out.append(((tick.exchange_ns - OPEN_NS) // SECOND, tick.symbol, tick.ltp // 100))
    return out


def test_files_play_as_one_market_the_first_named_first_at_one_time(tmp_path: Path):
    a = write(tmp_path / "a.csv", line(0, "NSE:A", 1), line(2, "NSE:A", 2), line(4, "NSE:A", 3))
    b = write(tmp_path / "b.csv", line(1, "NSE:B", 10), line(2, "NSE:B", 20))
    c = write(tmp_path / "c.csv", line(2, "NSE:C", 100), line(3, "NSE:C", 200))
    source = MergedSource([a, b, c])
    assert source.first_exchange_ns == OPEN_NS
    assert played(source, OPEN_NS + 4 * SECOND) == [
        (0, "NSE:A", 1),
        (1, "NSE:B", 10),
        (2, "NSE:A", 2),
        (2, "NSE:B", 20),
        (2, "NSE:C", 100),
        (3, "NSE:C", 200),
        (4, "NSE:A", 3),
    ]
    assert source.poll(OPEN_NS + 5 * SECOND).next_due_ns is None
    assert source.ticks_by_symbol == {"NSE:A": 3, "NSE:B": 2, "NSE:C": 2}
    assert source.stats.delivered == 7


def test_a_poll_releases_only_what_is_due_and_says_when_the_next_is(tmp_path: Path):
    a = write(tmp_path / "a.csv", line(0, "NSE:A", 1), line(5, "NSE:A", 2))
    b = write(tmp_path / "b.csv", line(3, "NSE:B", 10))
    source = MergedSource([a, b])
    first = source.poll(OPEN_NS + 2 * SECOND)
    assert [t.symbol for t in first.ticks] == ["NSE:A"]
    assert first.next_due_ns == OPEN_NS + 3 * SECOND
    assert source.poll(OPEN_NS + 2 * SECOND).ticks == []  # nothing new is due
    assert [t.ltp for t in source.poll(OPEN_NS + 9 * SECOND).ticks] == [1000, 200]


def test_a_files_out_of_order_record_goes_in_its_files_order(tmp_path: Path):
    # b's second record is earlier than its first: it is released right after it (file order
    # is arrival order), never before it.
    a = write(tmp_path / "a.csv", line(1, "NSE:A", 1), line(4, "NSE:A", 2))
    b = write(tmp_path / "b.csv", line(3, "NSE:B", 10), line(0, "NSE:B", 20))
    source = MergedSource([a, b])
    assert played(source, OPEN_NS + 4 * SECOND) == [
        (1, "NSE:A", 1),
        (3, "NSE:B", 10),
        (0, "NSE:B", 20),
        (4, "NSE:A", 2),
    ]


def test_the_batch_cap_holds_and_the_rest_is_due_at_once(tmp_path: Path):
    files = [write(tmp_path / f"{n}.csv", line(0, f"NSE:S{n}", n + 1)) for n in range(5)]
    source = MergedSource(files, max_batch=2)
    sizes = []
    while True:
        batch = source.poll(OPEN_NS)
        sizes.append(len(batch.ticks))
        if batch.next_due_ns is None:
            break
        assert batch.next_due_ns == OPEN_NS
    assert sizes == [2, 2, 1]
    assert sorted(source.ticks_by_symbol) == [f"NSE:S{n}" for n in range(5)]


def test_each_malformed_line_is_reported_once_by_the_poll_that_read_it(tmp_path: Path):
    a = write(tmp_path / "a.csv", line(0, "NSE:A", 1), line(3, "NSE:A", 2))
    # b: a bad line before its first record (read when the file is opened) and one between
    # its records (read once its first is taken).
    b = write(
        tmp_path / "b.csv",
        "not a tick",
        line(1, "NSE:B", 10),
        "2026-11-20T09:15:02+05:30,NSE:B,-5,,,,,",
        line(2, "NSE:B", 20),
    )
    source = MergedSource([a, b])
    reports = []
    for now in range(OPEN_NS, OPEN_NS + 4 * SECOND, SECOND):
        batch = source.poll(now)
        reports.append([(skip.reason, skip.line) for skip in batch.skipped])
    assert reports == [
        [(SkipReason.COLUMN_COUNT, 2)],
        [(SkipReason.NONPOSITIVE_PRICE, 4)],
        [],
        [],
    ]
    assert source.stats.skipped_total == 2
    assert source.stats.delivered == 4


def test_the_next_due_time_follows_the_polls_for_one_file_or_many(tmp_path: Path):
    a = write(tmp_path / "a.csv", line(0, "NSE:A", 1), line(2, "NSE:A", 2))
    b = write(tmp_path / "b.csv", line(1, "NSE:B", 10))
    for files in ([a], [a, b]):
        source = MergedSource(files)
        assert source.next_due_ns == OPEN_NS
        source.poll(OPEN_NS)
        assert source.next_due_ns == OPEN_NS + (SECOND if len(files) == 2 else 2 * SECOND)
        source.poll(OPEN_NS + 2 * SECOND)
        assert source.next_due_ns is None
