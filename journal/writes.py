"""Every write the journal takes, once: each is a function of an open connection, run inside a
transaction by whoever owns the writing — ``Journal`` (a connection of its own, one transaction
per write: tools and tests) or ``JournalWriter`` (the daemon's one writer thread, many writes per
transaction). The SQL lives here and nowhere else.

Idempotent where replays happen: ``intent``, ``order`` and ``fill`` insert only when the key is
new and say whether they did (``False``: already journaled — for ``order`` exactly the "never
send twice" check). A repeated key is not compared with what was stored first: the first stands.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable, Sequence

import msgspec

from core.records import AdjustmentRecord
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus

_INTENT_INSERT = (
    "INSERT INTO intents VALUES (" + ",".join("?" * 13) + ") ON CONFLICT (client_id) DO NOTHING"
)


def intent_row(
    intent: OrderIntent, strategy_seq: int, day: datetime.date, now: int
) -> tuple[object, ...]:
    """An intent as its journal row (for ``intent``, or many at once for ``intents``)."""
    return (
        intent.client_id, intent.symbol, intent.side.value, intent.quantity,
        intent.order_type.value, intent.limit_price, intent.trigger_price,
        intent.product.value, intent.reason, strategy_seq, intent.origin_ns, now,
        day.isoformat(),
    )  # fmt: skip


def intent(
    db: sqlite3.Connection, intent: OrderIntent, strategy_seq: int, day: datetime.date, now: int
) -> bool:
    """A strategy's intent, before it is sent."""
    return intent_from_row(db, intent_row(intent, strategy_seq, day, now))


def intent_from_row(db: sqlite3.Connection, row: tuple[object, ...]) -> bool:
    """``intent``, from its row: ``False`` when the client id was journaled before."""
    return db.execute(_INTENT_INSERT, row).rowcount == 1


_INTENTS_FROM_JSON = (
    "INSERT INTO intents SELECT "
    + ", ".join(f"value->>{column}" for column in range(13))
    + " FROM json_each(?) WHERE true ON CONFLICT (client_id) DO NOTHING"
)


