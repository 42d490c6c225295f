"""Exit rules for an open position, shared by every strategy: pure, exact, market-timed.

Each rule of ``ExitsConfig`` is off when absent. With ``e`` the average entry price, ``b`` the
best price since entry (highest for a long, lowest for a short), ``p`` the tick's price and
``bps / 10_000`` written ``x``, a **long** exits when:

* stop loss:     ``p <= e * (1 - x_sl)``
* take profit:   ``p >= e * (1 + x_tp)``
* trailing stop: ``p <= b * (1 - x_trail)``
* time stop:     ``tick.exchange_ns - entry_ns >= time_stop_seconds``

and a **short** mirrors it (``>=`` for the stops, ``<=`` for the target, ``b`` the lowest price).
Every boundary is inclusive: a price exactly at a level has reached it. The levels are exact
Fractions (the configured float is read as the decimal it was written as, ``str(0.3) == "0.3"``),
so "exactly at the stop" is a real equality, not a float accident.

**Partial exit** ("partial exit at the first stop", read as: at the first *profit* exit). When
``partial_exit_fraction`` is set, the take profit closes only that share of the position,
rounded down to whole lots, at least one lot, and never the whole position unless it is a
single lot (see ``partial_quantity``). After that reduction the remainder runs with its stop
moved to break-even, ``p <= e`` for a long (``e`` unchanged by a reduction: see
``strategies.position``), the take profit disarmed, and the trailing and time stops still on.
Stop loss, break-even, trailing and time stops always close everything, and are checked before
the take profit, so a tick that trips both a full exit and the partial one closes everything.

The rules only *decide*: ``ExitState.partial_taken`` is set by the owner when a fill actually
reduces the position (``SymbolTrader``), so the state can be rebuilt from fills alone after a
restart, and a partial exit that is rejected is simply decided again on a later tick. Without
``partial_exit_fraction`` the flag changes nothing: a reduction is then only a close order that
filled in part, and the remainder keeps the ordinary rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from fractions import Fraction

from config.symbols import ExitsConfig

_BPS = 10_000
_NS_PER_SECOND = 1_000_000_000


class ExitReason(enum.Enum):
    STOP_LOSS = "stop_loss"
    BREAK_EVEN = "break_even"
    TRAILING_STOP = "trailing_stop"
    TIME_STOP = "time_stop"
    TAKE_PROFIT = "take_profit"
    PARTIAL_TAKE_PROFIT = "partial_take_profit"

    @property
    def is_stop(self) -> bool:
        """A stop level was reached: what a stop order resting at the venue does by itself."""
        return self in (ExitReason.STOP_LOSS, ExitReason.BREAK_EVEN, ExitReason.TRAILING_STOP)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ExitDecision:
    """Close ``quantity`` units (positive; the side follows from the position) for ``reason``."""

    quantity: int
    reason: ExitReason


@dataclass(frozen=True, slots=True)
class ExitState:
    """What the exit rules remember about an open position besides the position itself.

    ``entry_ns``: market time of the fill that opened it (the time stop counts from there; adding
    to the position does not restart it). ``best_price``: the most favourable price since entry.
    ``partial_taken``: the position has been reduced without being closed.
    """

    entry_ns: int
    best_price: int
    partial_taken: bool = False


def _exact(value: float | None) -> Fraction | None:
    """The configured number as the decimal the user wrote (``0.3`` -> 3/10), or None."""
    return None if value is None else Fraction(str(value))


def partial_quantity(position_units: int, fraction: Fraction, lot_size: int) -> int:
    """Units to close for a partial exit of ``fraction`` of ``position_units`` (unsigned).

    ``position_units * fraction`` rounded down to whole lots, and at least one lot. That never
    closes the whole position: with ``fraction < 1`` the rounded share is below it, and one lot
    is below it whenever the position is larger than a lot. A position of one lot or less
    cannot be split: it is closed whole.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"a partial exit fraction must be between 0 and 1, got {fraction}")
    if position_units <= lot_size:
        return position_units
    wanted = int(position_units * fraction // lot_size) * lot_size
    return max(wanted, lot_size)


def _toward_loss(price: Fraction, bps: Fraction, direction: int) -> Fraction:
    """``price`` moved ``bps`` against a position of ``direction`` (+1 long, -1 short); a
    negative ``bps`` moves it in the position's favour."""
    return price * (1 - direction * bps / _BPS)


class ExitRules:
    """The configured exits for one symbol, evaluated tick by tick. See the module docstring."""

    def __init__(self, config: ExitsConfig, lot_size: int = 1) -> None:
        if lot_size <= 0:
            raise ValueError(f"lot_size must be positive, got {lot_size}")
        self.config = config
        self.lot_size = lot_size
        self._stop_loss = _exact(config.stop_loss_bps)
        self._take_profit = _exact(config.take_profit_bps)
        self._trailing = _exact(config.trailing_stop_bps)
        seconds = _exact(config.time_stop_seconds)
        self._time_stop_ns = None if seconds is None else seconds * _NS_PER_SECOND
        self._partial = _exact(config.partial_exit_fraction)

    def on_price(
        self, quantity: int, average_entry: Fraction, state: ExitState, price: int, at_ns: int
    ) -> tuple[ExitState, ExitDecision | None]:
        """Fold ``price`` into the best price, then decide whether to exit.

        ``quantity`` is the signed position (non-zero), ``at_ns`` the tick's exchange time.
        Returns the updated state (always keep it, even when the decision is not acted on, so
        the trailing stop keeps following) and the decision, or None.
        """
        if quantity == 0:
            raise ValueError("exit rules need an open position")
        direction = 1 if quantity > 0 else -1
        best = max(state.best_price, price) if direction > 0 else min(state.best_price, price)
        state = replace(state, best_price=best) if best != state.best_price else state
        return state, self._decide(quantity, direction, average_entry, state, price, at_ns)

    def stop_level(
        self, quantity: int, average_entry: Fraction, state: ExitState
    ) -> tuple[ExitReason, Fraction] | None:
        """The tightest of the stop levels now (stop loss, break-even, trailing) and which it
        is: the price at which the position would be closed for a loss, the one a stop order
        at the venue holds. None when no stop rule is configured."""
        if quantity == 0:
            raise ValueError("exit rules need an open position")
        direction = 1 if quantity > 0 else -1
        stops = self._stops(direction, average_entry, state)
        if not stops:
            return None
        return max(stops, key=lambda stop: stop[1] * direction)  # nearest the market

    def _stops(
        self, direction: int, entry: Fraction, state: ExitState
    ) -> list[tuple[ExitReason, Fraction]]:
        """The stop levels on the losing side, in the order they are checked."""
        stops: list[tuple[ExitReason, Fraction]] = []
        if self._stop_loss is not None:
            stops.append((ExitReason.STOP_LOSS, _toward_loss(entry, self._stop_loss, direction)))
        if self._partial is not None and state.partial_taken:
            stops.append((ExitReason.BREAK_EVEN, entry))
        if self._trailing is not None:
            trail = _toward_loss(Fraction(state.best_price), self._trailing, direction)
            stops.append((ExitReason.TRAILING_STOP, trail))
        return stops

    def _decide(
        self,
        quantity: int,
        direction: int,
        entry: Fraction,
        state: ExitState,
        price: int,
        at_ns: int,
    ) -> ExitDecision | None:
        units = abs(quantity)
        partial_done = self._partial is not None and state.partial_taken
        for reason, level in self._stops(direction, entry, state):
            if price * direction <= level * direction:  # reached or passed
                return ExitDecision(units, reason)
        if self._time_stop_ns is not None and at_ns - state.entry_ns >= self._time_stop_ns:
            return ExitDecision(units, ExitReason.TIME_STOP)
        if self._take_profit is not None and not partial_done:
            target = _toward_loss(entry, -self._take_profit, direction)
            if price * direction >= target * direction:
                if self._partial is None:
                    return ExitDecision(units, ExitReason.TAKE_PROFIT)
                part = partial_quantity(units, self._partial, self.lot_size)
                reason = ExitReason.TAKE_PROFIT if part == units else ExitReason.PARTIAL_TAKE_PROFIT
                return ExitDecision(part, reason)
        return None
