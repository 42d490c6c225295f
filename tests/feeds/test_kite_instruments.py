"""Kite's instruments dump, read row by row into each configured symbol's facts, one download a
day. The rows are shaped as Kite's CSV writes them: an NSE share above ₹250 (tick ₹0.05) and
one below (₹0.01, NSE's tick since June 2024), an index (tick and lot 0), a NIFTY option (lot
75), an MCX crude-oil mini future (tick ₹1; Kite counts MCX contracts in lots, lot size 1, the
10 barrels being the positions' multiplier), and a row with a tick size that is no number."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import pytest
from kiteconnect import KiteConnect

from feeds.kite_instruments import (
    InstrumentFacts,
    UnknownInstrument,
    csv_rows,
    load_instruments,
)

HEADER = (
    "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,"
    "lot_size,instrument_type,segment,exchange\n"
)
DUMPS = {
    "NSE": HEADER
    + "408065,1594,INFY,INFOSYS,0,,0,0.05,1,EQ,NSE,NSE\n"
    + "3677697,14366,IDEA,VODAFONE IDEA,0,,0,0.01,1,EQ,NSE,NSE\n"
    + "256265,1001,NIFTY 50,NIFTY 50,0,,0,0,0,EQ,INDICES,NSE\n",
    "NFO": HEADER
    + "10193666,39819,NIFTY25DEC24000CE,NIFTY,0,2025-12-30,24000,0.05,75,CE,NFO-OPT,NFO\n",
    "MCX": HEADER
    + "116459783,454921,CRUDEOILM25DECFUT,CRUDEOILM,0,2025-12-16,0,1,1,FUT,MCX-FUT,MCX\n"
    + "116459999,454999,SILVERM25NOVFUT,SILVERM,0,2025-11-28,0,abc,1,FUT,MCX-FUT,MCX\n",
}
INFY = InstrumentFacts(
    symbol="NSE:INFY", token=408065, tick_size_paise=5, lot_size=1, exchange="NSE",
    segment="NSE", instrument_type="EQ",
)  # fmt: skip
IDEA = InstrumentFacts(
    symbol="NSE:IDEA", token=3677697, tick_size_paise=1, lot_size=1, exchange="NSE",
    segment="NSE", instrument_type="EQ",
)  # fmt: skip
NIFTY_CALL = InstrumentFacts(
    symbol="NFO:NIFTY25DEC24000CE", token=10193666, tick_size_paise=5, lot_size=75,
    exchange="NFO", segment="NFO-OPT", instrument_type="CE", expiry=datetime.date(2025, 12, 30),
)  # fmt: skip
CRUDE_MINI = InstrumentFacts(
    symbol="MCX:CRUDEOILM25DECFUT", token=116459783, tick_size_paise=100, lot_size=1,
    exchange="MCX", segment="MCX-FUT", instrument_type="FUT", expiry=datetime.date(2025, 12, 16),
)  # fmt: skip
DAY = datetime.date(2025, 11, 20)


class Fetcher:
    """The raw dump per exchange, as Kite serves it, counting downloads."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, exchange: str):
        self.calls.append(exchange)
        return csv_rows(DUMPS[exchange].encode())


def test_real_looking_rows_are_read_exactly(tmp_path: Path):
    wanted = [INFY.symbol, IDEA.symbol, NIFTY_CALL.symbol, CRUDE_MINI.symbol]
    facts = load_instruments(wanted, Fetcher(), tmp_path, DAY)
    assert facts == {f.symbol: f for f in (INFY, IDEA, NIFTY_CALL, CRUDE_MINI)}


def test_the_clients_parsed_rows_give_the_same_facts(tmp_path: Path):
    """Rows as ``KiteConnect.instruments`` returns them (float tick size, date expiry)."""
    parse = KiteConnect("key")._parse_instruments
    fetch = lambda exchange: parse(DUMPS[exchange].replace("abc", "1").encode())  # noqa: E731
    facts = load_instruments([NIFTY_CALL.symbol, CRUDE_MINI.symbol], fetch, tmp_path, DAY)
    assert facts == {NIFTY_CALL.symbol: NIFTY_CALL, CRUDE_MINI.symbol: CRUDE_MINI}


