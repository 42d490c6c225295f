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
creation) ask the injected clock.

Days: every daily record carries its trading day. A fill's is the exchange-local date of its
execution time (``zone``); an intent's, an order's, a state change's and an adjustment's is the
day its writer is trading in, passed explicitly: in a replay the wall clock is not market time,
and only the writer knows which day it is deciding for.
"""

from __future__ import annotations

import datetime
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.clock import Clock
from core.records import AdjustmentRecord
from journal.days import DEFAULT_TZ, day_of
from journal.reader import JournalReader
from journal.schema import BUSY_TIMEOUT_MS, connect
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus


class Journal(JournalReader):
    def __init__(
        self, connection: sqlite3.Connection, path: Path, clock: Clock, zone: str = DEFAULT_TZ
    ) -> None:
        super().__init__(connection)
        self._path = path
        self._clock = clock
        self._zone = zone

    @classmethod
    def open(
        cls, path: str | Path, clock: Clock, *, any_thread: bool = False, zone: str = DEFAULT_TZ
    ) -> Journal:
        """Open (creating it and its schema if needed) the journal file at ``path``. The parent
        directory must exist: it is the configured state directory, made by whoever owns it.
        ``any_thread``: for a pooled actor (see ``journal.schema.connect``). ``zone``: the
        exchange's time zone, which dates fills (and a version-1 file's records)."""
        resolved = Path(path)
        connection = connect(
            str(resolved), any_thread=any_thread, day_of=lambda ns: day_of(ns, zone).isoformat()
        )
        return cls(connection, resolved, clock, zone)

    def fill_day(self, fill: Fill) -> datetime.date:
        """The trading day a fill belongs to: the local date of its execution."""
        return day_of(fill.at_ns, self._zone)

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

    def record_intent(self, intent: OrderIntent, strategy_seq: int, day: datetime.date) -> bool:
        """Journal a strategy's intent before it is sent. ``False``: this client id is already
        journaled (the same decision, replayed after a restart)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO intents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (client_id) DO NOTHING",
                (
                    intent.client_id, intent.symbol, intent.side.value, intent.quantity,
                    intent.order_type.value, intent.limit_price, intent.trigger_price,
                    intent.product.value, intent.reason, strategy_seq, intent.origin_ns,
                    self._clock.now_ns(), day.isoformat(),
                ),
            )  # fmt: skip
        return cursor.rowcount == 1

    def record_order(self, intent: OrderIntent, day: datetime.date) -> bool:
        """Journal an approved order as ``NEW`` (with its first event) before the broker call.
        ``False``: an order with this client id exists already and must not be sent again."""
        now = self._clock.now_ns()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0) "
                "ON CONFLICT (client_id) DO NOTHING",
                (
                    intent.client_id, intent.symbol, intent.side.value, intent.quantity,
                    intent.order_type.value, intent.limit_price, intent.trigger_price,
                    intent.product.value, OrderStatus.NEW.value, None, 0, intent.reason,
                    now, now, day.isoformat(),
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

    def record_order_event(
        self, event: OrderEvent, *, sent: bool = False, day: datetime.date | None = None
    ) -> None:
        """Apply a status change to the order's row and append it to its history, together.

        A ``None`` broker order id keeps the one already known; ``sent`` marks the order as
        handed to the broker (it stays marked). An event for an order the journal has never
        seen (found at the broker) creates its row from the event alone, on ``day``.
        """
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE orders SET status = ?, broker_order_id = COALESCE(?, broker_order_id), "
                "filled_quantity = ?, reason = ?, updated_ns = ?, sent = MAX(sent, ?) "
                "WHERE client_id = ?",
                (
                    event.status.value, event.broker_order_id, event.filled_quantity,
                    event.reason, event.at_ns, int(sent), event.client_id,
                ),
            )  # fmt: skip
            if cursor.rowcount == 0:
                row_day = day if day is not None else day_of(event.at_ns, self._zone)
                db.execute(
                    "INSERT INTO orders VALUES (?,?,?,?,NULL,NULL,NULL,NULL,?,?,?,?,?,?,?,?)",
                    (
                        event.client_id, event.symbol, event.side.value, event.quantity,
                        event.status.value, event.broker_order_id, event.filled_quantity,
                        event.reason, event.at_ns, event.at_ns, row_day.isoformat(), int(sent),
                    ),
                )  # fmt: skip
            _append_event(db, event)

    def record_fill(self, fill: Fill) -> bool:
        """Journal a fill once. ``False``: this trade id is already journaled, so the fill must
        not be applied again (design rule 6)."""
        with self._transaction() as db:
            inserted = _insert_fill(db, fill, self.fill_day(fill))
        return inserted

    def record_trading_state(self, change: TradingStateChanged, day: datetime.date) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO trading_state (state, previous, source, reason, at_ns, day) "
                "VALUES (?,?,?,?,?,?)",
                (
                    change.state.value, change.previous.value, change.source.value,
                    change.reason, change.at_ns, day.isoformat(),
                ),
            )  # fmt: skip

    def record_adjustment(
        self,
        fill: Fill,
        adjustment: AdjustmentRecord,
        *,
        between: Callable[[], None] | None = None,
    ) -> bool:
        """Journal an adjustment fill and the adjustment that explains it, in one transaction:
        both or neither. ``False`` (and nothing written): that fill's trade id is already
        journaled, i.e. this adjustment was made before. ``between`` runs after the first write
        and before the commit (a crash-point drill proves the pair is atomic)."""
        with self._transaction() as db:
            if not _insert_fill(db, fill, adjustment.day):
                return False
            if between is not None:
                between()
            db.execute(
                "INSERT INTO position_adjustments (symbol, quantity_delta, cost_delta, reason, "
                "at_ns, day, product, trade_id) VALUES (?,?,?,?,?,?,?,?)",
                (
                    adjustment.symbol, adjustment.quantity_delta, adjustment.cost_delta,
                    adjustment.reason, adjustment.at_ns, adjustment.day.isoformat(),
                    adjustment.product.value, fill.trade_id,
                ),
            )  # fmt: skip
        return True

    def record_carry_mark(self, day: datetime.date, symbol: str, price: int) -> bool:
        """The price a position carried into ``day`` is valued from that day. ``False``: one is
        journaled already; the first stands."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO carry_marks VALUES (?,?,?) ON CONFLICT DO NOTHING",
                (day.isoformat(), symbol, price),
            )
        return cursor.rowcount == 1

    def set_current_day(self, day: datetime.date, since_ns: int) -> None:
        """Record the trading day the process is now in (start-up, or a day boundary)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO current_day VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET day = excluded.day, since_ns = excluded.since_ns",
                (day.isoformat(), since_ns),
            )


def _insert_fill(db: sqlite3.Connection, fill: Fill, day: datetime.date) -> bool:
    cursor = db.execute(
        "INSERT INTO fills VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (trade_id) DO NOTHING",
        (
            fill.trade_id, fill.client_id, fill.broker_order_id, fill.symbol, fill.side.value,
            fill.quantity, fill.price, fill.product.value, fill.at_ns, day.isoformat(),
        ),
    )  # fmt: skip
    return cursor.rowcount == 1


def _append_event(db: sqlite3.Connection, event: OrderEvent) -> None:
    db.execute(
        "INSERT INTO order_events (client_id, symbol, side, quantity, status, broker_order_id, "
        "filled_quantity, reason, at_ns) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            event.client_id, event.symbol, event.side.value, event.quantity, event.status.value,
            event.broker_order_id, event.filled_quantity, event.reason, event.at_ns,
        ),
    )  # fmt: skip
