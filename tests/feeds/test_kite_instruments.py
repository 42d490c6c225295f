"""Symbols map to instrument tokens through one download a day."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from feeds.kite_instruments import UnknownInstrument, instrument_tokens

NSE = [
    {"exchange": "NSE", "tradingsymbol": "INFY", "instrument_token": 408065},
    {"exchange": "NSE", "tradingsymbol": "TCS", "instrument_token": 2953217},
]


def test_tokens_are_fetched_once_a_day_and_cached(tmp_path: Path):
    calls: list[str] = []

    def fetch(exchange: str):
        calls.append(exchange)
        return NSE

    day = datetime.date(2026, 11, 20)
    first = instrument_tokens(["NSE:INFY", "NSE:TCS"], fetch, tmp_path, day)
    again = instrument_tokens(["NSE:INFY"], fetch, tmp_path, day)
    assert first == {"NSE:INFY": 408065, "NSE:TCS": 2953217}
    assert again == {"NSE:INFY": 408065}
    assert calls == ["NSE"]  # the second call was served by the day's cache
    instrument_tokens(["NSE:INFY"], fetch, tmp_path, day + datetime.timedelta(days=1))
    assert calls == ["NSE", "NSE"]  # a new day, a new download, and the old cache gone
    assert [p.name for p in tmp_path.iterdir()] == ["instruments-2026-11-21.json"]


def test_every_unknown_symbol_is_named(tmp_path: Path):
    with pytest.raises(UnknownInstrument, match="NSE:INFYY, NSE:TSC"):
        instrument_tokens(
            ["NSE:INFYY", "NSE:TSC", "NSE:TCS"],
            lambda e: NSE,
            tmp_path,
            datetime.date(2026, 11, 20),
        )
