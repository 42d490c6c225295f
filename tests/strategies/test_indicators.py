"""Indicators against series worked by hand: the arithmetic is in the comments, and no expected
value is produced by the code under test."""

from __future__ import annotations

import pytest

from strategies.indicators import Channel, Ema, WilderRsi


def test_ema_is_seeded_with_the_first_price_then_smoothed_by_two_over_period_plus_one():
    ema = Ema(3)
    # alpha = 2 / (3 + 1) = 0.5
    # 10 (seed); 10 + 0.5*(11 - 10) = 10.5; 10.5 + 0.5*(12 - 10.5) = 11.25;
    # 11.25 + 0.5*(13 - 11.25) = 12.125
    values = [ema.update(price) for price in (10, 11, 12, 13)]
    assert values == pytest.approx([10.0, 10.5, 11.25, 12.125])
    assert ema.value == pytest.approx(12.125)


def test_ema_alpha_for_another_period():
    ema = Ema(4)
    # alpha = 2 / 5 = 0.4: 100 (seed); 100 + 0.4*(110 - 100) = 104; 104 + 0.4*(99 - 104) = 102
    assert [ema.update(p) for p in (100, 110, 99)] == pytest.approx([100.0, 104.0, 102.0])


def test_ema_is_ready_after_period_prices():
    ema = Ema(3)
    assert ema.value is None
    readiness = []
    for price in (10, 11, 12, 13):
        ema.update(price)
        readiness.append(ema.ready)
    assert readiness == [False, False, True, True]


def test_rsi_five_period_hand_worked():
    rsi = WilderRsi(5)
    prices = [100, 102, 101, 104, 103, 105, 104, 107]
    values = [rsi.update(p) for p in prices]
    # changes: +2, -1, +3, -1, +2 | -1 | +3
    # first averages (simple means of the first 5 changes):
    #   gain = (2 + 3 + 2) / 5 = 1.4, loss = (1 + 1) / 5 = 0.4
    #   RS = 1.4 / 0.4 = 3.5, RSI = 100 - 100 / 4.5 = 77.777...
    # change -1 (Wilder): gain = (1.4*4 + 0) / 5 = 1.12, loss = (0.4*4 + 1) / 5 = 0.52
    #   RS = 1.12 / 0.52 = 28/13, RSI = 100 - 100*13/41 = 2800/41 = 68.2926...
    # change +3: gain = (1.12*4 + 3) / 5 = 1.496, loss = (0.52*4 + 0) / 5 = 0.416
    #   RS = 1.496 / 0.416 = 187/52, RSI = 100 - 100*52/239 = 18700/239 = 78.2426...
    assert values[:5] == [None] * 5
    assert values[5:] == pytest.approx([700 / 9, 2800 / 41, 18700 / 239])
    assert rsi.value == pytest.approx(18700 / 239)


def test_rsi_is_ready_only_after_period_changes():
    rsi = WilderRsi(5)
    readiness = []
    for price in [100, 102, 101, 104, 103, 105]:
        rsi.update(price)
        readiness.append(rsi.ready)
    # 6 prices = 5 changes: ready on the sixth price only
    assert readiness == [False] * 5 + [True]


def test_rsi_is_100_when_there_are_no_losses():
    rsi = WilderRsi(3)
    # changes +1, +2, 0: average loss 0 -> RSI 100 by convention (no division by zero)
    values = [rsi.update(p) for p in (10, 11, 13, 13)]
    assert values == [None, None, None, 100.0]


def test_rsi_is_0_when_there_are_only_losses():
    rsi = WilderRsi(2)
    # changes -1, -1: gain 0, loss 1 -> RS 0 -> RSI = 100 - 100/1 = 0
    values = [rsi.update(p) for p in (10, 9, 8)]
    assert values == [None, None, 0.0]


def test_channel_excludes_the_current_price():
    channel = Channel(3)
    snapshots = []
    for price in (5, 7, 6, 8, 4):
        channel.update(price)
        snapshots.append((channel.ready, channel.high, channel.low))
    # 5, 7, 6: fewer than 3 prices before each -> no channel yet
    # 8: previous three are 5, 7, 6 -> high 7 (not 8: the current price is excluded), low 5
    # 4: previous three are 7, 6, 8 -> high 8, low 6 (not 4), and 5 has rolled out
    assert snapshots == [
        (False, None, None),
        (False, None, None),
        (False, None, None),
        (True, 7.0, 5.0),
        (True, 8.0, 6.0),
    ]


@pytest.mark.parametrize("indicator", [Ema, WilderRsi, Channel])
def test_a_period_must_be_positive(indicator):
    with pytest.raises(ValueError, match="must be positive"):
        indicator(0)