def test_one_malformed_row_is_skipped_counted_and_logged(tmp_path: Path, caplog):
    # The client's own parser gives up on the whole dump for that one row...
    with pytest.raises(ValueError):
        KiteConnect("key")._parse_instruments(DUMPS["MCX"].encode())
    # ...the loader skips it and the other rows stay usable.
    with caplog.at_level(logging.WARNING, logger="feeds.kite_instruments"):
        facts = load_instruments([CRUDE_MINI.symbol], Fetcher(), tmp_path, DAY)
    assert facts == {CRUDE_MINI.symbol: CRUDE_MINI}
    [line] = [r.getMessage() for r in caplog.records]
    assert "skipped 1 of 2 rows of Kite's MCX instruments" in line
    assert "row 2: tick_size 'abc' is not a number" in line


def test_an_undecodable_byte_spoils_only_its_own_row(tmp_path: Path):
    raw = DUMPS["NSE"].encode().replace(b"VODAFONE", b"VODA\xffFONE").replace(b"0.01", b"0.\xff1")
    fetch = lambda exchange: csv_rows(raw)  # noqa: E731
    assert load_instruments([INFY.symbol], fetch, tmp_path, DAY) == {INFY.symbol: INFY}
    with pytest.raises(UnknownInstrument, match=r"NSE:IDEA \(tick_size '0.\ufffd1'"):
        load_instruments([IDEA.symbol], fetch, tmp_path / "other", DAY)


def test_a_symbol_whose_row_is_bad_is_refused_like_a_missing_one(tmp_path: Path):
    wanted = ["MCX:SILVERM25NOVFUT", "MCX:GOLDM25DECFUT", "NSE:NIFTY 50", CRUDE_MINI.symbol]
    with pytest.raises(UnknownInstrument) as refused:
        load_instruments(wanted, Fetcher(), tmp_path, DAY)
    assert str(refused.value) == (
        "not among Kite's instruments today: MCX:GOLDM25DECFUT; "
        "unreadable in Kite's instruments today: "
        "MCX:SILVERM25NOVFUT (tick_size 'abc' is not a number), "
        "NSE:NIFTY 50 (not tradable: tick_size 0 paise, lot_size 0)"
    )


def test_facts_are_downloaded_once_a_day_and_cached(tmp_path: Path):
    fetch = Fetcher()
    first = load_instruments([INFY.symbol, CRUDE_MINI.symbol], fetch, tmp_path, DAY)
    again = load_instruments([CRUDE_MINI.symbol, INFY.symbol], fetch, tmp_path, DAY)
    assert first == again == {INFY.symbol: INFY, CRUDE_MINI.symbol: CRUDE_MINI}
    assert sorted(fetch.calls) == ["MCX", "NSE"]  # the second call was served by the cache
    next_day = DAY + datetime.timedelta(days=1)
    load_instruments([INFY.symbol], fetch, tmp_path, next_day)
    assert sorted(fetch.calls) == ["MCX", "NSE", "NSE"]  # a new day, a new download
    assert [p.name for p in tmp_path.iterdir()] == ["instruments-2025-11-21.json"]


def test_a_new_symbol_the_same_day_downloads_only_its_exchange(tmp_path: Path):
    fetch = Fetcher()
    load_instruments([INFY.symbol], fetch, tmp_path, DAY)
    facts = load_instruments([INFY.symbol, NIFTY_CALL.symbol], fetch, tmp_path, DAY)
    assert facts == {INFY.symbol: INFY, NIFTY_CALL.symbol: NIFTY_CALL}
    assert fetch.calls == ["NSE", "NFO"]
    load_instruments([INFY.symbol, NIFTY_CALL.symbol], fetch, tmp_path, DAY)
    assert fetch.calls == ["NSE", "NFO"]


@pytest.mark.parametrize(
    "old",
    [
        '{"NSE:INFY": 408065}',  # the token-only format of earlier versions
        '{"format": 2, "day": "2025-11-20", "instruments": {"NSE:INFY": {"symbol": 1}}}',
        "not json at all",
        "",
    ],
)
def test_a_cache_of_another_format_is_downloaded_again_not_misread(tmp_path: Path, old: str):
    (tmp_path / "instruments-2025-11-20.json").write_text(old)
    fetch = Fetcher()
    assert load_instruments([INFY.symbol], fetch, tmp_path, DAY) == {INFY.symbol: INFY}
    assert fetch.calls == ["NSE"]
    assert load_instruments([INFY.symbol], fetch, tmp_path, DAY) == {INFY.symbol: INFY}
    assert fetch.calls == ["NSE"]  # rewritten in the current format, and read from it


def test_every_unknown_symbol_is_named(tmp_path: Path):
    with pytest.raises(UnknownInstrument, match="NSE:INFYY, NSE:TSC"):
        load_instruments(["NSE:INFYY", "NSE:TSC", INFY.symbol], Fetcher(), tmp_path, DAY)
