"""RiskBook and the trading day's schedule: entries end at the entry cut-off (reason
``reducing``, judged at the intent's own market time), exits go on, REDUCING is reached from the
schedule, the soft loss line and the operator, and a new day lifts what was the day's."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import replace

from core.exchange_calendar import ExchangeCalendar
from core.market_hours import MarketHours, Segment
from core.records import StateRecord
from core.recovery import RiskRestore, resume_state
from core.risk import Instrument, RiskBook
from core.session import Session
from messages import (
    Fill,
    OrderIntent,
    Phase,
    PnLUpdate,
    RejectReason,
    Side,
    StateSource,
    TradingState,
    TradingStateChanged,
)
from tests.core.test_risk import LIMITS

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
T = datetime.time
CASH = Session(T(9, 0), T(9, 15), T(15, 0), T(15, 15), T(15, 30))
FNO = Session(T(9, 0), T(9, 15), T(15, 5), T(15, 20), T(15, 30))
HOLIDAY = datetime.date(2026, 11, 24)
CAL = ExchangeCalendar(holidays={HOLIDAY: "Guru Nanak Jayanti"})
HOURS = MarketHours(
    IST, T(9, 15), T(15, 30), segments={"NSE": Segment(CASH, CAL), "NFO": Segment(FNO, CAL)}
)
INFY, NIFTY = "NSE:INFY", "NFO:NIFTY26DECFUT"


def ist(hh: int, mm: int, ss: int = 0, day: int = 20) -> int:
    moment = datetime.datetime(2026, 11, day, hh, mm, ss, tzinfo=IST)
    return int(moment.timestamp()) * 1_000_000_000


_seq = iter(range(10**6))


def intent(side: Side, qty: int, at_ns: int, symbol: str = INFY) -> OrderIntent:
    return OrderIntent(
        client_id=f"c{next(_seq)}", symbol=symbol, side=side, quantity=qty, market_ns=at_ns
    )


def book(**limits: object) -> RiskBook:
    b = RiskBook(
        limits=replace(LIMITS, **limits),
        instruments={
            INFY: Instrument(tick_size=5, lot_size=1),
            NIFTY: Instrument(tick_size=10, lot_size=75),
        },
        hours=HOURS,
        state=TradingState.ACTIVE,
    )
    b.on_marks({INFY: 1_000_00, NIFTY: 1_000_00}, ist(10, 0))
    return b


def hold(b: RiskBook, symbol: str, quantity: int) -> None:
    b.on_fill(
        Fill(trade_id=f"t{next(_seq)}", client_id="x", symbol=symbol, side=Side.BUY,
             quantity=quantity, price=1_000_00)
    )  # fmt: skip


def test_an_entry_at_the_cutoff_is_refused_as_reducing_one_before_it_passes():
    b = book()
    assert b.evaluate(intent(Side.BUY, 10, ist(14, 59, 59))).approved
    late = b.evaluate(intent(Side.BUY, 10, ist(15, 0)))
    assert late.reason is RejectReason.REDUCING
    assert "15:00" in late.detail and "entry_cutoff" in late.detail


def test_after_the_cutoff_an_exit_still_goes_and_counts_as_reducing():
    b = book()
    hold(b, INFY, 10)
    verdict = b.evaluate(intent(Side.SELL, 10, ist(15, 16)))
    assert verdict.approved and verdict.reduces
    assert b.evaluate(intent(Side.SELL, 10, ist(15, 16))).reason is RejectReason.REDUCING  # flip


def test_the_cutoff_is_judged_at_the_intents_time_even_if_marks_lag():
    b = book()  # marks say 10:00; the tick behind the intent says 15:01
    assert b.evaluate(intent(Side.BUY, 10, ist(15, 1))).reason is RejectReason.REDUCING


def test_each_segment_by_its_own_cutoff():
    b = book()
    at = ist(15, 2)  # NSE cash past its cut-off, NFO not yet
    assert b.evaluate(intent(Side.BUY, 10, at)).reason is RejectReason.REDUCING
    assert b.evaluate(intent(Side.BUY, 75, at, symbol=NIFTY)).approved


def test_a_holiday_refuses_everything_as_market_closed():
    b = book()
    hold(b, INFY, 10)
    verdict = b.evaluate(intent(Side.SELL, 10, ist(11, 0, day=24)))
    assert verdict.reason is RejectReason.MARKET_CLOSED


def test_the_state_turns_reducing_once_every_traded_segment_is_past_its_cutoff():
    b = book()
    assert b.on_phase("NSE", Phase.ENTRIES_CLOSED, ist(15, 0)) is None  # NFO still open
    assert b.state is TradingState.ACTIVE
    change = b.on_phase("NFO", Phase.ENTRIES_CLOSED, ist(15, 5))
    assert isinstance(change, TradingStateChanged)
    assert (change.state, change.source) == (TradingState.REDUCING, StateSource.SCHEDULE)
    assert b.on_phase("NSE", Phase.SQUARE_OFF, ist(15, 15)) is None  # already there


def test_the_schedule_does_not_soften_a_halt():
    b = book()
    b.change(TradingState.HALTED, StateSource.OPERATOR, "lunch", ist(14, 0))
    b.on_phase("NSE", Phase.ENTRIES_CLOSED, ist(15, 0))
    assert b.on_phase("NFO", Phase.ENTRIES_CLOSED, ist(15, 5)) is None
    assert b.state is TradingState.HALTED


def _empty_day() -> RiskRestore:
    return RiskRestore(
        positions={}, trade_ids=frozenset(), working=(), seen_ids=frozenset(),
        resume_to=TradingState.ACTIVE, flatten_seq=0,
    )  # fmt: skip


def test_a_new_day_lifts_the_schedules_reducing_but_not_the_operators():
    b = book()
    b.on_phase("NSE", Phase.ENTRIES_CLOSED, ist(15, 0))
    b.on_phase("NFO", Phase.ENTRIES_CLOSED, ist(15, 5))
    lifted = b.new_day(_empty_day(), ist(9, 0, day=23))
    assert lifted is not None and lifted.state is TradingState.ACTIVE
    assert b.phases == {}
    b.change(TradingState.REDUCING, StateSource.OPERATOR, "by hand", ist(10, 0, day=23))
    assert b.new_day(_empty_day(), ist(9, 0, day=25)) is None
    assert b.state is TradingState.REDUCING


def test_a_restart_keeps_the_days_cutoff_reducing_only_on_its_day():
    change = TradingStateChanged(
        state=TradingState.REDUCING, previous=TradingState.ACTIVE,
        source=StateSource.SCHEDULE, reason="entry cut-off", at_ns=ist(15, 0),
    )  # fmt: skip
    record = StateRecord(change=change, day=datetime.date(2026, 11, 20))
    assert resume_state(record, datetime.date(2026, 11, 20)) is TradingState.REDUCING
    assert resume_state(record, datetime.date(2026, 11, 23)) is TradingState.ACTIVE


def pnl(net: int) -> PnLUpdate:
    return PnLUpdate(realized=net, unrealized=0, charges=0, net=net, peak_net=0, drawdown=0)


def test_the_soft_loss_line_turns_reducing_and_the_hard_line_still_halts():
    b = book(soft_loss=2_500_00)  # half of max_daily_loss ₹5,000
    assert b.on_pnl(pnl(-2_499_99), ist(11, 0)) is None
    soft = b.on_pnl(pnl(-2_500_00), ist(11, 1))
    assert soft is not None and (soft.state, soft.source) == (
        TradingState.REDUCING,
        StateSource.LIMIT,
    )
    assert "soft loss line" in soft.reason
    entry = b.evaluate(intent(Side.BUY, 10, ist(11, 2)))
    assert entry.reason is RejectReason.REDUCING
    hard = b.on_pnl(pnl(-5_000_00), ist(11, 3))
    assert hard is not None and hard.state is TradingState.HALTED
    lifted = b.new_day(_empty_day(), ist(9, 0, day=23))
    assert lifted is not None and lifted.state is TradingState.ACTIVE


def test_the_operators_reduce_rejects_entries_with_reason_reducing():
    b = book()
    hold(b, INFY, 10)
    b.change(TradingState.REDUCING, StateSource.OPERATOR, "by hand", ist(11, 0))
    assert b.evaluate(intent(Side.BUY, 10, ist(11, 1))).reason is RejectReason.REDUCING
    assert b.evaluate(intent(Side.SELL, 10, ist(11, 1))).approved
