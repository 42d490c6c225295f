"""The facts of each configured symbol from Kite's instruments dump (token, tick size, lot size,
segment, type, expiry), cached per day in the state directory: the dump is several MB and
changes at most daily, so one download a day, not one per restart.

The dump is CSV with the columns ``instrument_token, exchange_token, tradingsymbol, name,
last_price, expiry, strike, tick_size, lot_size, instrument_type, segment, exchange``;
``tick_size`` is rupees (``0.05``), read as a Decimal from its text so 5 paise is exactly 5.
Rows are read one by one: a row that cannot be read is skipped, counted and logged, and the
others stay usable; a configured symbol whose only row is unreadable is refused like a missing
one. A row with tick size or lot size 0 (Kite lists indices so) is readable but not tradable:
a configured symbol with such a row is refused too. ``load_instruments`` can be called again on
a new trading day: it then downloads afresh.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import msgspec

_log = logging.getLogger(__name__)

CACHE_FORMAT = 2
"""Version 1 (no field, ``{symbol: token}``) is refetched, never misread as version 2."""
_REPORTED_REASONS = 3


class UnknownInstrument(Exception):
    """A configured symbol Kite does not list today (a typo, or an expired contract), or
    lists in a row shikra cannot read."""


class InstrumentFacts(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the dump, as shikra uses it: prices in paise, the rest as Kite writes it."""

    symbol: str
    """``EXCHANGE:TRADINGSYMBOL``."""
    token: int
    tick_size_paise: int
    """0 for a row that is not tradable (an index)."""
    lot_size: int
    """0 for a row that is not tradable (an index)."""
    exchange: str
    segment: str
    """e.g. ``NSE``, ``NFO-OPT``, ``MCX-FUT``, ``INDICES``."""
    instrument_type: str
    """e.g. ``EQ``, ``FUT``, ``CE``, ``PE``."""
    expiry: datetime.date | None = None


