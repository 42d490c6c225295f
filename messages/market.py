"""Market data: what the feed tells the strategies and the PnL tracker."""

from __future__ import annotations

from typing import ClassVar

from messages.base import Delivery, Message, Nanos, Paise


class Tick(Message, frozen=True, kw_only=True):
    """One price update for one instrument.

    ``exchange_ns`` is when the exchange stamped it; ``receive_ns`` when shikra read it off the
    wire. Their difference is the feed's delay, measured for every tick. ``bid``/``ask`` are absent
    for LTP-only feeds; the paper broker then fills at ``ltp``.
    """

    delivery: ClassVar[Delivery] = Delivery.DROP

    symbol: str
    ltp: Paise
    exchange_ns: Nanos
    receive_ns: Nanos
    bid: Paise | None = None
    ask: Paise | None = None
    bid_qty: int = 0
    ask_qty: int = 0
    volume: int = 0


class Mark(Message, frozen=True, kw_only=True):
    """The latest prices of one symbol, inside a ``Marks`` batch."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    symbol: str
    ltp: Paise
    bid: Paise | None = None
    ask: Paise | None = None


class Marks(Message, frozen=True, kw_only=True):
    """The latest price of every symbol that moved since the previous batch, sent by TickFeed
    a few times a second to the actors that value positions (PnLTracker) and check prices
    (RiskGate). Batched because they need the *current* price, not every tick: one message per
    interval instead of one per tick keeps the tick path to the strategies short.
    ``market_ns`` is the exchange time of the newest tick in the batch: market time, which is
    what limits and market hours are judged by (in replay it is far from wall time)."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    marks: tuple[Mark, ...]
    market_ns: Nanos


class WarmUp(Message, frozen=True, kw_only=True):
    """Recent prices of one symbol, oldest first, sent by TickFeed to a strategy that has just
    been restarted, so that its indicators are ready at once instead of after a fresh warm-up
    (rule 5: an actor rebuilds from recent market data). Every live tick sent after it follows
    it in the strategy's mailbox, so replaying these and then the live ticks is the true
    sequence."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    symbol: str
    prices: tuple[Paise, ...]


class FeedStatus(Message, frozen=True, kw_only=True):
    """The feed's own account of itself, sent to Heartbeat every interval: connected or not,
    and when the newest tick came. A silent open socket looks healthy to the socket layer; this
    does not. ``last_tick_ns`` is wall time (when it was received), ``last_market_ns`` its
    exchange time; ``market_ns`` is the feed's market time at ``at_ns`` (for a replay or the
    synthetic session, not the wall clock), so Heartbeat can tell "no ticks" from "market
    closed"."""

    delivery: ClassVar[Delivery] = Delivery.DROP

    connected: bool
    started_ns: Nanos
    last_tick_ns: Nanos | None
    last_market_ns: Nanos | None
    ticks_total: int
    reconnects_total: int
    at_ns: Nanos
    market_ns: Nanos | None = None
