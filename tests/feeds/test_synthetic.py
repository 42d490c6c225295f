"""The synthetic market: deterministic by seed, on the tick grid, sane quotes, the promised rate
and spacing, and a session clock that starts at the session open."""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from datetime import date, time

import pytest

from feeds.synthetic import NS_PER_DAY, SyntheticSource, session_open_ns

SECOND = 1_000_000_000
# 2026-11-20 09:15 IST = 03:45 UTC: 20777 days after 1970-01-01, plus 3 h 45 min.
OPEN_NS = (20_777 * 86_400 + 3 * 3600 + 45 * 60) * SECOND
WALL_START = 1_800_000_000 * SECOND  # an arbitrary wall time, far from the session's
THREE = [("NSE:INFY", 150_000, 5), ("NSE:SBIN", 80_000, 5), ("NSE:TINY", 10, 5)]


def _source(**overrides: object) -> SyntheticSource:
    settings: dict[str, object] = {
        "session_start_ns": OPEN_NS,
        "seed": 7,
        "ticks_per_second": 100.0,
        "max_batch": 1_000_000,
    }
    settings.update(overrides)
    return SyntheticSource(settings.pop("instruments", THREE), **settings)  # type: ignore[arg-type]


def _run(source: SyntheticSource, seconds: float, step_seconds: float = 1.0) -> list:
    """Poll every ``step_seconds`` of virtual wall time for ``seconds``; all ticks released."""
    ticks = []
    steps = round(seconds / step_seconds)
    for i in range(steps + 1):
        ticks.extend(source.poll(WALL_START + round(i * step_seconds * SECOND)).ticks)
    return ticks


def _market_view(tick: object) -> tuple:
    """Everything about a tick except when it was polled."""
    return tuple(getattr(tick, f) for f in ("symbol", "ltp", "bid", "ask", "bid_qty",
                                            "ask_qty", "volume", "exchange_ns"))  # fmt: skip


def test_session_open_ns_is_the_ist_open_in_epoch_nanoseconds():
    assert session_open_ns(date(2026, 11, 20), time(9, 15)) == OPEN_NS


def test_same_seed_gives_the_same_ticks_whatever_the_polling_cadence():
    coarse = _run(_source(burstiness=0.4), 20, step_seconds=5.0)
    fine = _run(_source(burstiness=0.4), 20, step_seconds=0.1)
    assert len(coarse) > 1500
    assert [_market_view(t) for t in coarse] == [_market_view(t) for t in fine]


def test_a_different_seed_gives_different_ticks():
    one = [_market_view(t) for t in _run(_source(seed=1), 5)]
    two = [_market_view(t) for t in _run(_source(seed=2), 5)]
    assert one != two


def test_prices_stay_on_the_tick_grid_and_never_below_one_tick():
    ticks = _run(_source(volatility_bps=3_000.0), 100)
    assert len(ticks) > 9_000
    for t in ticks:
        for price in (t.ltp, t.bid, t.ask):
            assert price % 5 == 0
            assert price >= 5
    tiny = [t.ltp for t in ticks if t.symbol == "NSE:TINY"]
    assert tiny.count(5) > 10  # the floor is actually reached, and held


def test_quotes_bracket_the_last_price_one_to_three_ticks_wide():
    for t in _run(_source(volatility_bps=500.0), 50):
        assert t.bid <= t.ltp <= t.ask
        assert (t.ask - t.bid) // 5 in (1, 2, 3)
        assert t.bid >= 5
        assert 1 <= t.bid_qty <= 2000
        assert 1 <= t.ask_qty <= 2000


def test_volume_is_cumulative_per_symbol():
    last: dict[str, int] = {}
    for t in _run(_source(), 20):
        assert t.volume > last.get(t.symbol, 0)
        last[t.symbol] = t.volume


def test_a_small_volatility_still_moves_the_price_sometimes():
    # 0.1 bps of 1000.00 is 1 paisa: 0.2 of a 5-paise tick per step.
    source = _source(instruments=[("NSE:X", 100_000, 5)], volatility_bps=0.1)
    prices = [t.ltp for t in _run(source, 50)]
    moves = sum(1 for a, b in itertools.pairwise(prices) if a != b)
    assert 0.05 * len(prices) < moves < 0.5 * len(prices)


def test_symbols_are_chosen_uniformly():
    counts = Counter(t.symbol for t in _run(_source(), 300))
    total = sum(counts.values())
    for symbol, _, _ in THREE:
        assert counts[symbol] == pytest.approx(total / 3, rel=0.03)


def test_rate_is_ticks_per_second_over_a_long_virtual_run():
    source = _source(ticks_per_second=50.0, burstiness=0.3)
    ticks = _run(source, 600)
    assert len(ticks) == pytest.approx(50 * 600, rel=0.02)


def test_zero_burstiness_spaces_ticks_exactly_evenly():
    source = _source(ticks_per_second=4.0, burstiness=0.0)
    stamps = [t.exchange_ns for t in _run(source, 10)]
    assert stamps[0] == OPEN_NS
    assert {b - a for a, b in itertools.pairwise(stamps)} == {250_000_000}
    thirds = [t.exchange_ns for t in _run(_source(ticks_per_second=3.0), 10)]
    assert {b - a for a, b in itertools.pairwise(thirds)} <= {333_333_333, 333_333_334}


def _gaps(burstiness: float) -> list[int]:
    source = _source(ticks_per_second=100.0, burstiness=burstiness, seed=3)
    stamps = [t.exchange_ns for t in _run(source, 300)]
    return [b - a for a, b in itertools.pairwise(stamps)]


