"""Where ticks come from: a synthetic random walk, a recorded file, or Kite's WebSocket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec

from config.base import NonEmptyStr, PositiveFloat, Section, UnitInterval
from config.validate import Problem

FeedSource = Literal["synthetic", "replay", "kite"]
KiteMode = Literal["ltp", "quote", "full"]
"""Kite's subscription modes: last price only (8-byte packets), quote with volume and OHLC (44),
or full with five levels of depth (184)."""


class SyntheticFeedConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A seeded random walk per symbol, so a run without credentials still trades, and two runs
    with the same seed see the same ticks."""

    seed: int = 0
    ticks_per_second: PositiveFloat = 5.0
    """Average ticks per second, per symbol."""
    burstiness: UnitInterval = 0.3
    """0 spaces ticks evenly; 1 clusters them in bursts with quiet gaps, like a real market."""
    volatility_bps: PositiveFloat = 1.0
    """Typical size of one tick's price step, in basis points of the price."""


class ReplayFeedConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A recorded tick file played back. ``speed`` is a multiple of real time (2.0 = twice as
    fast), or ``"max"`` to play as fast as the system consumes ticks (on virtual time).
    ``exit_at_end``: once the file is played and every order sent has the venue's answer, the
    daemon stops by itself, as after SIGTERM (the day exported, exit 0); false keeps it
    running (and answering ``status``) until it is stopped."""

    path: NonEmptyStr
    speed: PositiveFloat | Literal["max"] = 1.0
    exit_at_end: bool = True


class KiteFeedConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Kite WebSocket subscription settings, bounded by Kite's limits (3,000 instruments per
    connection, 3 connections per API key)."""

    default_mode: KiteMode = "quote"
    """Mode for symbols without their own ``feed_mode``."""
    max_tokens_per_connection: Annotated[int, msgspec.Meta(gt=0, le=3000)] = 3000
    max_connections: Annotated[int, msgspec.Meta(gt=0, le=3)] = 1
    """Connections this daemon may open; other apps on the same key share Kite's 3."""


class FeedConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The tick source. ``source`` has no default: it must agree with ``system.mode``, and the
    loader says so when it does not. The sub-tables of unused sources may stay in the file."""

    source: FeedSource
    stale_after_seconds: PositiveFloat = 5.0
    """No tick for this long while the market is open means the feed is stale: reconnect and
    report it (Kite's own keep-alive cannot be trusted to notice a silent connection)."""
    synthetic: SyntheticFeedConfig = msgspec.field(default_factory=SyntheticFeedConfig)
    replay: ReplayFeedConfig | None = None
    kite: KiteFeedConfig = msgspec.field(default_factory=KiteFeedConfig)

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        if values.get("source") == "replay" and "replay" in values and values["replay"] is None:
            return [("replay.path", 'required when feed.source = "replay"')]
        return []
