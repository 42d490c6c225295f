"""The order path's invariants, checked from the durable files alone after the processes are
gone: the journal (shikra's view) and the venue (the paper venue's own file, or the fake Kite's
book). Read with plain SQL and written here from the rules, not with the code under test, so
that a bug in the journal's readers cannot agree with itself.

* every client id reaches the venue at most once;
* broker order id <-> client id is one-to-one, and the journal and the venue agree on it;
* every trade of shikra's at the venue is in the journal exactly once (by trade id), with the
  same quantity, price and side, and the journal has no fill the venue never made;
* the journal's positions equal the venue's (per symbol and product, less foreign trades);
* (after a clean stop) no order is left non-final, in the journal or at the venue.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

ADJUSTMENT = "RECONCILE"
_FINAL = ("filled", "cancelled", "rejected")


@dataclass(frozen=True)
class VenueTrade:
    trade_id: str
    order_id: str
    tag: str
    symbol: str
    side: str
    quantity: int
    price: int
    product: str


@dataclass(frozen=True)
class VenueOrder:
    order_id: str
    tag: str
    status: str


@dataclass
class Venue:
    """What the venue knows, in its own words (statuses as shikra's lower-case names)."""

    orders: list[VenueOrder] = field(default_factory=list)
    trades: list[VenueTrade] = field(default_factory=list)

    def held(self, tags: Container[str] | None = None) -> Counter[tuple[str, str]]:
        """Net quantity per (symbol, product) from the trades (of orders tagged ``tags``)."""
        net: Counter[tuple[str, str]] = Counter()
        for trade in self.trades:
            if tags is None or trade.tag in tags:
                signed = trade.quantity if trade.side == "BUY" else -trade.quantity
                net[(trade.symbol, trade.product)] += signed
        return net


def paper_venue(path: Path) -> Venue:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        orders = [VenueOrder(*row) for row in db.execute(
            "SELECT broker_order_id, tag, status FROM orders ORDER BY seq")]  # fmt: skip
        trades = [VenueTrade(*row) for row in db.execute(
            "SELECT trade_id, broker_order_id, tag, symbol, side, quantity, price, product "
            "FROM trades ORDER BY seq")]  # fmt: skip
    return Venue(orders=orders, trades=trades)


def check(journal_path: Path, venue: Venue, *, settled: bool) -> list[str]:
    """Every broken invariant, as a sentence (empty when all hold)."""
    problems: list[str] = []
    with sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True) as db:
        orders = {row[0]: row[1:] for row in db.execute(
            "SELECT client_id, broker_order_id, status FROM orders")}  # fmt: skip
        fills = list(db.execute(
            "SELECT trade_id, client_id, broker_order_id, symbol, side, quantity, price, product "
            "FROM fills"))  # fmt: skip
    ours = [o for o in venue.orders if o.tag in orders]
    for tag, count in Counter(o.tag for o in ours).items():
        if count > 1:
            problems.append(f"client id {tag} reached the venue {count} times")
    by_id = {o.order_id: o for o in venue.orders}
    journal_ids = Counter(bid for bid, _ in orders.values() if bid)
    for bid, count in journal_ids.items():
        if count > 1:
            problems.append(f"broker order {bid} belongs to {count} client ids in the journal")
    for client_id, (bid, _status) in orders.items():
        if bid is not None and (bid not in by_id or by_id[bid].tag != client_id):
            problems.append(f"journal says {client_id} is {bid}; the venue disagrees")
    for order in ours:
        if orders[order.tag][0] not in (None, order.order_id):
            problems.append(f"venue order {order.order_id} of {order.tag} has another id here")
    venue_trades = {t.trade_id: t for t in venue.trades if t.tag in orders}
    journal_fills = {f[0]: f for f in fills if f[1] != ADJUSTMENT}
    for trade_id, trade in venue_trades.items():
        got = journal_fills.get(trade_id)
        if got is None:
            problems.append(f"venue trade {trade_id} of {trade.tag} is missing from the journal")
        elif (got[1], got[3], got[4], got[5], got[6]) != (
            trade.tag, trade.symbol, trade.side, trade.quantity, trade.price,
        ):  # fmt: skip
            problems.append(f"journal fill {trade_id} differs from the venue's trade: {got}")
    for trade_id in journal_fills.keys() - venue_trades.keys():
        problems.append(f"journal fill {trade_id} was never made at the venue")
    problems += _positions(fills, venue, orders)
    if settled:
        open_here = sorted(c for c, (_, status) in orders.items() if status not in _FINAL)
        if open_here:
            problems.append(f"orders left non-final in the journal: {open_here}")
        working = sorted(o.order_id for o in venue.orders if o.status not in _FINAL)
        if working:
            problems.append(f"orders still working at the venue: {working}")
    return problems


def _positions(fills: list[tuple], venue: Venue, orders: dict[str, tuple]) -> list[str]:
    """Net quantity per (symbol, product): the journal's fills against the venue's trades of
    shikra's orders (adjustments count on the journal's side: they adopt the venue's book)."""
    journal: Counter[tuple[str, str]] = Counter()
    for _, _, _, symbol, side, quantity, _, product in fills:
        journal[(symbol, product)] += quantity if side == "BUY" else -quantity
    at_venue = venue.held(orders)
    problems = []
    for bucket in sorted(set(journal) | set(at_venue)):
        if journal[bucket] != at_venue[bucket]:
            problems.append(
                f"position {bucket}: journal {journal[bucket]}, venue {at_venue[bucket]}"
            )
    return problems
