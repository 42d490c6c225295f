"""What in the account is shikra's, and adoption: foreign holdings are never a difference;
shikra's part is compared; an adjustment adopts every kind of quantity difference exactly, with
an id that a restart or a second adoption on the same day never reuses."""

from __future__ import annotations

import datetime

import msgspec
import pytest

from core.account import (
    BY_HAND,
    NOT_CONFIGURED,
    OTHER_PRODUCT,
    BrokerHolding,
    Foreign,
    adjustment,
    diffs_in_scope,
    split_account,
)
from core.reconcile import diff_positions
from messages import DiffKind, PositionDiff, Product, Side

DAY = datetime.date(2026, 11, 30)
INFY, TCS, GOLD = "NSE:INFY", "NSE:TCS", "MCX:GOLDM"
SCOPE = {INFY: Product.MIS, TCS: Product.CNC}


def held(symbol: str, product: Product, quantity: int, cost: int) -> BrokerHolding:
    return BrokerHolding(symbol=symbol, product=product, quantity=quantity, open_cost=cost)


def test_what_shikra_does_not_trade_is_foreign_and_never_a_difference():
    positions = [
        held(GOLD, Product.NRML, 1, 7_000_000),  # a symbol not configured
        held(INFY, Product.MTF, 50, 7_500_000),  # a configured symbol, another product
        held(INFY, Product.MIS, 10, 1_500_000),  # shikra's
    ]
    local = {(INFY, Product.MIS): (10, 1_500_000)}
    view = split_account(positions, {}, SCOPE, local)
    assert view.ours == {(INFY, Product.MIS): (10, 1_500_000)}
    assert view.foreign == (
        Foreign(GOLD, Product.NRML, 1, NOT_CONFIGURED),
        Foreign(INFY, Product.MTF, 50, OTHER_PRODUCT),
    )
    assert diffs_in_scope(local, view, 1.0) == []


def test_hand_trades_in_shikras_own_symbol_are_taken_out_before_comparing():
    # Shikra holds 10 INFY MIS; the owner bought 5 more in the Kite app today.
    positions = [held(INFY, Product.MIS, 15, 15 * 150_000)]
    local = {(INFY, Product.MIS): (10, 1_500_000)}
    view = split_account(positions, {(INFY, Product.MIS): 5}, SCOPE, local)
    assert view.ours == {(INFY, Product.MIS): (10, 1_500_000)}
    assert view.foreign == (Foreign(INFY, Product.MIS, 5, BY_HAND),)
    assert diffs_in_scope(local, view, 0.0) == []  # average not comparable there: quantity only


def test_a_bucket_shikra_holds_stays_in_scope_after_a_config_change():
    positions = [held(INFY, Product.CNC, 5, 750_000)]
    local = {(INFY, Product.CNC): (5, 750_000)}  # shikra bought it CNC; the config now says MIS
    view = split_account(positions, {}, SCOPE, local)
    assert view.ours == {(INFY, Product.CNC): (5, 750_000)} and view.foreign == ()


def test_carried_positions_are_compared_by_quantity_only():
    local = {(TCS, Product.CNC): (4, 4 * 340_000)}
    view = split_account([held(TCS, Product.CNC, 4, 4 * 351_000)], {}, SCOPE, local)
    assert diffs_in_scope(local, view, 1.0, quantity_only=[(TCS, Product.CNC)]) == []
    assert [d.kind for d in diffs_in_scope(local, view, 1.0)] == [DiffKind.AVG_PRICE_MISMATCH]


def _diff(kind: DiffKind, lq: int, lc: int, bq: int, bc: int) -> PositionDiff:
    return PositionDiff(symbol=INFY, kind=kind, local_quantity=lq, broker_quantity=bq,
                        local_open_cost=lc, broker_open_cost=bc, product=Product.MIS)  # fmt: skip


@pytest.mark.parametrize(
    ("diff", "side", "quantity", "price"),
    [
        # The broker holds 10 @ 1500.00 we never heard of: buy 10 at 1500.00.
        (_diff(DiffKind.MISSING_LOCALLY, 0, 0, 10, 1_500_000), Side.BUY, 10, 150_000),
        # We hold 10 the broker does not: sell them at our own average (no PnL made up).
        (_diff(DiffKind.MISSING_AT_BROKER, 10, 1_500_000, 0, 0), Side.SELL, 10, 150_000),
        # We hold 10 @ 1500.00, the broker 13 for 1953000: the 3 more cost 453000, 1510.00.
        (_diff(DiffKind.QUANTITY_MISMATCH, 10, 1_500_000, 13, 1_953_000), Side.BUY, 3, 151_000),
        # Short side: we are -4 (cost -600000), the broker -6 (cost -900002): sell 2 more for
        # 300002 paise, 150001 each exactly.
        (_diff(DiffKind.QUANTITY_MISMATCH, -4, -600_000, -6, -900_002), Side.SELL, 2, 150_001),
        # 7 more for 1000001 paise: 142857.2857..., rounded half-up to 142857.
        (_diff(DiffKind.QUANTITY_MISMATCH, 1, 100, 8, 1_000_101), Side.BUY, 7, 142_857),
        # 2 more for 3 paise: 1.5 paise each, half-up to 2.
        (_diff(DiffKind.QUANTITY_MISMATCH, 1, 1, 3, 4), Side.BUY, 2, 2),
    ],
)
def test_an_adjustment_adopts_each_kind_exactly(diff, side, quantity, price):
    made = adjustment(diff, DAY, earlier=0, at_ns=5)
    assert made is not None
    fill, record = made
    assert (fill.side, fill.quantity, fill.price) == (side, quantity, price)
    assert fill.client_id == "RECONCILE" and fill.product is Product.MIS
    assert record.quantity_delta == diff.broker_quantity - diff.local_quantity
    assert record.cost_delta == diff.broker_open_cost - diff.local_open_cost  # kept exactly
    assert record.trade_id == fill.trade_id == "ADJ-2026-11-30-NSE:INFY-MIS-1"


def test_an_average_price_alone_is_not_adopted_by_a_fill():
    assert adjustment(_diff(DiffKind.AVG_PRICE_MISMATCH, 10, 1, 10, 2), DAY, 0, 5) is None


def test_adjustment_ids_count_the_days_earlier_adjustments():
    diff = _diff(DiffKind.MISSING_LOCALLY, 0, 0, 1, 100)
    made = [adjustment(diff, DAY, earlier=n, at_ns=5) for n in range(3)]
    ids = [m[0].trade_id for m in made if m is not None]
    assert ids == [f"ADJ-2026-11-30-NSE:INFY-MIS-{n}" for n in (1, 2, 3)]
    other_day = adjustment(diff, DAY + datetime.timedelta(days=1), earlier=0, at_ns=5)
    assert other_day is not None and other_day[0].trade_id == "ADJ-2026-12-01-NSE:INFY-MIS-1"


def test_adopting_makes_the_books_agree():
    local = {INFY: (10, 1_500_000)}
    broker = {INFY: (13, 1_953_000)}
    (diff,) = diff_positions(local, broker, 0)
    made = adjustment(msgspec.structs.replace(diff, product=Product.MIS), DAY, 0, 1)
    assert made is not None
    fill = made[0]
    quantity = local[INFY][0] + fill.quantity
    cost = local[INFY][1] + fill.quantity * fill.price
    assert (quantity, cost) == broker[INFY]
