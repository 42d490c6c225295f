"""The paper venue's own SQLite file: its orders, trades, id counters and trading day.

A real exchange outlives the trading process, so the paper venue does too: its books live here,
apart from the journal (which is shikra's view of its own decisions). After a restart, even a
kill -9, the venue is rebuilt from this file alone, and the router reconciles with it exactly as
it does with Kite: by tag, and by checking its working orders.

What is durable when: ``save`` writes everything one venue call changed (the order, its trades,
the counters, the day) in one transaction and commits before the call returns or any update is
pushed, so whatever a caller or a listener has heard of survives the process. The settings are
the journal's (``journal.schema`` says why): WAL and ``synchronous=NORMAL``, which survive the
process dying at any instant; a power loss may lose the last few commits, and with them orders
nobody outside the machine saw.

Ids are never reused: the last order and trade numbers live in the ``venue`` row, written in the
same transaction as the rows that use them (and checked against the largest stored number on
open). Enums are stored as their ``.value`` text, money as integer paise, times as epoch
nanoseconds (wall or market time: never monotonic, which means nothing after a restart), the
trading day as ISO text ("" for a venue that keeps no calendar).

One connection, used under the venue's lock from whichever thread calls it
(``check_same_thread=False``); the lock, not SQLite, keeps those calls apart.
"""

from __future__ import annotations

import datetime
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from brokers.base import BrokerTrade
from brokers.paper_order import PaperOrder
from messages.orders import OrderStatus, OrderType, Product, Side

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5_000
MEMORY = ":memory:"
_T = TypeVar("_T")

_WORKING = (OrderStatus.OPEN.value, OrderStatus.PARTIALLY_FILLED.value)

