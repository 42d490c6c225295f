"""Each signal strategy on a hand-built price series: the signal must come at exactly the
expected price, none during warm-up, none on the prices in between. The EMA and RSI values
behind each expectation are worked by hand in the comments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from strategies import STRATEGY_PARAMS
from strategies.base import Signal
from strategies.channel_breakout import ChannelBreakout
from strategies.ema_cross import EmaCross
from strategies.params import ChannelBreakoutParams, EmaCrossParams, RsiReversionParams
from strategies.registry import STRATEGIES, make_strategy
from strategies.rsi_reversion import RsiReversion

LONG, SHORT, EXIT = Signal.LONG, Signal.SHORT, Signal.EXIT
REPO_ROOT = Path(__file__).resolve().parents[2]


def signals(strategy, prices):
    return [strategy.on_price(price) for price in prices]


def test_ema_cross_signals_on_the_crossing_price_only():
    strategy = EmaCross(EmaCrossParams(fast=2, slow=3))
    # fast alpha = 2/3, slow alpha = 1/2; spread = fast - slow
    # i  price  fast                              slow                       spread
    # 0  100    100                               100                        0
    # 1  103    100 + 2/3*3 = 102                 100 + 3/2 = 101.5          +0.5  (cross up,
    #                                                                        but only 2 < 3 seen)
    # 2  103    102 + 2/3*1 = 308/3 = 102.667     101.5 + 0.75 = 102.25      +0.417 (no cross)
    # 3  97     308/3 - 2/3*17/3 = 890/9 = 98.889 102.25 - 2.625 = 99.625    -0.736 SHORT
    # 4  97     890/9 - 2/3*17/9 = 2636/27 = 97.630 99.625 - 1.3125 = 98.3125 -0.683 (no cross)
    # 5  101    2636/27 + 2/3*91/27 = 8090/81 = 99.877 98.3125 + 1.34375 = 99.65625 +0.220 LONG
    assert strategy.warmup_ticks == 3
    assert signals(strategy, [100, 103, 103, 97, 97, 101]) == [
        None, None, None, SHORT, None, LONG
    ]  # fmt: skip


def test_ema_cross_from_equal_counts_as_a_cross():
    strategy = EmaCross(EmaCrossParams(fast=2, slow=3))
    # flat prices keep fast == slow == 100 (spread 0, "<= slow"); then 103:
    # fast = 100 + 2/3*3 = 102 > slow = 100 + 3/2 = 101.5 -> LONG on the 4th price
    assert signals(strategy, [100, 100, 100, 103]) == [None, None, None, LONG]


def test_rsi_reversion_crossings():
    strategy = RsiReversion(RsiReversionParams(period=3, oversold=30, overbought=70))
    # i  price change  avg gain                 avg loss                 RSI
    # 0  100
    # 1  101   +1
    # 2  102   +1
    # 3  101   -1      (1+1)/3 = 2/3            1/3                      RS 2 -> 200/3 = 66.67
    #                  first value: no previous RSI, so no signal
    # 4  100   -1      (2/3*2)/3 = 4/9          (1/3*2 + 1)/3 = 5/9      RS 4/5 -> 400/9 = 44.44
    #                  66.67 > 50 >= 44.44: back through the middle -> EXIT
    # 5  98    -2      (4/9*2)/3 = 8/27         (5/9*2 + 2)/3 = 28/27    RS 2/7 -> 200/9 = 22.22
    #                  44.44 >= 30 > 22.22: into oversold -> LONG
    # 6  98    0       16/81                    56/81                    RS 2/7 -> 22.22 (none)
    # 7  100   +2      (16/81*2 + 2)/3 = 194/243  (56/81*2)/3 = 112/243  RS 97/56
    #                  -> 100 - 5600/153 = 9700/153 = 63.40; 22.22 < 50 <= 63.40 -> EXIT
    # 8  102   +2      (194/243*2 + 2)/3 = 874/729  224/729              RS 437/112
    #                  -> 100 - 11200/549 = 43700/549 = 79.60; 63.40 <= 70 < 79.60 -> SHORT
    assert strategy.warmup_ticks == 5
    assert signals(strategy, [100, 101, 102, 101, 100, 98, 98, 100, 102]) == [
        None, None, None, None, EXIT, LONG, None, EXIT, SHORT
    ]  # fmt: skip


def test_rsi_reversion_entry_wins_when_one_price_enters_a_zone_and_crosses_the_middle():
    strategy = RsiReversion(RsiReversionParams(period=3, oversold=30, overbought=70))
    # as above to i=3 (RSI 66.67); then 97, change -4:
    # gain = (2/3*2)/3 = 4/9, loss = (1/3*2 + 4)/3 = 14/9, RS 2/7 -> RSI 200/9 = 22.22
    # 66.67 crosses both 50 and 30 on one price: the entry (LONG) is what is said
    assert signals(strategy, [100, 101, 102, 101, 97]) == [None, None, None, None, LONG]


def test_rsi_levels_are_boundaries_reaching_50_exits_and_touching_oversold_does_not_enter():
    strategy = RsiReversion(RsiReversionParams(period=2, oversold=50, overbought=70))
    # i  price change  avg gain           avg loss           RSI
    # 2  202   +4 -2   (4+0)/2 = 2        (0+2)/2 = 1        RS 2 -> 66.67 (first value)
    # 3  201   -1      (2*1 + 0)/2 = 1    (1*1 + 1)/2 = 1    RS 1 -> exactly 50
    #          66.67 > 50 >= 50 -> EXIT; 66.67 >= 50 but 50 is not < 50 -> no LONG
    # 4  200   -1      (1 + 0)/2 = 0.5    (1 + 1)/2 = 1      RS 0.5 -> 100 - 100/1.5 = 33.33
    #          50 >= 50 > 33.33 -> LONG (leaving the level counts)
    assert signals(strategy, [200, 204, 202, 201, 200]) == [None, None, None, EXIT, LONG]


def test_rsi_leaving_exactly_50_does_not_exit_again():
    strategy = RsiReversion(RsiReversionParams(period=2, oversold=30, overbought=70))
    # as above to i=3 (RSI exactly 50, EXIT); then 202, change +1:
    # gain = (1 + 1)/2 = 1, loss = (1 + 0)/2 = 0.5, RS 2 -> 66.67; 50 is not < 50 -> nothing
    assert signals(strategy, [200, 204, 202, 201, 202]) == [None, None, None, EXIT, None]


def test_channel_breakout_needs_a_strict_break_of_the_previous_prices():
    strategy = ChannelBreakout(ChannelBreakoutParams(lookback=3))
    # i  price  previous three   high/low   signal
    # 1  105    (only 1 before)  -          none (105 > 100, but no channel yet)
    # 2  95     (only 2 before)  -          none
    # 3  105    100 105 95       105/95     none: touching the high is not a break
    # 4  106    105 95 105       105/95     LONG
    # 5  100    95 105 106       106/95     none
    # 6  94     105 106 100      106/100    SHORT (95 has rolled out of the window)
    assert strategy.warmup_ticks == 4
    assert signals(strategy, [100, 105, 95, 105, 106, 100, 94]) == [
        None, None, None, None, LONG, None, SHORT
    ]  # fmt: skip


def test_registry_has_a_strategy_for_every_params_name():
    assert set(STRATEGIES) == set(STRATEGY_PARAMS)


@pytest.mark.parametrize("name", sorted(STRATEGY_PARAMS))
def test_make_strategy_builds_each_registered_strategy(name):
    strategy = make_strategy(name, STRATEGY_PARAMS[name]())
    assert strategy.name == name
    assert strategy.warmup_ticks > 0


def test_make_strategy_refuses_the_wrong_params_type():
    with pytest.raises(TypeError, match=r"ema_cross.*EmaCrossParams.*ChannelBreakoutParams"):
        make_strategy("ema_cross", ChannelBreakoutParams())


def test_make_strategy_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="unknown strategy 'macd'"):
        make_strategy("macd", EmaCrossParams())


def test_importing_the_package_does_not_import_the_strategy_logic():
    # config validation imports ``strategies``; it must stay free of the indicator code
    code = (
        "import sys, strategies\n"
        "loaded = [m for m in sys.modules if m.startswith('strategies.') and m != "
        "'strategies.params']\n"
        "print(','.join(sorted(loaded)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.stdout.strip() == ""
