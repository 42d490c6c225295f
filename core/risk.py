"""Pre-trade risk, pure: every intent passes named checks, each with its own reject reason.

``RiskBook`` is RiskGate's whole state (trading state, positions from fills, working orders,
marks, the day's PnL) and its decisions. The RiskGate actor only feeds it messages and sends
what it returns. The order of the checks is deliberate: the trading state first (a halt must
win over everything), then the intent's own validity, then market hours, then the limits.

An order *reduces exposure* when it is opposite to the position and no larger than what is
left of it after other working reducing orders: such orders pass REDUCING, and are exempt from
the limits that exist to stop exposure from growing (position, gross exposure, open orders,
orders per minute). Nothing passes RECONCILING except RiskGate's own flatten orders, and
nothing passes HALTED but those and a position's protective stop (``_state_verdict``; not
while a flatten is on).

Money is valued with each instrument's contract multiplier (``core.instruments``): an order's
value and the gross exposure are price x quantity x multiplier, so a 10-barrel crude contract
quoted per barrel counts ten times its price. Quantity limits (order, position) stay in the
exchange's units (shares, contracts): they limit what is sent, not what it is worth.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from core.instruments import InstrumentSpec
from core.market_hours import MarketHours, exchange_of
from core.recovery import RiskRestore
from messages import (
    Fill,
    ModifyIntent,
    OrderIntent,
    OrderType,
    Phase,
    PnLUpdate,
    ReconcilePolicy,
    ReconciliationReport,
    RejectReason,
    Side,
    StateSource,
    TradingState,
    TradingStateChanged,
)

MINUTE_NS = 60_000_000_000


@dataclass(frozen=True, kw_only=True)
class RiskLimits:
    """The limits in exact units: quantities in shares, money in paise."""

    max_order_quantity: int
    max_order_value: int
    max_position_quantity: int
    max_gross_exposure: int
    max_open_orders: int
    max_orders_per_minute: int
    price_band_bps: int
    max_daily_loss: int
    max_drawdown: int
    soft_loss: int | None = None
    """The day's net loss (paise) at which trading turns REDUCING; None: no soft line."""


Instrument = InstrumentSpec
"""RiskBook's name for an instrument's tick size, lot size and multiplier."""


@dataclass(frozen=True)
class Verdict:
    """``reason`` is None when the intent may go; ``reduces`` is what RiskGate tells the router
    (exits and cancels jump the rate limiter's queue)."""

    reason: RejectReason | None
    detail: str = ""
    reduces: bool = False

    @property
    def approved(self) -> bool:
        return self.reason is None


@dataclass
class _Working:
    symbol: str
    side: Side
    remaining: int
    reduces: bool


