"""The journal's read side: what an actor asks when it (re)starts or a trading day begins
(design rule 5).

Every read is its own SQLite read transaction on the owner's connection, so it sees everything
any connection (any actor) had committed when it began. Results come back in the order they
were *written* (rowid), which is the order they were applied in: a restarted actor replays them
in that order, and FIFO lots come out exactly as they did live (exchange times may interleave
differently, e.g. across restarts of a synthetic session). Daily reads take a trading day and
read only that day's rows (indexed), never the whole history.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterable

from core.records import AdjustmentRecord, IntentRecord, OrderRecord, StateRecord
from journal import records
from journal.days import DEFAULT_TZ, day_bounds_ns
from messages.control import TradingStateChanged
from messages.orders import Fill, OrderEvent, OrderStatus, Product

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

    def order_reasons(self) -> dict[str, str]:
        """Why each order was sent, by client id: its first event's reason, which is its
        intent's (a strategy's ``exit: take_profit``, a venue stop's ``stop: stop_loss``,
        RiskGate's ``square-off`` or ``flatten``)."""
        cursor = self._db.execute(
            "SELECT client_id, reason FROM order_events WHERE id IN "
            "(SELECT MIN(id) FROM order_events GROUP BY client_id)"
        )
        return {client_id: reason for client_id, reason in cursor.fetchall()}

    def modification_count(self, client_id: str) -> int:
        """How many modifications of the order the broker accepted (Kite allows 25)."""
        cursor = self._db.execute(
            "SELECT COUNT(*) FROM order_modifications WHERE client_id = ?", (client_id,)
        )
        return int(cursor.fetchone()[0])

    def modifications(self, client_id: str) -> list[tuple[int | None, int | None, str, int]]:
        """The order's accepted modifications, oldest first: (trigger, limit, reason, at_ns)."""
        cursor = self._db.execute(
            "SELECT trigger_price, limit_price, reason, at_ns FROM order_modifications "
            "WHERE client_id = ? ORDER BY id",
            (client_id,),
        )
        return [tuple(row) for row in cursor.fetchall()]

    def max_strategy_seq(self, symbol: str) -> int:
        """The highest sequence number journaled for ``symbol``'s strategy, 0 when none: a
        restarted strategy continues from here, so it never reuses a client id (on any day)."""
        cursor = self._db.execute(
            "SELECT COALESCE(MAX(strategy_seq), 0) FROM intents WHERE symbol = ?", (symbol,)
        )
        return int(cursor.fetchone()[0])

    def max_client_seq(self, prefix: str) -> int:
        """The highest number after ``prefix`` among client ids of every day (e.g. RiskGate's
        flatten orders ``FLAT000012``): ids are never reused, yesterday's included."""
        cursor = self._db.execute(
            "SELECT client_id FROM orders WHERE client_id >= ? AND client_id < ? "
            "ORDER BY length(client_id) DESC, client_id DESC LIMIT 1",
            (prefix, prefix + "\U0010ffff"),
        )
        row = cursor.fetchone()
        rest = row[0][len(prefix) :] if row is not None else ""
        return int(rest) if rest.isdigit() else 0

    def order(self, client_id: str) -> OrderRecord | None:
        found = self._db.execute(
            "SELECT * FROM orders WHERE client_id = ?", (client_id,)
        ).fetchone()
        return records.order_record(found) if found is not None else None

    def orders(self, day: datetime.date | None = None, tz: str = DEFAULT_TZ) -> list[OrderRecord]:
        """Every order, or those of trading day ``day``, oldest first. (``tz`` is kept for
        callers that still pass it: a day is the order's own, journaled day.)"""
        if day is None:
            rows = self._db.execute("SELECT * FROM orders ORDER BY created_ns, rowid")
        else:
            rows = self._db.execute(
                "SELECT * FROM orders WHERE day = ? ORDER BY created_ns, rowid", (day.isoformat(),)
            )
        return [records.order_record(row) for row in rows]

    def open_orders(self) -> list[OrderRecord]:
        """Orders not yet in a terminal state (``UNKNOWN`` included), of every day: today's
        must be looked up at the broker before anything is sent for them again; an earlier
        day's ended with its day."""
        marks = ",".join("?" * len(_OPEN_STATUSES))
        rows = self._db.execute(
            f"SELECT * FROM orders WHERE status IN ({marks}) ORDER BY created_ns, rowid",
            _OPEN_STATUSES,
        )
        return [records.order_record(row) for row in rows]

    def sent_count(self, day: datetime.date) -> int:
        """Orders of ``day`` handed to the broker: what the day's order cap has used."""
        cursor = self._db.execute(
            "SELECT COUNT(*) FROM orders WHERE day = ? AND sent = 1", (day.isoformat(),)
        )
        return int(cursor.fetchone()[0])

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
        ``[since_ns, until_ns)``: for reports. Restores read by day (``fills_of_day``)."""
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

    def fills_of_day(self, day: datetime.date, symbol: str | None = None) -> list[Fill]:
        """The trading day's fills in the order they were journaled (applied)."""
        if symbol is None:
            rows = self._db.execute(
                "SELECT * FROM fills WHERE day = ? ORDER BY rowid", (day.isoformat(),)
            )
        else:
            rows = self._db.execute(
                "SELECT * FROM fills WHERE day = ? AND symbol = ? ORDER BY rowid",
                (day.isoformat(), symbol),
            )
        return [records.fill(row) for row in rows]

    def fills_before(
        self, day: datetime.date, products: Iterable[Product], symbol: str | None = None
    ) -> list[Fill]:
        """Fills of days before ``day`` in the given products (those that carry overnight), in
        the order journaled: what positions carried into ``day`` are made of."""
        wanted = tuple(product.value for product in products)
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        query = f"SELECT * FROM fills WHERE day < ? AND product IN ({marks})"
        values: list[object] = [day.isoformat(), *wanted]
        if symbol is not None:
            query += " AND symbol = ?"
            values.append(symbol)
        rows = self._db.execute(query + " ORDER BY rowid", values)
        return [records.fill(row) for row in rows]

    def recent_trade_ids(self, day: datetime.date) -> set[str]:
        """Trade ids of ``day`` and of the latest earlier day with fills: every trade the
        broker can still list or report late (it lists only today's)."""
        rows = self._db.execute(
            "SELECT trade_id FROM fills WHERE day >= COALESCE("
            "(SELECT MAX(day) FROM fills WHERE day < ?), ?)",
            (day.isoformat(), day.isoformat()),
        )
        return {row[0] for row in rows}

    def known_client_ids(self, client_ids: Iterable[str]) -> set[str]:
        """Which of these are client ids of shikra's orders (of any day): how a broker's
        order or trade is told from one placed by hand."""
        ids = sorted(set(client_ids))
        known: set[str] = set()
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT client_id FROM orders WHERE client_id IN ({marks})", chunk
            )
            known.update(row[0] for row in rows)
        return known

    def fills_for_orders(self, client_ids: Iterable[str]) -> list[Fill]:
        """Every fill of the given orders, in the order journaled."""
        ids = list(client_ids)
        found: list[Fill] = []
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT * FROM fills WHERE client_id IN ({marks}) ORDER BY rowid", chunk
            )
            found.extend(records.fill(row) for row in rows)
        return found

    def last_trading_state(self) -> TradingStateChanged | None:
        """The most recently written change (by write order, not by ``at_ns``)."""
        record = self.last_state_record()
        return record.change if record is not None else None

    def last_state_record(self) -> StateRecord | None:
        """The most recently written change with its trading day: the state RiskGate comes
        back in (a loss-limit halt only on its own day)."""
        found = self._db.execute("SELECT * FROM trading_state ORDER BY id DESC LIMIT 1")
        row = found.fetchone()
        return records.state_record(row) if row is not None else None

    def trading_states(self) -> list[TradingStateChanged]:
        rows = self._db.execute("SELECT * FROM trading_state ORDER BY id")
        return [records.trading_state_changed(row) for row in rows]

    def adjustments(
        self, symbol: str | None = None, day: datetime.date | None = None
    ) -> list[AdjustmentRecord]:
        clauses: list[str] = []
        values: list[object] = []
        if symbol is not None:
            clauses.append("symbol = ?")
            values.append(symbol)
        if day is not None:
            clauses.append("day = ?")
            values.append(day.isoformat())
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM position_adjustments {where} ORDER BY id", values)
        return [records.adjustment_record(row) for row in rows]

    def carry_marks(self, day: datetime.date) -> dict[str, int]:
        """Reference prices of the positions carried into ``day``, by symbol."""
        rows = self._db.execute(
            "SELECT symbol, price FROM carry_marks WHERE day = ?", (day.isoformat(),)
        )
        return {symbol: price for symbol, price in rows}

    def current_day(self) -> datetime.date | None:
        """The trading day the running process last said it is in (None before any start)."""
        row = self._db.execute("SELECT day FROM current_day WHERE id = 1").fetchone()
        return datetime.date.fromisoformat(row[0]) if row is not None else None

    def days_with_records(self) -> list[datetime.date]:
        """Every trading day with an order or a fill, oldest first (what exports cover)."""
        rows = self._db.execute(
            "SELECT day FROM orders WHERE day != '' UNION SELECT day FROM fills WHERE day != '' "
            "ORDER BY 1"
        )
        return [datetime.date.fromisoformat(row[0]) for row in rows]

    def day_bounds(self, day: datetime.date, tz: str = DEFAULT_TZ) -> tuple[int, int]:
        return day_bounds_ns(day, tz)
