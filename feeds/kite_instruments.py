"""Symbols to Kite instrument tokens, from ``instruments()``, cached per day in the state
directory (the dump is several MB and changes at most daily: one download a day, not one per
restart)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


class UnknownInstrument(Exception):
    """A configured symbol Kite does not list today (a typo, or an expired contract)."""


def instrument_tokens(
    symbols: Iterable[str],
    fetch: Callable[[str], list[dict[str, Any]]],
    cache_dir: Path,
    today: datetime.date,
) -> dict[str, int]:
    """``{"NSE:INFY": 408065, ...}`` for ``symbols``; ``fetch(exchange)`` is the client's
    ``instruments``. Raises ``UnknownInstrument`` naming every missing symbol."""
    wanted = sorted(set(symbols))
    cache = cache_dir / f"instruments-{today.isoformat()}.json"
    known: dict[str, int] = {}
    if cache.exists():
        known = {k: int(v) for k, v in json.loads(cache.read_text()).items()}
    missing_exchanges = sorted({s.split(":", 1)[0] for s in wanted if s not in known})
    for exchange in missing_exchanges:
        for row in fetch(exchange):
            known[f"{row['exchange']}:{row['tradingsymbol']}"] = int(row["instrument_token"])
    if missing_exchanges:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("instruments-*.json"):
            old.unlink()
        cache.write_text(json.dumps(known))
    missing = [s for s in wanted if s not in known]
    if missing:
        raise UnknownInstrument(f"not among Kite's instruments today: {', '.join(missing)}")
    return {s: known[s] for s in wanted}