@dataclass
class RiskBook:
    limits: RiskLimits
    instruments: dict[str, Instrument]
    hours: MarketHours
    state: TradingState = TradingState.RECONCILING
    state_source: StateSource = StateSource.STARTUP
    """Who set the current state: a daily limit's halt ends with its day, an operator's not."""
    resume_to: TradingState = TradingState.ACTIVE
    """The state to enter once start-up reconciliation is clean (a journaled halt survives)."""
    positions: dict[str, int] = field(default_factory=dict)
    trade_ids: set[str] = field(default_factory=set)
    """Fills of the day already in ``positions``: one delivered again counts once."""
    marks: dict[str, int] = field(default_factory=dict)
    working: dict[str, _Working] = field(default_factory=dict)
    seen_ids: set[str] = field(default_factory=set)
    approvals: deque[int] = field(default_factory=deque)
    market_ns: int = 0
    pnl: PnLUpdate | None = None
    phases: dict[str, Phase] = field(default_factory=dict)
    """Each segment's session phase as TickFeed last announced it."""
    flattening: bool = False
    """A flatten is on (RiskGate's, until flat or resumed): its own orders close everything,
    and nothing else passes, not even a protective stop (one placed for a fill that came after
    the flatten's close was decided would rest for a position the close already ends, and
    open a new one when it triggers)."""
    _held: dict[str, int] = field(default_factory=dict, repr=False)
    """Each held symbol's |position| x mark x multiplier (paise): ``gross_exposure``'s parts."""
    _held_total: int = field(default=0, repr=False)
    _adding: int = field(default=0, repr=False)
    """Working orders that do not reduce exposure: what ``max_open_orders`` counts (a
    protective stop rests as long as its position is open, and must not crowd out entries)."""

    def __post_init__(self) -> None:
        self._revalue_all()

    # -- the checks ------------------------------------------------------------------------

    def evaluate(self, intent: OrderIntent, *, own_flatten: bool = False) -> Verdict:
        """Decide one intent. Approval records it as working and counts it per minute."""
        verdict = self._check(intent, own_flatten)
        if verdict.approved:
            self.seen_ids.add(intent.client_id)
            self._put(
                intent.client_id,
                _Working(intent.symbol, intent.side, intent.quantity, verdict.reduces),
            )
            self.approvals.append(self._now(intent))
        return verdict

    def modify_problem(self, intent: ModifyIntent) -> str | None:
        """Why a modification may not go, or None: it must be of an order working here, of
        its symbol, with prices on the tick grid. It passes every state (HALTED too): it only
        moves an order already resting, and a stop is only ever tightened."""
        working = self.working.get(intent.client_id)
        if working is None or working.symbol != intent.symbol:
            return f"{intent.client_id} is not a working order of {intent.symbol}"
        if intent.trigger_price is None and intent.limit_price is None:
            return "a modification must change the trigger or the limit price"
        instrument = self.instruments.get(intent.symbol)
        tick = instrument.tick_size if instrument is not None else 1
        for name, price in (("limit", intent.limit_price), ("trigger", intent.trigger_price)):
            if price is not None and (price <= 0 or price % tick):
                return f"{name} price {price} paise is not a positive multiple of the tick size"
        return None

    def _put(self, client_id: str, working: _Working) -> None:
        previous = self.working.get(client_id)
        if previous is not None and not previous.reduces:
            self._adding -= 1
        self.working[client_id] = working
        if not working.reduces:
            self._adding += 1

    def _drop(self, client_id: str) -> None:
        working = self.working.pop(client_id, None)
        if working is not None and not working.reduces:
            self._adding -= 1

    def _check(self, intent: OrderIntent, own_flatten: bool) -> Verdict:
        instrument = self.instruments.get(intent.symbol)
        if instrument is None:
            return Verdict(RejectReason.UNKNOWN_SYMBOL, f"{intent.symbol} is not configured")
        if intent.quantity <= 0 or intent.quantity % instrument.lot_size:
            detail = f"quantity {intent.quantity} is not a positive multiple of the lot size"
            return Verdict(RejectReason.INVALID_QUANTITY, f"{detail} {instrument.lot_size}")
        if intent.client_id in self.seen_ids:
            return Verdict(RejectReason.DUPLICATE, f"client id {intent.client_id} already used")
        reduces = self.reduces_exposure(intent)
        protective = reduces and intent.order_type in (OrderType.SL, OrderType.SL_M)
        state = self._state_verdict(reduces, own_flatten, protective)
        if state is not None:
            return state
        price_problem = self._price_problem(intent, instrument)
        if price_problem is not None:
            return Verdict(RejectReason.INVALID_PRICE, price_problem)
        now = self._now(intent)
        exchange = exchange_of(intent.symbol)
        phase = self.hours.phase(now, exchange)
        if not phase.trading:
            detail = f"{exchange} {phase} at {self.hours.local(now)}"
            return Verdict(RejectReason.MARKET_CLOSED, f"market closed: {detail}")
        if phase.entries_closed and not reduces:
            cutoff = self.hours.segment(exchange).session.entry_cutoff.strftime("%H:%M")
            detail = f"{exchange} takes only exposure-reducing orders from {cutoff} (entry_cutoff)"
            return Verdict(RejectReason.REDUCING, detail)
        if own_flatten and reduces:
            # RiskGate's own close of what is held: sized by the position, not by a person, so
            # the limits on an order's size and value (fat fingers) do not apply, and it needs no
            # price (a flatten right after a restart comes before the first marks; refused, the
            # position would stay open until the next fill asked again).
            return Verdict(None, reduces=True)
        reference = self.marks.get(intent.symbol, intent.market_price)
        band = self._band_problem(intent, reference)
        if band is not None:
            return Verdict(RejectReason.PRICE_BAND, band)
        if intent.quantity > self.limits.max_order_quantity:
            detail = f"{intent.quantity} > max_order_quantity {self.limits.max_order_quantity}"
            return Verdict(RejectReason.MAX_ORDER_QUANTITY, detail)
        price = intent.limit_price or intent.trigger_price or reference
        if price is None:
            return Verdict(RejectReason.INVALID_PRICE, "no price known to value the order")
        value = instrument.value(price, intent.quantity)
        if value > self.limits.max_order_value:
            detail = (
                f"value {_rupees(value)} > max_order_value {_rupees(self.limits.max_order_value)}"
            )
            return Verdict(RejectReason.MAX_ORDER_VALUE, detail)
        if reduces:
            return Verdict(None, reduces=True)
        breach = self.loss_breach()
        if breach is not None:  # e.g. resumed by hand while still beyond a loss limit
            return Verdict(*breach)
        return self._exposure_verdict(intent, value, now) or Verdict(None)

    def _state_verdict(
        self, reduces: bool, own_flatten: bool, protective: bool = False
    ) -> Verdict | None:
        """``protective``: a stop order that only reduces a position. It passes HALTED (a
        halt must not leave a position without its stop at the venue: one cancelled for an
        exit the halt refused goes straight back), unless the halt is over a reconciliation
        difference, where the positions "reduces" is judged by are the ones in doubt, or a
        flatten is on (``flattening``)."""
        if own_flatten and reduces:
            return None
        if self.state is TradingState.HALTED:
            keeps_stop = self.state_source is not StateSource.RECONCILIATION
            if protective and keeps_stop and not self.flattening:
                return None
            return Verdict(RejectReason.HALTED, "trading is halted")
        if self.state is TradingState.RECONCILING:
            return Verdict(RejectReason.RECONCILING, "positions not yet reconciled with the broker")
        if self.state is TradingState.REDUCING and not reduces:
            return Verdict(RejectReason.REDUCING, "only exposure-reducing orders allowed")
        return None

    @staticmethod
    def _price_problem(intent: OrderIntent, instrument: Instrument) -> str | None:
        needs_limit = intent.order_type in (OrderType.LIMIT, OrderType.SL)
        needs_trigger = intent.order_type in (OrderType.SL, OrderType.SL_M)
        kind = intent.order_type.value
        if needs_limit != (intent.limit_price is not None):
            return f"{kind} order {'needs' if needs_limit else 'takes no'} limit price"
        if needs_trigger != (intent.trigger_price is not None):
            return f"{kind} order {'needs' if needs_trigger else 'takes no'} trigger price"
        for name, price in (("limit", intent.limit_price), ("trigger", intent.trigger_price)):
            if price is not None and (price <= 0 or price % instrument.tick_size):
                return f"{name} price {price} paise is not a positive multiple of the tick size"
        return None

    def _band_problem(self, intent: OrderIntent, reference: int | None) -> str | None:
        prices = [p for p in (intent.limit_price, intent.trigger_price) if p is not None]
        if not prices:
            return None
        if reference is None:
            return "no last price to check the limit price against"
        for price in prices:
            # |price - ref| / ref > band / 10_000, in integers
            if abs(price - reference) * 10_000 > self.limits.price_band_bps * reference:
                return (
                    f"price {_rupees(price)} is more than {self.limits.price_band_bps} bps "
                    f"from the last price {_rupees(reference)}"
                )
        return None

    def _exposure_verdict(self, intent: OrderIntent, value: int, now: int) -> Verdict | None:
        # The counting limits first: they cost O(1), and when the tree asks for far more orders
        # than the broker allows (thousands of symbols, 10 orders a second) they are what most
        # intents meet; the sums over working orders below are then not paid for nothing.
        if self._adding >= self.limits.max_open_orders:
            detail = f"{self._adding} open orders = max_open_orders (exits and stops not counted)"
            return Verdict(RejectReason.MAX_OPEN_ORDERS, detail)
        while self.approvals and self.approvals[0] <= now - MINUTE_NS:
            self.approvals.popleft()
        if len(self.approvals) >= self.limits.max_orders_per_minute:
            detail = f"{len(self.approvals)} orders in the last minute = max_orders_per_minute"
            return Verdict(RejectReason.MAX_ORDERS_PER_MINUTE, detail)
        position = self.positions.get(intent.symbol, 0)
        pending = sum(
            w.remaining * w.side.sign
            for w in self.working.values()
            if w.symbol == intent.symbol and not w.reduces
        )
        after = position + pending + intent.quantity * intent.side.sign
        if abs(after) > self.limits.max_position_quantity:
            detail = f"position would be {after} > max_position_quantity"
            return Verdict(
                RejectReason.MAX_POSITION, f"{detail} {self.limits.max_position_quantity}"
            )
        gross = self.gross_exposure() + value
        if gross > self.limits.max_gross_exposure:
            limit = _rupees(self.limits.max_gross_exposure)
            detail = f"gross exposure would be {_rupees(gross)} > {limit}"
            return Verdict(RejectReason.MAX_GROSS_EXPOSURE, detail)
        return None

    # -- what the checks read --------------------------------------------------------------

    def reduces_exposure(self, intent: OrderIntent) -> bool:
        position = self.positions.get(intent.symbol, 0)
        if position == 0 or intent.side.sign == (1 if position > 0 else -1):
            return False
        already = sum(
            w.remaining for w in self.working.values() if w.symbol == intent.symbol and w.reduces
        )
        return intent.quantity + already <= abs(position)

    def gross_exposure(self) -> int:
        """Sum over symbols of |position| x last price x multiplier, plus what working orders
        that add exposure would add once filled (paise). A symbol with no mark yet is valued at
        0: that only arises before the first batch of marks.

        The held part is a running total, kept as positions and marks change (one symbol's
        work per fill or mark), so an intent costs O(working orders), not O(symbols): with
        thousands of symbols a sum per intent was a measurable share of the order path."""
        coming = sum(
            self._value(w.symbol, w.remaining) for w in self.working.values() if not w.reduces
        )
        return self._held_total + coming

    def _revalue(self, symbol: str) -> None:
        """Bring one symbol's part of the running held value up to date."""
        value = self._value(symbol, abs(self.positions.get(symbol, 0)))
        self._held_total += value - self._held.get(symbol, 0)
        if value:
            self._held[symbol] = value
        else:
            self._held.pop(symbol, None)

    def _revalue_all(self) -> None:
        self._held, self._held_total = {}, 0
        for symbol in self.positions:
            self._revalue(symbol)

    def _value(self, symbol: str, quantity: int) -> int:
        """``quantity`` at the symbol's mark, with its multiplier. A symbol no longer configured
        (a position from the journal) is valued at multiplier 1: its contract is unknown."""
        instrument = self.instruments.get(symbol)
        multiplier = instrument.multiplier if instrument is not None else 1
        return quantity * self.marks.get(symbol, 0) * multiplier

    def _now(self, intent: OrderIntent) -> int:
        return max(self.market_ns, intent.market_ns)

    # -- what the book learns --------------------------------------------------------------

    def on_fill(self, fill: Fill) -> bool:
        """Count a fill in the position, once per trade id; False if it was counted already."""
        if fill.trade_id in self.trade_ids:
            return False
        self.trade_ids.add(fill.trade_id)
        self.positions[fill.symbol] = self.positions.get(fill.symbol, 0) + fill.side.signed(
            fill.quantity
        )
        self._revalue(fill.symbol)
        working = self.working.get(fill.client_id)
        if working is not None:
            working.remaining -= fill.quantity
            if working.remaining <= 0:
                self._drop(fill.client_id)
        return True

    def restore(self, restored: RiskRestore, in_flight: frozenset[str] = frozenset()) -> None:
        """Take what the recovery model says RiskGate knows for the day (at a start, or a new
        trading day): positions, the fills in them, working orders, used client ids. The
        trading state is not touched here (see ``new_day`` and ``restored.resume_to``).
        ``in_flight``: orders approved but not yet journaled by the router, kept as working
        (the journal cannot know them yet)."""
        kept = {cid: self.working[cid] for cid in in_flight if cid in self.working}
        self.positions = dict(restored.positions)
        self._revalue_all()
        self.trade_ids = set(restored.trade_ids)
        self.seen_ids = set(restored.seen_ids) | set(kept)
        self.working = kept
        self._adding = sum(1 for w in kept.values() if not w.reduces)
        for order in restored.working:
            self.restore_working(order.client_id, order.symbol, order.side, order.remaining)
        if self.state is TradingState.RECONCILING:
            self.resume_to = restored.resume_to

    def new_day(
        self, restored: RiskRestore, at_ns: int, in_flight: frozenset[str] = frozenset()
    ) -> TradingStateChanged | None:
        """A new trading day: the books for the day, no PnL yet (today's starts at zero), a
        fresh minute window, and a halt or reduce set by a daily limit lifted — the day it was
        about is over. Any other halt stays until someone resumes."""
        self.restore(restored, in_flight)
        self.pnl = None
        self.approvals.clear()
        self.phases = {}
        daily = self.state_source.ends_with_day
        if daily and self.state in (TradingState.HALTED, TradingState.REDUCING):
            return self.change(
                TradingState.ACTIVE,
                self.state_source,
                "a new trading day: daily limits reset",
                at_ns,
            )
        return None

    def on_phase(self, exchange: str, phase: Phase, at_ns: int) -> TradingStateChanged | None:
        """A segment's session moved on. Once every traded segment is past its entry cut-off,
        an ACTIVE book turns REDUCING (for the day: ``new_day`` lifts it). Each intent is also
        judged by its own segment's phase in ``evaluate``, so a segment past its cut-off takes
        no entry even while another still trades."""
        self.phases[exchange] = phase
        traded = {exchange_of(symbol) for symbol in self.instruments}
        if not phase.entries_closed or self.state is not TradingState.ACTIVE:
            return None
        if not all(self.phases.get(e, Phase.OPEN).entries_closed for e in traded):
            return None
        cutoff = self.hours.segment(exchange).session.entry_cutoff.strftime("%H:%M")
        reason = f"entry cut-off: {exchange} takes only exposure-reducing orders from {cutoff}"
        return self.change(TradingState.REDUCING, StateSource.SCHEDULE, reason, at_ns)

    def on_reconciliation(
        self, report: ReconciliationReport, at_ns: int
    ) -> TradingStateChanged | None:
        """What a reconciliation's verdict does to the state. Clean at start-up: enter the
        state to resume to. A confirmed difference under ``halt``: HALTED (at start-up too).
        Under ``alert`` a difference is reported and trading goes on — also out of the start-up
        RECONCILING, or an alert policy would be a halt in disguise. Under ``adopt`` the report
        is clean once the broker's book is adopted; one that could not be adopted stays
        RECONCILING at start-up (and is only reported later)."""
        halt = not report.clean and report.policy is ReconcilePolicy.HALT
        if halt:
            reason = f"positions disagree with the broker ({len(report.diffs)} differences)"
            return self.change(TradingState.HALTED, StateSource.RECONCILIATION, reason, at_ns)
        if self.state is not TradingState.RECONCILING:
            return None
        if report.clean or report.policy is ReconcilePolicy.ALERT:
            detail = "clean" if report.clean else f"{len(report.diffs)} differences reported"
            reason = f"start-up reconciliation #{report.run}: {detail}"
            return self.change(self.resume_to, StateSource.RECONCILIATION, reason, at_ns)
        return None

    def restore_working(self, client_id: str, symbol: str, side: Side, remaining: int) -> None:
        """After a restart: an order the journal says is still working."""
        intent = OrderIntent(client_id=client_id, symbol=symbol, side=side, quantity=remaining)
        reduces = self.reduces_exposure(intent)
        self.seen_ids.add(client_id)
        self._put(client_id, _Working(symbol, side, remaining, reduces))

    def on_order_done(self, client_id: str) -> None:
        """The order reached a terminal status: it no longer counts as working."""
        self._drop(client_id)

    def on_marks(self, marks: dict[str, int], market_ns: int) -> None:
        self.marks.update(marks)
        self.market_ns = max(self.market_ns, market_ns)
        positions = self.positions
        for symbol in marks:
            if positions.get(symbol):
                self._revalue(symbol)

    def on_pnl(self, update: PnLUpdate, at_ns: int) -> TradingStateChanged | None:
        """Record the day's PnL; a loss limit breached switches to HALTED (once), the soft
        loss line crossed to REDUCING (from ACTIVE only: a halt is stricter)."""
        self.pnl = update
        breach = self.loss_breach()
        if breach is not None and self.state is not TradingState.HALTED:
            return self.change(TradingState.HALTED, StateSource.LIMIT, breach[1], at_ns)
        soft = self.limits.soft_loss
        active = self.state is TradingState.ACTIVE or (
            self.state is TradingState.RECONCILING and self.resume_to is TradingState.ACTIVE
        )
        if breach is None and soft is not None and update.net <= -soft and active:
            reason = f"soft loss line: net {_rupees(update.net)} <= -{_rupees(soft)}"
            return self.change(TradingState.REDUCING, StateSource.LIMIT, reason, at_ns)
        return None

    def loss_breach(self) -> tuple[RejectReason, str] | None:
        """Which loss limit the day's PnL breaches, if any, and how."""
        if self.pnl is None:
            return None
        if self.pnl.net <= -self.limits.max_daily_loss:
            limit = _rupees(self.limits.max_daily_loss)
            return (
                RejectReason.MAX_DAILY_LOSS,
                f"max_daily_loss: net {_rupees(self.pnl.net)} <= -{limit}",
            )
        if self.pnl.drawdown >= self.limits.max_drawdown:
            limit = _rupees(self.limits.max_drawdown)
            detail = f"max_drawdown: drawdown {_rupees(self.pnl.drawdown)} >= {limit}"
            return RejectReason.MAX_DRAWDOWN, detail
        return None

    def change(
        self, state: TradingState, source: StateSource, reason: str, at_ns: int
    ) -> TradingStateChanged | None:
        """Switch state. While RECONCILING, an operator's state is remembered for afterwards."""
        if self.state is TradingState.RECONCILING and source is not StateSource.RECONCILIATION:
            self.resume_to = state
            return None
        if state is self.state:
            return None
        previous, self.state = self.state, state
        self.state_source = source
        return TradingStateChanged(
            state=state, previous=previous, source=source, reason=reason, at_ns=at_ns
        )


def _rupees(paise: int) -> str:
    sign = "-" if paise < 0 else ""
    return f"{sign}₹{abs(paise) // 100:,}.{abs(paise) % 100:02d}"
