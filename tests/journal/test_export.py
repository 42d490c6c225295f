"""The daily export of a small hand-made day, checked line by line."""

from __future__ import annotations

from datetime import date

import pytest

from core.clock import VirtualClock
from journal import Journal, export_day, rupees
from journal.days import day_of
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus, OrderType, Side

SECOND = 1_000_000_000
MS = 1_000_000
DAY_START_NS = 1_795_113_000 * SECOND  # 2026-11-20 00:00 IST (2026-11-19 18:30 UTC)


def ist(hours: int, minutes: int, seconds: int = 0, ms: int = 0, day_offset: int = 0) -> int:
    """Epoch ns of a time of day on 2026-11-20 IST (or days around it)."""
    secs = day_offset * 86_400 + hours * 3600 + minutes * 60 + seconds
    return DAY_START_NS + secs * SECOND + ms * MS


@pytest.mark.parametrize(
    ("paise", "text"),
    [(152345, "1523.45"), (-5, "-0.05"), (0, "0.00"), (5, "0.05"), (100, "1.00"),
     (-152345, "-1523.45"), (10**17 + 1, "1000000000000000.01")],
)  # fmt: skip
def test_rupees_are_exact_with_two_decimals(paise, text):
    assert rupees(paise) == text


def _order(journal: Journal, clock: VirtualClock, at_ns: int, intent: OrderIntent) -> None:
    clock.advance((at_ns - clock.now_ns()) / SECOND)
    assert clock.now_ns() == at_ns
    journal.record_order(intent, day_of(at_ns))  # placed for the day it was placed on


def _event(intent: OrderIntent, status: OrderStatus, filled: int, at_ns: int) -> OrderEvent:
    return OrderEvent(client_id=intent.client_id, symbol=intent.symbol, side=intent.side,
                      status=status, quantity=intent.quantity, filled_quantity=filled,
                      broker_order_id=f"B-{intent.client_id}", at_ns=at_ns)  # fmt: skip


def _fill(trade_id: str, intent: OrderIntent, quantity: int, price: int, at_ns: int) -> Fill:
    return Fill(trade_id=trade_id, client_id=intent.client_id, symbol=intent.symbol,
                side=intent.side, quantity=quantity, price=price,
                broker_order_id=f"B-{intent.client_id}", at_ns=at_ns)  # fmt: skip


@pytest.fixture
def day_journal(tmp_path):
    clock = VirtualClock(start_ns=ist(15, 0, day_offset=-1))
    journal = Journal.open(tmp_path / "journal.sqlite", clock)
    yesterday = OrderIntent(client_id="y1", symbol="NSE:INFY", side=Side.BUY, quantity=1)
    buy = OrderIntent(client_id="i1", symbol="NSE:INFY", side=Side.BUY, quantity=10)
    sell = OrderIntent(
        client_id="i2", symbol="NSE:INFY", side=Side.SELL, quantity=10,
        order_type=OrderType.LIMIT, limit_price=151_050, reason="take profit",
    )  # fmt: skip
    short = OrderIntent(client_id="s1", symbol="NSE:SBIN", side=Side.SELL, quantity=5)
    cover = OrderIntent(client_id="s2", symbol="NSE:SBIN", side=Side.BUY, quantity=5)
    still_open = OrderIntent(client_id="i3", symbol="NSE:INFY", side=Side.BUY, quantity=3)

    _order(journal, clock, ist(15, 0, day_offset=-1), yesterday)
    journal.record_fill(_fill("T0", yesterday, 1, 100_000, ist(15, 0, 1, day_offset=-1)))
    _order(journal, clock, ist(9, 20), buy)
    journal.record_order_event(_event(buy, OrderStatus.FILLED, 10, ist(9, 20, 0, 500)))
    journal.record_fill(_fill("T1", buy, 10, 150_000, ist(9, 20, 0, 500)))
    _order(journal, clock, ist(10, 0), sell)
    journal.record_order_event(_event(sell, OrderStatus.PARTIALLY_FILLED, 4, ist(10, 0, 1)))
    journal.record_fill(_fill("T2", sell, 4, 151_050, ist(10, 0, 1)))
    journal.record_order_event(_event(sell, OrderStatus.FILLED, 10, ist(10, 0, 2, 250)))
    journal.record_fill(_fill("T3", sell, 6, 150_995, ist(10, 0, 2, 250)))
    _order(journal, clock, ist(11, 0), short)
    journal.record_order_event(_event(short, OrderStatus.FILLED, 5, ist(11, 0)))
    journal.record_fill(_fill("T4", short, 5, 80_005, ist(11, 0)))
    _order(journal, clock, ist(11, 30), cover)
    journal.record_order_event(_event(cover, OrderStatus.FILLED, 5, ist(11, 30)))
    journal.record_fill(_fill("T5", cover, 5, 80_010, ist(11, 30)))
    _order(journal, clock, ist(15, 0), still_open)
    journal.record_order_event(_event(still_open, OrderStatus.FILLED, 3, ist(15, 0, 0, 7)))
    journal.record_fill(_fill("T6", still_open, 3, 149_905, ist(15, 0, 0, 7)))
    yield journal
    journal.close()


