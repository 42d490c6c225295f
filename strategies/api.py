"""The strategy API: what a strategy sees, and what it may return.

A strategy is a plain, single-threaded object for one symbol. shikra calls it with every tick of
its symbol (the whole tick: ``ltp``, ``bid``, ``ask``, ``bid_qty``, ``ask_qty``, ``volume``,
``exchange_ns``), and, if it asks for them, with every completed bar, together with a
``View`` of where it stands: its position, its average entry, its working order, the
instrument's lot and tick size. It answers with at most one ``Decision``, or None:

* ``Enter(side, ...)``: open a position. MARKET, or LIMIT at a price it chose (rounded to the
  tick size, never to a more aggressive price than asked), in whole lots (the configured
  quantity when ``lots`` is absent), with its own stop and target prices if it likes (they
  close the position like the configured exits do). Ignored while a position is open in that
  direction; against an open position it closes that position (close, don't reverse).
* ``Exit(...)``: close the position, MARKET or LIMIT.
* ``Cancel()``: its working order (a LIMIT entry it no longer wants).
* ``Modify(limit_price)``: move its working LIMIT order to a new price (rounded like an
  entry's); the answer comes back as the working order's new ``limit_price`` in the view.

Everything it returns goes through the same path as the built-in strategies' orders: the
journal, RiskGate's checks, the rate limiter, the router. One order works at a time per symbol:
a decision while an order works is ignored, except ``Cancel`` or ``Modify`` of that order. A
LIMIT entry still working after ``[symbols.entry] timeout_seconds`` of market time is cancelled
for it. Nothing it returns can break those rules, whatever it returns.

With ``[symbols.venue_stop]`` the open position's stop rests at the broker: the view then
shows it as the working order (``protective``, with its ``trigger_price``), and shikra moves it
and cancels it itself. ``Exit`` (or an opposite ``Enter``) still closes the position: the stop
is cancelled first, then the exit goes; ``Cancel`` and ``Modify`` leave a stop alone.

A strategy must be deterministic given its inputs (no clock reads, no randomness without a
seed): a restart rebuilds it by feeding it recent prices again (``warm_up``), and a test pins
it down without threads. ``examples/strategy/`` is a complete one, with its tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import msgspec

from messages.market import Tick
from messages.orders import OrderType, Side


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    """One interval's OHLCV of one symbol, from its ticks (``strategies.bars``). ``start_ns``
    is the interval's start in market time, ``end_ns`` its end (exclusive); prices in paise;
    ``volume`` what traded in the interval (the difference of the ticks' day volumes)."""

    symbol: str
    start_ns: int
    end_ns: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    ticks: int


class WorkingOrder(msgspec.Struct, frozen=True, kw_only=True):
    """The strategy's order that is still working, as the strategy asked for it."""

    client_id: str
    side: Side
    quantity: int
    order_type: OrderType
    limit_price: int | None
    entry: bool
    trigger_price: int | None = None
    protective: bool = False
    """The position's stop, resting at the broker (``[symbols.venue_stop]``): shikra's to
    move and cancel, not the strategy's."""


class View(msgspec.Struct, frozen=True, kw_only=True):
    """Where the strategy stands when it is called."""

    symbol: str
    position: int
    """Signed quantity in units (shares, contracts): positive long, negative short."""
    average_entry: float | None
    """Average entry price in paise of the open position (None when flat): for a decision only;
    shikra's own stop levels use the exact value."""
    working: WorkingOrder | None
    lot_size: int
    tick_size: int
    quantity: int
    """The configured quantity per order, in units (whole lots)."""


class Enter(msgspec.Struct, frozen=True, kw_only=True):
    side: Side
    order_type: OrderType = OrderType.MARKET
    limit_price: int | None = None
    lots: int | None = None
    stop_price: int | None = None
    target_price: int | None = None
    reason: str = ""


class Exit(msgspec.Struct, frozen=True, kw_only=True):
    order_type: OrderType = OrderType.MARKET
    limit_price: int | None = None
    reason: str = ""


class Cancel(msgspec.Struct, frozen=True, kw_only=True):
    reason: str = ""


class Modify(msgspec.Struct, frozen=True, kw_only=True):
    limit_price: int
    reason: str = ""


Decision = Enter | Exit | Cancel | Modify


@runtime_checkable
class Strategy(Protocol):
    """What SymbolTrader drives. ``name`` goes into order reasons; ``warmup_ticks`` is how many
    prices it needs before it decides anything (decisions before are ignored); ``warm_up``
    replays recent prices into it after a restart (its decisions then are ignored)."""

    name: str
    warmup_ticks: int

    def on_tick(self, tick: Tick, view: View) -> Decision | None: ...

    def warm_up(self, prices: Iterable[int]) -> None: ...


class BarStrategy(Protocol):
    """A strategy that also wants bars: ``bar_seconds`` long, each handed to ``on_bar`` when
    the first tick after it arrives (before that tick's ``on_tick``)."""

    bar_seconds: float

    def on_bar(self, bar: Bar, view: View) -> Decision | None: ...
