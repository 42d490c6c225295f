"""Protective stops at the venue: where the stop order's prices go and when they move, pure.

A stop kept only inside the process dies with it: a kill -9 with a position open leaves the
position without a stop until the daemon is back. With ``[symbols.venue_stop]`` the stop level
the exit rules compute (``ExitRules.stop_level``, and the strategy's own stop) is also placed at
the broker as an SL-M or SL order, and moved by modification as a trailing stop follows the
market. ``SymbolTrader`` decides *when*; this module says *at what price*:

* **The trigger is the level on the tick grid, on the far side**: a long's sell stop at the
  highest grid price at or below the level, a short's buy stop at the lowest at or above it.
  The in-process rule closes at the first tick price ``p <= level`` (long), and every tick price
  is on the grid, so both fire on the same tick: moving the stop to the venue changes where it
  lives, not where it triggers.
* **A stop-limit's limit** sits ``limit_offset_ticks`` past the trigger (below for a sell):
  the worst price the exit accepts once triggered (0: at the trigger).
* **A trailing stop moves at most once per step**: only when the new trigger is at least
  ``trail_step_ticks`` better than the one resting, and never back (a modification only ever
  tightens). Each modification is an order request in Kite's rate limits, and Kite refuses more
  than ``MAX_MODIFICATIONS`` of one order ("Maximum allowed order modifications exceeded"):
  past that the stop is cancelled and placed again at the new level.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

from config.symbols import VenueStopConfig
from messages.orders import CancelIntent, ModifyIntent, OrderType, Side
from strategies.working import PendingOrder

MAX_MODIFICATIONS = 25
"""Kite's limit on modifications of one order."""


def stop_side(position: int) -> Side:
    """The side of the order that closes ``position`` (signed, non-zero)."""
    if position == 0:
        raise ValueError("a flat position needs no stop")
    return Side.SELL if position > 0 else Side.BUY


def stop_trigger(level: Fraction, side: Side, tick_size: int) -> int:
    """The trigger for a stop at ``level`` (paise) on a ``tick_size`` grid: a sell stop's at or
    below the level, a buy stop's at or above; at least one tick."""
    steps = floor(level / tick_size) if side is Side.SELL else ceil(level / tick_size)
    return max(tick_size, steps * tick_size)


def stop_limit(trigger: int, side: Side, offset_ticks: int, tick_size: int) -> int:
    """An SL order's limit: ``offset_ticks`` past the trigger, on the side it fills toward."""
    if side is Side.SELL:
        return max(tick_size, trigger - offset_ticks * tick_size)
    return trigger + offset_ticks * tick_size


def crossed(side: Side, price: int, trigger: int) -> bool:
    """The market at ``price`` has reached a ``side`` stop at ``trigger`` (the broker would
    refuse it as already triggered; the in-process rule closes the position instead)."""
    return price <= trigger if side is Side.SELL else price >= trigger


def worth_moving(side: Side, resting: int, wanted: int, step_ticks: int, tick_size: int) -> bool:
    """Whether a stop resting at ``resting`` should move to ``wanted``: tighter by at least
    ``step_ticks`` ticks (a sell stop up, a buy stop down). Never looser."""
    gain = wanted - resting if side is Side.SELL else resting - wanted
    return gain >= step_ticks * tick_size


class VenueStop:
    """One symbol's ``[symbols.venue_stop]``: the stop order's type and prices for a level,
    and what to ask of the one resting as the level moves. No state: the resting order's
    record (``PendingOrder``) holds what was asked of it."""

    def __init__(self, config: VenueStopConfig, tick_size: int) -> None:
        self.config = config
        self.tick_size = tick_size
        self.order_type = OrderType(config.order_type)

    def prices(self, level: Fraction, side: Side) -> tuple[int, int | None]:
        """(trigger, limit) of a ``side`` stop at ``level``; the limit only for an SL."""
        trigger = stop_trigger(level, side, self.tick_size)
        if self.order_type is not OrderType.SL:
            return trigger, None
        return trigger, stop_limit(trigger, side, self.config.limit_offset_ticks, self.tick_size)

    def placement(self, position: int, level: Fraction, price: int) -> int | None:
        """The trigger of a stop for ``position`` at ``level``, or None when the market at
        ``price`` is already past it (the broker would refuse it; the exit rules close the
        position on this tick instead)."""
        side = stop_side(position)
        trigger, _ = self.prices(level, side)
        return None if crossed(side, price, trigger) else trigger

    def follow(
        self,
        pending: PendingOrder,
        symbol: str,
        level: tuple[str, Fraction],
        price: int,
        now_ns: int,
    ) -> CancelIntent | ModifyIntent | None:
        """What to ask of the resting stop now that its level is ``level``: a modification
        when it has tightened a step (once the broker has the order, one at a time), or past
        Kite's modifications, a cancel so that it is placed again (``pending.then`` None)."""
        order = pending.order
        if order is None or order.trigger_price is None or not pending.may_modify(now_ns):
            return None
        side = order.side
        trigger, limit = self.prices(level[1], side)
        step = self.config.trail_step_ticks
        if not worth_moving(side, order.trigger_price, trigger, step, self.tick_size):
            return None
        if crossed(side, price, trigger):
            return None  # the broker would refuse it: the resting stop stays
        if pending.modifications >= MAX_MODIFICATIONS:
            pending.then = None
            return pending.cancel(symbol, f"stop: {MAX_MODIFICATIONS} modifications used", now_ns)
        pending.modifying = now_ns
        return ModifyIntent(
            client_id=pending.client_id,
            symbol=symbol,
            trigger_price=trigger,
            limit_price=limit,
            reason=f"stop: {level[0]} moved",
        )
