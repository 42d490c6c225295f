"""The journal's write side: ``Journal.open(path, clock)`` and one method per thing recorded.

**One connection per owner.** Each actor opens its own ``Journal`` (in its ``on_start``, on its
own thread) and closes it when it stops; connections are never shared between threads (SQLite
objects are not thread-safe, and the default ``check_same_thread`` makes a mistake loud).
Several journals on one file are the normal case: WAL and ``busy_timeout`` let them write in
turn (``journal.schema`` says why each setting).

**Written before acting.** Every writer runs its own transaction and commits before returning,
so when a strategy sends an intent or the router calls the broker, the record already survives a
crash. Writes that must agree (an order's row and its event history) share one transaction.

**Idempotent where replays happen.** After a restart the same intent, order or fill can be
presented again (held messages, reconciliation). ``record_intent``, ``record_order`` and
``record_fill`` therefore insert only when the key is new and say whether they did: ``False``
means "already journaled", which for ``record_order`` is exactly the "never send twice" check.
A repeated key is not compared with what was stored first: the first record stands.

Times: writes that carry a message with its own time use it; the others (an intent's or order's
creation, an adjustment without ``at_ns``) ask the injected clock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.clock import Clock
from journal.reader import JournalReader
from journal.schema import BUSY_TIMEOUT_MS, connect
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus


class Journal(JournalReader):
    def __init__(self, connection: sqlite3.Connection, path: Path, clock: Clock) -> None:
        super().__init__(connection)
        self._path = path
        self._clock = clock

    @classmethod
    def open(cls, path: str | Path, clock: Clock, *, any_thread: bool = False) -> Journal:
        """Open (creating it and its schema if needed) the journal file at ``path``. The parent
        directory must exist: it is the configured state directory, made by whoever owns it.
        ``any_thread``: for a pooled actor (see ``journal.schema.connect``)."""
        resolved = Path(path)
        return cls(connect(str(resolved), any_thread=any_thread), resolved, clock)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed write transaction, rolled back if anything in it fails."""
        self._begin()
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _begin(self) -> None:
        """Take the write lock, waiting for another writer as briefly as it needs.

        SQLite's own busy handler sleeps 1, 2, 5, 10 ms... between attempts: fine for a web
        app, ruinous for an order path whose writes take ~50 µs each, where it turned a
        strategy's wait behind the router into tens of milliseconds of tick-to-order latency.
        So connections have no SQLite busy handler (``busy_timeout`` 0: reads never wait in WAL
        mode) and the write lock is retried here from 50 µs, doubling to at most 2 ms, up to
        the same overall deadline."""
        delay, waited = 0.00005, 0.0
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or waited >= BUSY_TIMEOUT_MS / 1000:
                    raise
            time.sleep(delay)  # a back-off between lock attempts, not synchronisation
            waited += delay
            delay = min(delay * 2, 0.002)

    def record_intent(self, intent: OrderIntent, strategy_seq: int) -> bool:
        """Journal a strategy's intent before it is sent. ``False``: this client id is already
        journaled (the same decision, replayed after a restart)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO intents VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (client_id) DO NOTHING",
                (
                    intent.client_id, intent.symbol, intent.side.value, intent.quantity,
                    intent.order_type.value, intent.limit_price, intent.trigger_price,
                    intent.product.value, intent.reason, strategy_seq, intent.origin_ns,
                    self._clock.now_ns(),
                ),
            )  # fmt: skip
        return cursor.rowcount == 1

    def record_order(self, intent: OrderIntent) -> bool:
        """Journal an approved order as ``NEW`` (with its first event) before the broker call.
        ``False``: an order with this client id exists already and must not be sent again."""
        now = self._clock.now_ns()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (client_id) DO NOTHING",
                (
                    intent.client_id, intent.symbol, intent.side.value, intent.quantity,
                    intent.order_type.value, intent.limit_price, intent.trigger_price,
                    intent.product.value, OrderStatus.NEW.value, None, 0, intent.reason,
                    now, now,
                ),
            )  # fmt: skip
            inserted = cursor.rowcount == 1
            if inserted:
                new = OrderEvent(
                    client_id=intent.client_id,
                    symbol=intent.symbol,
                    side=intent.side,
                    status=OrderStatus.NEW,
                    quantity=intent.quantity,
                    reason=intent.reason,
                    at_ns=now,
                )
                _append_event(db, new)
        return inserted

    def record_order_event(self, event: OrderEvent) -> None:
        """Apply a status change to the order's row and append it to its history, together.

        A ``None`` broker order id keeps the one already known. An event for an order the
        journal has never seen (found at the broker) creates its row from the event alone.
        """
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE orders SET status = ?, broker_order_id = COALESCE(?, broker_order_id), "
                "filled_quantity = ?, reason = ?, updated_ns = ? WHERE client_id = ?",
                (
                    event.status.value, event.broker_order_id, event.filled_quantity,
                    event.reason, event.at_ns, event.client_id,
                ),
            )  # fmt: skip
            if cursor.rowcount == 0:
                db.execute(
                    "INSERT INTO orders VALUES (?,?,?,?,NULL,NULL,NULL,NULL,?,?,?,?,?,?)",
                    (
                        event.client_id, event.symbol, event.side.value, event.quantity,
                        event.status.value, event.broker_order_id, event.filled_quantity,
                        event.reason, event.at_ns, event.at_ns,
                    ),
                )  # fmt: skip
            _append_event(db, event)

    def record_fill(self, fill: Fill) -> bool:
        """Journal a fill once. ``False``: this trade id is already journaled, so the fill must
        not be applied again (design rule 6)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO fills VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (trade_id) DO NOTHING",
                (
                    fill.trade_id, fill.client_id, fill.broker_order_id, fill.symbol,
                    fill.side.value, fill.quantity, fill.price, fill.product.value, fill.at_ns,
                ),
            )  # fmt: skip
        return cursor.rowcount == 1

    def record_trading_state(self, change: TradingStateChanged) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO trading_state (state, previous, source, reason, at_ns) "
                "VALUES (?,?,?,?,?)",
                (
                    change.state.value, change.previous.value, change.source.value,
                    change.reason, change.at_ns,
                ),
            )  # fmt: skip

    def record_adjustment(
        self,
        symbol: str,
        quantity_delta: int,
        cost_delta: int,
        reason: str,
        at_ns: int | None = None,
    ) -> None:
        """Journal a position change that no fill explains (``cost_delta`` in paise)."""
        when = self._clock.now_ns() if at_ns is None else at_ns
        with self._transaction() as db:
            db.execute(
                "INSERT INTO position_adjustments "
                "(symbol, quantity_delta, cost_delta, reason, at_ns) VALUES (?,?,?,?,?)",
                (symbol, quantity_delta, cost_delta, reason, when),
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
