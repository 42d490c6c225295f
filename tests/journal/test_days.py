"""The journal's trading days: every daily record carries its day, restores read by day, a
version-1 file is upgraded with each record dated by its own time in IST."""

from __future__ import annotations

import sqlite3
from datetime import date

from core.clock import VirtualClock
from core.recovery import CARRIED_PRODUCTS
from journal import Journal
from journal.schema import SCHEMA_VERSION
from messages import Fill, OrderEvent, OrderIntent, OrderStatus, Product, Side

SECOND = 1_000_000_000
FRI_MIDNIGHT_IST = 1_795_717_800 * SECOND  # 2026-11-27 00:00 IST
FRI, SAT, MON = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)


def _fill(trade_id: str, day_offset: int, product: Product = Product.MIS, **kw: object) -> Fill:
    values: dict[str, object] = {
        "client_id": "C1", "symbol": "NSE:INFY", "side": Side.BUY, "quantity": 1,
        "price": 100, "product": product,
        "at_ns": FRI_MIDNIGHT_IST + day_offset * 86_400 * SECOND + 10 * 3600 * SECOND,
    }  # fmt: skip
    values.update(kw)
    return Fill(trade_id=trade_id, **values)  # type: ignore[arg-type]


def test_restores_read_the_day_and_what_carries_into_it(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", VirtualClock()) as journal:
        journal.record_fill(_fill("F-mis", 0))
        journal.record_fill(_fill("F-cnc", 0, Product.CNC, symbol="NSE:ITC"))
        journal.record_fill(_fill("M-mis", 3))
        assert [f.trade_id for f in journal.fills_of_day(MON)] == ["M-mis"]
        assert [f.trade_id for f in journal.fills_before(MON, CARRIED_PRODUCTS)] == ["F-cnc"]
        assert journal.fills_before(FRI, CARRIED_PRODUCTS) == []
        # Today's and the last trading day's trades: all the broker can still report.
        assert journal.recent_trade_ids(MON) == {"F-mis", "F-cnc", "M-mis"}
        assert journal.recent_trade_ids(date(2026, 12, 1)) == {"M-mis"}
        assert journal.days_with_records() == [FRI, MON]


def test_the_days_order_count_is_what_was_handed_to_the_broker(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", VirtualClock()) as journal:
        for cid in ("FLAT000007", "FLAT000012", "S1", "S2"):
            intent = OrderIntent(client_id=cid, symbol="NSE:INFY", side=Side.BUY, quantity=1)
            journal.record_order(intent, MON)
        sent = OrderEvent(
            client_id="S1", symbol="NSE:INFY", side=Side.BUY, status=OrderStatus.SUBMITTED,
            quantity=1, broker_order_id="B1",
        )  # fmt: skip
        journal.record_order_event(sent, sent=True)
        refused = OrderEvent(
            client_id="S2", symbol="NSE:INFY", side=Side.BUY, status=OrderStatus.REJECTED,
            quantity=1,
        )  # fmt: skip
        journal.record_order_event(refused)
        assert journal.sent_count(MON) == 1 and journal.sent_count(FRI) == 0
        assert journal.max_client_seq("FLAT") == 12 and journal.max_client_seq("NONE") == 0


def test_the_current_day_and_carry_marks(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", VirtualClock()) as journal:
        assert journal.current_day() is None
        journal.set_current_day(FRI, 1)
        journal.set_current_day(MON, 2)
        assert journal.current_day() == MON
        assert journal.record_carry_mark(MON, "NSE:ITC", 40_500) is True
        assert journal.record_carry_mark(MON, "NSE:ITC", 40_000) is False  # the first stands
        assert journal.carry_marks(MON) == {"NSE:ITC": 40_500} and journal.carry_marks(SAT) == {}


V1 = (
    "CREATE TABLE intents (client_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, side TEXT NOT NULL,"
    " quantity INTEGER NOT NULL, order_type TEXT NOT NULL, limit_price INTEGER, trigger_price"
    " INTEGER, product TEXT NOT NULL, reason TEXT NOT NULL, strategy_seq INTEGER NOT NULL,"
    " origin_ns INTEGER NOT NULL, created_ns INTEGER NOT NULL) STRICT",
    "CREATE TABLE orders (client_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, side TEXT NOT NULL,"
    " quantity INTEGER NOT NULL, order_type TEXT, limit_price INTEGER, trigger_price INTEGER,"
    " product TEXT, status TEXT NOT NULL, broker_order_id TEXT, filled_quantity INTEGER NOT"
    " NULL, reason TEXT NOT NULL, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL)"
    " STRICT",
    "CREATE TABLE order_events (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL, symbol TEXT NOT"
    " NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL, status TEXT NOT NULL, broker_order_id"
    " TEXT, filled_quantity INTEGER NOT NULL, reason TEXT NOT NULL, at_ns INTEGER NOT NULL)"
    " STRICT",
    "CREATE TABLE fills (trade_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, broker_order_id"
    " TEXT, symbol TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL, price INTEGER"
    " NOT NULL, product TEXT NOT NULL, at_ns INTEGER NOT NULL) STRICT",
    "CREATE TABLE trading_state (id INTEGER PRIMARY KEY, state TEXT NOT NULL, previous TEXT NOT"
    " NULL, source TEXT NOT NULL, reason TEXT NOT NULL, at_ns INTEGER NOT NULL) STRICT",
    "CREATE TABLE position_adjustments (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL,"
    " quantity_delta INTEGER NOT NULL, cost_delta INTEGER NOT NULL, reason TEXT NOT NULL, at_ns"
    " INTEGER NOT NULL) STRICT",
)


def test_a_version_one_journal_is_upgraded_with_every_record_dated_in_ist(tmp_path):
    path = tmp_path / "old.sqlite"
    late_friday = FRI_MIDNIGHT_IST + 86_400 * SECOND - SECOND  # 23:59:59 IST, Friday
    with sqlite3.connect(path) as db:
        for statement in V1:
            db.execute(statement)
        db.execute("INSERT INTO fills VALUES ('T1','C1','B1','NSE:INFY','BUY',1,100,'MIS',?)",
                   (late_friday,))  # fmt: skip
        db.execute("INSERT INTO orders VALUES ('C1','NSE:INFY','BUY',1,'MARKET',NULL,NULL,'MIS',"
                   "'filled','B1',1,'',?,?)", (late_friday, late_friday))  # fmt: skip
        db.execute("INSERT INTO orders VALUES ('C2','NSE:INFY','BUY',1,'MARKET',NULL,NULL,'MIS',"
                   "'rejected',NULL,0,'',?,?)", (late_friday + SECOND, late_friday))  # fmt: skip
        db.execute("PRAGMA user_version = 1")
    with Journal.open(path, VirtualClock()) as journal:
        assert [f.trade_id for f in journal.fills_of_day(FRI)] == ["T1"]
        assert [o.client_id for o in journal.orders(FRI)] == ["C1"]
        assert [o.client_id for o in journal.orders(SAT)] == ["C2"]  # 00:00:00 IST, Saturday
        assert journal.order("C1").sent and not journal.order("C2").sent
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2


def test_shikras_client_ids_of_any_day_are_told_from_the_rest(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", VirtualClock()) as journal:
        for day, cid in ((FRI, "S-fri"), (MON, "S-mon")):
            intent = OrderIntent(client_id=cid, symbol="NSE:INFY", side=Side.BUY, quantity=1)
            journal.record_order(intent, day)
        tags = ["S-fri", "S-mon", "", "byhand", *(f"x{n}" for n in range(700))]
        assert journal.known_client_ids(tags) == {"S-fri", "S-mon"}
