"""RiskGate's checks with commodity contracts: order value and gross exposure are price x
quantity x multiplier; quantities stay in lots; the loss limits see the multiplied PnL.

The contracts, as Kite's dump and positions have them: ``MCX:CRUDEOILM`` (10 barrels, quoted in
₹/bbl, tick ₹1, counted in lots: lot size 1, multiplier 10), and the issue's example of a
multiplier-1000 contract (an MCX metal mini, 1 tonne quoted in ₹/kg: lot 1, multiplier 1000)
whose one lot at ₹160/kg is a ₹1.6 lakh order. Expected figures are worked here from the rule.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from decimal import Decimal

from core.charges import ChargeRates, ProductRates
from core.instruments import InstrumentSpec
from core.market_hours import MarketHours
from core.pnl import PnLLedger
from core.risk import RiskBook, RiskLimits
from messages import Fill, OrderIntent, OrderType, Product, RejectReason, Side, TradingState

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HOURS = MarketHours(IST, datetime.time(9, 0), datetime.time(23, 30))
OPEN_NS = int(datetime.datetime(2025, 11, 20, 14, 0, tzinfo=IST).timestamp()) * 10**9

CRUDE = "MCX:CRUDEOILM25DECFUT"
CRUDE_SPEC = InstrumentSpec(tick_size=100, lot_size=1, multiplier=10)
CRUDE_MARK = 5_400_00  # ₹5,400.00 a barrel
METAL = "MCX:LEADMINI25DECFUT"
METAL_SPEC = InstrumentSpec(tick_size=5, lot_size=1, multiplier=1000)
METAL_MARK = 160_00  # ₹160.00 a kg
OPTION = "NFO:NIFTY25DEC24000CE"
OPTION_SPEC = InstrumentSpec(tick_size=5, lot_size=75)

LIMITS = RiskLimits(
    max_order_quantity=1000,
    max_order_value=10_000_00,  # ₹10,000
    max_position_quantity=3,
    max_gross_exposure=10**12,
    max_open_orders=10,
    max_orders_per_minute=100,
    price_band_bps=500,
    max_daily_loss=5_000_00,  # ₹5,000
    max_drawdown=10**12,
)


def _fill(symbol: str, quantity: int) -> Fill:
    return Fill(trade_id=f"T-{symbol}-{quantity}", client_id="earlier", symbol=symbol,
                side=Side.BUY, quantity=quantity, price=540_000)  # fmt: skip


def book(**limits: int) -> RiskBook:
    b = RiskBook(
        limits=dataclasses.replace(LIMITS, **limits),
        instruments={CRUDE: CRUDE_SPEC, METAL: METAL_SPEC, OPTION: OPTION_SPEC},
        hours=HOURS,
        state=TradingState.ACTIVE,
    )
    b.on_marks({CRUDE: CRUDE_MARK, METAL: METAL_MARK, OPTION: 120_00}, OPEN_NS)
    return b


_ids = iter(range(1_000_000))


def intent(symbol: str, quantity: int, side: Side = Side.BUY, **kw: object) -> OrderIntent:
    return OrderIntent(
        client_id=f"c{next(_ids)}", symbol=symbol, side=side, quantity=quantity,
        market_ns=OPEN_NS, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_one_lakh_sixty_thousand_order_does_not_pass_a_ten_thousand_limit():
    # One lot at ₹160.00/kg, 1000 kg: 16000 paise x 1 x 1000 = ₹1,60,000 (₹160 without it).
    order = intent(METAL, 1, order_type=OrderType.LIMIT, limit_price=METAL_MARK)
    verdict = book().evaluate(order)
    assert verdict.reason is RejectReason.MAX_ORDER_VALUE
    assert verdict.detail == "value ₹160,000.00 > max_order_value ₹10,000.00"


def test_the_same_order_passes_a_limit_it_is_within():
    order = intent(METAL, 1, order_type=OrderType.LIMIT, limit_price=METAL_MARK)
    assert book(max_order_value=16_000_000).evaluate(order).approved  # exactly the value
    again = intent(METAL, 1, order_type=OrderType.LIMIT, limit_price=METAL_MARK)
    assert book(max_order_value=15_999_999).evaluate(again).reason is RejectReason.MAX_ORDER_VALUE


def test_a_market_order_is_valued_at_the_mark_with_the_multiplier():
    value = CRUDE_MARK * 1 * 10  # ₹54,000 for one 10-barrel lot
    assert book(max_order_value=value).evaluate(intent(CRUDE, 1)).approved
    verdict = book(max_order_value=value - 1).evaluate(intent(CRUDE, 1))
    assert verdict.reason is RejectReason.MAX_ORDER_VALUE


def test_gross_exposure_counts_positions_and_working_orders_with_the_multiplier():
    b = book(max_order_value=10**12)
    b.on_fill(_fill(CRUDE, 2))
    assert b.gross_exposure() == 2 * CRUDE_MARK * 10  # ₹1,08,000
    assert b.evaluate(intent(METAL, 1)).approved  # working: adds 1 x 16000 x 1000
    assert b.gross_exposure() == 2 * CRUDE_MARK * 10 + METAL_MARK * 1000


def test_gross_exposure_limit_refuses_what_the_multiplier_makes_too_big():
    held = 2 * CRUDE_MARK * 10
    limit = held + CRUDE_MARK * 10 - 1  # one more lot would be a paisa over
    b = book(max_order_value=10**12, max_gross_exposure=limit)
    b.on_fill(_fill(CRUDE, 2))
    assert b.evaluate(intent(CRUDE, 1)).reason is RejectReason.MAX_GROSS_EXPOSURE
    roomy = book(max_order_value=10**12, max_gross_exposure=limit + 1)
    roomy.on_fill(_fill(CRUDE, 2))
    assert roomy.evaluate(intent(CRUDE, 1)).approved


def test_position_limits_stay_in_contracts_not_value():
    b = book(max_order_value=10**12)
    assert b.evaluate(intent(CRUDE, 3)).approved  # 3 contracts = max_position_quantity
    assert book(max_order_value=10**12).evaluate(intent(CRUDE, 4)).reason is (
        RejectReason.MAX_POSITION
    )


def test_quantity_must_be_whole_lots_of_the_instruments_lot():
    b = book(max_order_value=10**12, max_position_quantity=1000)
    verdict = b.evaluate(intent(OPTION, 50))
    assert verdict.reason is RejectReason.INVALID_QUANTITY
    assert verdict.detail.endswith("lot size 75")
    assert b.evaluate(intent(OPTION, 150)).approved


def test_prices_must_be_whole_ticks_of_the_contract():
    b = book(max_order_value=10**12)
    off_tick = intent(CRUDE, 1, order_type=OrderType.LIMIT, limit_price=CRUDE_MARK + 50)
    assert b.evaluate(off_tick).reason is RejectReason.INVALID_PRICE  # ₹0.50: tick is ₹1
    on_tick = intent(CRUDE, 1, order_type=OrderType.LIMIT, limit_price=CRUDE_MARK + 100)
    assert b.evaluate(on_tick).approved


def test_the_daily_loss_limit_sees_the_multiplied_loss():
    """Long 2 crude minis at ₹5,400; the mark falls ₹300 a barrel: 300 x 2 x 10 = ₹6,000 lost,
    beyond the ₹5,000 limit (₹600 without the multiplier, far within it)."""
    zero = Decimal(0)
    free = ProductRates(brokerage=zero, stt_buy=zero, stt_sell=zero, exchange=zero, stamp_buy=zero)
    rates = ChargeRates(mis=free, nrml=free, sebi=zero, gst=zero)
    ledger = PnLLedger(rates, multipliers={CRUDE: 10})
    bought = Fill(
        trade_id="T1", client_id="c1", symbol=CRUDE, side=Side.BUY, quantity=2,
        price=CRUDE_MARK, product=Product.NRML, at_ns=OPEN_NS,
    )  # fmt: skip
    ledger.apply_fill(bought)
    ledger.mark(CRUDE, CRUDE_MARK - 300_00, at_ns=OPEN_NS + 1)
    update = ledger.to_update(OPEN_NS + 1)
    assert update.net == -300_00 * 2 * 10
    b = book()
    changed = b.on_pnl(update, OPEN_NS + 1)
    assert changed is not None and changed.state is TradingState.HALTED
    assert "max_daily_loss" in changed.reason