class _Cache(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    format: Literal[2]
    day: datetime.date
    instruments: dict[str, InstrumentFacts]


class BadRow(ValueError):
    """Why one row of the dump cannot be used."""


def load_instruments(
    symbols: Iterable[str],
    fetch: Callable[[str], Iterable[Mapping[str, object]]],
    cache_dir: Path,
    today: datetime.date,
) -> dict[str, InstrumentFacts]:
    """``{"NSE:INFY": InstrumentFacts(...), ...}`` for ``symbols``. ``fetch(exchange)`` returns
    the dump's rows of one exchange (``csv_rows`` of the raw CSV, or the client's parsed
    ``instruments(exchange)``). Only exchanges with a symbol not in today's cache are fetched.
    Raises ``UnknownInstrument`` naming every symbol missing or unreadable."""
    wanted = sorted(set(symbols))
    cache = cache_dir / f"instruments-{today.isoformat()}.json"
    known = _read_cache(cache, today)
    unreadable: dict[str, str] = {}
    missing_exchanges = sorted({s.split(":", 1)[0] for s in wanted if s not in known})
    for exchange in missing_exchanges:
        facts, bad = _parse_dump(exchange, fetch(exchange), set(wanted))
        known.update(facts)
        unreadable.update({s: reason for s, reason in bad.items() if s not in known})
    if missing_exchanges:
        _write_cache(cache_dir, cache, _Cache(format=CACHE_FORMAT, day=today, instruments=known))
    missing = [s for s in wanted if s not in known and s not in unreadable]
    problems = []
    if missing:
        problems.append(f"not among Kite's instruments today: {', '.join(missing)}")
    if unreadable:
        listed = ", ".join(f"{s} ({unreadable[s]})" for s in sorted(unreadable))
        problems.append(f"unreadable in Kite's instruments today: {listed}")
    if problems:
        raise UnknownInstrument("; ".join(problems))
    return {s: known[s] for s in wanted}


def csv_rows(data: bytes | str) -> Iterator[dict[str, str]]:
    """The rows of the raw dump. An undecodable byte spoils its own row only (it is replaced,
    so that row's fields no longer match anything, or fail to parse), never the whole file."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return iter(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def parse_row(row: Mapping[str, object]) -> InstrumentFacts:
    """One row of the dump, or ``BadRow`` saying which field is wrong."""
    exchange = _text(row, "exchange", required=True)
    tradingsymbol = _text(row, "tradingsymbol", required=True)
    return InstrumentFacts(
        symbol=f"{exchange}:{tradingsymbol}",
        token=_whole_number(row, "instrument_token", least=1),
        tick_size_paise=_tick_paise(row.get("tick_size")),
        lot_size=_whole_number(row, "lot_size", least=0),
        exchange=exchange,
        segment=_text(row, "segment"),
        instrument_type=_text(row, "instrument_type"),
        expiry=_expiry(row.get("expiry")),
    )


def _parse_dump(
    exchange: str, rows: Iterable[Mapping[str, object]], wanted: set[str]
) -> tuple[dict[str, InstrumentFacts], dict[str, str]]:
    """The wanted symbols' facts, and why a wanted symbol's row was unreadable. Every row is
    read, so the count of skipped ones is the dump's, not only the configured symbols'."""
    facts: dict[str, InstrumentFacts] = {}
    bad_wanted: dict[str, str] = {}
    reasons: list[str] = []
    total = skipped = 0
    for number, row in enumerate(rows, start=1):
        total += 1
        try:
            parsed = parse_row(row)
        except BadRow as exc:
            skipped += 1
            if len(reasons) < _REPORTED_REASONS:
                reasons.append(f"row {number}: {exc}")
            symbol = f"{row.get('exchange')}:{row.get('tradingsymbol')}"
            if symbol in wanted:
                bad_wanted[symbol] = str(exc)
            continue
        if parsed.symbol not in wanted:
            continue
        if parsed.tick_size_paise and parsed.lot_size:
            facts[parsed.symbol] = parsed
        else:
            bad_wanted[parsed.symbol] = (
                f"not tradable: tick_size {parsed.tick_size_paise} paise, "
                f"lot_size {parsed.lot_size}"
            )
    if skipped:
        _log.warning(
            "skipped %d of %d rows of Kite's %s instruments that could not be read: %s%s",
            skipped,
            total,
            exchange,
            "; ".join(reasons),
            "; ..." if skipped > len(reasons) else "",
        )
    return facts, bad_wanted


def _read_cache(cache: Path, today: datetime.date) -> dict[str, InstrumentFacts]:
    """Today's cached facts; nothing if absent, of another format (the old token-only one),
    damaged, or of another day: all of these are refetched."""
    try:
        decoded = msgspec.json.decode(cache.read_bytes(), type=_Cache)
    except FileNotFoundError:
        return {}
    except (OSError, msgspec.DecodeError) as exc:
        _log.info("instrument cache %s not usable (%s): downloading again", cache.name, exc)
        return {}
    return dict(decoded.instruments) if decoded.day == today else {}


def _write_cache(cache_dir: Path, cache: Path, content: _Cache) -> None:
    """Write the day's cache whole (temporary file, then rename) and drop older days'."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.glob("instruments-*.json"):
        if old != cache:
            old.unlink()
    partial = cache.with_name(cache.name + ".partial")
    partial.write_bytes(msgspec.json.encode(content))
    os.replace(partial, cache)


def _text(row: Mapping[str, object], name: str, *, required: bool = False) -> str:
    value = row.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRow(f"{name} {value!r} is not text")
    value = value.strip()
    if required and not value:
        raise BadRow(f"no {name}")
    return value


def _whole_number(row: Mapping[str, object], name: str, *, least: int) -> int:
    value = row.get(name)
    if type(value) is int:
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise BadRow(f"{name} {value!r} is not a whole number")
    if number < least:
        raise BadRow(f"{name} {value!r} is less than {least}")
    return number


def _tick_paise(value: object) -> int:
    """Rupees (``"0.05"``, or the client's float 0.05 via its shortest repr) to whole paise."""
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidOperation
        rupees = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise BadRow(f"tick_size {value!r} is not a number") from None
    if not rupees.is_finite() or rupees < 0:
        raise BadRow(f"tick_size {value!r} is not a number of rupees")
    paise = rupees * 100
    if paise != paise.to_integral_value():
        raise BadRow(f"tick_size {value!r} is not a whole number of paise")
    return int(paise)


def _expiry(value: object) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadRow(f"expiry {value!r} is not a date")
