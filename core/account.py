"""What in the broker account is shikra's: the reconciliation's scope, and adoption.

The account holds what its owner does by hand: orders, trades and positions in symbols shikra is
not configured for, in products it does not trade them in, or in its own symbols but placed in
the Kite app. None of that is a disagreement with shikra's books, and none of it may stop
trading: it is *foreign*, reported (metric, status, one log line) and left alone.

Shikra's part of the broker's book is, per symbol and product it trades, the broker's position
minus what today's foreign trades (orders without a shikra client id as tag) put there. Only that
part is compared with the journal. A position the owner carried in from an earlier day in a
symbol *and* product shikra trades cannot be told apart from shikra's own: it is a difference,
and the configured policy decides (say so to the user: keep hand trading out of shikra's symbol
and product).

Adoption (policy ``adopt``) makes the journal agree with the broker by an adjustment fill: a
fill of client id ``RECONCILE`` for the quantity difference, priced so that the open cost moves
exactly by the difference when it divides evenly (else rounded half-up to the paisa from the
exact fraction), journaled together with the adjustment record in one transaction. Its trade id
is derived from the day, symbol, product and how many adjustments that bucket already had that
day (read from the journal), so a restart or a second adoption never collides with an earlier
one, and an adoption interrupted before its commit is simply made again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import msgspec

from core.reconcile import diff_positions
from core.records import AdjustmentRecord
from messages import DiffKind, Fill, PositionDiff, Product, Side

ADJUSTMENT_CLIENT_ID = "RECONCILE"
"""The client id of adjustment fills: no order, no charges, never sent."""

Bucket = tuple[str, Product]
"""A symbol and product: the unit the broker keeps a position in."""


def is_adjustment(fill: Fill) -> bool:
    return fill.client_id == ADJUSTMENT_CLIENT_ID


class BrokerHolding(msgspec.Struct, frozen=True, kw_only=True):
    """What reconciliation needs of one broker position (``brokers.base.BrokerPosition``)."""

    symbol: str
    product: Product
    quantity: int
    open_cost: int


@dataclass(frozen=True)
class Foreign:
    """Something in the account that is not shikra's, and why."""

    symbol: str
    product: Product
    quantity: int
    why: str


NOT_CONFIGURED = "symbol not configured"
OTHER_PRODUCT = "product shikra does not trade it in"
BY_HAND = "orders not placed by shikra"


@dataclass(frozen=True)
class AccountView:
    """The broker's book split into shikra's part (``ours``, per bucket) and the rest.
    ``cost_unknown``: buckets where foreign trades are mixed in, so the broker's cost of
    shikra's part is not known and only quantities can be compared."""

    ours: dict[Bucket, tuple[int, int]]
    foreign: tuple[Foreign, ...]
    cost_unknown: frozenset[Bucket]


def split_account(
    positions: Iterable[BrokerHolding],
    foreign_trades: Mapping[Bucket, int],
    scope: Mapping[str, Product],
    local: Mapping[Bucket, tuple[int, int]],
) -> AccountView:
    """``scope``: each configured symbol and the product shikra trades it in; ``local``:
    shikra's own books (a bucket shikra holds counts as in scope whatever the config says now).
    ``foreign_trades``: today's net signed quantity of foreign trades per bucket."""
    ours: dict[Bucket, tuple[int, int]] = {}
    foreign: list[Foreign] = []
    unknown: set[Bucket] = set()
    for held in positions:
        bucket = (held.symbol, held.product)
        in_scope = scope.get(held.symbol) is held.product or bucket in local
        if not in_scope:
            if held.quantity:
                why = NOT_CONFIGURED if held.symbol not in scope else OTHER_PRODUCT
                foreign.append(Foreign(held.symbol, held.product, held.quantity, why))
            continue
        by_hand = foreign_trades.get(bucket, 0)
        if by_hand:
            foreign.append(Foreign(held.symbol, held.product, by_hand, BY_HAND))
            unknown.add(bucket)
        quantity = held.quantity - by_hand
        cost = held.open_cost if not by_hand else _cost_at_average(held, quantity)
        previous = ours.get(bucket, (0, 0))
        ours[bucket] = (previous[0] + quantity, previous[1] + cost)
    foreign.sort(key=lambda f: (f.symbol, f.product.value, f.why))
    return AccountView(ours=ours, foreign=tuple(foreign), cost_unknown=frozenset(unknown))


