"""Kite's historical candles over a long range, with the real kiteconnect client against the
fake Kite (which refuses a span over 60 days of minute candles, and a 4th request in a second,
as Kite does): the range is cut into windows Kite accepts, asked in order at no more than 3 a
second, every candle comes back once, oldest first, its prices exact to the paisa."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from kiteconnect import KiteConnect

from feeds.candles import IST
from feeds.kite_history import HistoryFetcher, paise, windows
from tests.fakekite import FakeKite

INFY_TOKEN = 408065


def test_windows_cover_the_range_in_spans_of_at_most_the_limit():
    first, last = datetime.date(2026, 1, 1), datetime.date(2026, 5, 30)  # 150 days
    spans = windows(first, last, 60)
    assert spans == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)),
        (datetime.date(2026, 3, 2), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 5, 1), datetime.date(2026, 5, 30)),
    ]
    assert windows(first, first, 60) == [(first, first)]
    with pytest.raises(ValueError):
        windows(last, first, 60)


def test_prices_are_exact_paise_from_the_shortest_decimal_text():
    assert paise(1386.4) == 138_640 and paise(0.05) == 5 and paise(2499) == 249_900
    with pytest.raises(ValueError):
        paise(1386.405)


@pytest.fixture
def fake() -> Iterator[FakeKite]:
    with FakeKite() as running:
        running.add_instrument("NSE:INFY", INFY_TOKEN, last_price="1500")
        yield running


def three_candles_a_weekday(first: datetime.date, last: datetime.date) -> list[tuple]:
    rows, day, n = [], first, 0
    while day <= last:
        if day.weekday() < 5:
            for minute in (15, 16, 17):
                n += 1
                start = datetime.datetime.combine(day, datetime.time(9, minute), tzinfo=IST)
                price = Decimal(1500) + (n % 40) * Decimal("0.05")
                high, low, close = price + Decimal("1.1"), price - Decimal("0.35"), price + 1
                rows.append((start, price, high, low, close, 100 + n))
        day += datetime.timedelta(days=1)
    return rows


def fetcher(fake: FakeKite) -> HistoryFetcher:
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root)
    return HistoryFetcher(client, monotonic=time.monotonic, sleep=time.sleep, zone=IST)


def test_a_range_longer_than_one_request_is_fetched_in_windows_kite_accepts(fake: FakeKite):
    first, last = datetime.date(2026, 1, 1), datetime.date(2026, 5, 30)
    stored = three_candles_a_weekday(first, last)
    fake.add_candles("NSE:INFY", stored)
    got = list(fetcher(fake).candles("NSE:INFY", INFY_TOKEN, first, last))

    requests = fake.requests_to("GET /instruments/historical/*")
    assert len(requests) == 3 and all(r.status == 200 for r in requests)
    spans = [(r.query["from"][0], r.query["to"][0]) for r in requests]
    assert spans == [
        ("2026-01-01 00:00:00", "2026-03-01 23:59:59"),
        ("2026-03-02 00:00:00", "2026-04-30 23:59:59"),
        ("2026-05-01 00:00:00", "2026-05-30 23:59:59"),
    ]
    assert len(got) == len(stored)  # each once, none lost at a window's edge
    assert [c.start_ns for c in got] == sorted(c.start_ns for c in got)
    start, *_, volume = stored[0]
    first_candle = got[0]
    assert first_candle.start_ns == int(start.timestamp()) * 1_000_000_000
    assert (first_candle.open, first_candle.high, first_candle.low, first_candle.close) == (
        150_005, 150_115, 149_970, 150_105,
    )  # fmt: skip
    assert first_candle.interval_seconds == 60 and first_candle.volume == volume


def test_requests_are_paced_to_three_a_second(fake: FakeKite):
    # 400 days: 7 requests. The fake answers a 4th request within a second with a 429, so a
    # fetch that gets every window has kept to Kite's rate.
    first, last = datetime.date(2025, 1, 1), datetime.date(2026, 2, 4)
    fake.add_candles("NSE:INFY", three_candles_a_weekday(first, last))
    history = fetcher(fake)
    got = list(history.candles("NSE:INFY", INFY_TOKEN, first, last))
    requests = fake.requests_to("GET /instruments/historical/*")
    assert history.requests == len(requests) == 7
    assert all(r.status == 200 for r in requests)
    times = [r.at for r in requests]
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[3:], strict=False))
    assert len(got) == len(three_candles_a_weekday(first, last))


def test_a_span_kite_refuses_is_an_error_not_a_silent_gap(fake: FakeKite):
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root)
    with pytest.raises(Exception, match="interval exceeds max limit: 60 days"):
        client.historical_data(
            INFY_TOKEN, datetime.datetime(2026, 1, 1), datetime.datetime(2026, 3, 5), "minute"
        )
