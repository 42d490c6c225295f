"""The fake's historical candle API, as Kite documents and enforces it: one instrument and one
interval per request, ``from`` and ``to`` as ``yyyy-mm-dd hh:mm:ss`` in IST, a span of at most
so many days per interval (60 for minute candles: a longer one is refused with Kite's
"interval exceeds max limit"), and no more than 3 requests in any second (the 4th is a 429).
Candles are the ones a test stored, returned oldest first, as
``[timestamp, open, high, low, close, volume]`` with Kite's ``+0530`` timestamps."""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakekite.errors import ApiError

IST = ZoneInfo("Asia/Kolkata")
MAX_DAYS = {
    "minute": 60, "3minute": 100, "5minute": 100, "10minute": 100, "15minute": 200,
    "30minute": 200, "60minute": 400, "day": 2000,
}  # fmt: skip
PER_SECOND = 3
Row = tuple[datetime.datetime, tuple[Decimal, ...], int]


class HistoryStore:
    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.candles: dict[
            tuple[int, str], list[tuple[datetime.datetime, tuple[Decimal, ...], int]]
        ]
        self.candles = {}
        self.recent: deque[float] = deque()

    def add(
        self,
        token: int,
        interval: str,
        rows: list[tuple[datetime.datetime, Any, Any, Any, Any, int]],
    ) -> None:
        stored = self.candles.setdefault((token, interval), [])
        for start, o, h, lo, c, volume in rows:
            prices = tuple(Decimal(str(p)) for p in (o, h, lo, c))
            stored.append((start.astimezone(IST), prices, int(volume)))
        stored.sort(key=lambda row: row[0])

    def query(self, token: int, interval: str, params: dict[str, list[str]]) -> dict[str, Any]:
        now = self.now()
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        if len(self.recent) >= PER_SECOND:
            raise ApiError("Too many requests", 429, "NetworkException")
        self.recent.append(now)
        if interval not in MAX_DAYS:
            raise ApiError(f"invalid interval: {interval}")
        try:
            first = _time(params["from"][-1])
            last = _time(params["to"][-1])
        except (KeyError, ValueError) as exc:
            raise ApiError(f"invalid from or to date: {exc}") from None
        if last - first > datetime.timedelta(days=MAX_DAYS[interval]):
            raise ApiError(f"interval exceeds max limit: {MAX_DAYS[interval]} days")
        rows = [
            [start.strftime("%Y-%m-%dT%H:%M:%S%z"), *(float(p) for p in prices), volume]
            for start, prices, volume in self.candles.get((token, interval), [])
            if first <= start <= last
        ]
        return {"candles": rows}


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST)
