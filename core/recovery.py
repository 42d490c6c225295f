"""The recovery model: what each actor knows after a start, as pure functions of its sources.

Three sources of truth, each for its own facts (DESIGN, recovery model):

* **the venue** (Kite, or the paper venue's own file) for orders, trades and positions — asked by
  the router (lookups by tag, the working-order check, trades) and by PositionSync;
* **the journal** for shikra's own decisions: intents and their client ids, orders and their last
  known status, the fills it applied, the trading state, adjustments, carried positions'
  reference prices, and which trading day the process is in;
* **market data** for a strategy's indicators (warm-up from the feed's recent prices).

Everything here is computed *for the current trading day*: the day's fills and orders, plus the
positions carried into it. Carried positions are the products that carry overnight (CNC, NRML,
MTF): the net of their fills of every earlier day. MIS never carries — the broker squares it off
— so an MIS position left open at a day's end is flat the next day (and reported). The same
functions run at a process start, after a crash or a kill -9 at any instant, after an actor's
restart in a running process, and at a day boundary while running: what an actor knows never
depends on how it stopped. They read records in the order the journal applied them, so FIFO lots
come out as they did live.

What a restart at each step of the order path does (the router's side is ``restore_router``):

=================================================  ===============================================
the process died…                                  after the restart
=================================================  ===============================================
before the intent was journaled                    nothing happened; the strategy decides afresh
after the intent, before RiskGate approved it      the intent is journaled, never an order: its
                                                   client id is spent (sequence continues)
after the order was journaled NEW, before the      looked up by tag: not at the venue, so it was
broker call                                        never sent — REJECTED, never re-sent
after the venue accepted it, before the reply was  looked up by tag: found, adopted with its status
journaled                                          and fills
after a fill arrived, before it was journaled      the trade is taken from the venue's trades
                                                   (trade ids make it count once)
after a fill was journaled, before its order's     the order's status is journaled again from
new status                                         its fills (they are the truth)
between the two writes of an adjustment            neither was written (one transaction): the next
                                                   reconciliation finds the difference again
=================================================  ===============================================
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.account import is_adjustment
from core.order_book import OrderBook
from core.order_restore import restore_book
from core.pnl import PnLLedger
from core.positions import PositionBook
from core.records import OrderRecord, StateRecord
from messages.control import TradingState
from messages.orders import Fill, Product, Side

CARRIED_PRODUCTS: frozenset[Product] = frozenset({Product.CNC, Product.NRML, Product.MTF})
"""Products whose positions carry into the next trading day; MIS, CO and BO never do."""


def carries(product: Product) -> bool:
    return product in CARRIED_PRODUCTS


# -- positions ---------------------------------------------------------------------------------


def local_positions(
    carried_fills: Iterable[Fill], day_fills: Iterable[Fill]
) -> dict[tuple[str, Product], tuple[int, int]]:
    """Shikra's positions for the day, ``{(symbol, product): (quantity, open_cost)}``, exact
    FIFO: the carried products' fills of earlier days (``carried_fills``, carried products only),
    then the day's fills of every product. Flat positions are left out."""
    books: dict[Product, PositionBook] = {}
    for fill in (*carried_fills, *day_fills):
        books.setdefault(fill.product, PositionBook()).apply(fill)
    positions: dict[tuple[str, Product], tuple[int, int]] = {}
    for product, book in books.items():
        for symbol, held in book.snapshot().items():
            positions[(symbol, product)] = held
    return dict(sorted(positions.items(), key=lambda item: (item[0][0], item[0][1].value)))


def carried_quantities(carried_fills: Iterable[Fill]) -> dict[str, int]:
    """Net quantity carried into the day per symbol (carried products only), flat left out."""
    net: dict[str, int] = {}
    for fill in carried_fills:
        if carries(fill.product):
            net[fill.symbol] = net.get(fill.symbol, 0) + fill.side.sign * fill.quantity
    return {symbol: quantity for symbol, quantity in sorted(net.items()) if quantity}


def since_flat(fills: Sequence[Fill]) -> list[Fill]:
    """The fills of one symbol since its position was last flat (oldest first): what a
    strategy's average entry and exit state are rebuilt from."""
    position = 0
    start = 0
    for index, fill in enumerate(fills):
        position += fill.side.sign * fill.quantity
        if position == 0:
            start = index + 1
    return list(fills[start:])


# -- RiskGate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingOrder:
    client_id: str
    symbol: str
    side: Side
    remaining: int


@dataclass(frozen=True)
class RiskRestore:
    """What RiskGate knows at a start: positions per symbol (carried + today's), the trade ids
    they include (a fill delivered again after the restart must not count twice), the orders
    still working today, the client ids already used, the state to enter once reconciled, and
    the last flatten sequence number used (of any day: ids are never reused)."""

    positions: dict[str, int]
    trade_ids: frozenset[str]
    working: tuple[WorkingOrder, ...]
    seen_ids: frozenset[str]
    resume_to: TradingState
    flatten_seq: int