def _cost_at_average(held: BrokerHolding, quantity: int) -> int:
    if not held.quantity:
        return 0
    return round(Fraction(held.open_cost, held.quantity) * quantity)


def diffs_in_scope(
    local: Mapping[Bucket, tuple[int, int]],
    view: AccountView,
    tolerance_bps: float,
    quantity_only: Iterable[Bucket] = (),
) -> list[PositionDiff]:
    """Every disagreement between shikra's books and its part of the broker's, by symbol then
    product. Average prices are not compared where the broker's cost of shikra's part is not
    known (``view.cost_unknown``) or not comparable (``quantity_only``: positions carried from
    an earlier day, which the broker may value at the previous settlement)."""
    skip_cost = set(view.cost_unknown) | set(quantity_only)
    products = {product for _, product in (*local, *view.ours)}
    diffs: list[PositionDiff] = []
    for product in sorted(products, key=lambda p: p.value):
        ours = {s: held for (s, p), held in local.items() if p is product}
        theirs = {s: held for (s, p), held in view.ours.items() if p is product}
        for symbol in [s for s in theirs if (s, product) in skip_cost and s in ours]:
            theirs[symbol] = (theirs[symbol][0], _scaled_cost(ours[symbol], theirs[symbol][0]))
        for diff in diff_positions(ours, theirs, tolerance_bps):
            diffs.append(msgspec.structs.replace(diff, product=product))
    diffs.sort(key=lambda d: (d.symbol, d.product.value))
    return diffs


def _scaled_cost(local: tuple[int, int], quantity: int) -> int:
    """A cost for ``quantity`` at the local average: makes an average price compare equal."""
    local_quantity, local_cost = local
    return round(Fraction(local_cost, local_quantity) * quantity) if local_quantity else 0


def adjustment(
    diff: PositionDiff, day: datetime.date, earlier: int, at_ns: int
) -> tuple[Fill, AdjustmentRecord] | None:
    """The adjustment that adopts the broker's quantity for ``diff``; None when quantities
    agree (an average price is not corrected by a fill). ``earlier``: how many adjustments the
    bucket already had on ``day``."""
    delta = diff.broker_quantity - diff.local_quantity
    if diff.kind is DiffKind.AVG_PRICE_MISMATCH or delta == 0:
        return None
    cost_delta = diff.broker_open_cost - diff.local_open_cost
    price = _half_up(Fraction(cost_delta, delta))
    if price <= 0:  # the books' costs disagree in sign: value it at the broker's average
        held = diff.broker_quantity or diff.local_quantity
        cost = diff.broker_open_cost if diff.broker_quantity else diff.local_open_cost
        price = max(1, _half_up(Fraction(cost, held)))
    trade_id = f"ADJ-{day.isoformat()}-{diff.symbol}-{diff.product.value}-{earlier + 1}"
    fill = Fill(
        trade_id=trade_id,
        client_id=ADJUSTMENT_CLIENT_ID,
        symbol=diff.symbol,
        side=Side.BUY if delta > 0 else Side.SELL,
        quantity=abs(delta),
        price=price,
        product=diff.product,
        at_ns=at_ns,
    )
    record = AdjustmentRecord(
        symbol=diff.symbol,
        quantity_delta=delta,
        cost_delta=cost_delta,
        reason=f"adopted the broker's position ({diff.kind.value})",
        at_ns=at_ns,
        day=day,
        product=diff.product,
        trade_id=trade_id,
    )
    return fill, record


def _half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero (exact: no float)."""
    magnitude = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return magnitude if value >= 0 else -magnitude