def intents(db: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    """Many intents' rows (``intent_row``) in one statement: the rows go as one JSON array
    that SQLite unpacks (``json_each``). Why: every statement releases the GIL and waits to
    take it back, which under load is a switch interval behind the tick path; 700 intents a
    second as 700 statements kept the writer (and every synchronous write queued behind them:
    the router's) waiting for seconds. One text for any number of rows, so it is prepared once
    and stays in the connection's statement cache (a ``VALUES`` list of as many rows as there
    are intents is a new statement each time, prepared each time, and pushes the others out).
    Which rows were new is not reported: an intent's sender acts on it either way."""
    db.execute(_INTENTS_FROM_JSON, (msgspec.json.encode(rows).decode(),))


def order(db: sqlite3.Connection, intent: OrderIntent, day: datetime.date, now: int) -> bool:
    """An approved order as ``NEW``, with its first event, before the broker call."""
    cursor = db.execute(
        "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0) "
        "ON CONFLICT (client_id) DO NOTHING",
        (
            intent.client_id, intent.symbol, intent.side.value, intent.quantity,
            intent.order_type.value, intent.limit_price, intent.trigger_price,
            intent.product.value, OrderStatus.NEW.value, None, 0, intent.reason, now, now,
            day.isoformat(),
        ),
    )  # fmt: skip
    if cursor.rowcount != 1:
        return False
    new = OrderEvent(
        client_id=intent.client_id, symbol=intent.symbol, side=intent.side,
        status=OrderStatus.NEW, quantity=intent.quantity, reason=intent.reason, at_ns=now,
    )  # fmt: skip
    _append_event(db, new)
    return True


def order_modified(
    db: sqlite3.Connection,
    client_id: str,
    trigger_price: int | None,
    limit_price: int | None,
    reason: str,
    now: int,
) -> None:
    """A modification the broker accepted: the order's row takes the new prices (a ``None``
    keeps the old), and the history its row. Written after the broker's answer, never before:
    a kill in between leaves the journal with the older, looser prices, and the next trail
    asks for the tighter ones again (a stop is never believed tighter than it is)."""
    db.execute(
        "UPDATE orders SET trigger_price = COALESCE(?, trigger_price), "
        "limit_price = COALESCE(?, limit_price), updated_ns = ? WHERE client_id = ?",
        (trigger_price, limit_price, now, client_id),
    )
    db.execute(
        "INSERT INTO order_modifications (client_id, trigger_price, limit_price, reason, at_ns) "
        "VALUES (?, ?, ?, ?, ?)",
        (client_id, trigger_price, limit_price, reason, now),
    )


def order_event(
    db: sqlite3.Connection, event: OrderEvent, *, sent: bool, day: datetime.date
) -> None:
    """A status change: the order's row and its history, together. A ``None`` broker order id
    keeps the one known; ``sent`` marks the order handed to the broker (it stays marked). An
    event for an order the journal has never seen (found at the broker) creates its row from
    the event alone, on ``day``."""
    cursor = db.execute(
        "UPDATE orders SET status = ?, broker_order_id = COALESCE(?, broker_order_id), "
        "filled_quantity = ?, reason = ?, updated_ns = ?, sent = MAX(sent, ?) "
        "WHERE client_id = ?",
        (
            event.status.value, event.broker_order_id, event.filled_quantity, event.reason,
            event.at_ns, int(sent), event.client_id,
        ),
    )  # fmt: skip
    if cursor.rowcount == 0:
        db.execute(
            "INSERT INTO orders VALUES (?,?,?,?,NULL,NULL,NULL,NULL,?,?,?,?,?,?,?,?)",
            (
                event.client_id, event.symbol, event.side.value, event.quantity,
                event.status.value, event.broker_order_id, event.filled_quantity, event.reason,
                event.at_ns, event.at_ns, day.isoformat(), int(sent),
            ),
        )  # fmt: skip
    _append_event(db, event)


def fill(db: sqlite3.Connection, fill: Fill, day: datetime.date) -> bool:
    """A fill, once by trade id (``False``: already journaled: it must not be applied again)."""
    cursor = db.execute(
        "INSERT INTO fills VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (trade_id) DO NOTHING",
        (
            fill.trade_id, fill.client_id, fill.broker_order_id, fill.symbol, fill.side.value,
            fill.quantity, fill.price, fill.product.value, fill.at_ns, day.isoformat(),
        ),
    )  # fmt: skip
    return cursor.rowcount == 1


def trading_state(db: sqlite3.Connection, change: TradingStateChanged, day: datetime.date) -> None:
    db.execute(
        "INSERT INTO trading_state (state, previous, source, reason, at_ns, day) "
        "VALUES (?,?,?,?,?,?)",
        (
            change.state.value, change.previous.value, change.source.value, change.reason,
            change.at_ns, day.isoformat(),
        ),
    )  # fmt: skip


def adjustment(
    db: sqlite3.Connection,
    fill_: Fill,
    record: AdjustmentRecord,
    between: Callable[[], None] | None = None,
) -> bool:
    """An adjustment fill and the record that explains it: both or neither (one transaction).
    ``False`` (nothing written): the fill's trade id is journaled, the adjustment made before.
    ``between`` runs after the first write, before the commit (a crash point)."""
    if not fill(db, fill_, record.day):
        return False
    if between is not None:
        between()
    db.execute(
        "INSERT INTO position_adjustments (symbol, quantity_delta, cost_delta, reason, at_ns, "
        "day, product, trade_id) VALUES (?,?,?,?,?,?,?,?)",
        (
            record.symbol, record.quantity_delta, record.cost_delta, record.reason,
            record.at_ns, record.day.isoformat(), record.product.value, fill_.trade_id,
        ),
    )  # fmt: skip
    return True


def carry_mark(db: sqlite3.Connection, day: datetime.date, symbol: str, price: int) -> bool:
    """The price a position carried into ``day`` is valued from; the first stands."""
    cursor = db.execute(
        "INSERT INTO carry_marks VALUES (?,?,?) ON CONFLICT DO NOTHING",
        (day.isoformat(), symbol, price),
    )
    return cursor.rowcount == 1


def current_day(db: sqlite3.Connection, day: datetime.date, since_ns: int) -> None:
    """The trading day the process is now in (start-up, or a day boundary)."""
    db.execute(
        "INSERT INTO current_day VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET day = excluded.day, since_ns = excluded.since_ns",
        (day.isoformat(), since_ns),
    )


def _append_event(db: sqlite3.Connection, event: OrderEvent) -> None:
    db.execute(
        "INSERT INTO order_events (client_id, symbol, side, quantity, status, broker_order_id, "
        "filled_quantity, reason, at_ns) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            event.client_id, event.symbol, event.side.value, event.quantity, event.status.value,
            event.broker_order_id, event.filled_quantity, event.reason, event.at_ns,
        ),
    )  # fmt: skip
