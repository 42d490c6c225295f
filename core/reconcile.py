"""The reconciliation diff: where shikra's positions disagree with the broker's.

Pure and deterministic: the same two books always give the same list, sorted by symbol, so a
report can be compared run to run and a test can state it exactly. Both sides are given as
``{symbol: (quantity, open_cost_paise)}`` (``PositionBook.snapshot()`` on our side; the broker
adapter converts Kite's quantity and average price to the same shape).

Average prices are compared exactly, as ``Fraction(open_cost, quantity)``: no float and no
rounding decides whether money is missing. The tolerance exists because the broker's average is
not ours: Kite reports a rounded average price, and its averaging rules (e.g. for a position
carried from a previous day) need not be FIFO.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from messages.portfolio import DiffKind, PositionDiff

_FLAT = (0, 0)
_BPS_PER_UNIT = 10_000


def diff_positions(
    local: Mapping[str, tuple[int, int]],
    broker: Mapping[str, tuple[int, int]],
    avg_price_tolerance_bps: float,
) -> list[PositionDiff]:
    """Every disagreement between the two books, sorted by symbol.

    A side that is absent or has quantity 0 is flat for that symbol (its open cost is then
    ignored); flat on both sides is agreement. Only when the quantities are equal and non-zero
    are average prices compared, and then a difference *greater* than the tolerance (in basis
    points of the broker's average price) is a mismatch: exactly at the tolerance is not.
    """
    tolerance = _tolerance_fraction(avg_price_tolerance_bps)
    diffs: list[PositionDiff] = []
    for symbol in sorted(set(local) | set(broker)):
        local_quantity, local_cost = local.get(symbol, _FLAT)
        broker_quantity, broker_cost = broker.get(symbol, _FLAT)
        kind = _classify(local_quantity, local_cost, broker_quantity, broker_cost, tolerance)
        if kind is not None:
            diffs.append(
                PositionDiff(
                    symbol=symbol,
                    kind=kind,
                    local_quantity=local_quantity,
                    broker_quantity=broker_quantity,
                    local_open_cost=local_cost,
                    broker_open_cost=broker_cost,
                )
            )
    return diffs


def _classify(
    local_quantity: int,
    local_cost: int,
    broker_quantity: int,
    broker_cost: int,
    tolerance: Fraction,
) -> DiffKind | None:
    if local_quantity == 0 and broker_quantity == 0:
        return None
    if local_quantity == 0:
        return DiffKind.MISSING_LOCALLY
    if broker_quantity == 0:
        return DiffKind.MISSING_AT_BROKER
    if local_quantity != broker_quantity:
        return DiffKind.QUANTITY_MISMATCH
    local_avg = Fraction(local_cost, local_quantity)
    broker_avg = Fraction(broker_cost, broker_quantity)
    if abs(local_avg - broker_avg) > tolerance * abs(broker_avg) / _BPS_PER_UNIT:
        return DiffKind.AVG_PRICE_MISMATCH
    return None


def _tolerance_fraction(bps: float) -> Fraction:
    """The tolerance as the decimal the caller wrote: ``Fraction(0.1)`` would be the binary
    approximation (0.1000000000000000055...), ``Fraction(repr(0.1))`` is exactly 1/10."""
    if isinstance(bps, bool) or not isinstance(bps, int | float) or not math.isfinite(bps):
        raise ValueError(f"avg_price_tolerance_bps must be a finite number, got {bps!r}")
    if bps < 0:
        raise ValueError(f"avg_price_tolerance_bps must be >= 0, got {bps!r}")
    return Fraction(repr(bps)) if isinstance(bps, float) else Fraction(bps)
