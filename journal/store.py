"""A journal on a connection of its own: ``Journal.open(path, clock)``, the readers, and one
method per thing recorded, each its own committed transaction.

**Who uses it.** The running daemon's actors do not: they all write, and restore, through the one
``journal.writer.JournalWriter`` (a thread, group commit). This class is for everything else
that opens the file — the exports, the operator's status, tools, tests — and for reading on a
thread that should not wait for the writer (a day's export). Connections are never shared
between threads (the default ``check_same_thread`` makes a mistake loud); WAL lets readers read
while the writer writes (``journal.schema`` says why each setting).

**Written before returning.** Every ``record_*`` commits before it returns. Writes that must
agree (an order's row and its event history, an adjustment's fill and record) share one
transaction. The SQL of every write is ``journal.writes``, shared with the writer.

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
from journal import writes
from journal.days import DEFAULT_TZ, day_of
from journal.reader import JournalReader
from journal.schema import BUSY_TIMEOUT_MS, connect
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderIntent


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
            return writes.intent(db, intent, strategy_seq, day, self._clock.now_ns())

    def record_order(self, intent: OrderIntent, day: datetime.date) -> bool:
        """Journal an approved order as ``NEW`` (with its first event) before the broker call.
        ``False``: an order with this client id exists already and must not be sent again."""
        with self._transaction() as db:
            return writes.order(db, intent, day, self._clock.now_ns())

    def record_order_event(
        self, event: OrderEvent, *, sent: bool = False, day: datetime.date | None = None
    ) -> None:
        """See ``journal.writes.order_event``; ``day`` defaults to the event's own date."""
        with self._transaction() as db:
            writes.order_event(
                db,
                event,
                sent=sent,
                day=day if day is not None else day_of(event.at_ns, self._zone),
            )

    def record_fill(self, fill: Fill) -> bool:
        """Journal a fill once. ``False``: this trade id is already journaled, so the fill must
        not be applied again (design rule 6)."""
        with self._transaction() as db:
            return writes.fill(db, fill, self.fill_day(fill))

    def record_trading_state(self, change: TradingStateChanged, day: datetime.date) -> None:
        with self._transaction() as db:
            writes.trading_state(db, change, day)

    def record_adjustment(
        self,
        fill: Fill,
        adjustment: AdjustmentRecord,
        *,
        between: Callable[[], None] | None = None,
    ) -> bool:
        """See ``journal.writes.adjustment``: both or neither."""
        with self._transaction() as db:
            return writes.adjustment(db, fill, adjustment, between)

    def record_carry_mark(self, day: datetime.date, symbol: str, price: int) -> bool:
        """See ``journal.writes.carry_mark``."""
        with self._transaction() as db:
            return writes.carry_mark(db, day, symbol, price)

    def set_current_day(self, day: datetime.date, since_ns: int) -> None:
        """Record the trading day the process is now in (start-up, or a day boundary)."""
        with self._transaction() as db:
            writes.current_day(db, day, since_ns)
