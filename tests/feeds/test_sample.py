"""The shipped sample replay: it parses with exactly the one announced malformed line, stays
inside one NSE session, is reproducible from its generator, and gives the shipped strategy
kinds something to trade on for every symbol."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, time

import pytest

from feeds import make_sample
from feeds.base import SkipReason
from feeds.replay import ReplaySource
from feeds.synthetic import session_open_ns

SAMPLE = make_sample.SAMPLE_PATH


@pytest.fixture(scope="module")
def replay():
    with ReplaySource(SAMPLE, "max", max_batch=100_000) as source:
        batch = source.poll(0)
        yield source, batch


def test_the_sample_is_small_and_regenerates_byte_for_byte():
    assert SAMPLE.stat().st_size < 1_000_000
    assert make_sample.render() == SAMPLE.read_text(encoding="utf-8")


def test_the_sample_parses_with_exactly_one_announced_malformed_line(replay):
    source, batch = replay
    assert dict(source.stats.skipped) == {SkipReason.BAD_PRICE: 1}
    [skipped] = batch.skipped
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert lines[skipped.line - 2] == make_sample.MALFORMED_COMMENT  # the line just above
    assert batch.next_due_ns is None
    assert len(batch.ticks) == make_sample.TICKS
    assert source.stats.out_of_order == 0


def test_the_sample_is_one_nse_session_of_a_few_symbols(replay):
    _, batch = replay
    opens = session_open_ns(date(2026, 11, 20), time(9, 15))
    closes = session_open_ns(date(2026, 11, 20), time(15, 30))
    assert all(opens <= t.exchange_ns < closes for t in batch.ticks)
    counts = defaultdict(int)
    for t in batch.ticks:
        counts[t.symbol] += 1
    assert 3 <= len(counts) <= 5
    assert min(counts.values()) > 500


def _ema(prices: list[float], period: int) -> list[float]:
    alpha, value, out = 2 / (period + 1), prices[0], []
    for price in prices:
        value = alpha * price + (1 - alpha) * value
        out.append(value)
    return out


def _rsi(prices: list[float], period: int) -> list[float | None]:
    """Wilder's RSI; None until ``period`` changes have been seen."""
    out: list[float | None] = [None] * len(prices)
    gain = loss = 0.0
    for i in range(1, len(prices)):
        change = prices[i] - prices[i - 1]
        up, down = max(change, 0.0), max(-change, 0.0)
        if i <= period:
            gain, loss = gain + up / period, loss + down / period
        else:
            gain = (gain * (period - 1) + up) / period
            loss = (loss * (period - 1) + down) / period
        if i >= period:
            out[i] = 100.0 if loss == 0 else 100 - 100 / (1 + gain / loss)
    return out


def test_every_symbol_gives_crossover_rsi_and_breakout_strategies_several_signals(replay):
    _, batch = replay
    prices: dict[str, list[float]] = defaultdict(list)
    for t in batch.ticks:
        prices[t.symbol].append(t.ltp / 100)
    for symbol, series in prices.items():
        fast, slow = _ema(series, 9), _ema(series, 21)
        crosses = sum(
            1
            for i in range(21, len(series))
            if (fast[i] - slow[i]) * (fast[i - 1] - slow[i - 1]) < 0
        )
        rsi = [r for r in _rsi(series, 14) if r is not None]
        pairs = list(itertools.pairwise(rsi))
        oversold = sum(1 for a, b in pairs if a >= 30 > b)
        overbought = sum(1 for a, b in pairs if a <= 70 < b)
        highs = sum(1 for i in range(40, len(series)) if series[i] > max(series[i - 40 : i]))
        lows = sum(1 for i in range(40, len(series)) if series[i] < min(series[i - 40 : i]))
        assert crosses >= 5, symbol
        assert oversold >= 3 and overbought >= 3, symbol
        assert highs >= 5 and lows >= 5, symbol
