"""The journal's tables, and the connection settings that make it safe.

Tables are ``STRICT``: a column declared INTEGER refuses a float or a string, so money (paise)
and times (nanoseconds) can only ever be stored as exact integers. Enums are stored as their
``.value`` text. Append-only histories (order events, trading state, adjustments) carry an
``id`` that orders them as written, which is the order that matters after a restart.

Connection settings, and why:

* ``journal_mode=WAL``: readers never block the writer and vice versa, so each actor can keep
  its own connection and read while another writes.
* ``synchronous=NORMAL``: in WAL mode a commit is durable as soon as it is in the WAL file, so it
  survives the *process* crashing, which is what a supervision restart or a systemd restart is.
  A power loss or kernel crash may lose the last few transactions (the WAL is fsynced at
  checkpoints, not at every commit); the start-up lookups at the broker (open orders by tag,
  positions) recover exactly that, and skipping an fsync per fill keeps the router fast.
* ``busy_timeout``: several actors write through their own connections; a writer that finds the
  lock taken waits up to this long instead of failing at once.
* Writes start with ``BEGIN IMMEDIATE``: the write lock is taken up front, so two connections
  can never both read and then deadlock upgrading to write (SQLite's busy handler cannot resolve
  that case and would fail one of them straight away).
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 2
"""2: every daily record carries its trading ``day`` (ISO date); orders say whether they were
``sent``; adjustments name their fill; carried positions' reference marks; the current day."""
BUSY_TIMEOUT_MS = 5_000