_TABLES = (
    # One row: the trading day and the last numbers handed out. Updated in every transaction
    # that hands out a number, so a number once used is never handed out again.
    """CREATE TABLE IF NOT EXISTS venue (
        id INTEGER PRIMARY KEY CHECK (id = 0), trading_day TEXT NOT NULL,
        last_order INTEGER NOT NULL, last_trade INTEGER NOT NULL
    ) STRICT""",
    "INSERT OR IGNORE INTO venue VALUES (0, '', 0, 0)",
    """CREATE TABLE IF NOT EXISTS orders (
        seq INTEGER PRIMARY KEY, broker_order_id TEXT NOT NULL UNIQUE, tag TEXT NOT NULL,
        symbol TEXT NOT NULL, side TEXT NOT NULL, order_type TEXT NOT NULL,
        product TEXT NOT NULL, quantity INTEGER NOT NULL, limit_price INTEGER,
        trigger_price INTEGER, tick_size INTEGER NOT NULL, status TEXT NOT NULL,
        status_message TEXT NOT NULL, filled_quantity INTEGER NOT NULL,
        filled_value INTEGER NOT NULL, triggered INTEGER NOT NULL, eligible_ns INTEGER NOT NULL,
        created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL, trading_day TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS orders_by_day ON orders (trading_day)",
    "CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status)",
    """CREATE TABLE IF NOT EXISTS trades (
        seq INTEGER PRIMARY KEY, trade_id TEXT NOT NULL UNIQUE, broker_order_id TEXT NOT NULL,
        tag TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL,
        price INTEGER NOT NULL, product TEXT NOT NULL, at_ns INTEGER NOT NULL,
        trading_day TEXT NOT NULL
    ) STRICT""",
)

_UPDATE_ORDER = (
    "UPDATE orders SET quantity = ?, limit_price = ?, trigger_price = ?, status = ?, "
    "status_message = ?, filled_quantity = ?, filled_value = ?, triggered = ?, updated_ns = ? "
    "WHERE seq = ?"
)


class PaperStoreError(ValueError):
    """The venue file cannot be used (not WAL-capable, or written by a newer shikra)."""


Day = datetime.date | None
"""A trading day; None for a venue that keeps no calendar (tests, benchmarks)."""


@dataclass
class VenueRecords:
    """What the file holds, for the venue to rebuild itself from."""

    day: Day
    last_order: int
    last_trade: int
    orders: list[PaperOrder] = field(default_factory=list)
    """The current day's orders and every order still working, oldest first."""
    trades: list[tuple[BrokerTrade, Day]] = field(default_factory=list)
    """Every trade ever, oldest first, with its trading day (the position book needs all)."""
    skipped: int = 0
    """Rows that could not be read back (counted and logged, never fatal)."""


class PaperStore:
    """The venue's file. ``PaperStore.open(None)`` (or ``":memory:"``) keeps it in memory."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path | None) -> PaperStore:
        """Open (creating it, 0600, with its schema) the venue file at ``path``; its directory
        must exist (the state directory, made by whoever owns it)."""
        where = MEMORY if path is None or str(path) == MEMORY else str(path)
        if where != MEMORY and not os.path.exists(where):
            # Created here with owner-only permissions: the venue's books are the account's.
            # SQLite gives its -wal and -shm files the same mode as the database file.
            os.close(os.open(where, os.O_RDWR | os.O_CREAT, 0o600))
        connection = sqlite3.connect(
            where, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if where != MEMORY and mode != "wal":
                raise PaperStoreError(f"{where}: journal_mode is {mode!r}, WAL is required")
            connection.execute("PRAGMA synchronous = NORMAL")
            _create_schema(connection, where)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise PaperStoreError(f"{where}: not a usable venue file: {exc}") from exc
        except BaseException:
            connection.close()
            raise
        return cls(connection, where)

    def close(self) -> None:
        self._db.close()

    def load(self) -> VenueRecords:
        """Everything the venue keeps in memory, read in one transaction."""
        db = self._db
        db.execute("BEGIN")
        try:
            day_text, last_order, last_trade = db.execute(
                "SELECT trading_day, last_order, last_trade FROM venue"
            ).fetchone()
            max_order, max_trade = db.execute(
                "SELECT (SELECT MAX(seq) FROM orders), (SELECT MAX(seq) FROM trades)"
            ).fetchone()
            records = VenueRecords(
                day=_day(day_text),
                last_order=max(last_order, max_order or 0),
                last_trade=max(last_trade, max_trade or 0),
            )
            rows = db.execute(
                "SELECT * FROM orders WHERE trading_day = ? OR status IN (?, ?) ORDER BY seq",
                (day_text, *_WORKING),
            )
            for row in rows:
                order = _decode(_order, row, "order", records)
                if order is not None:
                    records.orders.append(order)
            for row in db.execute("SELECT * FROM trades ORDER BY seq"):
                trade = _decode(_trade, row, "trade", records)
                if trade is not None:
                    records.trades.append(trade)
        finally:
            db.execute("COMMIT")
        if records.skipped:
            _log.error("paper venue %s: %d unreadable rows skipped", self.path, records.skipped)
        return records

    def save(
        self,
        *,
        placed: Iterable[PaperOrder],
        changed: Iterable[PaperOrder],
        trades: Sequence[tuple[int, BrokerTrade, Day]],
        day: Day,
        last_order: int,
        last_trade: int,
    ) -> None:
        """Write one venue call's changes and commit; on any failure nothing is written."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            # A plain INSERT: an order number used before fails here, loudly, not silently
            # overwriting the order that had it.
            db.executemany(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [_order_row(order) for order in placed],
            )
            db.executemany(_UPDATE_ORDER, [_order_changes(order) for order in changed])
            db.executemany(
                "INSERT INTO trades VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [_trade_row(seq, trade, trade_day) for seq, trade, trade_day in trades],
            )
            db.execute(
                "UPDATE venue SET trading_day = ?, last_order = ?, last_trade = ?",
                (_text(day), last_order, last_trade),
            )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on some errors (disk full)
                db.execute("ROLLBACK")
            raise


def _create_schema(connection: sqlite3.Connection, path: str) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise PaperStoreError(f"{path}: venue schema {version} is newer than {SCHEMA_VERSION}")
        for statement in _TABLES:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _text(day: Day) -> str:
    return "" if day is None else day.isoformat()


def _day(text: str) -> Day:
    return datetime.date.fromisoformat(text) if text else None


def _decode(
    read: Callable[[tuple[object, ...]], _T],
    row: tuple[object, ...],
    kind: str,
    records: VenueRecords,
) -> _T | None:
    """A row read back, or None (counted and logged) if it no longer decodes: a venue that
    cannot start is worse than one that reports a row it lost."""
    try:
        return read(row)
    except (ValueError, TypeError, AssertionError) as exc:
        records.skipped += 1
        _log.error("paper venue: unreadable %s row %r skipped: %s", kind, row[:2], exc)
        return None


def _order_row(order: PaperOrder) -> tuple[object, ...]:
    return (
        order.seq, order.broker_order_id, order.tag, order.symbol, order.side.value,
        order.order_type.value, order.product.value, order.quantity, order.limit_price,
        order.trigger_price, order.tick_size, order.status.value, order.status_message,
        order.filled_quantity, order.filled_value, int(order.triggered), order.eligible_ns,
        order.created_ns, order.updated_ns, _text(order.trading_day),
    )  # fmt: skip


def _order_changes(order: PaperOrder) -> tuple[object, ...]:
    return (
        order.quantity, order.limit_price, order.trigger_price, order.status.value,
        order.status_message, order.filled_quantity, order.filled_value, int(order.triggered),
        order.updated_ns, order.seq,
    )  # fmt: skip


def _order(row: tuple[object, ...]) -> PaperOrder:
    (seq, oid, tag, symbol, side, kind, product, quantity, limit, trigger, tick, status,
     message, filled, value, triggered, eligible, created, updated, day) = row  # fmt: skip
    return PaperOrder(
        seq=_int(seq),
        broker_order_id=str(oid),
        tag=str(tag),
        symbol=str(symbol),
        side=Side(side),
        order_type=OrderType(kind),
        product=Product(product),
        quantity=_int(quantity),
        limit_price=None if limit is None else _int(limit),
        trigger_price=None if trigger is None else _int(trigger),
        tick_size=_int(tick),
        eligible_ns=_int(eligible),
        created_ns=_int(created),
        trading_day=_day(str(day)),
        status=OrderStatus(status),
        status_message=str(message),
        filled_quantity=_int(filled),
        filled_value=_int(value),
        triggered=bool(triggered),
        updated_ns=_int(updated),
    )


def _trade_row(seq: int, trade: BrokerTrade, day: Day) -> tuple[object, ...]:
    return (
        seq, trade.trade_id, trade.broker_order_id, trade.tag, trade.symbol, trade.side.value,
        trade.quantity, trade.price, trade.product.value, trade.at_ns, _text(day),
    )  # fmt: skip


def _trade(row: tuple[object, ...]) -> tuple[BrokerTrade, Day]:
    _, trade_id, oid, tag, symbol, side, quantity, price, product, at_ns, day = row
    trade = BrokerTrade(
        trade_id=str(trade_id),
        broker_order_id=str(oid),
        tag=str(tag),
        symbol=str(symbol),
        side=Side(side),
        quantity=_int(quantity),
        price=_int(price),
        product=Product(product),
        at_ns=_int(at_ns),
    )
    return trade, _day(str(day))


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value