def restore_risk(
    day: datetime.date,
    carried_fills: Iterable[Fill],
    day_fills: Sequence[Fill],
    day_orders: Iterable[OrderRecord],
    open_orders: Iterable[OrderRecord],
    last_state: StateRecord | None,
    flatten_seq: int,
) -> RiskRestore:
    positions = carried_quantities(carried_fills)
    for fill in day_fills:
        positions[fill.symbol] = positions.get(fill.symbol, 0) + fill.side.sign * fill.quantity
    working = tuple(
        WorkingOrder(o.client_id, o.symbol, o.side, o.quantity - o.filled_quantity)
        for o in open_orders
        if o.day == day and o.quantity > o.filled_quantity
    )
    return RiskRestore(
        positions={symbol: quantity for symbol, quantity in positions.items() if quantity},
        trade_ids=frozenset(fill.trade_id for fill in day_fills),
        working=working,
        seen_ids=frozenset(order.client_id for order in day_orders),
        resume_to=resume_state(last_state, day),
        flatten_seq=flatten_seq,
    )


def resume_state(last: StateRecord | None, day: datetime.date) -> TradingState:
    """The state to trade in once reconciled. A halt or reduce survives a restart (journaled,
    rule 7) — except one set by a daily limit or the session's cut-off on an earlier day: the
    day it was about is over, and today's loss starts at zero. An operator's, the broker's or a
    reconciliation's halt lasts until someone resumes."""
    if last is None or last.change.state not in (TradingState.HALTED, TradingState.REDUCING):
        return TradingState.ACTIVE
    if last.change.source.ends_with_day and last.day != day:
        return TradingState.ACTIVE
    return last.change.state


# -- the order router --------------------------------------------------------------------------


@dataclass(frozen=True)
class RouterRestore:
    """The router's book of today's open orders (each to be looked up by tag before anything
    is sent), the earlier days' orders still open in the journal (they ended with their day:
    the broker expires day orders, and lists only today's), what today's order cap used, and
    the orders whose journaled fills took them past their journaled status (a kill between a
    fill and its order's status: the fills are the truth, the status is journaled again)."""

    book: OrderBook
    look_up: tuple[str, ...]
    expired: tuple[OrderRecord, ...]
    sent_today: int
    caught_up: tuple[str, ...] = ()


def restore_router(
    day: datetime.date,
    open_orders: Sequence[OrderRecord],
    fills_of_open_orders: Iterable[Fill],
    sent_today: int,
) -> RouterRestore:
    today = [order for order in open_orders if order.day >= day]
    expired = tuple(order for order in open_orders if order.day < day)
    book = restore_book(today, fills_of_open_orders)
    caught_up, finished = [], set()
    for record in today:
        order = book.get(record.client_id)
        assert order is not None
        if (order.status, order.filled_quantity) != (record.status, record.filled_quantity):
            caught_up.append(record.client_id)
        if order.is_terminal:
            finished.add(record.client_id)
    return RouterRestore(
        book=book,
        look_up=tuple(cid for cid in (o.client_id for o in today) if cid not in finished),
        expired=expired,
        sent_today=sent_today,
        caught_up=tuple(caught_up),
    )


EXPIRED_REASON = "expired with its trading day (the broker ends day orders at the close)"


# -- a strategy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrategyRestore:
    """A strategy's position history (fills since it was last flat, carried ones first) and the
    order it is still waiting on today, if any."""

    fills: tuple[Fill, ...]
    pending_client_id: str | None


def restore_strategy(
    day: datetime.date,
    symbol: str,
    carried_fills: Sequence[Fill],
    day_fills: Sequence[Fill],
    open_orders: Iterable[OrderRecord],
) -> StrategyRestore:
    carried = [fill for fill in carried_fills if fill.symbol == symbol and carries(fill.product)]
    fills = [*since_flat(carried), *(fill for fill in day_fills if fill.symbol == symbol)]
    pending = [o.client_id for o in open_orders if o.symbol == symbol and o.day >= day]
    return StrategyRestore(fills=tuple(fills), pending_client_id=pending[-1] if pending else None)


# -- the PnL tracker ---------------------------------------------------------------------------


def restore_pnl(
    ledger: PnLLedger,
    carried_fills: Iterable[Fill],
    carry_marks: dict[str, int],
    day_fills: Iterable[Fill],
) -> PnLLedger:
    """Fill a fresh day's ledger: positions carried in, each valued from its journaled
    reference price for the day (or from its first price today, when none is journaled yet),
    then the day's fills in the order they were applied. Returns the ledger."""
    for symbol, quantity in carried_quantities(carried_fills).items():
        ledger.carry(symbol, quantity, carry_marks.get(symbol))
    for fill in day_fills:
        ledger.apply_fill(fill, charged=not is_adjustment(fill))
    return ledger
