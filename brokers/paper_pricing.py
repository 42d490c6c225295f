"""The paper broker's price rules, pure: what a simulated order would execute at, and when.

One rounding, at the very end, always against the trader (buys up, sells down to the tick):
the simulator may be pessimistic, never flattering, because a paper result that beats the
market it saw would be trusted and then lost live. Arithmetic is exact (``Fraction``) until that
rounding, so the same tick always gives the same paisa (DESIGN.md rule 8).
"""

from __future__ import annotations

import enum
import math
from fractions import Fraction

from messages.market import Tick
from messages.orders import Side

_BPS = 10_000


class FillModel(enum.Enum):
    """Which market price a simulated order executes against.

    ``LTP``: the last traded price. ``MID``: halfway between bid and ask. ``BID_ASK``: the touch
    a real marketable order would take (buys at the ask, sells at the bid). MID and BID_ASK fall
    back to LTP when the quotes they need are absent (an LTP-only feed, or an empty side of the
    book, which Kite reports as 0)."""

    LTP = "ltp"
    MID = "mid"
    BID_ASK = "bid_ask"


def _quote(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


def model_price(tick: Tick, side: Side, model: FillModel) -> Fraction:
    """The unrounded market price for ``side`` under ``model``."""
    bid, ask = _quote(tick.bid), _quote(tick.ask)
    if model is FillModel.MID and bid is not None and ask is not None:
        return Fraction(bid + ask, 2)
    if model is FillModel.BID_ASK:
        touch = ask if side is Side.BUY else bid
        if touch is not None:
            return Fraction(touch)
    return Fraction(tick.ltp)


def round_against(price: Fraction, side: Side, tick_size: int) -> int:
    """Round to a multiple of ``tick_size`` paise: a buy up, a sell down."""
    ticks = price / tick_size
    whole = math.ceil(ticks) if side is Side.BUY else math.floor(ticks)
    return whole * tick_size


def executable_price(
    tick: Tick, side: Side, model: FillModel, slippage_bps: Fraction, tick_size: int
) -> int:
    """The price a marketable order would get now: the model price moved ``slippage_bps``
    against the trader (a buy pays more, a sell receives less), rounded against the trader."""
    sign = 1 if side is Side.BUY else -1
    slipped = model_price(tick, side, model) * (_BPS + sign * slippage_bps) / _BPS
    return round_against(slipped, side, tick_size)


def limit_fill_price(side: Side, market: int, limit: int) -> int | None:
    """A resting limit order's fill price against ``market`` (an executable price), or None
    if the market has not crossed it. Filled at the better of the two for the trader."""
    if side is Side.BUY:
        return min(market, limit) if market <= limit else None
    return max(market, limit) if market >= limit else None


def stop_triggered(side: Side, ltp: int, trigger: int) -> bool:
    """A buy stop triggers when the last trade is at or above its trigger, a sell stop when it
    is at or below (a stop is an order to get out as the price runs against a position)."""
    return ltp >= trigger if side is Side.BUY else ltp <= trigger


def fill_quantity(remaining: int, ratio: Fraction) -> int:
    """How much of ``remaining`` one market update fills: ``ceil(remaining * ratio)``, so a
    ratio of 1 fills everything and any ratio always fills at least one unit."""
    return min(remaining, max(1, math.ceil(remaining * ratio)))
