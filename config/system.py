"""Sections about the process and its surroundings: how it runs, where it keeps state, when the
market is open, and how often liveness and the broker's book are checked."""

from __future__ import annotations

import datetime
import ipaddress
import itertools
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from config.base import (
    NonEmptyStr,
    NonNegativeFloat,
    PositiveFloat,
    Section,
    have,
)
from config.symbols import EXCHANGES
from config.validate import Problem

Mode = Literal["paper", "live", "dry-run", "replay"]
"""``paper``: simulated broker, synthetic or replayed ticks. ``live``: real orders on Kite.
``dry-run``: live Kite ticks and decisions, orders logged but never sent. ``replay``: a recorded
tick file through the paper broker, as fast as asked (backtests, bug reproduction)."""

_HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockTime = Annotated[str, msgspec.Meta(pattern=_HH_MM, description='a time as "HH:MM" (24-hour)')]
_PORT = Annotated[int, msgspec.Meta(ge=0, le=65535)]


class MetricsConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the Prometheus exporter listens. The default address is loopback because
    prometheus-client binds every interface unless told otherwise, and an exposed exporter
    leaks positions; port 0 asks the OS for a free port (tests)."""

    bind: NonEmptyStr = "127.0.0.1"
    """An IP address literal (``127.0.0.1``, ``::1``, ``0.0.0.0``) or ``localhost``: a host
    name would depend on DNS at every start, and a typo would only show then."""
    port: _PORT = 9108

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        bind = values.get("bind")
        if bind is None or bind == "localhost":
            return []
        try:
            ipaddress.ip_address(bind)
        except ValueError:
            message = (
                f"must be an IP address (e.g. '127.0.0.1', '::1') or 'localhost', got {bind!r}"
            )
            return [("bind", message)]
        return []


class SystemConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the process runs. ``mode`` has no default: whether real money moves must be written
    in the file, never guessed."""

    mode: Mode
    state_dir: NonEmptyStr = "state"
    """Directory for durable state; relative paths are relative to the working directory."""
    journal: NonEmptyStr = "journal.sqlite"
    """File name of the journal inside ``state_dir`` (a name, not a path)."""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    metrics: MetricsConfig = msgspec.field(default_factory=MetricsConfig)
    strategy_paths: list[NonEmptyStr] = []
    """Directories to import out-of-tree strategies from (``strategy = "module:Class"``);
    relative paths are relative to the working directory, as ``state_dir`` is."""

    @property
    def journal_path(self) -> Path:
        return Path(self.state_dir) / self.journal

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        journal = values.get("journal")
        if journal is not None and (Path(journal).name != journal or journal in (".", "..")):
            return [("journal", f"must be a file name inside state_dir, got {journal!r}")]
        return []


SESSION_FIELDS = ("pre_open", "open", "entry_cutoff", "square_off", "close")
"""A session's times in the order they must come in (``core.session``)."""


class SegmentConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[market.segments.<EXCHANGE>]``: one exchange's session where it differs from
    ``[market]``'s (NFO's square-off is later than NSE cash's; MCX trades into the night).
    Every field left out is ``[market]``'s; ``holidays`` are added to ``[market]``'s."""

    pre_open: ClockTime | None = None
    open: ClockTime | None = None
    entry_cutoff: ClockTime | None = None
    square_off: ClockTime | None = None
    close: ClockTime | None = None
    holidays: list[datetime.date] = []


class MarketConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """When the exchange trades, in its own time zone (DESIGN rule 9: market hours come from
    config): the session's times (``core.session``), per segment where they differ, and the
    closed dates the shipped calendar (``config/calendars/``) does not know.

    The defaults are Zerodha's published times for NSE cash, with the square-off five minutes
    before Zerodha's own (15:20); the broker can move its times, and says so on its bulletin."""

    timezone: NonEmptyStr = "Asia/Kolkata"
    """An IANA time zone name, as ``zoneinfo`` knows it."""
    pre_open: ClockTime = "09:00"
    open: ClockTime = "09:15"
    entry_cutoff: ClockTime = "15:00"
    """From here only orders that shrink exposure (the REDUCING state)."""
    square_off: ClockTime = "15:15"
    """Working MIS orders are cancelled and MIS positions closed from here."""
    close: ClockTime = "15:30"
    weekdays_only: bool = True
    """Treat Saturday and Sunday as closed (except a weekend session the calendar lists)."""
    holidays: list[datetime.date] = []
    """Closed dates on top of the shipped calendar's, e.g. ``[2026-12-24]``."""
    shipped_calendar: bool = True
    """Close the exchanges' published holidays (``config/calendars/``). ``false`` only for a
    market that trades every day (a test harness): then only ``holidays`` close a day."""
    segments: dict[str, SegmentConfig] = {}
    """Per exchange (``NSE``, ``NFO``, ``MCX``...), what differs from the fields above."""

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def open_time(self) -> datetime.time:
        return _parse_clock(self.open)

    @property
    def close_time(self) -> datetime.time:
        return _parse_clock(self.close)

    def session_times(self, exchange: str | None = None) -> dict[str, datetime.time]:
        """The five session times of ``exchange`` (``[market]``'s where its segment is
        silent), by field name."""
        segment = self.segments.get(exchange) if exchange is not None else None
        times: dict[str, datetime.time] = {}
        for name in SESSION_FIELDS:
            own = getattr(segment, name) if segment is not None else None
            times[name] = _parse_clock(own if own is not None else getattr(self, name))
        return times

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        name = values.get("timezone")
        if name is not None:
            try:
                zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                problems.append(("timezone", f"unknown time zone {name!r} (e.g. 'Asia/Kolkata')"))
        if not have(values, *SESSION_FIELDS):
            return problems
        problems.extend(_order_problems({f: values[f] for f in SESSION_FIELDS}, ""))
        for exchange, segment in sorted(values.get("segments", {}).items()):
            if exchange not in EXCHANGES:
                known = ", ".join(EXCHANGES)
                problems.append((f"segments.{exchange}", f"unknown exchange (known: {known})"))
                continue
            merged = {
                f: getattr(segment, f) if getattr(segment, f) is not None else values[f]
                for f in SESSION_FIELDS
            }
            problems.extend(_order_problems(merged, f"segments.{exchange}."))
        return problems


def _order_problems(times: Mapping[str, str], prefix: str) -> list[Problem]:
    """``pre_open <= open < entry_cutoff <= square_off <= close`` ("HH:MM" strings compare like
    the times they name); the first field out of order is named."""
    names = SESSION_FIELDS
    for earlier, later in itertools.pairwise(names):
        first, second = times[earlier], times[later]
        strict = earlier == "open"
        if first > second or (strict and first == second):
            relation = "before" if strict else "at or before"
            message = f"must be {relation} {later} ({second}), got {first}"
            return [(prefix + earlier, message)]
    return []


class HeartbeatConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How often Heartbeat pings every actor, and how long a missing Pong is tolerated before
    the actor is reported hung and the systemd watchdog is no longer petted."""

    interval_seconds: PositiveFloat = 1.0
    timeout_seconds: PositiveFloat = 3.0

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        if have(values, "interval_seconds", "timeout_seconds"):
            interval, timeout = values["interval_seconds"], values["timeout_seconds"]
            if timeout <= interval:
                message = f"must be greater than interval_seconds ({interval}), got {timeout}"
                return [("timeout_seconds", message)]
        return []


class PositionSyncConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How often our books are compared with the broker's, and what to do when they disagree:
    ``adopt`` the broker's book, ``halt`` new trading until a person looks, or only ``alert``.

    Only what shikra trades is compared: each configured symbol in its configured product, less
    what orders placed by hand today did to it. The rest of the account (other symbols,
    other products, hand trades) is *foreign*: reported, and left alone unless ``foreign =
    "halt"``."""

    interval_seconds: PositiveFloat = 30.0
    policy: Literal["adopt", "halt", "alert"] = "alert"
    avg_price_tolerance_bps: NonNegativeFloat = 1.0
    """Average prices closer than this (basis points) count as equal: brokers round them."""
    foreign: Literal["report", "halt"] = "report"
    """What holdings that are not shikra's do: only be reported, or halt new trading."""


def _parse_clock(text: str) -> datetime.time:
    if not re.match(_HH_MM, text):
        raise ValueError(f"not an HH:MM time: {text!r}")
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))