def test_burstiness_keeps_the_mean_gap_and_widens_the_spread_of_gaps():
    mean_gap = SECOND / 100
    spreads = []
    for burstiness in (0.0, 0.2, 0.5, 1.0):
        gaps = _gaps(burstiness)
        assert statistics.fmean(gaps) == pytest.approx(mean_gap, rel=0.03)
        spreads.append(statistics.pstdev(gaps) / statistics.fmean(gaps))
    assert spreads[0] == pytest.approx(0.0, abs=1e-6)
    assert spreads[0] < spreads[1] < spreads[2] < spreads[3]
    # b = 0.5 is a Poisson process (Weibull shape 1, coefficient of variation 1); b = 1 is
    # shape 1/2, whose coefficient of variation is sqrt(Gamma(5) / Gamma(3)^2 - 1) = sqrt(5).
    assert spreads[2] == pytest.approx(1.0, rel=0.05)
    assert spreads[3] == pytest.approx(math.sqrt(5), rel=0.15)


def test_the_session_clock_starts_at_the_open_and_follows_the_wall_time_given():
    source = _source(ticks_per_second=2.0, burstiness=0.0)
    first = source.poll(WALL_START)
    assert [(t.exchange_ns, t.receive_ns) for t in first.ticks] == [(OPEN_NS, WALL_START)]
    assert first.next_due_ns == WALL_START + SECOND // 2
    assert source.poll(WALL_START + SECOND // 2 - 1).ticks == []
    later = source.poll(WALL_START + 10 * SECOND)
    assert [t.exchange_ns - OPEN_NS for t in later.ticks] == [i * SECOND // 2 for i in range(1, 21)]
    assert {t.receive_ns for t in later.ticks} == {WALL_START + 10 * SECOND}
    assert later.next_due_ns == WALL_START + 10 * SECOND + SECOND // 2


def test_a_session_length_rolls_the_market_to_the_next_days_open():
    source = _source(ticks_per_second=2.0, session_length_ns=2 * SECOND)
    stamps = [t.exchange_ns - OPEN_NS for t in _run(source, 3)]
    half = SECOND // 2
    assert stamps == [
        0,
        half,
        2 * half,
        3 * half,
        NS_PER_DAY,
        NS_PER_DAY + half,
        NS_PER_DAY + SECOND,
    ]


def test_the_batch_limit_holds_back_due_ticks_and_asks_to_be_polled_again_now():
    source = _source(ticks_per_second=100.0, max_batch=10)
    source.poll(WALL_START)
    batch = source.poll(WALL_START + SECOND)
    assert len(batch.ticks) == 10
    assert batch.next_due_ns == WALL_START + SECOND
    assert source.stats.delivered == 11


def test_closing_exhausts_the_source():
    source = _source()
    source.close()
    assert source.poll(WALL_START).exhausted


@pytest.mark.parametrize(
    "overrides",
    [
        {"instruments": []},
        {"instruments": [("NSE:A", 100, 5), ("NSE:A", 100, 5)]},
        {"instruments": [("NSE:A", 100, 0)]},
        {"ticks_per_second": 0.0},
        {"burstiness": 1.5},
        {"volatility_bps": -1.0},
        {"max_batch": 0},
    ],
)
def test_an_impossible_market_is_refused_at_construction(overrides):
    with pytest.raises(ValueError):
        _source(**overrides)


def test_sessions_roll_over_to_the_next_weekday_when_asked():
    import datetime

    from feeds.synthetic import session_open_ns

    # Friday 2026-11-20 09:15 IST, sessions of one hour.
    start = session_open_ns(datetime.date(2026, 11, 20), datetime.time(9, 15))
    hour = 3_600 * 10**9
    weekdays = SyntheticSource(
        [("NSE:INFY", 100_000, 5)],
        session_start_ns=start,
        session_length_ns=hour,
        weekdays_only=True,
    )
    calendar = SyntheticSource(
        [("NSE:INFY", 100_000, 5)], session_start_ns=start, session_length_ns=hour
    )
    day = 86_400 * 10**9
    # The second session starts on Monday (3 days later) instead of Saturday.
    assert weekdays.exchange_ns(hour) == start + 3 * day
    assert calendar.exchange_ns(hour) == start + day
    # Six sessions on: Fri, Mon, Tue, Wed, Thu, Fri -> the following Monday, 10 days on.
    assert weekdays.exchange_ns(6 * hour) == start + 10 * day


def test_the_lag_is_how_long_the_oldest_tick_of_a_poll_had_been_due():
    source = _source(ticks_per_second=4.0, burstiness=0.0)  # due every 250 ms from the start
    assert source.poll(WALL_START).lag_ns == 0  # the first tick is due at the first poll
    assert source.poll(WALL_START + 300_000_000).lag_ns == 50_000_000  # due at 250 ms
    assert source.poll(WALL_START + 310_000_000).lag_ns == 0  # nothing due: no lag to speak of
    late = source.poll(WALL_START + 2 * SECOND)  # held up: ticks due at 500 ms .. 2 s
    assert (len(late.ticks), late.lag_ns) == (7, 1_500_000_000)


def test_a_backlog_held_back_by_the_batch_limit_shows_as_a_growing_lag():
    source = _source(ticks_per_second=100.0, burstiness=0.0, max_batch=10)
    source.poll(WALL_START)
    lags = [source.poll(WALL_START + k * SECOND).lag_ns for k in (1, 2, 3)]
    # 10 ticks a poll while 100 a second come due: each poll starts further behind.
    assert lags[0] < lags[1] < lags[2] and lags[2] > 2 * SECOND
