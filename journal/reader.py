"""The journal's read side: what an actor asks when it restarts (design rule 5).

Every read is its own SQLite read transaction on the owner's connection, so it sees everything
any connection (any actor) had committed when it began. Results come back in the order things
were written or happened, which is the order a restarted actor must replay them in.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from journal import records
from journal.days import DEFAULT_TZ, day_bounds_ns
from journal.records import AdjustmentRecord, IntentRecord, OrderRecord
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderStatus

_OPEN_STATUSES = tuple(status.value for status in OrderStatus if not status.is_terminal)


class JournalReader:
    """Readers over one connection. ``Journal`` adds the writers; this part is kept apart so
    the queries a restart depends on can be read in one place."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def intent(self, client_id: str) -> IntentRecord | None:
        row = self._db.execute("SELECT * FROM intents WHERE client_id = ?", (client_id,))
        found = row.fetchone()
        return records.intent_record(found) if found is not None else None

    def max_strategy_seq(self, symbol: str) -> int:
        """The highest sequence number journaled for ``symbol``'s strategy, 0 when none: a
        restarted strategy continues from here, so it never reuses a client id."""
        cursor = self._db.execute(
            "SELECT COALESCE(MAX(strategy_seq), 0) FROM intents WHERE symbol = ?", (symbol,)
        )
        return int(cursor.fetchone()[0])

    def order(self, client_id: str) -> OrderRecord | None:
        found = self._db.execute(
            "SELECT * FROM orders WHERE client_id = ?", (client_id,)
        ).fetchone()
        return records.order_record(found) if found is not None else None

    def orders(self, day: date | None = None, tz: str = DEFAULT_TZ) -> list[OrderRecord]:
        """Every order, or those created on ``day`` (a calendar day in ``tz``), oldest first."""
        if day is None:
            rows = self._db.execute("SELECT * FROM orders ORDER BY created_ns, rowid")
        else:
            start, end = day_bounds_ns(day, tz)
            rows = self._db.execute(
                "SELECT * FROM orders WHERE created_ns >= ? AND created_ns < ? "
                "ORDER BY created_ns, rowid",
                (start, end),
            )
        return [records.order_record(row) for row in rows]

    def open_orders(self) -> list[OrderRecord]:
        """Orders not yet in a terminal state, ``UNKNOWN`` included: each must be looked up at
        the broker (by tag) before anything is sent for it again."""
        marks = ",".join("?" * len(_OPEN_STATUSES))
        rows = self._db.execute(
            f"SELECT * FROM orders WHERE status IN ({marks}) ORDER BY created_ns, rowid",
            _OPEN_STATUSES,
        )
        return [records.order_record(row) for row in rows]

    def order_events(self, client_id: str | None = None) -> list[OrderEvent]:
        """Status changes as written, for one order or all."""
        if client_id is None:
            rows = self._db.execute("SELECT * FROM order_events ORDER BY id")
        else:
            rows = self._db.execute(
                "SELECT * FROM order_events WHERE client_id = ? ORDER BY id", (client_id,)
            )
        return [records.order_event(row) for row in rows]

    def fills(
        self, symbol: str | None = None, since_ns: int | None = None, until_ns: int | None = None
    ) -> list[Fill]:
        """Fills in time order (ties in the order written), optionally for one symbol and within
        ``[since_ns, until_ns)``."""
        clauses: list[str] = []
        values: list[object] = []
        if symbol is not None:
            clauses.append("symbol = ?")
            values.append(symbol)
        if since_ns is not None:
            clauses.append("at_ns >= ?")
            values.append(since_ns)
        if until_ns is not None:
            clauses.append("at_ns < ?")
            values.append(until_ns)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM fills {where} ORDER BY at_ns, rowid", values)
        return [records.fill(row) for row in rows]

    def last_trading_state(self) -> TradingStateChanged | None:
        """The most recently written change (by write order, not by ``at_ns``): the state
        RiskGate must come back in."""
        found = self._db.execute("SELECT * FROM trading_state ORDER BY id DESC LIMIT 1")
        row = found.fetchone()
        return records.trading_state_changed(row) if row is not None else None

    def trading_states(self) -> list[TradingStateChanged]:
        rows = self._db.execute("SELECT * FROM trading_state ORDER BY id")
        return [records.trading_state_changed(row) for row in rows]

    def adjustments(self, symbol: str | None = None) -> list[AdjustmentRecord]:
        if symbol is None:
            rows = self._db.execute("SELECT * FROM position_adjustments ORDER BY id")
        else:
            rows = self._db.execute(
                "SELECT * FROM position_adjustments WHERE symbol = ? ORDER BY id", (symbol,)
            )
        return [records.adjustment_record(row) for row in rows]
