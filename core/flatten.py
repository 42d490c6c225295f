"""Flatten: what RiskGate sends to close everything, decided without threads.

A flatten is sticky until the book is flat: first every working order but its own is cancelled
(an entry would add exposure; a resting stop or LIMIT exit would hold the position open for as
long as the market stays away from it, and left behind a closed position, open a new one), then
each position is closed by one market order for what is left of it after the reducing orders
still working — so a stop that was triggered while its cancel was on the way is not closed a
second time. A fill or a finished order after the flatten makes another position to close, so
RiskGate asks again on each until ``is_flat``.

Flatten orders carry RiskGate's own client ids, ``FLAT`` and a six-digit sequence that continues
across restarts and days (the journal's highest), so none is ever reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from messages import CancelIntent, OrderIntent, OrderType, Product, Side

FLATTEN_PREFIX = "FLAT"


class WorkingView(Protocol):
    """What flatten needs to know of a working order (``core.risk``'s ``_Working``)."""

    symbol: str
    side: Side
    remaining: int
    reduces: bool


@dataclass(frozen=True)
class FlattenPlan:
    intents: tuple[OrderIntent, ...]
    next_seq: int
    """The last sequence number used, to continue from."""


def flatten_client_id(seq: int) -> str:
    return f"{FLATTEN_PREFIX}{seq:06d}"


def cancels_for_flatten(
    working: Mapping[str, WorkingView], reason: str
) -> tuple[CancelIntent, ...]:
    """Cancel every working order but RiskGate's own (see the module docstring)."""
    return tuple(
        CancelIntent(client_id=client_id, symbol=order.symbol, reason=reason)
        for client_id, order in sorted(working.items())
        if not client_id.startswith(FLATTEN_PREFIX)
    )


def closing_orders(
    positions: Mapping[str, int],
    working: Iterable[WorkingView],
    marks: Mapping[str, int],
    market_ns: int,
    last_seq: int,
    products: Mapping[str, Product],
    reason: str = "flatten",
) -> FlattenPlan:
    """One market order per open position for what reducing orders do not already close,
    symbols in sorted order (deterministic ids), in the product the symbol is traded in (a CNC
    position is closed by a CNC sell, not an intraday one)."""
    closing: dict[str, int] = {}
    for order in working:
        if order.reduces:
            closing[order.symbol] = closing.get(order.symbol, 0) + order.remaining
    intents: list[OrderIntent] = []
    seq = last_seq
    for symbol, quantity in sorted(positions.items()):
        remaining = abs(quantity) - closing.get(symbol, 0)
        if quantity == 0 or remaining <= 0:
            continue
        seq += 1
        intents.append(
            OrderIntent(
                client_id=flatten_client_id(seq),
                symbol=symbol,
                side=Side.SELL if quantity > 0 else Side.BUY,
                quantity=remaining,
                order_type=OrderType.MARKET,
                product=products.get(symbol, Product.MIS),
                reason=reason,
                market_ns=market_ns,
                market_price=marks.get(symbol),
            )
        )
    return FlattenPlan(intents=tuple(intents), next_seq=seq)


def cancels_for_square_off(
    working: Mapping[str, WorkingView],
    symbols: frozenset[str],
    already: frozenset[str],
    reason: str,
) -> tuple[CancelIntent, ...]:
    """Cancel every working order of ``symbols`` (the segment's MIS symbols) but RiskGate's own
    and those ``already`` asked: exits too, as a protective stop left resting after its
    position is closed would open a new one when it triggers. The positions are closed once
    the cancelled exits are done (``closing_orders`` leaves what working exits cover)."""
    return tuple(
        CancelIntent(client_id=client_id, symbol=order.symbol, reason=reason)
        for client_id, order in sorted(working.items())
        if order.symbol in symbols
        and not client_id.startswith(FLATTEN_PREFIX)
        and client_id not in already
    )


def is_flat(positions: Mapping[str, int], working: Mapping[str, object]) -> bool:
    """Nothing held and nothing working: the flatten is done."""
    return all(quantity == 0 for quantity in positions.values()) and not working