_TABLES = (
    """CREATE TABLE IF NOT EXISTS intents (
        client_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, side TEXT NOT NULL,
        quantity INTEGER NOT NULL, order_type TEXT NOT NULL, limit_price INTEGER,
        trigger_price INTEGER, product TEXT NOT NULL, reason TEXT NOT NULL,
        strategy_seq INTEGER NOT NULL, origin_ns INTEGER NOT NULL, created_ns INTEGER NOT NULL,
        day TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS intents_by_symbol ON intents (symbol, strategy_seq)",
    # order_type and product are NULL for an order first seen through an event (found at the
    # broker during reconciliation): the journal records what it knows, never a guess.
    """CREATE TABLE IF NOT EXISTS orders (
        client_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, side TEXT NOT NULL,
        quantity INTEGER NOT NULL, order_type TEXT, limit_price INTEGER, trigger_price INTEGER,
        product TEXT, status TEXT NOT NULL, broker_order_id TEXT,
        filled_quantity INTEGER NOT NULL, reason TEXT NOT NULL,
        created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL,
        day TEXT NOT NULL DEFAULT '', sent INTEGER NOT NULL DEFAULT 0
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS orders_by_created ON orders (created_ns)",
    "CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status)",
    """CREATE TABLE IF NOT EXISTS order_events (
        id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, symbol TEXT NOT NULL,
        side TEXT NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL,
        broker_order_id TEXT, filled_quantity INTEGER NOT NULL, reason TEXT NOT NULL,
        at_ns INTEGER NOT NULL
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS order_events_by_order ON order_events (client_id, id)",
    """CREATE TABLE IF NOT EXISTS fills (
        trade_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, broker_order_id TEXT,
        symbol TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL,
        price INTEGER NOT NULL, product TEXT NOT NULL, at_ns INTEGER NOT NULL,
        day TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS fills_by_time ON fills (at_ns)",
    "CREATE INDEX IF NOT EXISTS fills_by_symbol ON fills (symbol, at_ns)",
    "CREATE INDEX IF NOT EXISTS fills_by_client ON fills (client_id)",
    """CREATE TABLE IF NOT EXISTS trading_state (
        id INTEGER PRIMARY KEY, state TEXT NOT NULL, previous TEXT NOT NULL,
        source TEXT NOT NULL, reason TEXT NOT NULL, at_ns INTEGER NOT NULL,
        day TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    """CREATE TABLE IF NOT EXISTS position_adjustments (
        id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, quantity_delta INTEGER NOT NULL,
        cost_delta INTEGER NOT NULL, reason TEXT NOT NULL, at_ns INTEGER NOT NULL,
        day TEXT NOT NULL DEFAULT '', product TEXT NOT NULL DEFAULT 'MIS',
        trade_id TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    # Each modification the broker accepted, as it left the order (the orders row holds the
    # latest prices): the history of a trailing stop, and the count Kite limits (25 an order).
    """CREATE TABLE IF NOT EXISTS order_modifications (
        id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, trigger_price INTEGER,
        limit_price INTEGER, reason TEXT NOT NULL, at_ns INTEGER NOT NULL
    ) STRICT""",
    "CREATE INDEX IF NOT EXISTS order_modifications_by_order ON order_modifications "
    "(client_id, id)",
    # The price a position carried into a day is valued from on that day (its first mark):
    # what makes a day's PnL start at zero, journaled so a restart values it the same way.
    """CREATE TABLE IF NOT EXISTS carry_marks (
        day TEXT NOT NULL, symbol TEXT NOT NULL, price INTEGER NOT NULL,
        PRIMARY KEY (day, symbol)
    ) STRICT""",
    # The trading day this process is in: set at start-up and at each day boundary, read by an
    # actor that restarts, so it rebuilds for the day the process is in, not the day it began.
    """CREATE TABLE IF NOT EXISTS current_day (
        id INTEGER PRIMARY KEY CHECK (id = 1), day TEXT NOT NULL, since_ns INTEGER NOT NULL
    ) STRICT""",
)

_DAY_INDEXES = (
    "CREATE INDEX IF NOT EXISTS orders_by_day ON orders (day)",
    "CREATE INDEX IF NOT EXISTS fills_by_day ON fills (day, symbol)",
)

_V1_TO_V2 = (
    "ALTER TABLE intents ADD COLUMN day TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE orders ADD COLUMN day TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE orders ADD COLUMN sent INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE fills ADD COLUMN day TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE trading_state ADD COLUMN day TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE position_adjustments ADD COLUMN day TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE position_adjustments ADD COLUMN product TEXT NOT NULL DEFAULT 'MIS'",
    "ALTER TABLE position_adjustments ADD COLUMN trade_id TEXT NOT NULL DEFAULT ''",
    # A version-1 journal knew no days: each record gets the local date of its own time.
    "UPDATE intents SET day = shikra_day(created_ns)",
    "UPDATE orders SET day = shikra_day(created_ns), "
    "sent = (broker_order_id IS NOT NULL OR status NOT IN ('new', 'rejected'))",
    "UPDATE fills SET day = shikra_day(at_ns)",
    "UPDATE trading_state SET day = shikra_day(at_ns)",
    "UPDATE position_adjustments SET day = shikra_day(at_ns)",
)


class JournalError(RuntimeError):
    """The journal file cannot be used safely (not WAL-capable, or from a newer shikra)."""


def connect(
    path: str, *, any_thread: bool = False, day_of: Callable[[int], str] | None = None
) -> sqlite3.Connection:
    """A configured connection with the schema in place. Autocommit (``isolation_level=None``)
    so every transaction is explicit; the default ``check_same_thread`` turns a connection used
    from a second thread into an error instead of a silent race. ``any_thread`` is for a pooled
    actor, which runs on whichever worker is free but never on two at once: the dispatcher
    serialises it, so the connection is still used by one thread at a time. ``day_of`` (epoch
    ns -> ISO date) dates the records of a version-1 file when it is upgraded."""
    connection = sqlite3.connect(
        path,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=not any_thread,
    )
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise JournalError(f"{path}: journal_mode is {mode!r}, WAL is required")
        connection.execute("PRAGMA synchronous = NORMAL")
        _create_schema(connection, path, day_of)
        # From here on, writers wait for each other in ``Journal._begin`` (short back-off);
        # reads never wait in WAL mode.
        connection.execute("PRAGMA busy_timeout = 0")
    except BaseException:
        connection.close()
        raise
    return connection


def _create_schema(
    connection: sqlite3.Connection, path: str, day_of: Callable[[int], str] | None
) -> None:
    """Create missing tables (or upgrade a version-1 file) in one transaction; refuse a file
    written by a newer schema. A file already at this version is left alone (no write lock:
    opening a journal to read it must not stand in the writer's way)."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(f"{path}: schema version {version} is newer than {SCHEMA_VERSION}")
        if version == 1:
            connection.create_function("shikra_day", 1, day_of or _utc_day, deterministic=True)
            for statement in _V1_TO_V2:
                connection.execute(statement)
        for statement in (*_TABLES, *_DAY_INDEXES):
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _utc_day(at_ns: int) -> str:
    return datetime.datetime.fromtimestamp(at_ns // 1_000_000_000, datetime.UTC).date().isoformat()