def test_the_day_export_writes_hand_checked_orders_fills_and_trades(day_journal, tmp_path):
    files = export_day(day_journal, date(2026, 11, 20), tmp_path / "out")
    assert [p.name for p in files] == ["orders.csv", "fills.csv", "trades.csv"]
    assert files.orders.read_text(encoding="utf-8").splitlines() == [
        "created_at,client_id,symbol,side,quantity,order_type,limit_price,trigger_price,"
        "product,status,filled_quantity,broker_order_id,reason,updated_at",
        "2026-11-20T09:20:00.000+05:30,i1,NSE:INFY,BUY,10,MARKET,,,MIS,filled,10,B-i1,,"
        "2026-11-20T09:20:00.500+05:30",
        "2026-11-20T10:00:00.000+05:30,i2,NSE:INFY,SELL,10,LIMIT,1510.50,,MIS,filled,10,B-i2,,"
        "2026-11-20T10:00:02.250+05:30",
        "2026-11-20T11:00:00.000+05:30,s1,NSE:SBIN,SELL,5,MARKET,,,MIS,filled,5,B-s1,,"
        "2026-11-20T11:00:00.000+05:30",
        "2026-11-20T11:30:00.000+05:30,s2,NSE:SBIN,BUY,5,MARKET,,,MIS,filled,5,B-s2,,"
        "2026-11-20T11:30:00.000+05:30",
        "2026-11-20T15:00:00.000+05:30,i3,NSE:INFY,BUY,3,MARKET,,,MIS,filled,3,B-i3,,"
        "2026-11-20T15:00:00.007+05:30",
    ]
    assert files.fills.read_text(encoding="utf-8").splitlines() == [
        "time,trade_id,client_id,broker_order_id,symbol,side,quantity,price,value,product",
        "2026-11-20T09:20:00.500+05:30,T1,i1,B-i1,NSE:INFY,BUY,10,1500.00,15000.00,MIS",
        "2026-11-20T10:00:01.000+05:30,T2,i2,B-i2,NSE:INFY,SELL,4,1510.50,6042.00,MIS",
        "2026-11-20T10:00:02.250+05:30,T3,i2,B-i2,NSE:INFY,SELL,6,1509.95,9059.70,MIS",
        "2026-11-20T11:00:00.000+05:30,T4,s1,B-s1,NSE:SBIN,SELL,5,800.05,4000.25,MIS",
        "2026-11-20T11:30:00.000+05:30,T5,s2,B-s2,NSE:SBIN,BUY,5,800.10,4000.50,MIS",
        "2026-11-20T15:00:00.007+05:30,T6,i3,B-i3,NSE:INFY,BUY,3,1499.05,4497.15,MIS",
    ]
    # INFY: bought 10 at 1500.00, sold 4 at 1510.50 and 6 at 1509.95:
    #   4 x 10.50 + 6 x 9.95 = 42.00 + 59.70 = 101.70.
    # SBIN: shorted 5 at 800.05, covered at 800.10: 5 x -0.05 = -0.25.
    # INFY's last buy of 3 is still open at the end of the day: not a trade.
    assert files.trades.read_text(encoding="utf-8").splitlines() == [
        "symbol,direction,quantity,entry_time,exit_time,entry_value,exit_value,gross_pnl,fills",
        "NSE:INFY,LONG,10,2026-11-20T09:20:00.500+05:30,2026-11-20T10:00:02.250+05:30,"
        "15000.00,15101.70,101.70,3",
        "NSE:SBIN,SHORT,5,2026-11-20T11:00:00.000+05:30,2026-11-20T11:30:00.000+05:30,"
        "4000.25,4000.50,-0.25,2",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "fills.csv", "orders.csv", "trades.csv",
    ]  # fmt: skip


def test_values_and_pnl_carry_the_contract_multiplier(day_journal, tmp_path):
    """As if SBIN were a contract of 10 units per quoted price: its value and PnL are ten
    times price x quantity (4000.25 x 10, -0.25 x 10); prices and quantities stay as traded,
    and INFY (not in the mapping) is valued at 1."""
    files = export_day(day_journal, date(2026, 11, 20), tmp_path, multipliers={"NSE:SBIN": 10})
    fills = files.fills.read_text(encoding="utf-8").splitlines()
    assert fills[1].endswith("NSE:INFY,BUY,10,1500.00,15000.00,MIS")
    assert fills[4].endswith("NSE:SBIN,SELL,5,800.05,40002.50,MIS")
    assert fills[5].endswith("NSE:SBIN,BUY,5,800.10,40005.00,MIS")
    trades = files.trades.read_text(encoding="utf-8").splitlines()
    assert trades[1].endswith("15000.00,15101.70,101.70,3")
    assert trades[2].endswith("40002.50,40005.00,-2.50,2")


def test_a_day_without_activity_exports_headers_only(day_journal, tmp_path):
    files = export_day(day_journal, date(2026, 11, 21), tmp_path)
    assert [len(p.read_text(encoding="utf-8").splitlines()) for p in files] == [1, 1, 1]
