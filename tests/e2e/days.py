"""Replay files that span trading days, and the config that trades them: for the tests of a
daemon that lives across days. Deterministic (a seeded walk), so a failure reruns exactly."""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.replay_format import HEADER_LINE
from tests.e2e.configs import roomy_limits

IST = ZoneInfo("Asia/Kolkata")
FRIDAY = datetime.date(2026, 11, 27)
MONDAY = datetime.date(2026, 11, 30)
TUESDAY = datetime.date(2026, 12, 1)
MIS_SYMBOL = "NSE:INFY"
CNC_SYMBOL = "NSE:ITC"
START = {MIS_SYMBOL: 150_000, CNC_SYMBOL: 40_000}


def write_days(
    path: Path,
    days: list[datetime.date],
    *,
    ticks: int = 900,
    seed: int = 7,
    trends: dict[tuple[datetime.date, str], int] | None = None,
) -> int:
    """``ticks`` per symbol per day from 09:15 IST, 2 s apart, a 5-paise random walk with
    drifting regimes; ``trends[(day, symbol)]`` makes that symbol move that many ticks every
    tick that day, with less noise than drift (a trend no moving average crosses back on),
    after a short move the other way (so that a crossover strategy sees the turn and enters).
    Returns how many lines were written."""
    rng = random.Random(seed + sum(day.toordinal() for day in days))
    prices = dict(START)
    lines = [HEADER_LINE]
    for day in days:
        opened = datetime.datetime.combine(day, datetime.time(9, 15), tzinfo=IST)
        drift = {symbol: rng.choice((-1, 1)) for symbol in prices}
        for n in range(ticks):
            if n % 120 == 0:
                drift = {symbol: rng.choice((-1, 0, 1)) for symbol in prices}
            for offset, symbol in enumerate(sorted(prices)):
                forced = (trends or {}).get((day, symbol))
                if forced is not None:
                    step = (forced if n >= 30 else -forced) + rng.choice((-1, 0, 1))
                else:
                    step = drift[symbol] + rng.choice((-2, -1, 0, 1, 2))
                prices[symbol] = max(100, prices[symbol] + 5 * step)
                at = opened + datetime.timedelta(seconds=2 * n, milliseconds=100 * offset)
                ltp = prices[symbol]
                lines.append(
                    f"{at.isoformat(timespec='milliseconds')},{symbol},{ltp // 100}.{ltp % 100:02d}"
                    ",,,,,"
                )
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def days_config(replay: Path, port: int, *, per_day: int = 1000, max_daily_loss: int = 100_000,
                second_product: str = "CNC", extra: str = "") -> str:  # fmt: skip
    return f"""
[system]
mode = "paper"
state_dir = "state"
[system.metrics]
port = {port}
[feed]
source = "replay"
[feed.replay]
path = "{replay}"
speed = "max"
exit_at_end = false  # the test reads the metrics and stops it
[[symbols]]
symbol = "{MIS_SYMBOL}"
strategy = "ema_cross"
params = {{ fast = 3, slow = 8 }}
quantity = 5
product = "MIS"
[[symbols]]
symbol = "{CNC_SYMBOL}"
strategy = "ema_cross"
params = {{ fast = 3, slow = 8 }}
quantity = 10
product = "{second_product}"
{roomy_limits(max_daily_loss=max_daily_loss, per_day=per_day)}[position_sync]
interval_seconds = 0.2
policy = "alert"
{extra}
"""
